"""`onboard spec new NAME --rpc URL`: drafts with the fields the compatibility check measures on a real anvil."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

CHAIN_FILE = REPO_ROOT / "tests" / "data" / "chainlist" / "eip155-1868.json"


def spec_new(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONBOARD_") or k == "ONBOARD_NODE_CACHE"}
    return subprocess.run(
        [sys.executable, "-m", "onboard", "spec", "new", *args],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "network_specs").mkdir()
    return tmp_path


def test_rpc_fills_measured_fields(workdir: Path, anvil_factory) -> None:
    node = anvil_factory(chain_id=1868)
    result = spec_new(workdir, "soneium", "--from-chainlist", str(CHAIN_FILE), "--rpc", node.url)
    assert result.returncode == 0, result.stderr
    text = (workdir / "network_specs" / "soneium.toml").read_text()
    data = tomllib.loads(text)
    assert data["legacy_tx"] is False
    assert data["eip2028"] is True
    assert data["query_filter_block_limit"] == 2000
    assert "legacy_tx = false  # measured by onboard check" in text


def test_rpc_alone_uses_its_chain_id(workdir: Path, anvil_factory) -> None:
    node = anvil_factory(chain_id=424242)
    result = spec_new(workdir, "newchain", "--rpc", node.url)
    assert result.returncode == 0, result.stderr
    data = tomllib.loads((workdir / "network_specs" / "newchain.toml").read_text())
    assert data["chain_id"] == 424242
    assert data["currency"].startswith("FILL-ME")


def test_rpc_of_another_chain_rejected(workdir: Path, anvil_factory) -> None:
    node = anvil_factory(chain_id=130)
    result = spec_new(workdir, "soneium", "--from-chainlist", str(CHAIN_FILE), "--rpc", node.url)
    assert result.returncode == 1
    assert "eth_chainId is 130, but" in result.stderr
    assert not (workdir / "network_specs" / "soneium.toml").exists()


def test_nothing_to_draft_from(workdir: Path) -> None:
    result = spec_new(workdir, "soneium")
    assert result.returncode == 1
    assert "nothing to draft from" in result.stderr
