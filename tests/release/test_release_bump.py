"""The release and bump stages end to end, against verdaccio on loopback and bare git remotes."""

from __future__ import annotations

import json

import pytest
import requests

from onboard.errors import StageError
from onboard.release import npm, versioning
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


# Writes the version constant file upstream's extra version step maintains, from the bumped package.json.
WRITE_VERSION_CONSTANT = (
    "const v = require('./packages/contracts/package.json').version;"
    "require('fs').writeFileSync('packages/contracts/version.ts', `export const CONTRACTS_VERSION = '${v}'\\n`)"
)


def test_release_then_bump_end_to_end(sandbox):
    sandbox.release["version_commands"] = [["node", "-e", WRITE_VERSION_CONSTANT]]
    release = ReleaseStage()
    ctx = sandbox.context()
    outputs = release.apply(ctx)
    ctx.journal.update("release", status="done", outputs=outputs)
    release.verify(ctx, outputs)

    assert outputs["versions"] == RELEASED
    assert git(sandbox.monorepo, "log", "-1", "--format=%s") == "Version packages"
    assert git(sandbox.monorepo, "branch", "--show-current") == f"onboard/{NETWORK}"
    assert git(sandbox.monorepo, "status", "--porcelain") == ""
    constant = git(sandbox.monorepo, "show", f"{outputs['commit']}:packages/contracts/version.ts")
    assert constant == "export const CONTRACTS_VERSION = '0.24.0'"
    for tag in TAGS:
        assert git(sandbox.monorepo, "cat-file", "-t", tag) == "tag"
        assert git(sandbox.monorepo_remote, "rev-parse", f"{tag}^{{commit}}") == outputs["commit"]
    assert git(sandbox.monorepo_remote, "rev-parse", f"onboard/{NETWORK}") == outputs["commit"]
    for name, version in RELEASED.items():
        assert version in registry_versions(sandbox.registry.url, name)
    assert NPM_TOKEN not in ctx.journal.path.read_text()
    for path in sandbox.monorepo.rglob("*"):
        assert path.name != ".npmrc"
        if path.is_file():
            assert NPM_TOKEN.encode() not in path.read_bytes(), path

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


def run_stage(stage, ctx):
    """Apply, record as the runner does, and verify; return the outputs."""
    outputs = stage.apply(ctx)
    ctx.journal.update(stage.name, status="done", outputs=outputs)
    stage.verify(ctx, outputs)
    return outputs


def test_detached_head_needs_a_branch(sandbox):
    git(sandbox.monorepo, "switch", "--quiet", "--detach")

    with pytest.raises(StageError) as failure:
        ReleaseStage().plan(sandbox.context())

    assert "detached HEAD" in failure.value.message
    assert f"git -C {sandbox.monorepo} switch onboard/{NETWORK}" in failure.value.fix


def test_rerun_changes_nothing(sandbox):
    first_release = run_stage(ReleaseStage(), sandbox.context())
    first_bump = run_stage(BumpStage(), sandbox.context())
    heads = (git(sandbox.monorepo, "rev-parse", "HEAD"), git(sandbox.platform, "rev-parse", "HEAD"))
    times = {name: requests.get(sandbox.registry.url + name.replace("/", "%2f"), timeout=10).json()["time"]
             for name in RELEASED}

    release_plan = ReleaseStage().plan(sandbox.context())
    bump_plan = BumpStage().plan(sandbox.context())
    assert not release_plan.changes, release_plan.details
    assert release_plan.summary == "released already: nothing to do"
    assert not bump_plan.changes, bump_plan.details
    git(sandbox.platform, "switch", "--quiet", "main")
    assert not BumpStage().plan(sandbox.context()).changes
    git(sandbox.platform, "push", "--quiet", "origin", f":refs/heads/onboard/{NETWORK}")
    assert BumpStage().plan(sandbox.context()).details == (f"push onboard/{NETWORK} to origin",)

    second_release = run_stage(ReleaseStage(), sandbox.context())
    second_bump = run_stage(BumpStage(), sandbox.context())
    assert second_release["commit"] == first_release["commit"]
    assert second_release["pushed"] == []
    assert second_bump["commit"] == first_bump["commit"]
    assert (git(sandbox.monorepo, "rev-parse", "HEAD"), git(sandbox.platform, "rev-parse", "HEAD")) == heads
    assert git(sandbox.platform_remote, "rev-parse", f"onboard/{NETWORK}") == first_bump["commit"]
    for name in RELEASED:
        assert requests.get(sandbox.registry.url + name.replace("/", "%2f"), timeout=10).json()["time"] == times[name]


