"""Drafting specs from ethereum-lists chain files: facts filled, FILL-ME placeholders for the rest."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from onboard.errors import OnboardError, SpecError
from onboard.spec import load_spec, parse_spec
from onboard.spec.draft import (
    SCHEMA_HINT,
    draft_from_chainlist,
    draft_problems,
    explorer_env_key,
    rpc_url_id,
    write_draft,
)
from onboard.spec.load import PLACEHOLDER_PREFIX, placeholder_paths
from tests.spec.conftest import CHAIN_FILES, CHAINLIST_DIR, SPECS_DIR, load_chain, read_toml

# Fields no chain file gives, so every draft has a placeholder for them.
ALWAYS_FILLED_BY_HAND = {
    "drip_size",
    "drip_version",
    "query_filter_block_limit",
    "action_gas_limit_buffer",
    "eip2028",
    "action_transaction_batching",
}
INK = CHAINLIST_DIR / "eip155-57073.json"


def _problem_paths(data: dict) -> set[str]:
    with pytest.raises(SpecError) as caught:
        parse_spec(data, source="draft")
    return {problem.path for problem in caught.value.problems}


@pytest.mark.parametrize("chain_file", CHAIN_FILES, ids=lambda path: path.stem)
def test_draft_rejected_only_for_placeholders(chain_file: Path) -> None:
    text = draft_from_chainlist("drafted", json.loads(chain_file.read_text()), source=chain_file.name)
    data = tomllib.loads(text)

    placeholders = placeholder_paths(data)
    assert ALWAYS_FILLED_BY_HAND <= placeholders
    assert _problem_paths(data) == placeholders
    assert draft_problems(text) == []


@pytest.mark.parametrize("chain_file", CHAIN_FILES, ids=lambda path: path.stem)
def test_draft_fills_facts_of_file(chain_file: Path) -> None:
    chain = json.loads(chain_file.read_text())
    data = tomllib.loads(draft_from_chainlist("drafted", chain))

    assert data["chain_id"] == chain["chainId"]
    assert data["display_name"] == chain["name"]
    assert data["currency"] == chain["nativeCurrency"]["symbol"]
    assert data["decimals"] == chain["nativeCurrency"]["decimals"]


def test_spec_new_ink_writes_expected_draft(tmp_path: Path) -> None:
    path = write_draft("ink", INK, tmp_path)

    data = read_toml(path)
    assert path == tmp_path / "ink.toml"
    assert path.read_text().splitlines()[0] == SCHEMA_HINT
    assert (data["name"], data["display_name"], data["chain_id"]) == ("ink", "Ink", 57073)
    assert (data["rpc_url_id"], data["currency"], data["decimals"]) == ("INK_MAINNET_URL", "ETH", 18)
    assert data["legacy_tx"] is False
    assert "block_explorers" not in data
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert {problem.path for problem in caught.value.problems} == ALWAYS_FILLED_BY_HAND | {"network_type"}
    assert all(problem.message == "is a placeholder of a draft" for problem in caught.value.problems)


def test_spec_new_ink_validates_once_filled(tmp_path: Path) -> None:
    data = read_toml(write_draft("ink", INK, tmp_path))
    shipped = read_toml(SPECS_DIR / "ink.toml")

    for path in placeholder_paths(data):
        data[path] = shipped[path]
    data["rollup_stack"] = shipped["rollup_stack"]
    data["block_explorers"] = shipped["block_explorers"]

    assert parse_spec(data, source="filled") == load_spec(SPECS_DIR / "ink.toml")


def test_write_draft_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "ink.toml"
    target.write_text("# filled by hand\n")

    with pytest.raises(OnboardError) as caught:
        write_draft("ink", INK, tmp_path)

    assert "already exists" in caught.value.message
    assert "--force" in caught.value.fix
    assert target.read_text() == "# filled by hand\n"


def test_write_draft_force_overwrites(tmp_path: Path) -> None:
    (tmp_path / "ink.toml").write_text("# filled by hand\n")

    path = write_draft("ink", INK, tmp_path, force=True)

    assert read_toml(path)["chain_id"] == 57073


@pytest.mark.parametrize("name", ["abstract", "Ink", "ink-sepolia", "1ink", "", "a" * 65, "ink\n"])
def test_write_draft_checks_name_first(tmp_path: Path, name: str) -> None:
    missing = tmp_path / "no-such-file.json"

    with pytest.raises(SpecError) as caught:
        write_draft(name, missing, tmp_path / "specs")

    assert caught.value.problems[0].path == "name"
    assert not (tmp_path / "specs").exists()


def test_write_draft_reports_invalid_json(tmp_path: Path) -> None:
    chain_file = tmp_path / "chain.json"
    chain_file.write_text("{not json")

    with pytest.raises(OnboardError) as caught:
        write_draft("ink", chain_file, tmp_path / "specs")

    assert "is not valid JSON" in caught.value.message
    assert not (tmp_path / "specs").exists()


def test_write_draft_reports_missing_file(tmp_path: Path) -> None:
    with pytest.raises(OnboardError) as caught:
        write_draft("ink", tmp_path / "absent.json", tmp_path)

    assert caught.value.message == f"cannot read {tmp_path / 'absent.json'}"


def test_write_draft_rejects_non_object(tmp_path: Path) -> None:
    chain_file = tmp_path / "chain.json"
    chain_file.write_text("[1, 2]")

    with pytest.raises(SpecError):
        write_draft("ink", chain_file, tmp_path / "specs")

    assert not (tmp_path / "specs").exists()


@pytest.mark.parametrize("chain_id", [0, -1, 2_147_483_648, 10**30])
def test_draft_rejects_chain_id_platform_cannot_store(chain_id: int) -> None:
    chain = load_chain(57073) | {"chainId": chain_id}

    with pytest.raises(SpecError) as caught:
        draft_from_chainlist("ink", chain)

    assert caught.value.problems[0].path == "chainId"


def test_draft_of_chain_missing_fields_has_placeholders() -> None:
    data = tomllib.loads(draft_from_chainlist("bare", {"chainId": "57073", "nativeCurrency": {"decimals": 0}}))

    assert {"display_name", "chain_id", "currency", "decimals"} <= placeholder_paths(data)
    assert _problem_paths(data) == placeholder_paths(data)


def test_draft_escapes_hostile_chain_name() -> None:
    chain = load_chain(57073) | {"name": 'Ink "Main" \\ ${HOME} 🚀'}

    data = tomllib.loads(draft_from_chainlist("ink", chain))

    assert data["display_name"] == 'Ink "Main" \\ ${HOME} 🚀'


def test_draft_control_characters_in_name_become_placeholder() -> None:
    chain = load_chain(57073) | {"name": "Ink\n[deployer]\nprivate_key_env = 'X'\x00"}

    text = draft_from_chainlist("ink", chain)
    data = tomllib.loads(text)

    assert data["display_name"].startswith(PLACEHOLDER_PREFIX)
    assert data["deployer"]["private_key_env"] == "PRIVATE_KEY"
    assert "Ink\\n[deployer]" in text


def test_draft_currency_outside_enum_is_noted() -> None:
    text = draft_from_chainlist("sonic", load_chain(146))

    assert 'currency = "S"' in text
    assert "not in the platform's Currency enum" in text


def test_draft_layer2_gets_rollup_placeholders() -> None:
    data = tomllib.loads(draft_from_chainlist("abstract_mainnet", load_chain(2741)))

    assert {"rollup_stack.provider", "rollup_stack.type"} <= placeholder_paths(data)


def test_draft_explorers_of_base() -> None:
    data = tomllib.loads(draft_from_chainlist("base", load_chain(8453)))

    assert data["block_explorers"]["etherscan"] == {
        "api_url": "https://api.basescan.org/api",
        "browser_url": "https://basescan.org",
        "env_key": "BASE_ETHERSCAN_API_KEY",
    }
    assert data["block_explorers"]["blockscout"] == {
        "api_url": "https://base.blockscout.com/api",
        "browser_url": "https://base.blockscout.com",
        "env_key": "BASE_BLOCKSCOUT_API_KEY",
        "self_hosted": False,
    }


def test_draft_testnet_names_follow_upstream() -> None:
    data = tomllib.loads(draft_from_chainlist("unichain_sepolia", load_chain(1301)))

    assert data["network_type"] == "Testnet"
    assert data["rpc_url_id"] == "UNICHAIN_SEPOLIA_URL"
    assert data["block_explorers"]["etherscan"]["api_url"] == "https://api-sepolia.uniscan.xyz/api"
    assert data["block_explorers"]["etherscan"]["env_key"] == "UNICHAIN_ETHERSCAN_API_KEY"
    assert data["block_explorers"]["blockscout"]["env_key"] == "UNICHAIN_SEPOLIA_BLOCKSCOUT_API_KEY"


@pytest.mark.parametrize(
    ("name", "network_type", "expected"),
    [
        ("ink", "Mainnet", "INK_MAINNET_URL"),
        ("ink", None, "INK_MAINNET_URL"),
        ("ink_sepolia", "Testnet", "INK_SEPOLIA_URL"),
        ("bnb_testnet", "Testnet", "BNB_TESTNET_URL"),
        ("abstract_mainnet", "Mainnet", "ABSTRACT_MAINNET_URL"),
    ],
)
def test_rpc_url_id_naming(name: str, network_type: str | None, expected: str) -> None:
    assert rpc_url_id(name, network_type) == expected


@pytest.mark.parametrize(
    ("name", "network_type", "kind", "expected"),
    [
        ("ink", "Mainnet", "blockscout", "INK_BLOCKSCOUT_API_KEY"),
        ("ink_sepolia", "Testnet", "etherscan", "INK_ETHERSCAN_API_KEY"),
        ("ink_sepolia", "Testnet", "blockscout", "INK_SEPOLIA_BLOCKSCOUT_API_KEY"),
        ("polygon_zkevm_cardona", "Testnet", "etherscan", "POLYGON_ZKEVM_ETHERSCAN_API_KEY"),
        ("abstract_mainnet", "Mainnet", "etherscan", "ABSTRACT_ETHERSCAN_API_KEY"),
        ("minato", "Testnet", "etherscan", "MINATO_ETHERSCAN_API_KEY"),
    ],
)
def test_explorer_env_key_naming(name: str, network_type: str, kind: str, expected: str) -> None:
    assert explorer_env_key(name, network_type, kind) == expected


def test_write_draft_reports_unwritable_target(tmp_path: Path) -> None:
    (tmp_path / "ink.toml").mkdir()

    with pytest.raises(OnboardError) as caught:
        write_draft("ink", INK, tmp_path, force=True)

    assert caught.value.message == f"cannot write {tmp_path / 'ink.toml'}"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["ink.toml"]


def test_draft_header_names_source_and_command() -> None:
    lines = draft_from_chainlist("ink", load_chain(57073), source="eip155-57073.json").splitlines()

    assert lines[0] == SCHEMA_HINT
    assert lines[1] == (
        "# Draft spec of network ink, chain id 57073, written by `onboard spec new` from eip155-57073.json."
    )
    assert lines[2] == "# Replace every FILL-ME value, then run `onboard spec validate ink`."


def test_reserved_variable_name_becomes_placeholder() -> None:
    text = draft_from_chainlist("onboard", {"name": "Onboard", "chainId": 5})
    assert 'rpc_url_id = "FILL-ME: a variable name such as INK_MAINNET_URL"' in text
    assert draft_problems(text) == []
