"""The sandbox's packages/core: its hardhat config reads SPHINX_NETWORKS from networks.ts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onboard import proc
from onboard.errors import CommandError, OnboardError
from onboard.sandbox.core_package import link_toolchain, write_core_package
from tests.deploy.conftest import NETWORKS_TS

pytestmark = [pytest.mark.node]

# Loads hardhat.config.js the way `npx hardhat` does and prints the resolved networks.
PRINT_NETWORKS = (
    "const { config } = require('hardhat');"
    "const { hardhat, localhost, ...rest } = config.networks;"
    "process.stdout.write(JSON.stringify(rest))"
)
ENV = {"HARDHAT_DISABLE_TELEMETRY_PROMPT": "true", "CI": "true"}


def make_core(root: Path, toolchain, networks_ts: str) -> Path:
    networks = root / "packages" / "contracts" / "src" / "networks.ts"
    networks.parent.mkdir(parents=True)
    networks.write_text(networks_ts)
    core = root / "packages" / "core"
    write_core_package(core, contracts_version="0.23.0")
    link_toolchain(core, toolchain)
    return core


def test_hardhat_networks_from_networks_ts(tmp_path, toolchain) -> None:
    core = make_core(tmp_path, toolchain, NETWORKS_TS)

    result = proc.run(["node", "-e", PRINT_NETWORKS], cwd=core, env={**ENV, "SANDBOX_CHAIN_URL": "http://127.0.0.1:1"})
    networks = json.loads(result.stdout)

    assert sorted(networks) == ["ethereum", "sandbox_chain"]
    assert networks["sandbox_chain"]["chainId"] == 424242
    assert networks["sandbox_chain"]["url"] == "http://127.0.0.1:1"
    assert networks["ethereum"]["url"] == ""


def test_hardhat_networks_entry_without_chain_id(tmp_path, toolchain) -> None:
    core = make_core(tmp_path, toolchain, "export const SPHINX_NETWORKS = [{ name: 'broken', rpcUrlId: 'X' }]\n")

    with pytest.raises(CommandError) as caught:
        proc.run(["node", "-e", PRINT_NETWORKS], cwd=core, env=ENV)

    assert "SPHINX_NETWORKS entry 'broken'" in caught.value.cause


def test_write_core_package_manifest(tmp_path) -> None:
    write_core_package(tmp_path, contracts_version="0.23.1")

    manifest = json.loads((tmp_path / "package.json").read_text())
    assert manifest["dependencies"] == {"@sphinx-labs/contracts": "^0.23.1"}
    assert (tmp_path / "hardhat.config.js").is_file()


def test_link_toolchain_twice(tmp_path, toolchain) -> None:
    first = link_toolchain(tmp_path, toolchain)
    second = link_toolchain(tmp_path, toolchain)

    assert first == second
    assert first.resolve() == toolchain.node_modules.resolve()


def test_link_toolchain_refuses_folder(tmp_path, toolchain) -> None:
    (tmp_path / "node_modules").mkdir()

    with pytest.raises(OnboardError, match="is not a symbolic link"):
        link_toolchain(tmp_path, toolchain)
