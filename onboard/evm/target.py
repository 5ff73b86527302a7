"""The target of one compatibility check, and the facts that probes share while judging."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from onboard.evm.rpc import Call, Reply

if TYPE_CHECKING:
    from onboard.evm.artifacts import SystemContract
    from onboard.spec import NetworkSpec


@dataclass(frozen=True)
class Target:
    """One network to check: a label for reports, the RPC URL, and what the chain is expected to be.

    `spec` is None for `onboard check --rpc URL`; then only `expected_chain_id` (from `--chain-id`) is known.
    `deployer` is the address that will deploy the Sphinx system, when its key is available. `system` contains
    the system contracts to simulate (empty when their artifacts were not found).
    """

    label: str
    url: str
    spec: NetworkSpec | None = None
    expected_chain_id: int | None = None
    deployer: str | None = None
    system: tuple[SystemContract, ...] = ()

    @property
    def chain_id(self) -> int | None:
        return self.spec.chain_id if self.spec is not None else self.expected_chain_id


@dataclass
class Facts:
    """Values that one probe measures and later probes use (gas price, block gas limit, EVM version)."""

    chain_id: int | None = None
    head: int | None = None
    block: Mapping[str, Any] | None = None
    gas_price: int | None = None
    block_gas_limit: int | None = None
    evm_version: str | None = None
    evm_order: tuple[str, ...] = ()
    estimate_scale: float | None = None
    proxy_present: bool | None = None
    overrides_supported: bool | None = None
    code_size_limit: int | None = None
    system_max_gas: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def at_least(self, fork: str) -> bool:
        """Whether the detected EVM version includes `fork`; False when no version was detected."""
        if self.evm_version is None or fork not in self.evm_order:
            return False
        return self.evm_order.index(self.evm_version) >= self.evm_order.index(fork)


Calls = dict[str, Call]
Replies = Mapping[str, Reply]
