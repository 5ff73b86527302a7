"""Reading the network's RPC URL from the environment and asking it for its chain id."""

from __future__ import annotations

from collections.abc import Mapping

from onboard.deploy.rpc import Rpc
from onboard.errors import StageError
from onboard.redact import redact, register_secret
from onboard.spec import NetworkSpec


def rpc_url(spec: NetworkSpec, env: Mapping[str, str], *, stage: str) -> str:
    """Return the RPC URL from the variable the spec names, registered for redaction because it may contain an API key."""
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
    return Rpc(url).chain_id()
