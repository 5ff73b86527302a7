"""Duplicate names, chain ids and RPC URL ids, re-runs, and the field order of new entries."""

from __future__ import annotations

import pytest

from onboard.errors import OnboardError
from onboard.monorepo.insert import add_entry
from onboard.monorepo.networks_file import LIVE_ARRAY, NetworksFile, read_known_networks
from onboard.sandbox.monorepo import _template
from onboard.spec import KnownNetwork


@pytest.fixture(scope="module")
def sandbox_file() -> NetworksFile:
    return NetworksFile(_template("networks.ts").encode())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "optimism"}, r"name already belongs to SPHINX_NETWORKS entry 'optimism'"),
        ({"chain_id": 10}, r"chain id already belongs to SPHINX_NETWORKS entry 'optimism' \(chain id 10, line \d+\)"),
        (
            {"name": "optimism", "rpc_url_id": "OPT_MAINNET_URL"},
            r"name and RPC URL id already belong to SPHINX_NETWORKS entry 'optimism'",
        ),
        ({"rpc_url_id": "OPT_MAINNET_URL"}, r"RPC URL id already belongs to SPHINX_NETWORKS entry 'optimism'"),
        ({"name": "goerli"}, r"name already belongs to DEPRECATED_SPHINX_NETWORKS entry 'goerli' \(chain id 5"),
        ({"chain_id": 80001}, r"chain id already belongs to DEPRECATED_SPHINX_NETWORKS entry 'polygon_mumbai'"),
    ],
)
def test_duplicate_rejected_naming_entry(sandbox_file, make_spec, changes, message):
    spec = make_spec(**changes)

    with pytest.raises(OnboardError, match=message):
        add_entry(sandbox_file, spec)


def test_same_name_other_values_lists_fields(sandbox_file, make_spec):
    spec = make_spec(name="moonbeam", chain_id=1284, rpc_url_id="MOONBEAM_MAINNET_URL")

    with pytest.raises(OnboardError) as caught:
        add_entry(sandbox_file, spec)

    text = str(caught.value)
    assert "SPHINX_NETWORKS entry 'moonbeam' (chain id 1284" in text
    assert "already exists with other values" in text
    assert "displayName: found 'Moonbeam', expected 'Unichain'" in text
    assert "queryFilterBlockLimit: found 500, expected 2000" in text


def test_same_entry_is_noop(sandbox_file, unichain):
    first = add_entry(sandbox_file, unichain)
    assert first.source is not None

    second = add_entry(NetworksFile(first.source), unichain)

    assert second.source is None
    assert second.existing is not None and "'unichain'" in second.existing


def test_field_order_follows_closest_entry(sandbox_file, make_spec):
    spec = make_spec(hardcoded_merkle_leaf_gas=11_200_000, rollup_stack=None, block_explorers={})

    result = add_entry(sandbox_file, spec)

    assert result.source is not None
    added = NetworksFile(result.source).entries(LIVE_ARRAY)[-1]
    # moonbeam, the entry with a hardcodedMerkleLeafGas, puts it before actionTransactionBatching.
    assert added.keys[-2:] == ("hardcodedMerkleLeafGas", "actionTransactionBatching")
    assert b"hardcodedMerkleLeafGas: (11_200_000).toString()," in result.source
    assert b"    blockexplorers: {},\n" in result.source


def test_merkle_leaf_gas_without_separators(make_spec):
    source = _template("networks.ts").replace("(10_500_000).toString()", "(10500000).toString()")
    spec = make_spec(hardcoded_merkle_leaf_gas=11_200_000)

    result = add_entry(NetworksFile(source.encode()), spec)

    assert result.source is not None
    assert b"hardcodedMerkleLeafGas: (11200000).toString()," in result.source


def test_explorer_field_order_follows_entries(sandbox_file, make_spec, unichain):
    spec = make_spec(block_explorers={"blockscout": unichain.block_explorers.blockscout.model_dump()})

    result = add_entry(sandbox_file, spec)

    assert result.source is not None
    added = NetworksFile(result.source).entries(LIVE_ARRAY)[-1]
    # Of the two blockscout entries, the later one (rootstock_testnet) lists apiURL first.
    assert tuple(added.values["blockexplorers"]["blockscout"]) == ("apiURL", "browserURL", "envKey", "selfHosted")


def test_read_known_networks(monorepo):
    known = read_known_networks(monorepo)

    assert KnownNetwork("optimism", 10, "OPT_MAINNET_URL", "SPHINX_NETWORKS") in known
    assert KnownNetwork("goerli", 5, None, "DEPRECATED_SPHINX_NETWORKS") in known
    assert len([item for item in known if item.array == "SPHINX_NETWORKS"]) == 8


def test_read_known_networks_missing_file(tmp_path):
    with pytest.raises(OnboardError, match="networks.ts not found"):
        read_known_networks(tmp_path)
