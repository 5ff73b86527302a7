"""The pipeline runner: runs stages in order, records each in the journal, and resumes where a run stopped."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from onboard.errors import ExitCode, OnboardError, StageError, UsageError
from onboard.journal import APPLIED, DONE, FAILED, INTERRUPTED, RUNNING, NetworkLock, fingerprint, now
from onboard.redact import redact, redact_data
from onboard.stages.base import Context, Plan, Stage

log = logging.getLogger("onboard.runner")

APPLIED_NOW, VERIFIED, PLANNED, FAILED_NOW = "applied", "verified", "planned", "failed"


class Interrupted(BaseException):
    """SIGTERM arrived. A BaseException, like KeyboardInterrupt, so that no stage swallows it."""


@dataclass(frozen=True)
class StageOutcome:
    """The result of one stage in this run."""

    stage: str
    status: str
    summary: str
    outputs: dict[str, Any] = field(default_factory=dict)
    plan: Plan | None = None
    error: str | None = None
    exit_code: int = ExitCode.OK

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "status": self.status,
            "summary": self.summary,
            "outputs": self.outputs,
            "plan": self.plan.to_json() if self.plan else None,
            "error": self.error,
        }


@dataclass(frozen=True)
class RunResult:
    network: str
    dry_run: bool
    outcomes: tuple[StageOutcome, ...]

    @property
    def exit_code(self) -> int:
        return max((outcome.exit_code for outcome in self.outcomes), default=ExitCode.OK)

    def to_json(self) -> dict[str, Any]:
        return redact_data(
            {
                "network": self.network,
                "dry_run": self.dry_run,
                "exit_code": self.exit_code,
                "stages": [outcome.to_json() for outcome in self.outcomes],
            }
        )


def select_stages(names: Sequence[str], *, from_stage: str | None, only: Sequence[str]) -> list[str]:
    """Return the stage names to run, checking --from and --only against the known names."""
    for requested in [*only, *([from_stage] if from_stage else [])]:
        if requested not in names:
            raise UsageError(
                f"unknown stage '{requested}'",
                cause=f"the stages are {', '.join(names)}",
                fix="pass one of those names to --from or --only",
            )
    if only and from_stage:
        raise UsageError("--from and --only cannot be combined", fix="use one of them")
    if only:
        return [name for name in names if name in only]
    if from_stage:
        return list(names[names.index(from_stage) :])
    return list(names)


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into Interrupted, so the journal is written the same way as on Ctrl-C."""

    def handler(signum: int, frame: object) -> None:
        raise Interrupted()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _apply(ctx: Context, stage: Stage, inputs_hash: str) -> StageOutcome:
    journal = ctx.journal
    attempts = journal.entry(stage.name).get("attempts", 0) + 1
    journal.update(stage.name, status=RUNNING, started_at=now(), fingerprint=inputs_hash, attempts=attempts, error=None)
    log.info("stage %s: apply (attempt %d)", stage.name, attempts)
    ctx.console.print(f"[bold]{stage.name}[/bold]: {stage.description}")
    started = time.perf_counter()

    outputs = stage.apply(ctx)
    merged = {**journal.outputs(stage.name), **outputs}
    journal.update(stage.name, status=APPLIED, outputs=merged)
    stage.verify(ctx, merged)
    # Wall time of apply and verify, in seconds, because started_at and finished_at have one-second resolution.
    seconds = round(time.perf_counter() - started, 3)
    journal.update(stage.name, status=DONE, finished_at=now(), verified_at=now(), seconds=seconds)
    summary = stage.summarize(merged)
    ctx.console.print(f"  [green]done[/green]: {redact(summary)}", highlight=False)
    return StageOutcome(stage.name, APPLIED_NOW, summary, redact_data(merged))


def _verify_done(ctx: Context, stage: Stage, inputs_hash: str) -> StageOutcome:
    entry = ctx.journal.entry(stage.name)
    if entry.get("fingerprint") != inputs_hash:
        ctx.console.print(
            f"[yellow]{stage.name}[/yellow]: its inputs changed since it ran; "
            f"run again with --from {stage.name} to apply the change"
        )
    outputs = ctx.journal.outputs(stage.name)
    started = time.perf_counter()
    stage.verify(ctx, outputs)
    ctx.journal.update(stage.name, verified_at=now(), verify_seconds=round(time.perf_counter() - started, 3))
    summary = f"already done, verified: {stage.summarize(outputs)}"
    ctx.console.print(f"[bold]{stage.name}[/bold]: {redact(summary)}", highlight=False)
    return StageOutcome(stage.name, VERIFIED, summary, redact_data(outputs))


def _record_failure(ctx: Context, stage: Stage, status: str, message: str) -> None:
    ctx.journal.update(stage.name, status=status, finished_at=now(), error=redact(message))


def run_pipeline(ctx: Context, stages: Sequence[Stage], *, forced: Sequence[str] = ()) -> RunResult:
    """Run `stages` in order under the network's lock. Done stages are verified, not re-applied, unless forced."""
    outcomes: list[StageOutcome] = []
    with NetworkLock(ctx.journal.folder), sigterm_as_interrupt():
        for stage in stages:
            inputs_hash = fingerprint(stage.inputs(ctx))
            done = ctx.journal.status(stage.name) == DONE
            try:
                if done and stage.name not in forced:
                    outcomes.append(_verify_done(ctx, stage, inputs_hash))
                else:
                    outcomes.append(_apply(ctx, stage, inputs_hash))
            except (KeyboardInterrupt, Interrupted):
                _record_failure(ctx, stage, INTERRUPTED, "interrupted")
                raise
            except OnboardError as err:
                _record_failure(ctx, stage, FAILED, err.render())
                raise
            except Exception as err:
                _record_failure(ctx, stage, FAILED, f"internal error: {type(err).__name__}: {err}")
                raise
    return RunResult(ctx.journal.network, False, tuple(outcomes))


def _dry_run_stage(ctx: Context, stage: Stage) -> StageOutcome:
    try:
        plan = stage.plan(ctx)
        ctx.planned[stage.name] = plan.data
        return StageOutcome(stage.name, PLANNED, plan.summary, plan=plan)
    except OnboardError as err:
        code = err.exit_code
        message = redact(err.render())
        plan = getattr(err, "plan", None)
        return StageOutcome(stage.name, FAILED_NOW, message.splitlines()[0], plan=plan, error=message, exit_code=code)


def dry_run(ctx: Context, stages: Sequence[Stage]) -> RunResult:
    """Plan every stage without writing anything. The plans of read-only stages (spec, compat) do their reads.

    A failing stage does not stop the report: every later stage is still planned, so one dry run shows all
    that must be fixed.
    """
    outcomes = tuple(_dry_run_stage(ctx, stage) for stage in stages)
    return RunResult(ctx.journal.network, True, outcomes)


def check_prerequisites(ctx: Context, names: Sequence[str], from_stage: str) -> None:
    """With --from, every stage before `from_stage` must already be done."""
    for name in names[: names.index(from_stage)]:
        if ctx.journal.status(name) != DONE:
            raise StageError(
                from_stage,
                f"the earlier stage '{name}' has not finished",
                fix=f"run `onboard network {ctx.spec.name}` without --from to resume from the first unfinished stage",
            )
