"""The networks already in the target monorepo, for the duplicate checks of the spec."""

from __future__ import annotations

from onboard.config import repo_path
from onboard.spec import KnownNetwork
from onboard.stages.base import Context


def known_networks(ctx: Context) -> list[KnownNetwork]:
    """Return SPHINX_NETWORKS and DEPRECATED_SPHINX_NETWORKS entries, or nothing when no monorepo is set."""
    if "monorepo" not in ctx.config.data:
        return []
    from onboard.monorepo.networks_file import read_known_networks

    return read_known_networks(repo_path(ctx.config, "monorepo"))
