"""Building the monorepo's contracts package before deploy-system, when packages/core would load an unbuilt
workspace copy of it."""

from __future__ import annotations

from pathlib import Path

from onboard import proc
from onboard.deploy.settings import DeploySection
from onboard.errors import CommandError, StageError


def needs_build(monorepo: Path, core_dir: Path, contracts_dir: Path) -> bool:
    """Return True when packages/core resolves @sphinx-labs/contracts to `contracts_dir` and it has no dist/.

    A copy from a registry or the sandbox's toolchain link is already built.
    """
    for folder in (core_dir, monorepo):
        installed = folder / "node_modules" / "@sphinx-labs" / "contracts"
        if installed.exists():
            return installed.resolve() == contracts_dir.resolve() and not (contracts_dir / "dist").is_dir()
    return False


def build_contracts(contracts_dir: Path, settings: DeploySection) -> None:
    try:
        proc.run(list(settings.build_command), cwd=contracts_dir, timeout=settings.build_timeout_seconds)
    except CommandError as err:
        raise StageError(
            "deploy",
            f"building the contracts package in {contracts_dir} failed",
            cause=err.render(),
            fix=f"run `{' '.join(settings.build_command)}` in {contracts_dir} and fix what it reports",
        ) from err
