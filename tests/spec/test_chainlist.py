"""Reading facts from chain files: explorer kinds, API URLs and the network type."""

from __future__ import annotations

import pytest

from onboard.spec.chainlist import ExplorerFact, classify_explorer, read_chain
from tests.spec.conftest import load_chain


@pytest.mark.parametrize(
    ("name", "url", "expected"),
    [
        ("etherscan", "https://etherscan.io", ExplorerFact("etherscan", "etherscan", "https://etherscan.io",
                                                            "https://api.etherscan.io/api", None)),
        ("x", "https://sepolia.etherscan.io/", ExplorerFact("etherscan", "x", "https://sepolia.etherscan.io",
                                                             "https://api-sepolia.etherscan.io/api", None)),
        ("x", "https://optimistic.etherscan.io", ExplorerFact("etherscan", "x", "https://optimistic.etherscan.io",
                                                               "https://api-optimistic.etherscan.io/api", None)),
        ("Berascan", "https://berascan.com", ExplorerFact("etherscan", "Berascan", "https://berascan.com",
                                                          "https://api.berascan.com/api", None)),
        # Two labels under a known host: the API host is not certain, so no api_url.
        ("x", "https://a.b.etherscan.io", ExplorerFact("etherscan", "x", "https://a.b.etherscan.io", None, None)),
        # Named Etherscan but on an unknown host: Etherscan, API URL unknown.
        ("Etherscan", "https://newscan.example", ExplorerFact("etherscan", "Etherscan", "https://newscan.example",
                                                              None, None)),
        ("blockscout", "https://explorer.celo.org", ExplorerFact("blockscout", "blockscout",
                                                                 "https://explorer.celo.org",
                                                                 "https://explorer.celo.org/api", None)),
        ("Explorer", "https://eth.blockscout.com/", ExplorerFact("blockscout", "Explorer",
                                                                 "https://eth.blockscout.com",
                                                                 "https://eth.blockscout.com/api", False)),
    ],
)
def test_classify_explorer_recognises(name: str, url: str, expected: ExplorerFact) -> None:
    assert classify_explorer(name, url) == expected


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("Ink Explorer", "https://explorer.inkonchain.com"),
        ("dexguru", "https://optimism.dex.guru"),
        ("etherscan", "http://etherscan.io"),
        ("blockscout", "ftp://eth.blockscout.com"),
        ("blockscout", "https://eth.blockscout.com/ x"),
        ("x", "https://etherscan.io.evil.example"),
        ("", ""),
    ],
)
def test_classify_explorer_leaves_others(name: str, url: str) -> None:
    assert classify_explorer(name, url) is None


@pytest.mark.parametrize(
    ("chain_id", "expected"),
    [
        (130, "Mainnet"),  # no hint, no faucet
        (146, "Mainnet"),  # "Sonic Mainnet"
        (1301, "Testnet"),  # "Unichain Sepolia Testnet"
        (763373, "Testnet"),  # "Ink Sepolia"
        (1946, "Testnet"),  # "Minato": its parent is Sepolia
        (57054, "Testnet"),  # "Sonic Blaze Testnet"
        (11155111, "Testnet"),  # "Ethereum Sepolia"
        (57073, None),  # "Ink" lists a faucet and names neither type
        (43114, None),  # "Avalanche C-Chain" lists a faucet and names neither type
        (30, "Mainnet"),  # "RSK Mainnet" lists a faucet but names mainnet
    ],
)
def test_network_type_inference(chain_id: int, expected: str | None) -> None:
    facts = read_chain(load_chain(chain_id), source="test")

    assert facts.network_type.value == expected
    assert facts.network_type.note


def test_network_type_testnet_flag_wins() -> None:
    chain = load_chain(57073) | {"testnet": True}

    assert read_chain(chain, source="test").network_type.value == "Testnet"


def test_legacy_tx_from_features() -> None:
    assert read_chain(load_chain(57073), source="test").legacy_tx.value is False
    assert read_chain(load_chain(130), source="test").legacy_tx.value is None


def test_second_explorer_of_a_kind_is_listed_as_other() -> None:
    chain = load_chain(8453) | {
        "explorers": [
            {"name": "basescan", "url": "https://basescan.org"},
            {"name": "etherscan", "url": "https://sepolia.basescan.org"},
        ]
    }

    facts = read_chain(chain, source="test")

    assert [explorer.browser_url for explorer in facts.explorers] == ["https://basescan.org"]
    assert facts.other_explorers == (("etherscan", "https://sepolia.basescan.org"),)


def test_layer2_from_parent() -> None:
    assert read_chain(load_chain(2741), source="test").layer2 is True
    assert read_chain(load_chain(146), source="test").layer2 is False
