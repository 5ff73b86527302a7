"""Finding the changesets CLI, pending changesets and the versions a release commit made."""

from __future__ import annotations

import pytest

from onboard.errors import CommandError
from onboard.release import versioning
from tests.release.conftest import build_monorepo, git


@pytest.fixture
def monorepo(tmp_path, git_identity):
    return build_monorepo(tmp_path / "sphinx")


def test_monorepo_changeset_cli_comes_first(monorepo, toolchain):
    assert versioning.changeset_command(monorepo) == [str(toolchain.bin("changeset"))]

    own = monorepo / "node_modules" / ".bin" / "changeset"
    own.parent.mkdir(parents=True)
    own.symlink_to(toolchain.bin("changeset"))

    assert versioning.changeset_command(monorepo) == [str(own)]


def test_pending_changesets_skip_readme(monorepo):
    (monorepo / ".changeset" / "README.md").write_text("# Changesets\n")

    assert [path.name for path in versioning.pending_changesets(monorepo)] == ["add-unichain.md"]


def test_missing_changeset_folder_is_explained(tmp_path):
    with pytest.raises(CommandError) as failure:
        versioning.pending_changesets(tmp_path)

    assert "has no .changeset folder" in failure.value.message
    assert "changeset init" in failure.value.fix


def test_versions_in_commit_lists_bumped_packages(monorepo, toolchain):
    versioning.apply_versions(monorepo, extra_commands=[])
    git(monorepo, "add", "--all")
    git(monorepo, "commit", "--quiet", "--message", versioning.VERSION_COMMIT_SUBJECT)

    assert versioning.versions_in_commit(monorepo, git(monorepo, "rev-parse", "HEAD")) == {
        "@sphinx-labs/contracts": "0.24.0",
        "@sphinx-labs/core": "0.27.0",
        "@sphinx-labs/plugins": "0.34.0",
    }
    assert versioning.planned_versions(monorepo) == {}
