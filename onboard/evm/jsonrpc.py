"""JSON-RPC calls and replies, and the redacted evidence a finding shows for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from onboard.redact import redact_data

# Long hex strings (initcode, returned runtime code) are cut to this many characters in evidence.
EVIDENCE_MAX_CHARS = 200


@dataclass(frozen=True)
class Call:
    """One JSON-RPC request: a method and its parameters."""

    method: str
    params: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Reply:
    """The outcome of one call: a result, or a JSON-RPC error (`code`, `message`, `data`)."""

    call: Call
    result: Any = None
    error: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def error_code(self) -> int | None:
        return None if self.error is None else self.error.get("code")

    @property
    def error_message(self) -> str:
        return "" if self.error is None else str(self.error.get("message", ""))

    def evidence(self) -> dict[str, Any]:
        """Return the request and its outcome, redacted and with long values shortened."""
        outcome: dict[str, Any] = {"error": self.error} if self.error is not None else {"result": self.result}
        return redact_data(_shorten({"method": self.call.method, "params": list(self.call.params), **outcome}))


def _shorten(value: Any) -> Any:
    if isinstance(value, str) and len(value) > EVIDENCE_MAX_CHARS:
        return f"{value[:EVIDENCE_MAX_CHARS]}... ({len(value)} characters)"
    if isinstance(value, dict):
        return {key: _shorten(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_shorten(item) for item in value]
    return value