def test_publish_fails_midway_then_resumes(sandbox, monkeypatch):
    real_publish = npm.publish
    calls = []

    def publish_then_stop_registry(package_dir, **kwargs):
        calls.append(package_dir.name)
        real_publish(package_dir, **kwargs)
        sandbox.registry.stop()

    monkeypatch.setattr(npm, "publish", publish_then_stop_registry)
    ctx = sandbox.context()
    with pytest.raises(StageError) as failure:
        ReleaseStage().apply(ctx)
    assert "publishing @sphinx-labs/core@0.27.0" in failure.value.message
    assert "published versions are kept and skipped" in failure.value.fix
    assert calls == ["contracts", "core"]
    assert ctx.journal.outputs("release")["published"] == ["@sphinx-labs/contracts@0.24.0"]

    monkeypatch.setattr(npm, "publish", real_publish)
    sandbox.restart_registry()
    plan = ReleaseStage().plan(sandbox.context())
    assert "publish @sphinx-labs/contracts@0.24.0" not in plan.details
    assert "publish @sphinx-labs/core@0.27.0" in plan.details
    outputs = run_stage(ReleaseStage(), sandbox.context())

    assert outputs["published"] == [f"{name}@{version}" for name, version in RELEASED.items()]
    assert git(sandbox.monorepo, "log", "--format=%s").splitlines().count("Version packages") == 1
    for name, version in RELEASED.items():
        assert list(registry_versions(sandbox.registry.url, name)).count(version) == 1


def test_version_taken_is_refused(sandbox, tmp_path):
    squatter = tmp_path / "squatter"
    squatter.mkdir()
    (squatter / "package.json").write_text(json.dumps({"name": "@sphinx-labs/contracts", "version": "0.24.0"}))
    (squatter / "index.js").write_text("exports.other = true;\n")
    with npm.registry_env(sandbox.registry.url, NPM_TOKEN) as env:
        npm.publish(squatter, registry_url=sandbox.registry.url, env=env)
    head = git(sandbox.monorepo, "rev-parse", "HEAD")

    plan = ReleaseStage().plan(sandbox.context())
    assert any("@sphinx-labs/contracts@0.24.0 already exists there" in line for line in plan.details)
    with pytest.raises(StageError) as refused:
        ReleaseStage().apply(sandbox.context())

    assert "version already taken" in refused.value.message
    assert "@sphinx-labs/contracts@0.24.0" in refused.value.message
    assert "npx changeset add" in refused.value.fix
    assert "npm unpublish @sphinx-labs/contracts@0.24.0" in refused.value.fix
    assert git(sandbox.monorepo, "rev-parse", "HEAD") == head
    assert git(sandbox.monorepo, "status", "--porcelain") == ""
    assert git(sandbox.monorepo, "tag", "--list") == ""
    assert "0.27.0" not in registry_versions(sandbox.registry.url, "@sphinx-labs/core")


def test_private_registry_needs_the_token(private_sandbox):
    box = private_sandbox
    anonymous = requests.get(box.registry.url + "@sphinx-labs%2fcontracts", timeout=10)
    assert anonymous.status_code in (401, 403)

    run_stage(ReleaseStage(), box.context())
    bumped = run_stage(BumpStage(), box.context())

    lockfile = git(box.platform, "show", f"{bumped['commit']}:yarn.lock")
    assert locked_versions(lockfile, {"@sphinx-labs/contracts"}) == {"@sphinx-labs/contracts": {"0.24.0"}}
    assert box.env["NPM_TOKEN"] not in box.context().journal.path.read_text()


def test_resume_after_unrecorded_version_commit(sandbox):
    """A run killed after committing "Version packages" but before the journal recorded it."""
    ctx = sandbox.context()
    versioning.apply_versions(sandbox.monorepo, extra_commands=[])
    git(sandbox.monorepo, "add", "--all")
    git(sandbox.monorepo, "commit", "--quiet", "--message", versioning.VERSION_COMMIT_SUBJECT)
    commit = git(sandbox.monorepo, "rev-parse", "HEAD")

    plan = ReleaseStage().plan(ctx)
    outputs = run_stage(ReleaseStage(), sandbox.context())

    assert plan.data["versions"] == RELEASED
    assert "publish @sphinx-labs/plugins@0.34.0" in plan.details
    assert outputs["commit"] == commit
    assert outputs["versions"] == RELEASED
    assert git(sandbox.monorepo, "log", "--format=%s").splitlines().count("Version packages") == 1


def test_conflicting_remote_tag_stops_push(sandbox):
    stale = git(sandbox.monorepo, "rev-parse", "develop")
    git(sandbox.monorepo, "push", "--quiet", "origin", f"{stale}:refs/tags/@sphinx-labs/core@0.27.0")

    with pytest.raises(StageError) as failure:
        ReleaseStage().apply(sandbox.context())

    assert "pushing" in failure.value.message
    assert "refs/tags/@sphinx-labs/core@0.27.0" in failure.value.message
    assert "published versions are kept" in failure.value.fix
    assert "0.27.0" in registry_versions(sandbox.registry.url, "@sphinx-labs/core")

    git(sandbox.monorepo, "push", "--quiet", "origin", ":refs/tags/@sphinx-labs/core@0.27.0")
    outputs = run_stage(ReleaseStage(), sandbox.context())
    assert "refs/tags/@sphinx-labs/core@0.27.0" in outputs["pushed"]


def test_changeset_publisher_releases_everything(sandbox):
    sandbox.release["publisher"] = "changeset"

    outputs = run_stage(ReleaseStage(), sandbox.context())

    assert outputs["published"] == [f"{name}@{version}" for name, version in RELEASED.items()]
    for name, version in RELEASED.items():
        assert version in registry_versions(sandbox.registry.url, name)
    for tag in TAGS:
        assert git(sandbox.monorepo, "cat-file", "-t", tag) == "tag"
    assert not ReleaseStage().plan(sandbox.context()).changes
