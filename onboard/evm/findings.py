"""The result of the compatibility check: findings with a stable id, a status, the evidence and the fix."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from onboard.evm.rpc import Reply


class Status(enum.StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"
    # A fail that the network spec accepts by id, with a reason.
    WAIVED = "waived"


@dataclass(frozen=True)
class Finding:
    """One checked property of the chain and what it means for Sphinx.

    `suggest` contains SPHINX_NETWORKS fields (TypeScript names) that this finding derives, such as legacyTx.
    """

    id: str
    status: Status
    title: str
    impact: str = ""
    fix: str = ""
    evidence: tuple[Mapping[str, Any], ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)
    suggest: Mapping[str, Any] = field(default_factory=dict)
    waiver: str = ""

    def waived(self, reason: str) -> Finding:
        return replace(self, status=Status.WAIVED, waiver=reason)

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "id": self.id,
            "status": str(self.status),
            "title": self.title,
            "impact": self.impact,
            "fix": self.fix,
            "evidence": [dict(item) for item in self.evidence],
        }
        if self.data:
            document["data"] = dict(self.data)
        if self.suggest:
            document["suggest"] = dict(self.suggest)
        if self.waiver:
            document["waiver"] = self.waiver
        return document


def evidence(*replies: Reply | None) -> tuple[Mapping[str, Any], ...]:
    return tuple(reply.evidence() for reply in replies if reply is not None)


def to_int(value: Any) -> int | None:
    """Parse a JSON-RPC quantity ("0x1a" or a decimal string); None when it is not one."""
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    try:
        return int(value, 16) if value.startswith(("0x", "0X")) else int(value)
    except ValueError:
        return None


def to_bytes(value: Any) -> bytes | None:
    """Parse a JSON-RPC data string ("0x..."); None when it is not one."""
    if not isinstance(value, str) or not value.startswith("0x"):
        return None
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        return None
