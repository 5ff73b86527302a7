"""The release and bump stages end to end, against verdaccio on loopback and bare git remotes."""

from __future__ import annotations

import json

import pytest
import requests

from onboard.errors import StageError
from onboard.release import npm
from onboard.release.dependencies import locked_versions
from onboard.stages.bump import BumpStage
from onboard.stages.release import ReleaseStage
from tests.release.conftest import NETWORK, NPM_TOKEN, git

RELEASED = {"@sphinx-labs/contracts": "0.24.0", "@sphinx-labs/core": "0.27.0", "@sphinx-labs/plugins": "0.34.0"}
TAGS = [f"{name}@{version}" for name, version in RELEASED.items()]


def registry_versions(registry_url: str, name: str) -> dict:
    response = requests.get(registry_url + name.replace("/", "%2f"), timeout=10)
    return response.json()["versions"] if response.ok else {}


def test_release_plan_lists_versions_tags_registry(sandbox):
    plan = ReleaseStage().plan(sandbox.context())

    assert plan.changes
    assert plan.data["versions"] == RELEASED
    assert plan.data["tags"] == sorted(TAGS)
    assert plan.data["registry"] == sandbox.registry.url
    assert "@sphinx-labs/contracts: 0.23.0 -> 0.24.0" in plan.details
    assert f"publish to {sandbox.registry.url}" in plan.details


def test_release_then_bump_end_to_end(sandbox):
    release = ReleaseStage()
    ctx = sandbox.context()
    outputs = release.apply(ctx)
    ctx.journal.update("release", status="done", outputs=outputs)
    release.verify(ctx, outputs)

    assert outputs["versions"] == RELEASED
    assert git(sandbox.monorepo, "log", "-1", "--format=%s") == "Version packages"
    assert git(sandbox.monorepo, "branch", "--show-current") == f"onboard/{NETWORK}"
    assert git(sandbox.monorepo, "status", "--porcelain") == ""
    for tag in TAGS:
        assert git(sandbox.monorepo, "cat-file", "-t", tag) == "tag"
        assert git(sandbox.monorepo_remote, "rev-parse", f"{tag}^{{commit}}") == outputs["commit"]
    assert git(sandbox.monorepo_remote, "rev-parse", f"onboard/{NETWORK}") == outputs["commit"]
    for name, version in RELEASED.items():
        assert version in registry_versions(sandbox.registry.url, name)

    bump = BumpStage()
    ctx = sandbox.context()
    plan = bump.plan(ctx)
    assert plan.changes
    assert "services/executor/package.json: @sphinx-labs/contracts ^0.23.0 -> ^0.24.0" in plan.details
    bumped = bump.apply(ctx)
    bump.verify(ctx, bumped)

    lockfile = (sandbox.platform / "yarn.lock").read_text()
    assert locked_versions(lockfile, {"@sphinx-labs/contracts", "@sphinx-labs/core"}) == {
        "@sphinx-labs/contracts": {"0.24.0"},
        "@sphinx-labs/core": {"0.27.0"},
    }
    assert f'resolved "{sandbox.registry.url}@sphinx-labs/contracts/-/contracts-0.24.0.tgz' in lockfile
    init = json.loads((sandbox.platform / "services" / "init" / "package.json").read_text())
    assert init["dependencies"] == {"@sphinx-labs/core": "^0.27.0"}
    assert git(sandbox.platform, "status", "--porcelain") == ""
    assert git(sandbox.platform_remote, "rev-parse", f"onboard/{NETWORK}") == bumped["commit"]
