"""Spec validation rules, each problem reported with its path, value and fix, all at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from onboard.errors import SpecError
from onboard.spec import KnownNetwork, NetworkSpec, load_spec, parse_spec
from onboard.spec.reserved import RESERVED


def _problems(data: Any) -> dict[str, Any]:
    with pytest.raises(SpecError) as caught:
        parse_spec(data, source="test.toml")
    return {problem.path: problem for problem in caught.value.problems}


def _assert_valid(data: dict[str, Any]) -> NetworkSpec:
    return parse_spec(data, source="test.toml")


def test_valid_spec_parses(spec_data: dict) -> None:
    spec = _assert_valid(spec_data)

    assert spec.sphinx_entry()["chainId"] == 424242
    assert spec.rpc_source == "EXAMPLE_CHAIN_MAINNET_URL"


def test_every_problem_reported_at_once(spec_data: dict) -> None:
    spec_data |= {"name": "Bad Name", "chain_id": 0, "rpc_url_id": "lower", "currency": "E T H"}
    spec_data["drip_size"] = "-1"
    spec_data["block_explorers"]["etherscan"]["api_url"] = "http://api.example.io/api"
    del spec_data["decimals"]

    problems = _problems(spec_data)

    assert set(problems) == {
        "name", "chain_id", "rpc_url_id", "currency", "drip_size", "block_explorers.etherscan.api_url", "decimals",
    }  # fmt: skip
    assert problems["chain_id"].value == 0
    assert problems["name"].value == "Bad Name"
    assert "use the chain id that eth_chainId returns" in problems["chain_id"].fix
    assert "https" in problems["block_explorers.etherscan.api_url"].message
    assert repr(problems["decimals"].value) == "(missing)"


def test_message_names_path_value_and_fix(spec_data: dict) -> None:
    spec_data["chain_id"] = -5

    with pytest.raises(SpecError) as caught:
        parse_spec(spec_data, source="net.toml")

    text = str(caught.value)
    assert "net.toml is invalid (1 problem)" in text
    assert "chain_id = -5:" in text
    assert "(fix: use the chain id" in text


@pytest.mark.parametrize("name", ["ink", "ink_sepolia", "a", "a1_b2", "x" * 64])
def test_name_accepted(spec_data: dict, name: str) -> None:
    assert _assert_valid(spec_data | {"name": name}).name == name


@pytest.mark.parametrize(
    "name", ["", "Ink", "1ink", "_ink", "ink-sepolia", "ink sepolia", "ink\n", "x" * 65, "ínk", "ink.toml"]
)
def test_name_rejected(spec_data: dict, name: str) -> None:
    assert set(_problems(spec_data | {"name": name})) == {"name"}


@pytest.mark.parametrize("word", ["abstract", "contract", "enum", "class", "function", "delete", "type", "address"])
def test_name_reserved_word_rejected(spec_data: dict, word: str) -> None:
    problem = _problems(spec_data | {"name": word})["name"]

    assert word in RESERVED
    assert "reserved word" in problem.message


@pytest.mark.parametrize("chain_id", [1, 130, 2_147_483_647])
def test_chain_id_accepted(spec_data: dict, chain_id: int) -> None:
    assert _assert_valid(spec_data | {"chain_id": chain_id}).chain_id == chain_id


@pytest.mark.parametrize("chain_id", [0, -1, 2_147_483_648, 10**40, "130", 130.0, True])
def test_chain_id_rejected(spec_data: dict, chain_id: object) -> None:
    assert set(_problems(spec_data | {"chain_id": chain_id})) == {"chain_id"}


@pytest.mark.parametrize("value", ["A", "INK_MAINNET_URL", "X1_2"])
def test_env_name_accepted(spec_data: dict, value: str) -> None:
    spec_data["rpc_url_env"] = value
    spec_data["deployer"]["private_key_env"] = f"{value}_DEPLOYER"
    spec_data["block_explorers"]["etherscan"]["key_env"] = f"{value}_EXPLORER"

    assert _assert_valid(spec_data).rpc_source == value


@pytest.mark.parametrize("value", ["PRIVATE_KEY", "DEPLOYER_PRIVATE_KEY", "PATH", "NPM_TOKEN", "ONBOARD_X"])
def test_credential_as_explorer_key_rejected(spec_data: dict, value: str) -> None:
    spec_data["block_explorers"]["etherscan"]["env_key"] = value
    assert set(_problems(spec_data)) == {"block_explorers.etherscan.env_key"}


def test_deployer_key_as_rpc_source_rejected(spec_data: dict) -> None:
    spec_data["deployer"]["private_key_env"] = "DEPLOYER_KEY"
    spec_data["rpc_url_env"] = "DEPLOYER_KEY"
    assert _problems(spec_data)


@pytest.mark.parametrize("value", ["", "ink_url", "1INK", "_INK", "INK-URL", "INK URL", "INK\n", "ÍNK", "$INK"])
def test_env_name_rejected(spec_data: dict, value: str) -> None:
    spec_data["rpc_url_id"] = value
    spec_data["block_explorers"]["blockscout"]["env_key"] = value
    spec_data["deployer"]["private_key_env"] = value

    problems = _problems(spec_data)

    assert set(problems) == {"rpc_url_id", "block_explorers.blockscout.env_key", "deployer.private_key_env"}


@pytest.mark.parametrize(
    "url",
    [
        "https://api.etherscan.io/api",
        "https://explorer.celo.org/mainnet/api",
        "http://localhost:4000/api",
        "http://127.0.0.1:4000/api",
        "http://[::1]:4000/api",
    ],
)
def test_explorer_url_accepted(spec_data: dict, url: str) -> None:
    spec_data["block_explorers"]["etherscan"]["api_url"] = url

    assert _assert_valid(spec_data).block_explorers.etherscan.api_url == url


@pytest.mark.parametrize(
    "url",
    [
        "http://api.etherscan.io/api",
        "http://10.0.0.1/api",
        "ftp://api.etherscan.io",
        "api.etherscan.io/api",
        "https://",
        "https://api.etherscan.io/a b",
        "https://api.etherscan.io/'); alert(1)",
        "https://api.etherscan.io/\\",
        "https://api.etherscan.io/\x00",
        "http://localhost/\n",
        "https://[::1",
    ],
)
def test_explorer_url_rejected(spec_data: dict, url: str) -> None:
    spec_data["block_explorers"]["blockscout"]["browser_url"] = url

    assert set(_problems(spec_data)) == {"block_explorers.blockscout.browser_url"}


@pytest.mark.parametrize("name", ['Ink "Main"', "Back\\slash", "Cost ${HOME}", "Zürich 链 🚀", "It's", "`tick`"])
def test_display_name_hostile_but_legal(spec_data: dict, name: str) -> None:
    assert _assert_valid(spec_data | {"display_name": name}).display_name == name


@pytest.mark.parametrize("name", ["", " Ink", "Ink ", "In\nk", "In\tk", "In\x00k", "In\x7fk", "In\u2028k", "x" * 101])
def test_display_name_rejected(spec_data: dict, name: str) -> None:
    assert set(_problems(spec_data | {"display_name": name})) == {"display_name"}


@pytest.mark.parametrize("currency", ["ETH", "xDAI", "S", "BERA", "MNT"])
def test_currency_accepted(spec_data: dict, currency: str) -> None:
    assert _assert_valid(spec_data | {"currency": currency}).currency == currency


@pytest.mark.parametrize("currency", ["", "E T H", "1ETH", "ETH.e", "A" * 17, "ΕΤΗ", 5])
def test_currency_rejected(spec_data: dict, currency: object) -> None:
    assert set(_problems(spec_data | {"currency": currency})) == {"currency"}


@pytest.mark.parametrize("drip", ["1", "0.025", "0.15", "100", "0.000000000000000001"])
def test_drip_size_accepted(spec_data: dict, drip: str) -> None:
    assert _assert_valid(spec_data | {"drip_size": drip}).drip_size == drip


@pytest.mark.parametrize("drip", ["0", "0.0", "-1", "+1", "1e3", ".5", "5.", "NaN", "Infinity", "١", "1 ", 1, 0.5])
def test_drip_size_rejected(spec_data: dict, drip: object) -> None:
    assert set(_problems(spec_data | {"drip_size": drip})) == {"drip_size"}


@pytest.mark.parametrize("network_type", ["Local", "mainnet", "", "Devnet", 1])
def test_network_type_rejected(spec_data: dict, network_type: object) -> None:
    assert set(_problems(spec_data | {"network_type": network_type})) == {"network_type"}


@pytest.mark.parametrize("provider", ["Conduit", "Caldera", "None"])
@pytest.mark.parametrize("stack", ["OP Stack", "Arbitrum", "Polygon CDK"])
def test_rollup_stack_accepted(spec_data: dict, provider: str, stack: str) -> None:
    spec = _assert_valid(spec_data | {"rollup_stack": {"provider": provider, "type": stack}})

    assert spec.sphinx_entry()["rollupStack"] == {"provider": provider, "type": stack}


@pytest.mark.parametrize(
    ("stack", "paths"),
    [
        ({"provider": "Gelato", "type": "OP Stack"}, {"rollup_stack.provider"}),
        ({"provider": "None", "type": "ZK Stack"}, {"rollup_stack.type"}),
        ({"provider": "None"}, {"rollup_stack.type"}),
        ({"provider": "None", "type": "OP Stack", "extra": 1}, {"rollup_stack.extra"}),
    ],
)
def test_rollup_stack_rejected(spec_data: dict, stack: dict, paths: set[str]) -> None:
    assert set(_problems(spec_data | {"rollup_stack": stack})) == paths


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("decimals", 0),
        ("decimals", 37),
        ("drip_version", -1),
        ("query_filter_block_limit", 0),
        ("hardcoded_merkle_leaf_gas", 20_999),
        ("hardcoded_merkle_leaf_gas", "10500000"),
        ("legacy_tx", "false"),
        ("eip2028", 1),
    ],
)
def test_numbers_and_flags_rejected(spec_data: dict, field: str, value: object) -> None:
    assert set(_problems(spec_data | {field: value})) == {field}


def test_unknown_key_rejected(spec_data: dict) -> None:
    assert set(_problems(spec_data | {"rpcUrlId": "X"})) == {"rpcUrlId"}


def test_duplicate_waivers_rejected(spec_data: dict) -> None:
    spec_data["waivers"] = [{"id": "opcode.push0", "reason": "reason one here"}] * 2

    assert "waivers list opcode.push0 more than once" in str(_problems(spec_data))


def test_known_networks_reject_taken_name_and_chain_id(spec_data: dict) -> None:
    known = [
        KnownNetwork("example_chain", 1, "ETH_MAINNET_URL", "DEPRECATED_SPHINX_NETWORKS"),
        KnownNetwork("other", 424242, None, "SPHINX_NETWORKS"),
    ]

    with pytest.raises(SpecError) as caught:
        parse_spec(spec_data, source="test.toml", known=known)

    assert [problem.path for problem in caught.value.problems] == ["name", "chain_id"]


@pytest.mark.parametrize("data", [[1, 2], "text", None, 5])
def test_non_table_rejected(data: object) -> None:
    assert set(_problems(data)) == {"(file)"}


@pytest.mark.parametrize(
    "text",
    ["name = ", "name = 'a'\nname = 'b'", "chain_id = " + "9" * 5000, "\xff\xfe", "[a\n"],
)
def test_load_spec_invalid_toml_is_spec_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "net.toml"
    path.write_bytes(text.encode("utf-8", "surrogateescape") if text != "\xff\xfe" else b"\xff\xfe")

    with pytest.raises(SpecError) as caught:
        load_spec(path)

    assert caught.value.problems[0].path == "(file)"
    assert "is not valid TOML" in caught.value.problems[0].message


def test_huge_values_are_cut_in_messages(spec_data: dict) -> None:
    spec_data |= {"chain_id": 10**5000, "display_name": "x" * 100_000}

    text = str(_problems(spec_data))

    assert len(text) < 2000
    assert "integer of about 5000 digits" in text


def test_unknown_waiver_id_suggests_close_id(spec_data: dict) -> None:
    spec_data["waivers"] = [{"id": "opcode.push", "reason": "no contract we deploy uses it"}]
    problem = _problems(spec_data)["waivers.0.id"]
    assert "did you mean opcode.push0" in problem.message
