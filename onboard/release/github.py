"""Open a pull request through GitHub's REST API (`GET`/`POST /repos/{owner}/{repo}/pulls`)."""

from __future__ import annotations

from typing import Any

import requests

from onboard.errors import OnboardError
from onboard.release.settings import GithubSection

REQUEST_TIMEOUT_SECONDS = 30
API_VERSION = "2022-11-28"


def _headers(token: str) -> dict[str, str]:
    return {
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {token}",
        "X-GitHub-Api-Version": API_VERSION,
    }


def _request(method: str, url: str, *, token: str, **kwargs: Any) -> requests.Response:
    try:
        return requests.request(method, url, headers=_headers(token), timeout=REQUEST_TIMEOUT_SECONDS, **kwargs)
    except requests.RequestException as err:
        raise OnboardError(
            f"GitHub API {url} is not reachable",
            cause=str(err),
            fix="check [github] api_url in onboard.toml and the network, then run again",
        ) from err


def _describe(item: dict[str, Any]) -> str:
    """Return one entry of a 422 body's `errors` list: its message, else its field and code."""
    if item.get("message"):
        return str(item["message"])
    return f"{item.get('resource', '')} {item.get('field', '')} {item.get('code', '')}".strip()


def _error(response: requests.Response, settings: GithubSection) -> OnboardError:
    try:
        body = response.json()
    except ValueError:
        body = {"message": response.text[:300]}
    details = "; ".join(_describe(item) for item in body.get("errors", []) if isinstance(item, dict))
    cause = body.get("message", "") + (f": {details}" if details else "")
    fixes = {
        401: f"the token in ${settings.token_env} is invalid or expired: create a new one",
        403: f"the token in ${settings.token_env} lacks the pull requests write permission on {settings.repository}",
        404: f"check that {settings.repository} exists and the token can see it",
    }
    return OnboardError(
        f"GitHub rejected the pull request on {settings.repository} with HTTP {response.status_code}",
        cause=cause,
        fix=fixes.get(response.status_code, "read the cause, fix the branch or base, then run again"),
    )


def open_pull_request(settings: GithubSection, *, token: str, branch: str, title: str, body: str) -> str:
    """Open a pull request from `branch` into the configured base and return its URL.

    An open pull request from the same branch is reused, so a second run opens none.
    """
    owner = settings.repository.split("/")[0]
    pulls_url = f"{settings.api_url.rstrip('/')}/repos/{settings.repository}/pulls"

    existing = _request(
        "GET", pulls_url, token=token, params={"head": f"{owner}:{branch}", "base": settings.base, "state": "open"}
    )
    if not existing.ok:
        raise _error(existing, settings)
    if existing.json():
        return existing.json()[0]["html_url"]

    payload = {"title": title, "head": branch, "base": settings.base, "body": body, "draft": settings.draft}
    created = _request("POST", pulls_url, token=token, json=payload)
    if created.status_code != 201:
        raise _error(created, settings)
    return created.json()["html_url"]
