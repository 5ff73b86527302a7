"""`onboard network NAME`: run or plan the staged pipeline for one network."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from onboard.config import Config
from onboard.errors import UsageError
from onboard.journal import Journal
from onboard.log import start_run_log
from onboard.report import render_markdown, render_text
from onboard.runner import RunResult, check_prerequisites, dry_run, run_pipeline, select_stages
from onboard.spec.load import load_network_spec
from onboard.stages import Context, load_stage, stage_names


@dataclass(frozen=True)
class NetworkOptions:
    name: str
    dry_run: bool = False
    from_stage: str | None = None
    only: tuple[str, ...] = ()
    assume_yes: bool = False
    as_json: bool = False
    fund_keyless: bool = False
    report_dir: Path | None = None
    resubmit_approval: bool = False


def build_context(config: Config, name: str, *, console: Console, **fields: object) -> Context:
    """Load the spec of `name` and return a stage context with its journal."""
    spec_file, spec = load_network_spec(name, config.specs_dir)
    journal = Journal(config.state_dir, spec.name)
    env = config.run_env(os.environ)
    context = Context(spec=spec, config=config, journal=journal, env=env, console=console, **fields)
    context.options["spec_file"] = spec_file
    return context


def _check_report_dir(folder: Path) -> None:
    """Fail before any stage runs when the reports could not be written at the end."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(
            f"--report-dir {folder} cannot be created", cause=err.strerror, fix="pass a writable folder"
        ) from err
    if not os.access(folder, os.W_OK):
        raise UsageError(f"--report-dir {folder} is not writable", fix="pass a writable folder")


def run_network(config: Config, options: NetworkOptions, console: Console) -> RunResult:
    if options.report_dir:
        _check_report_dir(options.report_dir)
    names = stage_names()
    selected = select_stages(names, from_stage=options.from_stage, only=options.only)
    ctx = build_context(config, options.name, console=console, dry_run=options.dry_run, assume_yes=options.assume_yes)
    ctx.options["fund_keyless"] = options.fund_keyless
    ctx.options["resubmit_approval"] = options.resubmit_approval
    log_path = start_run_log(ctx.state_dir, "dry-run" if options.dry_run else "network")
    console.print(f"debug log: {log_path}", style="dim")

    stages = [load_stage(name) for name in selected]
    if options.dry_run:
        result = dry_run(ctx, stages)
    else:
        if options.from_stage:
            check_prerequisites(ctx, names, options.from_stage)
        forced = selected if (options.from_stage or options.only) else ()
        result = run_pipeline(ctx, stages, forced=forced)

    if options.report_dir:
        write_reports(result, options.report_dir)
    return result


def write_reports(result: RunResult, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{result.network}-{'dry-run' if result.dry_run else 'run'}"
    (folder / f"{stem}.json").write_text(json.dumps(result.to_json(), indent=2) + "\n")
    (folder / f"{stem}.md").write_text(render_markdown(result))


def print_result(result: RunResult, console: Console, *, as_json: bool) -> None:
    # The report goes to standard output and progress to standard error, so the report can be piped or saved.
    if as_json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(render_text(result))


def selected_names(options: NetworkOptions) -> Sequence[str]:
    return select_stages(stage_names(), from_stage=options.from_stage, only=options.only)
