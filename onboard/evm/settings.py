"""The `[compat]` section of onboard.toml: how the compatibility check talks to RPC endpoints."""

from __future__ import annotations

from pydantic import Field

from onboard.config import Section
from onboard.evm.rpc import RpcClient


class CompatSection(Section):
    """RPC settings of `onboard check` and the compat stage."""

    rpc_timeout_seconds: float = Field(default=30.0, gt=0, le=600, description="Timeout of one HTTP request.")
    max_retries: int = Field(default=6, ge=0, le=20, description="Retries of a rate-limited request.")
    batch: bool = Field(default=True, description="Send JSON-RPC batches; false sends one request per call.")

    def client(self, url: str) -> RpcClient:
        return RpcClient(url, timeout=self.rpc_timeout_seconds, max_retries=self.max_retries, batch=self.batch)
