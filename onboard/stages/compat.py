"""The compat stage: the compatibility check of the network's RPC, stopping the pipeline on unwaived fails."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from onboard.commands.check import deployer_address, system_contracts
from onboard.config import repo_path
from onboard.errors import ConfigError, IncompatibleChain, StageError
from onboard.evm.check import run_check
from onboard.evm.findings import Status
from onboard.evm.render import render
from onboard.evm.report import Report
from onboard.evm.settings import CompatSection
from onboard.evm.target import Target
from onboard.fsutil import atomic_write
from onboard.stages.base import Context, Plan, Stage

REPORT_JSON = "compat-report.json"
REPORT_MARKDOWN = "compat-report.md"


class CompatStage(Stage):
    name = "compat"
    description = "check that the chain can run Sphinx, from its RPC alone"
    read_only = True

    def summarize(self, outputs: Mapping[str, Any]) -> str:
        return f"EVM {outputs.get('evm_version')}: {_counts_text(outputs.get('counts') or {})}"

    def plan(self, ctx: Context) -> Plan:
        """Run the check (it only reads) and return its findings as the plan; raise on unwaived fails."""
        report = self._check(ctx)
        plan = Plan(
            stage=self.name,
            summary=f"{report.network}: EVM {report.evm_version}, {_counts_text(report.counts())}",
            changes=False,
            details=tuple(_finding_lines(report)),
            data={"report": report.to_json()},
            markdown=render([report], "markdown"),
        )
        _raise_on_failures(report, None, plan)
        return plan

    def apply(self, ctx: Context) -> dict[str, Any]:
        report = self._check(ctx)
        path = ctx.state_dir / REPORT_JSON
        atomic_write(path, json.dumps(report.to_json(), indent=2) + "\n")
        atomic_write(ctx.state_dir / REPORT_MARKDOWN, render([report], "markdown"))
        _raise_on_failures(report, path, None)
        return _outputs(report, path)

    def _check(self, ctx: Context) -> Report:
        url = ctx.secret(ctx.spec.rpc_source, purpose=f"the RPC URL of {ctx.spec.name}", stage=self.name)
        settings = ctx.config.section("compat", CompatSection)
        target = Target(label=ctx.spec.name, url=url, spec=ctx.spec, deployer=deployer_address(ctx.spec, ctx.env),
                        system=system_contracts(_monorepo(ctx)))  # fmt: skip
        client = settings.client(url)
        try:
            return run_check(target, client=client)
        finally:
            client.close()

    def verify(self, ctx: Context, outputs: Mapping[str, Any]) -> None:
        path = Path(str(outputs.get("report", "")))
        if not path.is_file():
            raise StageError(self.name, f"the report {path} is missing", fix="run the compat stage again")
        document = json.loads(path.read_text(encoding="utf-8"))
        failed = [item["id"] for item in document["findings"] if item["status"] == "fail"]
        if failed:
            raise StageError(self.name, f"the report {path} has failing findings: {', '.join(failed)}",
                             fix="run the compat stage again after fixing or waiving them")  # fmt: skip


def _monorepo(ctx: Context) -> Path | None:
    try:
        return repo_path(ctx.config, "monorepo")
    except ConfigError:
        return None


def _counts_text(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{count} {status}" for status, count in counts.items() if count)


def _finding_lines(report: Report) -> list[str]:
    lines = []
    for finding in report.findings:
        if finding.status is Status.PASS:
            continue
        lines.append(f"{str(finding.status).upper()} {finding.id}: {finding.title}")
        if finding.status is Status.FAIL and finding.fix:
            lines.append(f"  fix: {finding.fix}")
    return lines


def _raise_on_failures(report: Report, path: Path | None, plan: Plan | None) -> None:
    failed = report.failed
    if not failed:
        return
    listed = "; ".join(f"{finding.id}: {finding.title}" for finding in failed)
    where = f"the fixes in {path}" if path else "the fix of each finding above"
    error = IncompatibleChain(
        f"network {report.network} is incompatible with Sphinx ({len(failed)} failing findings)",
        cause=listed,
        fix=f"read {where}; fix the spec or the chain, or waive a finding by id in the spec's "
        "[[waivers]] with a reason",
    )
    # A dry run still reports every finding, so the plan travels with the error.
    error.plan = plan
    raise error


def _outputs(report: Report, path: Path) -> dict[str, Any]:
    return {
        "report": str(path),
        "chain_id": report.chain_id,
        "evm_version": report.evm_version,
        "counts": report.counts(),
        "suggested_entry": dict(report.suggested_entry),
    }
