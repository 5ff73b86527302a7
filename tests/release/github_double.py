"""A double of GitHub's REST pulls endpoints, following the documented request and response shapes:
`GET /repos/{owner}/{repo}/pulls?head=OWNER:BRANCH&base=B&state=open` and `POST /repos/{owner}/{repo}/pulls`.

Errors use GitHub's body shape: 401 "Bad credentials", 404 "Not Found", 422 "Validation Failed" with an
`errors` list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.doubles.http import DoubleServer, Request, Response

_DOCS = "https://docs.github.com/rest/pulls/pulls"


@dataclass
class GithubDouble:
    token: str
    repository: str
    # Whether the repository has a branch; GitHub rejects a pull request from a branch it lacks.
    branch_exists: Callable[[str], bool] = lambda branch: True
    pulls: list[dict[str, Any]] = field(default_factory=list)
    server: DoubleServer = field(default_factory=DoubleServer)

    def start(self) -> GithubDouble:
        self.server.route("GET", "/repos/{owner}/{repo}/pulls", self._list)
        self.server.route("POST", "/repos/{owner}/{repo}/pulls", self._create)
        self.server.start()
        return self

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.server.stop()

    def _check(self, request: Request) -> Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return Response(401, {"message": "Bad credentials", "documentation_url": _DOCS, "status": "401"})
        if f"{request.params['owner']}/{request.params['repo']}" != self.repository:
            return Response(404, {"message": "Not Found", "documentation_url": _DOCS, "status": "404"})
        return None

    def _list(self, request: Request) -> Response:
        rejected = self._check(request)
        if rejected:
            return rejected
        head = request.query.get("head", [""])[0]
        base = request.query.get("base", [None])[0]
        found = [
            pull for pull in self.pulls
            if pull["state"] == "open" and (not head or pull["head"]["label"] == head)
            and (base is None or pull["base"]["ref"] == base)
        ]
        return Response(200, found)

    def _create(self, request: Request) -> Response:
        rejected = self._check(request)
        if rejected:
            return rejected
        body = request.json()
        owner = self.repository.split("/")[0]
        errors = []
        if not self.branch_exists(body["head"]):
            errors.append({"resource": "PullRequest", "field": "head", "code": "invalid"})
        if any(pull["head"]["ref"] == body["head"] and pull["state"] == "open" for pull in self.pulls):
            errors.append({"resource": "PullRequest", "code": "custom",
                           "message": f"A pull request already exists for {owner}:{body['head']}."})
        if errors:
            return Response(422, {"message": "Validation Failed", "errors": errors, "documentation_url": _DOCS,
                                  "status": "422"})
        number = len(self.pulls) + 1
        pull = {
            "number": number,
            "state": "open",
            "title": body["title"],
            "body": body.get("body"),
            "draft": body.get("draft", False),
            "html_url": f"https://github.com/{self.repository}/pull/{number}",
            "head": {"ref": body["head"], "label": f"{owner}:{body['head']}"},
            "base": {"ref": body["base"]},
        }
        self.pulls.append(pull)
        return Response(201, pull)
