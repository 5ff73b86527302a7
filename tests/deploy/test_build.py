"""When the deploy stage builds the contracts package first."""

from __future__ import annotations

from pathlib import Path

import pytest

from onboard.deploy.build import build_contracts, needs_build
from onboard.deploy.settings import DeploySection
from onboard.errors import StageError


def workspace(root: Path, *, built: bool) -> tuple[Path, Path]:
    """Lay out a yarn workspace whose root node_modules links @sphinx-labs/contracts to packages/contracts."""
    contracts = root / "packages" / "contracts"
    core = root / "packages" / "core"
    contracts.mkdir(parents=True)
    core.mkdir(parents=True)
    if built:
        (contracts / "dist").mkdir()
    scope = root / "node_modules" / "@sphinx-labs"
    scope.mkdir(parents=True)
    (scope / "contracts").symlink_to(contracts, target_is_directory=True)
    return core, contracts


def test_needs_build_unbuilt_workspace_copy(tmp_path) -> None:
    core, contracts = workspace(tmp_path, built=False)

    assert needs_build(tmp_path, core, contracts)


def test_needs_build_built_workspace_copy(tmp_path) -> None:
    core, contracts = workspace(tmp_path, built=True)

    assert not needs_build(tmp_path, core, contracts)


def test_needs_build_registry_copy(tmp_path) -> None:
    core, contracts = workspace(tmp_path, built=False)
    installed = core / "node_modules" / "@sphinx-labs" / "contracts"
    installed.mkdir(parents=True)

    assert not needs_build(tmp_path, core, contracts)


def test_build_contracts_runs_command(tmp_path) -> None:
    settings = DeploySection(build_command=("mkdir", "dist"))

    build_contracts(tmp_path, settings)

    assert (tmp_path / "dist").is_dir()


def test_build_contracts_failure(tmp_path) -> None:
    settings = DeploySection(build_command=("false",))

    with pytest.raises(StageError) as caught:
        build_contracts(tmp_path, settings)

    assert f"building the contracts package in {tmp_path} failed" in caught.value.message
    assert "run `false` in" in caught.value.fix
