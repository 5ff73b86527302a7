"""The relayer signs with the same keys on every network, so each must hold native tokens on the new chain."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import requests
from eth_account import Account

from onboard.errors import RpcError, StageError
from onboard.redact import redact

STAGE = "containers"
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
                STAGE,
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
