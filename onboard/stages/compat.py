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

    def plan(self, ctx: Context) -> Plan:
        return Plan(
            stage=self.name,
            summary=f"run the compatibility check of {ctx.spec.name} against ${ctx.spec.rpc_source}",
            changes=True,
            details=(f"report: {ctx.state_dir / REPORT_JSON}", "sends read-only JSON-RPC calls only"),
        )

    def apply(self, ctx: Context) -> dict[str, Any]:
        url = ctx.secret(ctx.spec.rpc_source, purpose=f"the RPC URL of {ctx.spec.name}", stage=self.name)
        settings = ctx.config.section("compat", CompatSection)
        target = Target(label=ctx.spec.name, url=url, spec=ctx.spec, deployer=deployer_address(ctx.spec, ctx.env),
                        system=system_contracts(_monorepo(ctx)))  # fmt: skip
        client = settings.client(url)
        try:
            report = run_check(target, client=client)
        finally:
            client.close()

        path = ctx.state_dir / REPORT_JSON
        atomic_write(path, json.dumps(report.to_json(), indent=2) + "\n")
        atomic_write(ctx.state_dir / REPORT_MARKDOWN, render([report], "markdown"))
        _raise_on_failures(report, path)
        return _outputs(report, path)

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


def _raise_on_failures(report: Report, path: Path) -> None:
    failed = report.failed
    if not failed:
        return
    listed = "; ".join(f"{finding.id}: {finding.title}" for finding in failed)
    raise IncompatibleChain(
        f"network {report.network} is incompatible with Sphinx ({len(failed)} failing findings)",
        cause=listed,
        fix=f"read the fixes in {path}; fix the spec or the chain, or waive a finding by id in the spec's "
        "[[waivers]] with a reason",
    )


def _outputs(report: Report, path: Path) -> dict[str, Any]:
    return {
        "report": str(path),
        "chain_id": report.chain_id,
        "evm_version": report.evm_version,
        "counts": report.counts(),
        "suggested_entry": dict(report.suggested_entry),
    }
