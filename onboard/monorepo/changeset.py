"""The changeset that releases the new network: contracts, core and plugins, with a one-line summary."""

from __future__ import annotations

import json
from pathlib import Path

from onboard.errors import OnboardError
from onboard.spec import NetworkSpec

# Upstream's own test requires plugins to be bumped whenever contracts or core are.
RELEASED_PACKAGES = ("contracts", "core", "plugins")


def changeset_path(name: str) -> Path:
    return Path(".changeset") / f"onboard-{name}.md"


def package_names(monorepo: Path) -> list[str]:
    """Return the npm names of packages/contracts, core and plugins, read from their package.json."""
    names = []
    for folder in RELEASED_PACKAGES:
        manifest = monorepo / "packages" / folder / "package.json"
        try:
            names.append(json.loads(manifest.read_text(encoding="utf-8"))["name"])
        except (OSError, ValueError, KeyError) as err:
            raise OnboardError(
                f"cannot read the package name from {manifest}",
                cause=str(err),
                fix="point [monorepo] path at a Sphinx monorepo checkout",
            ) from err
    return names


def render_changeset(spec: NetworkSpec, *, packages: list[str], bump: str) -> str:
    header = "".join(f'"{package}": {bump}\n' for package in packages)
    summary = f"Add {spec.display_name} ({spec.network_type.lower()}, chain id {spec.chain_id}) to SPHINX_NETWORKS"
    return f"---\n{header}---\n\n{summary}\n"
