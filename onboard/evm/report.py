"""The report of one compatibility check: findings with waivers applied, and the suggested SPHINX_NETWORKS entry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from onboard.evm.findings import Finding, Status
from onboard.evm.rpc import RpcStats
from onboard.evm.target import Target
from onboard.redact import redact, redact_data

PLACEHOLDER = "FILL-ME"
# Derived fields, in the order they are listed in the report.
DERIVED_FIELDS = ("legacyTx", "eip2028", "queryFilterBlockLimit", "actionGasLimitBuffer",
                  "actionTransactionBatching", "rollupStack")  # fmt: skip


@dataclass(frozen=True)
class Report:
    network: str
    url: str
    chain_id: int | None
    evm_version: str | None
    findings: tuple[Finding, ...]
    suggested_entry: Mapping[str, Any]
    rpc: Mapping[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.status is Status.FAIL]

    def counts(self) -> dict[str, int]:
        return {str(status): sum(1 for item in self.findings if item.status is status) for status in Status}

    def to_json(self) -> dict[str, Any]:
        return redact_data({
            "network": self.network,
            "url": self.url,
            "chain_id": self.chain_id,
            "evm_version": self.evm_version,
            "findings": [finding.to_json() for finding in self.findings],
            "suggested_entry": dict(self.suggested_entry),
            "rpc": dict(self.rpc),
            "counts": self.counts(),
            "seconds": round(self.seconds, 3),
        })  # fmt: skip


def apply_waivers(target: Target, findings: list[Finding]) -> list[Finding]:
    """Turn each failing finding that the spec waives by id into a waived one, carrying the reason."""
    if target.spec is None:
        return findings
    result = []
    for finding in findings:
        waiver = target.spec.waiver_for(finding.id)
        result.append(finding.waived(waiver.reason) if waiver and finding.status is Status.FAIL else finding)
    return result


def suggested_entry(target: Target, chain_id: int | None, findings: list[Finding]) -> dict[str, Any]:
    """Build the SPHINX_NETWORKS entry: fields derived from findings, the rest from the spec or placeholders."""
    if target.spec is not None:
        entry = dict(target.spec.sphinx_entry())
    else:
        entry = {"name": PLACEHOLDER, "displayName": PLACEHOLDER, "chainId": chain_id, "rpcUrlId": PLACEHOLDER,
                 "blockexplorers": {}, "currency": PLACEHOLDER, "dripSize": PLACEHOLDER,
                 "networkType": PLACEHOLDER, "dripVersion": 0, "decimals": 18, "queryFilterBlockLimit": 2000,
                 "legacyTx": False, "actionGasLimitBuffer": False, "eip2028": True,
                 "actionTransactionBatching": True}  # fmt: skip
    for finding in findings:
        for key, value in finding.suggest.items():
            if key in DERIVED_FIELDS:
                entry[key] = value
    if chain_id is not None and target.spec is None:
        entry["chainId"] = chain_id
    return entry


def rpc_summary(stats: RpcStats, url: str) -> dict[str, Any]:
    return {
        "url": redact(url),
        "round_trips": stats.round_trips,
        "requests": stats.requests,
        "retries": stats.retries,
        "batch": stats.batch_accepted,
    }
