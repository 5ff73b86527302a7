"""The specs shipped in network_specs/ and the committed JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from onboard.spec import load_spec
from onboard.spec.draft import SCHEMA_HINT
from onboard.spec.schema import spec_json_schema, spec_json_schema_text
from tests.spec.conftest import SPEC_FILES, SPECS_DIR, read_toml

REQUIRED_NETWORKS = {
    "unichain": 130,
    "ink": 57073,
    "sonic": 146,
    "berachain": 80094,
    "abstract_mainnet": 2741,
    "ink_sepolia": 763373,
    "unichain_sepolia": 1301,
}


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda path: path.stem)
def test_committed_spec_validates(path: Path) -> None:
    spec = load_spec(path)

    assert spec.name == path.stem
    assert spec.network_type in ("Mainnet", "Testnet")


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda path: path.stem)
def test_committed_spec_starts_with_schema_hint(path: Path) -> None:
    first_line = path.read_text().splitlines()[0]

    assert first_line == SCHEMA_HINT


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda path: path.stem)
def test_committed_spec_matches_json_schema(path: Path) -> None:
    schema = json.loads((SPECS_DIR / "schema.json").read_text())

    jsonschema.validate(read_toml(path), schema, cls=jsonschema.Draft202012Validator)


def test_required_networks_are_shipped() -> None:
    shipped = {path.stem: load_spec(path).chain_id for path in SPEC_FILES}

    for name, chain_id in REQUIRED_NETWORKS.items():
        assert shipped.get(name) == chain_id, name


def test_committed_specs_use_distinct_ids() -> None:
    specs = [load_spec(path) for path in SPEC_FILES]

    assert len({spec.chain_id for spec in specs}) == len(specs)
    assert len({spec.rpc_url_id for spec in specs}) == len(specs)


def test_testnet_is_shipped() -> None:
    types = {load_spec(path).network_type for path in SPEC_FILES}

    assert "Testnet" in types


def test_abstract_has_no_waiver_and_no_rollup_stack() -> None:
    spec = load_spec(SPECS_DIR / "abstract_mainnet.toml")
    text = (SPECS_DIR / "abstract_mainnet.toml").read_text()

    assert spec.waivers == ()
    assert spec.rollup_stack is None
    assert "CREATE2" in text


def test_committed_schema_is_current() -> None:
    committed = (SPECS_DIR / "schema.json").read_text()

    assert committed == spec_json_schema_text(), "run: python -m onboard.spec.schema > network_specs/schema.json"


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(spec_json_schema())


def test_schema_describes_every_field() -> None:
    schema = spec_json_schema()
    tables = [schema, *schema["$defs"].values()]

    for table in tables:
        for key, field in table["properties"].items():
            assert field.get("description"), key
    assert schema["title"] == "onboard network spec"


def test_schema_has_no_null_for_toml() -> None:
    assert "null" not in spec_json_schema_text()


def test_schema_rejects_wrong_values() -> None:
    schema = spec_json_schema()
    data = read_toml(SPECS_DIR / "unichain.toml")
    validator = jsonschema.Draft202012Validator(schema)

    data["network_type"] = "Devnet"
    data["name"] = "Bad-Name"
    data["extra"] = 1

    assert len(list(validator.iter_errors(data))) == 3
