"""Fixtures of the spec tests: the committed specs, the chain files and a complete spec to mutate."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SPECS_DIR = REPO_ROOT / "network_specs"
CHAINLIST_DIR = REPO_ROOT / "tests" / "data" / "chainlist"
CHAIN_FILES = sorted(CHAINLIST_DIR.glob("eip155-*.json"))
SPEC_FILES = sorted(SPECS_DIR.glob("*.toml"))

# A complete spec written by hand, so tests do not depend on any committed spec file.
VALID_SPEC: dict[str, Any] = {
    "name": "example_chain",
    "display_name": "Example Chain",
    "chain_id": 424242,
    "rpc_url_id": "EXAMPLE_CHAIN_MAINNET_URL",
    "currency": "ETH",
    "drip_size": "0.025",
    "network_type": "Mainnet",
    "drip_version": 0,
    "decimals": 18,
    "query_filter_block_limit": 2000,
    "legacy_tx": False,
    "action_gas_limit_buffer": False,
    "eip2028": True,
    "action_transaction_batching": True,
    "rollup_stack": {"provider": "Conduit", "type": "OP Stack"},
    "block_explorers": {
        "etherscan": {
            "api_url": "https://api.example-scan.io/api",
            "browser_url": "https://example-scan.io",
            "env_key": "EXAMPLE_ETHERSCAN_API_KEY",
        },
        "blockscout": {
            "api_url": "https://example.blockscout.com/api",
            "browser_url": "https://example.blockscout.com",
            "env_key": "EXAMPLE_BLOCKSCOUT_API_KEY",
            "self_hosted": False,
        },
    },
    "deployer": {"private_key_env": "PRIVATE_KEY", "balance_margin_percent": 20},
    "waivers": [{"id": "opcode.push0", "reason": "the system artifacts contain no PUSH0"}],
}


def load_chain(chain_id: int) -> dict[str, Any]:
    return json.loads((CHAINLIST_DIR / f"eip155-{chain_id}.json").read_text())


def read_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


@pytest.fixture
def spec_data() -> dict[str, Any]:
    """A fresh deep copy of VALID_SPEC that a test may change."""
    return json.loads(json.dumps(VALID_SPEC))
