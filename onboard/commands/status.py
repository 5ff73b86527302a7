"""`onboard status NAME`: each stage's state, when it ran and its outputs, read from the journal."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from onboard.config import Config
from onboard.errors import OnboardError
from onboard.journal import Journal
from onboard.spec.model import NAME_PATTERN
from onboard.redact import redact_data
from onboard.stages import load_stage, stage_names


def network_status(config: Config, name: str) -> dict[str, Any]:
    if not NAME_PATTERN.fullmatch(name):
        raise OnboardError(f"invalid network name {name!r}", fix="pass a network name such as unichain")
    journal = Journal(config.state_dir, name)
    if not journal.path.exists() and not (config.specs_dir / f"{name}.toml").is_file():
        raise OnboardError(
            f"unknown network '{name}': no spec in {config.specs_dir} and no journal in {journal.folder}",
            fix="check the name, or pass the --config of the run that onboarded it",
        )
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
                "summary": load_stage(stage).summarize(entry["outputs"]) if entry["status"] == "done" else "",
            }
        )
    return redact_data({"network": name, "journal": str(journal.path), "stages": stages})


def status_table(status: dict[str, Any]) -> Table:
    table = Table(title=f"{status['network']} ({status['journal']})")
    for column in ("stage", "status", "finished", "result"):
        table.add_column(column)
    for stage in status["stages"]:
        error = stage["error"]
        state = stage["status"] if not error or error == stage["status"] else f"{stage['status']}: {error.splitlines()[0]}"
        table.add_row(stage["stage"], state, stage["finished_at"] or "", stage["summary"])
    return table

