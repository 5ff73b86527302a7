"""A builder that runs the platform's image publishing workflow on GitHub Actions instead of building locally.

It sends a `workflow_dispatch` event through the REST API, finds the run that event started, polls it to its
conclusion, then reads each image's digest from the registry the workflow pushes to. One run builds every
service (upstream's workflow has a matrix over the services), so this builder overrides `publish` as a whole.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import requests

from onboard.errors import OnboardError
from onboard.images.base import BuildOutcome, BuildRequest, ImageBuilder, OnDone
from onboard.images.registry import RegistryClient
from onboard.images.registry_auth import Credentials
from onboard.redact import redact

log = logging.getLogger("onboard.images.github")

API_VERSION = "2022-11-28"
TIMEOUT_SECONDS = 30.0


class WorkflowError(OnboardError):
    """GitHub rejected the dispatch, the run could not be found, or it did not succeed."""


@dataclass
class GitHubWorkflowBuilder(ImageBuilder):
    """Dispatches `workflow` (file name or id) of `repository` (owner/name) on `ref` and waits for the run."""

    name: ClassVar[str] = "github"
    repository: str
    workflow: str
    ref: str
    token: str = field(repr=False)
    api_url: str = "https://api.github.com"
    inputs: Mapping[str, str] = field(default_factory=dict)
    poll_interval: float = 10.0
    timeout: float = 3600.0
    sleep: Callable[[float], None] = time.sleep
    registry_credentials: Credentials | None = field(default=None, repr=False)

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": API_VERSION,
        }
        url = f"{self.api_url.rstrip('/')}/repos/{self.repository}{path}"
        try:
            response = requests.request(method, url, headers=headers, timeout=TIMEOUT_SECONDS, **kwargs)
        except requests.RequestException as err:
            raise WorkflowError(f"GitHub API not reachable: {method} {url}", cause=redact(str(err))) from err
        if response.status_code >= 400:
            raise WorkflowError(
                f"GitHub returned {response.status_code} for {method} {url}",
                cause=_github_message(response),
                fix=_fix_for(response.status_code, self),
            )
        return response

    def _runs_path(self) -> str:
        return f"/actions/workflows/{self.workflow}/runs"

    def _known_run_ids(self) -> set[int]:
        params = {"event": "workflow_dispatch", "branch": self.ref, "per_page": 50}
        runs = self._call("GET", self._runs_path(), params=params).json().get("workflow_runs") or []
        return {run["id"] for run in runs}

    def dispatch(self, inputs: Mapping[str, str]) -> int:
        """Send the dispatch event and return the id of the run it started."""
        before = self._known_run_ids()
        body: dict[str, Any] = {"ref": self.ref}
        if inputs:
            body["inputs"] = dict(inputs)
        response = self._call("POST", f"/actions/workflows/{self.workflow}/dispatches", json=body)
        # Newer API versions can return the run id directly; the classic response is 204 with no body.
        if response.status_code == 200 and response.content and "workflow_run_id" in response.json():
            return int(response.json()["workflow_run_id"])
        return self._wait_for_new_run(before)

    def _wait_for_new_run(self, before: set[int]) -> int:
        deadline = time.monotonic() + min(self.timeout, 300.0)
        while time.monotonic() < deadline:
            new = self._known_run_ids() - before
            if new:
                return max(new)
            self.sleep(self.poll_interval)
        raise WorkflowError(
            f"no run of workflow {self.workflow} appeared on {self.ref} after the dispatch",
            fix=f"open https://github.com/{self.repository}/actions and check that the workflow is enabled",
        )

    def wait(self, run_id: int, *, expected_sha: str | None = None) -> Mapping[str, Any]:
        """Poll the run until its status is `completed`; raise unless its conclusion is `success`.

        With `expected_sha`, raise at once when the run builds another commit than the local checkout's HEAD,
        because the images would be tagged with a SHA they were not built from.
        """
        deadline = time.monotonic() + self.timeout
        while True:
            run = self._call("GET", f"/actions/runs/{run_id}").json()
            head_sha = run.get("head_sha")
            if expected_sha and head_sha and head_sha != expected_sha:
                raise WorkflowError(
                    f"workflow run {run_id} builds commit {head_sha[:12]} of {self.ref}, not {expected_sha[:12]}",
                    cause=f"the branch {self.ref} on GitHub is not at the local platform checkout's HEAD",
                    fix=f"push {expected_sha[:12]} to {self.ref} (or cancel the run), then run onboard again",
                )
            if run.get("status") == "completed":
                break
            if time.monotonic() > deadline:
                raise WorkflowError(
                    f"workflow run {run_id} did not finish within {self.timeout:.0f} s",
                    cause=f"status {run.get('status')!r}",
                    fix=f"watch {run.get('html_url', 'the run')}, then run onboard again",
                )
            self.sleep(self.poll_interval)
        if run.get("conclusion") != "success":
            raise WorkflowError(
                f"workflow run {run_id} finished with conclusion {run.get('conclusion')!r}",
                fix=f"read the logs at {run.get('html_url', 'the run page')}, fix the cause, then run onboard again",
            )
        return run

    def publish(
        self, requests: Sequence[BuildRequest], *, parallel: int = 1, on_done: OnDone | None = None
    ) -> list[BuildOutcome]:
        if not requests:
            return []
        try:
            run_id = self.dispatch(_format_inputs(self.inputs, requests))
            log.info("workflow %s run %d started", self.workflow, run_id)
            self.wait(run_id, expected_sha=requests[0].labels.get("org.opencontainers.image.revision"))
        except OnboardError as err:
            outcomes = [BuildOutcome(request.service, error=redact(err.render())) for request in requests]
        else:
            outcomes = [self._outcome_from_registry(request) for request in requests]
        for outcome in outcomes:
            if on_done is not None:
                on_done(outcome)
        return outcomes

    def publish_one(self, request: BuildRequest) -> str:
        outcome = self.publish([request])[0]
        if not outcome.ok:
            raise WorkflowError(f"image {request.service} was not published", cause=outcome.error)
        return str(outcome.digest)

    def _outcome_from_registry(self, request: BuildRequest) -> BuildOutcome:
        registry = RegistryClient(request.registry, insecure=request.insecure, credentials=self.registry_credentials)
        try:
            digest = registry.manifest_digest(request.repository, request.tags[0])
        except OnboardError as err:
            return BuildOutcome(request.service, error=redact(err.render()))
        if digest is None:
            return BuildOutcome(
                request.service,
                error=f"the workflow succeeded but {request.reference(request.tags[0])} is not in the registry; "
                "check the workflow's tags and registry inputs",
            )
        return BuildOutcome(request.service, digest=digest)


def _format_inputs(templates: Mapping[str, str], requests: Sequence[BuildRequest]) -> dict[str, str]:
    """Fill `{services}`, `{tags}` (comma-separated), `{registry}`, `{namespace}` and `{labels}` (one `key=value`
    per line, the form docker/build-push-action's `labels` input takes) into the configured workflow inputs."""
    first = requests[0]
    values = {
        "services": ",".join(request.service for request in requests),
        "tags": ",".join(first.tags),
        "registry": first.registry,
        "namespace": first.repository.rsplit("/", 1)[0] if "/" in first.repository else "",
        # The title label names one service, so it cannot be shared by every image of the run.
        "labels": "\n".join(
            f"{key}={value}" for key, value in sorted(first.labels.items()) if key != "org.opencontainers.image.title"
        ),
    }
    return {name: template.format(**values) for name, template in templates.items()}


def _github_message(response: requests.Response) -> str:
    try:
        return str(response.json().get("message", response.text[:300]))
    except ValueError:
        return response.text[:300] or "empty body"


def _fix_for(status: int, builder: GitHubWorkflowBuilder) -> str:
    if status == 401:
        return "the token is invalid or expired; export a new one in the variable named by [containers.github]"
    if status == 403:
        return "the token needs the actions:write permission on the repository"
    if status == 404:
        return f"check [containers.github] repository = {builder.repository!r} and workflow = {builder.workflow!r}"
    if status == 422:
        return "the workflow needs an `on: workflow_dispatch` trigger and must accept exactly the configured inputs"
    return "retry later; GitHub may be unavailable"
