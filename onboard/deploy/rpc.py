"""A small JSON-RPC client for the deploy stage: one request per call, errors wrapped as RpcError."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import requests

from onboard.errors import RpcError
from onboard.redact import redact

REQUEST_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Rpc:
    """A JSON-RPC endpoint. The URL may contain an API key, so every message shows it redacted."""

    url: str

    def call(self, method: str, params: Sequence[object] = ()) -> Any:
        """Send one request and return its `result`; raise RpcError on a transport or JSON-RPC error."""
        payload = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
        try:
            response = requests.post(self.url, json=payload, timeout=REQUEST_TIMEOUT_SECONDS)
            response.raise_for_status()
            body = response.json()
        except (requests.RequestException, ValueError) as err:
            raise RpcError(
                f"{method} to {redact(self.url)} failed",
                cause=redact(str(err)),
                fix="check that the RPC URL is right and the node is reachable, then run again",
            ) from err
        if "error" in body:
            raise RpcError(f"{method} to {redact(self.url)} returned an error", cause=redact(str(body["error"])))
        return body.get("result")

    def quantity(self, method: str, params: Sequence[object] = ()) -> int:
        """Call a method that returns a hex quantity and return it as an int."""
        return int(self.call(method, params), 16)

    def chain_id(self) -> int:
        return self.quantity("eth_chainId")

    def block_number(self) -> int:
        return self.quantity("eth_blockNumber")

    def balance(self, address: str) -> int:
        return self.quantity("eth_getBalance", [address, "latest"])

    def nonce(self, address: str) -> int:
        return self.quantity("eth_getTransactionCount", [address, "latest"])

    def code(self, address: str) -> bytes:
        return bytes.fromhex(self.call("eth_getCode", [address, "latest"])[2:])

    def block(self, number: int | str = "latest", *, full: bool = False) -> dict[str, Any]:
        tag = hex(number) if isinstance(number, int) else number
        return self.call("eth_getBlockByNumber", [tag, full])

    def receipt(self, tx_hash: str) -> dict[str, Any]:
        return self.call("eth_getTransactionReceipt", [tx_hash])
