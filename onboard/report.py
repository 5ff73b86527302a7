"""Rendering a pipeline run or dry run as terminal text and as Markdown (for a GitHub job summary)."""

from __future__ import annotations

from onboard.redact import redact
from onboard.runner import RunResult, StageOutcome

_MARKS = {"applied": "done", "verified": "done (verified)", "planned": "plan", "failed": "FAILED"}


def _plan_lines(outcome: StageOutcome) -> list[str]:
    if outcome.plan is None:
        return []
    lines = [f"    {detail}" for detail in outcome.plan.details]
    if outcome.plan.diff:
        lines += [f"    {line}" for line in outcome.plan.diff.splitlines()]
    return lines


def render_text(result: RunResult) -> str:
    title = "dry run" if result.dry_run else "run"
    lines = [f"{result.network}: {title}"]
    for outcome in result.outcomes:
        lines.append(f"  [{_MARKS.get(outcome.status, outcome.status)}] {outcome.stage}: {outcome.summary}")
        lines += _plan_lines(outcome)
        if outcome.error:
            lines += [f"    {line}" for line in outcome.error.splitlines()[1:]]
    return redact("\n".join(lines))


def render_markdown(result: RunResult) -> str:
    title = "Dry run" if result.dry_run else "Run"
    lines = [f"## {title} of `{result.network}`", "", "| stage | status | summary |", "|---|---|---|"]
    for outcome in result.outcomes:
        summary = outcome.summary.replace("|", "\\|")
        lines.append(f"| {outcome.stage} | {_MARKS.get(outcome.status, outcome.status)} | {summary} |")
    for outcome in result.outcomes:
        if outcome.plan and outcome.plan.markdown:
            lines += ["", outcome.plan.markdown.rstrip("\n")]
            continue
        details = outcome.plan.details if outcome.plan else ()
        if not details and not (outcome.plan and outcome.plan.diff) and not outcome.error:
            continue
        lines += ["", f"### {outcome.stage}", ""]
        lines += [f"- {detail}" for detail in details]
        if outcome.plan and outcome.plan.diff:
            lines += ["", "```diff", outcome.plan.diff.rstrip("\n"), "```"]
        if outcome.error:
            lines += ["", "```", outcome.error, "```"]
    return redact("\n".join(lines) + "\n")
