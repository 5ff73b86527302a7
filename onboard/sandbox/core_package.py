"""`packages/core` of the sandbox monorepo: the package that owns the `deploy-system` hardhat task."""

from __future__ import annotations

import json
from pathlib import Path

CORE_VERSION = "0.26.0"


def write_core_package(core_dir: Path, *, contracts_version: str) -> None:
    """Write packages/core: its package.json, depending on the workspace's contracts package."""
    core_dir.mkdir(parents=True, exist_ok=True)
    manifest = {
        "name": "@sphinx-labs/core",
        "version": CORE_VERSION,
        "main": "dist/index.js",
        "dependencies": {"@sphinx-labs/contracts": f"^{contracts_version}"},
    }
    (core_dir / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
