"""`onboard status NAME`: each stage's state, when it ran and its outputs, read from the journal."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from onboard.config import Config
from onboard.journal import Journal
from onboard.redact import redact_data
from onboard.stages import load_stage, stage_names


def network_status(config: Config, name: str) -> dict[str, Any]:
    journal = Journal(config.state_dir, name)
    stages = []
    for stage in stage_names():
        entry = journal.entry(stage)
        stages.append(
            {
                "stage": stage,
                "status": entry["status"],
                "started_at": entry.get("started_at"),
                "finished_at": entry.get("finished_at"),
                "verified_at": entry.get("verified_at"),
                "attempts": entry.get("attempts", 0),
                "error": entry.get("error"),
                "outputs": entry.get("outputs") or {},
                "summary": load_stage(stage).summarize(entry["outputs"]) if entry.get("outputs") else "",
            }
        )
    return redact_data({"network": name, "journal": str(journal.path), "stages": stages})


def status_table(status: dict[str, Any]) -> Table:
    table = Table(title=f"{status['network']} ({status['journal']})")
    for column in ("stage", "status", "finished", "result"):
        table.add_column(column)
    for stage in status["stages"]:
        state = stage["status"] if not stage["error"] else f"{stage['status']}: {stage['error'].splitlines()[0]}"
        table.add_row(stage["stage"], state, stage["finished_at"] or "", stage["summary"])
    return table

