"""Reading the network's RPC URL from the environment and asking it for its chain id."""

from __future__ import annotations

from collections.abc import Mapping

import requests

from onboard.errors import RpcError, StageError
from onboard.redact import redact, register_secret
from onboard.spec import NetworkSpec

TIMEOUT_SECONDS = 15


def rpc_url(spec: NetworkSpec, env: Mapping[str, str], *, stage: str) -> str:
    """Return the RPC URL from the variable the spec names, registered for redaction (it may hold an API key)."""
    url = env.get(spec.rpc_source, "").strip()
    if not url:
        raise StageError(
            stage,
            f"environment variable {spec.rpc_source} is missing or empty",
            cause=f"it must hold the RPC URL of {spec.display_name}",
            fix=f"export {spec.rpc_source}=https://... then run again",
        )
    if not url.startswith(("http://", "https://")):
        raise StageError(
            stage,
            f"{spec.rpc_source} is not an http(s) URL: {redact(url)}",
            fix=f"set {spec.rpc_source} to the https:// URL of an RPC endpoint",
        )
    register_secret(url)
    return url


def chain_id_of(url: str) -> int:
    """Return eth_chainId of the endpoint at `url`."""
    payload = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
    try:
        response = requests.post(url, json=payload, timeout=TIMEOUT_SECONDS)
        body = response.json()
    except (requests.RequestException, ValueError) as err:
        raise RpcError(
            f"eth_chainId failed at {redact(url)}",
            cause=redact(str(err)),
            fix="check that the RPC URL is right and the endpoint is reachable",
        ) from err
    if not isinstance(body, dict) or "result" not in body:
        raise RpcError(
            f"eth_chainId returned no result at {redact(url)}",
            cause=redact(str(body)[:300]),
            fix="check that the URL points at a JSON-RPC endpoint",
        )
    return int(body["result"], 16)
