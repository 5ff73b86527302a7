"""Changes to the Sphinx monorepo: the SPHINX_NETWORKS entry and the files that come with it."""

from onboard.monorepo.networks_file import read_known_networks

__all__ = ["read_known_networks"]
