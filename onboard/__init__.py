"""Add a new EVM network to a self-hosted Sphinx deployment platform, end to end."""

__version__ = "0.1.0"
