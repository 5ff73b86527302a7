"""Report formats: text for the terminal, Markdown for a GitHub job summary, JSON, and JUnit XML for CI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence

from onboard.errors import RpcError
from onboard.evm.findings import Finding, Status
from onboard.evm.report import Report
from onboard.redact import redact

FORMATS = ("text", "markdown", "json", "junit")
_ICONS = {Status.PASS: "✅", Status.WARN: "⚠️", Status.FAIL: "❌", Status.SKIP: "⏭️", Status.WAIVED: "🟦"}
# Findings listed first in text and Markdown: what needs action.
_ORDER = (Status.FAIL, Status.WARN, Status.WAIVED, Status.SKIP, Status.PASS)

Outcome = Report | RpcError


def render(outcomes: Sequence[Outcome], output_format: str) -> str:
    if output_format not in FORMATS:
        raise ValueError(f"unknown format {output_format!r}; use one of {', '.join(FORMATS)}")
    renderer = {"text": _text, "markdown": _markdown, "json": _json, "junit": _junit}[output_format]
    return renderer(outcomes)


def _sorted(report: Report) -> list[Finding]:
    return sorted(report.findings, key=lambda finding: _ORDER.index(finding.status))


def _summary(report: Report) -> str:
    counts = report.counts()
    return ", ".join(f"{counts[str(status)]} {status}" for status in _ORDER if counts[str(status)])


def _entry_lines(report: Report) -> list[str]:
    return json.dumps(report.suggested_entry, indent=2).splitlines()


def _text(outcomes: Sequence[Outcome]) -> str:
    blocks = []
    for outcome in outcomes:
        if isinstance(outcome, RpcError):
            blocks.append(f"error: {redact(outcome.render())}")
            continue
        where = outcome.network if outcome.network == outcome.url else f"{outcome.network} ({outcome.url})"
        lines = [f"{where}: chain id {outcome.chain_id}, EVM {outcome.evm_version}",
                 f"  {_summary(outcome)}; {outcome.rpc['round_trips']} round trips, "
                 f"{outcome.rpc['requests']} requests, {outcome.seconds:.2f} s"]  # fmt: skip
        for finding in _sorted(outcome):
            lines.append(f"  {str(finding.status).upper():6} {finding.id}: {finding.title}")
            if finding.status in (Status.FAIL, Status.WARN, Status.WAIVED):
                lines += [f"         impact: {finding.impact}"] if finding.impact else []
                lines += [f"         fix: {finding.fix}"] if finding.fix else []
                lines += [f"         waived: {finding.waiver}"] if finding.waiver else []
        lines += ["  suggested SPHINX_NETWORKS entry:", *(f"    {line}" for line in _entry_lines(outcome))]
        blocks.append("\n".join(lines))
    return redact("\n\n".join(blocks)) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(outcomes: Sequence[Outcome]) -> str:
    blocks = ["## Compatibility check"]
    for outcome in outcomes:
        if isinstance(outcome, RpcError):
            blocks.append(f"### ❌ RPC unusable\n\n```\n{redact(outcome.render())}\n```")
            continue
        verdict = "❌ incompatible" if outcome.failed else "✅ compatible"
        lines = [f"### {outcome.network}: {verdict}", "",
                 f"Chain id `{outcome.chain_id}`, EVM `{outcome.evm_version}`, RPC `{outcome.url}`: "
                 f"{_summary(outcome)} ({outcome.rpc['round_trips']} round trips, {outcome.rpc['requests']} "
                 "requests).", "",
                 "| | Finding | Result | Fix |", "|---|---|---|---|"]  # fmt: skip
        for finding in _sorted(outcome):
            if finding.status is Status.PASS:
                continue
            fix = finding.fix if not finding.waiver else f"waived: {finding.waiver}"
            lines.append(f"| {_ICONS[finding.status]} | `{finding.id}` | {_md(finding.title)} | {_md(fix)} |")
        lines += ["", _passed_details(outcome), "", "<details><summary>Suggested SPHINX_NETWORKS entry</summary>",
                  "", "```json", *_entry_lines(outcome), "```", "", "</details>"]  # fmt: skip
        blocks.append("\n".join(lines))
    return redact("\n\n".join(blocks)) + "\n"


def _passed_details(report: Report) -> str:
    passed = [finding for finding in report.findings if finding.status is Status.PASS]
    rows = "\n".join(f"- ✅ `{finding.id}`: {_md(finding.title)}" for finding in passed)
    return f"<details><summary>{len(passed)} passed</summary>\n\n{rows}\n\n</details>"


def _json(outcomes: Sequence[Outcome]) -> str:
    documents = [outcome.to_json() if isinstance(outcome, Report) else {"error": redact(outcome.render())}
                 for outcome in outcomes]  # fmt: skip
    return json.dumps(documents[0] if len(documents) == 1 else documents, indent=2) + "\n"


def _junit(outcomes: Sequence[Outcome]) -> str:
    suites = ElementTree.Element("testsuites", name="onboard check")
    for outcome in outcomes:
        if isinstance(outcome, RpcError):
            suite = ElementTree.SubElement(suites, "testsuite", name="rpc", tests="1", failures="0", errors="1")
            case = ElementTree.SubElement(suite, "testcase", classname="rpc", name="rpc.usable")
            ElementTree.SubElement(case, "error", message=redact(outcome.message)).text = redact(outcome.render())
            continue
        counts = outcome.counts()
        suite = ElementTree.SubElement(
            suites, "testsuite", name=outcome.network, tests=str(len(outcome.findings)),
            failures=str(counts["fail"]), skipped=str(counts["skip"]), time=f"{outcome.seconds:.3f}",
        )  # fmt: skip
        for finding in outcome.findings:
            case = ElementTree.SubElement(suite, "testcase", classname=outcome.network, name=finding.id)
            details = "\n".join([finding.title, f"impact: {finding.impact}", f"fix: {finding.fix}",
                                 json.dumps(list(finding.evidence), indent=2)])  # fmt: skip
            if finding.status is Status.FAIL:
                ElementTree.SubElement(case, "failure", message=finding.title).text = details
            elif finding.status is Status.SKIP:
                ElementTree.SubElement(case, "skipped", message=finding.title)
            else:
                ElementTree.SubElement(case, "system-out").text = f"{finding.status}: {details}"
    ElementTree.indent(suites)
    return redact(ElementTree.tostring(suites, encoding="unicode", xml_declaration=True)) + "\n"
