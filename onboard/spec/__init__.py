"""The network spec: one TOML file per network in `network_specs/`."""

from onboard.spec.model import (
    CURRENCIES,
    Blockscout,
    Deployer,
    Etherscan,
    Explorers,
    NetworkSpec,
    RollupStack,
    Waiver,
)
from onboard.spec.load import KnownNetwork, find_spec_file, load_spec, parse_spec

__all__ = [
    "CURRENCIES",
    "Blockscout",
    "Deployer",
    "Etherscan",
    "Explorers",
    "KnownNetwork",
    "NetworkSpec",
    "RollupStack",
    "Waiver",
    "find_spec_file",
    "load_spec",
    "parse_spec",
]
