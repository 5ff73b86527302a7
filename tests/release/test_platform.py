"""The sandbox platform repository, and the bump stage's checks before it changes anything."""

from __future__ import annotations

import json

import pytest

from onboard.config import Config
from onboard.errors import OnboardError, StageError
from onboard.journal import Journal
from onboard.release.dependencies import locked_versions
from onboard.sandbox.platform import SERVICES, build_platform
from onboard.spec import load_spec
from onboard.stages.base import Context
from onboard.stages.bump import BumpStage
from tests.conftest import REPO_ROOT
from tests.release.conftest import git

SPHINX = {"@sphinx-labs/contracts", "@sphinx-labs/core"}


@pytest.fixture
def platform(tmp_path, git_identity):
    return build_platform(tmp_path / "sphinx-platform")


def context(tmp_path, platform, release_outputs=None) -> Context:
    config = Config(
        data={"platform": {"path": str(platform)}, "release": {"registry_url": "http://127.0.0.1:9/"}},
        path=None,
        root=tmp_path,
    )
    journal = Journal(tmp_path / "state", "unichain")
    if release_outputs:
        journal.update("release", status="done", outputs=release_outputs)
    spec = load_spec(REPO_ROOT / "network_specs" / "unichain.toml")
    return Context(spec=spec, config=config, journal=journal, env={})


def test_platform_has_services_website_and_schema(platform):
    for service in SERVICES:
        manifest = json.loads((platform / "services" / service / "package.json").read_text())
        expected = {"@sphinx-labs/core": "^0.26.0"}
        if service != "init":
            expected["@sphinx-labs/contracts"] = "^0.23.0"
        assert manifest["dependencies"] == expected
        dockerfile = (platform / "services" / service / "Dockerfile").read_text()
        assert dockerfile.startswith("FROM scratch\n")
        assert f"COPY services/{service}/package.json" in dockerfile
    website = json.loads((platform / "website" / "package.json").read_text())
    assert set(website["dependencies"]) == SPHINX
    assert "model networks {" in (platform / "website" / "prisma" / "schema.prisma").read_text()
    assert git(platform, "status", "--porcelain") == ""
    assert git(platform, "branch", "--show-current") == "main"


def test_hand_written_lockfile_resolves_one_version_each(platform):
    lockfile = (platform / "yarn.lock").read_text()

    assert locked_versions(lockfile, SPHINX) == {
        "@sphinx-labs/contracts": {"0.23.0"},
        "@sphinx-labs/core": {"0.26.0"},
    }


def test_bump_without_release_names_the_stage(tmp_path, platform):
    ctx = context(tmp_path, platform)

    assert BumpStage().plan(ctx).changes
    with pytest.raises(StageError) as failure:
        BumpStage().apply(ctx)

    assert "recorded no version for @sphinx-labs/contracts, @sphinx-labs/core" in failure.value.message
    assert "run the release stage first" in failure.value.fix


def test_bump_rejects_complex_range_and_changes_nothing(tmp_path, platform):
    manifest = platform / "services" / "relayer" / "package.json"
    manifest.write_text(manifest.read_text().replace('"^0.26.0"', '">=0.26.0"'))
    git(platform, "commit", "--quiet", "--all", "--message", "Use a lower bound")
    head = git(platform, "rev-parse", "HEAD")
    ctx = context(tmp_path, platform, {"versions": {"@sphinx-labs/contracts": "0.24.0", "@sphinx-labs/core": "0.27.0"}})

    with pytest.raises(OnboardError) as failure:
        BumpStage().apply(ctx)

    assert "'>=0.26.0'" in failure.value.message
    assert "services/relayer/package.json" in failure.value.message
    assert git(platform, "rev-parse", "HEAD") == head
    assert git(platform, "status", "--porcelain") == ""
    assert git(platform, "branch", "--show-current") == "main"
    assert git(platform, "branch", "--list", "onboard/unichain") == ""


def test_failed_bump_keeps_existing_branch(tmp_path, platform):
    git(platform, "switch", "--quiet", "--create", "onboard/unichain")
    manifest = platform / "website" / "package.json"
    manifest.write_text(manifest.read_text().replace('"^0.26.0"', '"*"'))
    git(platform, "commit", "--quiet", "--all", "--message", "Accept any core")
    branch_head = git(platform, "rev-parse", "HEAD")
    git(platform, "switch", "--quiet", "main")
    ctx = context(tmp_path, platform, {"versions": {"@sphinx-labs/contracts": "0.24.0", "@sphinx-labs/core": "0.27.0"}})

    with pytest.raises(OnboardError):
        BumpStage().apply(ctx)

    assert git(platform, "rev-parse", "onboard/unichain") == branch_head
    assert git(platform, "branch", "--show-current") == "main"
    assert git(platform, "status", "--porcelain") == ""


def test_bump_rejects_uncommitted_changes(tmp_path, platform):
    (platform / "notes.txt").write_text("draft\n")
    ctx = context(tmp_path, platform, {"versions": {"@sphinx-labs/contracts": "0.24.0", "@sphinx-labs/core": "0.27.0"}})

    with pytest.raises(StageError) as failure:
        BumpStage().apply(ctx)

    assert "uncommitted changes: notes.txt" in failure.value.message
    assert "stash" in failure.value.fix
