"""Pull requests through the GitHub REST double: opened once, reused on a re-run, errors with the fix."""

from __future__ import annotations

import pytest

from onboard.errors import OnboardError
from onboard.release.github import open_pull_request
from onboard.release.settings import GithubSection
from onboard.stages.release import ReleaseStage
from tests.release.conftest import NETWORK, git
from tests.release.github_double import GithubDouble

GITHUB_TOKEN = "github-token-for-the-release-tests"


@pytest.fixture
def github():
    double = GithubDouble(token=GITHUB_TOKEN, repository="sphinx-labs/sphinx").start()
    yield double
    double.stop()


def settings(github: GithubDouble, **overrides) -> GithubSection:
    return GithubSection(repository=github.repository, api_url=github.url, **overrides)


def test_release_opens_one_pull_request(sandbox, github):
    github.branch_exists = lambda branch: bool(git(sandbox.monorepo_remote, "branch", "--list", branch))
    sandbox.release["github"] = {"repository": github.repository, "api_url": github.url, "base": "develop"}
    sandbox.env["GITHUB_TOKEN"] = GITHUB_TOKEN

    first = ReleaseStage().apply(sandbox.context())
    second = ReleaseStage().apply(sandbox.context())

    assert first["pull_request"] == "https://github.com/sphinx-labs/sphinx/pull/1"
    assert second["pull_request"] == first["pull_request"]
    assert len(github.pulls) == 1
    pull = github.pulls[0]
    assert pull["head"]["ref"] == f"onboard/{NETWORK}"
    assert pull["base"]["ref"] == "develop"
    assert "`@sphinx-labs/contracts` 0.24.0" in pull["body"]
    posts = [request for request in github.server.requests if request.method == "POST"]
    assert len(posts) == 1


def test_bad_token_names_variable(github):
    with pytest.raises(OnboardError) as rejected:
        open_pull_request(settings(github), token="wrong-token-value", branch="onboard/x", title="t", body="b")

    assert "HTTP 401" in rejected.value.message
    assert rejected.value.cause == "Bad credentials"
    assert "$GITHUB_TOKEN" in rejected.value.fix


def test_unknown_branch_shows_validation_errors(github):
    github.branch_exists = lambda branch: False

    with pytest.raises(OnboardError) as rejected:
        open_pull_request(settings(github), token=GITHUB_TOKEN, branch="onboard/x", title="t", body="b")

    assert "HTTP 422" in rejected.value.message
    assert rejected.value.cause == "Validation Failed: PullRequest head invalid"


def test_repository_setting_needs_owner_and_name():
    with pytest.raises(ValueError, match="expected OWNER/NAME"):
        GithubSection(repository="sphinx")
