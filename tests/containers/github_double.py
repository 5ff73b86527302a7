"""A double of the GitHub Actions REST endpoints the workflow builder uses, following GitHub's documented API
(version 2022-11-28): workflow dispatch, workflow run listing and a single run, with GitHub's error bodies.

`branch_heads` maps the branches that exist on the double to their head commits. A dispatched run moves from
`queued` to `in_progress` to `completed`, one step per status request. When it completes, the double runs
`job(inputs)`, the stand-in for the workflow's steps, and its return value decides the conclusion (`success` or
`failure`).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.doubles.http import DoubleServer, Request, Response

DOCS = "https://docs.github.com/rest/actions/workflows"


@dataclass
class Run:
    id: int
    workflow: str
    branch: str
    inputs: dict[str, str]
    head_sha: str
    status: str = "queued"
    conclusion: str | None = None

    def to_json(self, repository: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": "Build and Publish Docker Images",
            "head_branch": self.branch,
            "head_sha": self.head_sha,
            "event": "workflow_dispatch",
            "status": self.status,
            "conclusion": self.conclusion,
            "html_url": f"https://github.com/{repository}/actions/runs/{self.id}",
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        }


@dataclass
class GitHubActionsDouble:
    repository: str
    workflow: str
    token: str
    declared_inputs: frozenset[str]
    job: Callable[[Mapping[str, str]], bool]
    branch_heads: Mapping[str, str] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)
    server: DoubleServer = field(default_factory=DoubleServer)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(9_000_000_001))

    def __post_init__(self) -> None:
        base = f"/repos/{self.repository}/actions"
        self.server.route("POST", f"{base}/workflows/{{workflow}}/dispatches", self._dispatch)
        self.server.route("GET", f"{base}/workflows/{{workflow}}/runs", self._list_runs)
        self.server.route("GET", f"{base}/runs/{{run_id}}", self._get_run)

    def _unauthorized(self, request: Request) -> Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return Response(401, {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"})
        return None

    def _dispatch(self, request: Request) -> Response:
        if (denied := self._unauthorized(request)) is not None:
            return denied
        if request.params["workflow"] != self.workflow:
            return Response(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})
        body = request.json() or {}
        if body.get("ref") not in self.branch_heads:
            return Response(422, {"message": f"No ref found for: {body.get('ref')}", "status": "422"})
        inputs = body.get("inputs") or {}
        unexpected = sorted(set(inputs) - self.declared_inputs)
        if unexpected:
            message = f"Unexpected inputs provided: {unexpected}".replace("'", '"')
            return Response(422, {"message": message, "documentation_url": DOCS, "status": "422"})
        ref = body["ref"]
        self.runs.insert(0, Run(next(self._ids), self.workflow, ref, dict(inputs), self.branch_heads[ref]))
        return Response(204, raw=b"")

    def _list_runs(self, request: Request) -> Response:
        if (denied := self._unauthorized(request)) is not None:
            return denied
        branch = (request.query.get("branch") or [None])[0]
        runs = [run for run in self.runs if branch in (None, run.branch)]
        return Response(200, {"total_count": len(runs), "workflow_runs": [r.to_json(self.repository) for r in runs]})

    def _get_run(self, request: Request) -> Response:
        if (denied := self._unauthorized(request)) is not None:
            return denied
        run = next((run for run in self.runs if str(run.id) == request.params["run_id"]), None)
        if run is None:
            return Response(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})
        self._advance(run)
        return Response(200, run.to_json(self.repository))

    def _advance(self, run: Run) -> None:
        if run.status == "queued":
            run.status = "in_progress"
        elif run.status == "in_progress":
            succeeded = self.job(run.inputs)
            run.status, run.conclusion = "completed", "success" if succeeded else "failure"

    def __enter__(self) -> GitHubActionsDouble:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()
