"""The packages of a yarn 1 workspaces repository, read from the root package.json `workspaces` globs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from onboard.errors import OnboardError


@dataclass(frozen=True)
class WorkspacePackage:
    """One package of the repository: its folder, name, version and whether it is private (never published)."""

    folder: Path
    name: str
    version: str
    private: bool


def read_manifest(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise OnboardError(f"{path} cannot be read as JSON", cause=str(err), fix=f"repair {path}") from err


def _globs(root: Path) -> list[str]:
    workspaces = read_manifest(root / "package.json").get("workspaces", [])
    # yarn 1 accepts both `"workspaces": [...]` and `"workspaces": {"packages": [...]}`.
    if isinstance(workspaces, dict):
        workspaces = workspaces.get("packages", [])
    return [pattern for pattern in workspaces if isinstance(pattern, str)]


def workspace_packages(root: Path) -> dict[str, WorkspacePackage]:
    """Return the workspace packages under `root` by name."""
    packages: dict[str, WorkspacePackage] = {}
    for pattern in _globs(root):
        for manifest_path in sorted(root.glob(f"{pattern.rstrip('/')}/package.json")):
            if "node_modules" in manifest_path.parts:
                continue
            manifest = read_manifest(manifest_path)
            name = manifest.get("name")
            if not name:
                continue
            packages[name] = WorkspacePackage(
                folder=manifest_path.parent,
                name=name,
                version=str(manifest.get("version", "")),
                private=bool(manifest.get("private", False)),
            )
    return packages
