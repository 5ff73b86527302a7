"""The relayer signs with the same keys on every network, so each key needs native tokens on the new chain."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import requests
from eth_account import Account

from onboard.errors import RpcError, StageError
from onboard.redact import redact

if TYPE_CHECKING:
    from onboard.images.settings import ContainersSection
    from onboard.stages.base import Context

NAME = "containers"
RPC_TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True)
class RelayerBalance:
    """One relayer address, its balance and the required minimum, in wei."""

    address: str
    balance: int
    required: int

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.balance)

    def to_json(self, decimals: int) -> dict[str, str]:
        unit = Decimal(10) ** decimals
        return {
            "address": self.address,
            "balance": str(Decimal(self.balance) / unit),
            "required": str(Decimal(self.required) / unit),
            "shortfall": str(Decimal(self.shortfall) / unit),
        }


def relayer_addresses(keys: str, *, variable: str) -> list[str]:
    """Derive the addresses of comma-separated private keys. An invalid key is named by position only."""
    addresses = []
    for position, key in enumerate((part.strip() for part in keys.split(",")), start=1):
        if not key:
            continue
        try:
            addresses.append(Account.from_key(key).address)
        except (ValueError, TypeError) as err:
            raise StageError(
                NAME,
                f"key #{position} of {variable} is not a valid private key",
                cause=type(err).__name__,
                fix=f"set {variable} to comma-separated 32-byte hex private keys",
            ) from None
    return addresses


def _balance(rpc_url: str, address: str) -> int:
    body = {"jsonrpc": "2.0", "id": 1, "method": "eth_getBalance", "params": [address, "latest"]}
    try:
        reply = requests.post(rpc_url, json=body, timeout=RPC_TIMEOUT_SECONDS).json()
    except (requests.RequestException, ValueError) as err:
        raise RpcError(f"eth_getBalance failed at {redact(rpc_url)}", cause=redact(str(err))) from err
    if "error" in reply:
        raise RpcError(f"eth_getBalance of {address} failed", cause=redact(str(reply["error"])))
    return int(reply["result"], 16)


def check_balances(rpc_url: str, addresses: list[str], *, required: int) -> list[RelayerBalance]:
    return [RelayerBalance(address, _balance(rpc_url, address), required) for address in addresses]


@dataclass(frozen=True)
class Relayer:
    """Inputs of the relayer balance check, read before any build so that a missing variable fails early."""

    addresses: tuple[str, ...]
    rpc_url: str


def read_relayer(ctx: Context, settings: ContainersSection) -> Relayer | None:
    """Read the relayer keys and the RPC URL as secrets; return None when the keys variable is not set."""
    if not ctx.env.get(settings.relayer_keys_env):
        return None
    keys = ctx.secret(settings.relayer_keys_env, purpose="the relayer's private keys", stage=NAME)
    rpc_url = ctx.secret(ctx.spec.rpc_source, purpose=f"the RPC URL of {ctx.spec.name}", stage=NAME)
    return Relayer(tuple(relayer_addresses(keys, variable=settings.relayer_keys_env)), rpc_url)


def report_relayer(ctx: Context, settings: ContainersSection, relayer: Relayer | None) -> dict[str, Any]:
    """Check every relayer balance on the new chain and print each shortfall; raise when so configured."""
    if relayer is None:
        ctx.console.print(f"containers: [yellow]{settings.relayer_keys_env} is not set; relayer balances not checked")
        return {"checked": False, "reason": f"{settings.relayer_keys_env} is not set"}
    required = int(Decimal(settings.relayer_min_balance) * (Decimal(10) ** ctx.spec.decimals))
    balances = check_balances(relayer.rpc_url, list(relayer.addresses), required=required)
    short = [balance for balance in balances if balance.shortfall]
    report = [balance.to_json(ctx.spec.decimals) for balance in balances]
    for balance in short:
        entry = balance.to_json(ctx.spec.decimals)
        ctx.console.print(
            f"containers: [yellow]relayer {entry['address']} holds {entry['balance']} {ctx.spec.currency}, "
            f"needs {entry['required']}: send at least {entry['shortfall']}"
        )
    if short and settings.relayer_shortfall == "fail":
        raise StageError(
            NAME,
            f"{len(short)} relayer address(es) hold less than {settings.relayer_min_balance} {ctx.spec.currency}",
            cause=", ".join(f"{b.address} short by {b.to_json(ctx.spec.decimals)['shortfall']}" for b in short),
            fix=f"fund them on {ctx.spec.name}, then run again; the images will not be rebuilt",
        )
    return {"checked": True, "balances": report, "shortfall": [b.address for b in short]}
