"""The git helpers of the release and bump stages, on a real repository."""

import subprocess
from pathlib import Path

from onboard.release import git


def _repository(folder: Path) -> Path:
    subprocess.run(["git", "init", "--quiet", str(folder)], check=True)
    (folder / "package.json").write_text("{}\n")
    subprocess.run(["git", "-C", str(folder), "add", "."], check=True)
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.invalid"]
    subprocess.run(["git", "-C", str(folder), *identity, "commit", "--quiet", "-m", "Initial"], check=True)
    return folder


def test_changed_files_keeps_first_path_whole(tmp_path: Path) -> None:
    repo = _repository(tmp_path)
    (repo / "package.json").write_text('{"version": "1.0.1"}\n')
    (repo / "CHANGELOG.md").write_text("# Changes\n")

    assert sorted(git.changed_files(repo)) == ["CHANGELOG.md", "package.json"]


def test_stash_interrupted_saves_leftovers(tmp_path: Path) -> None:
    repo = _repository(tmp_path)
    started_at = git.head(repo)
    (repo / "package.json").write_text('{"version": "1.0.1"}\n')
    (repo / "CHANGELOG.md").write_text("# Changes\n")

    stash = git.stash_interrupted(repo, started_at, message="left by a killed run")

    assert stash == "stash@{0}"
    assert git.changed_files(repo) == []
    assert git.git(repo, "stash", "list").endswith(": left by a killed run")
    assert git.git(repo, "show", "stash@{0}:package.json") == '{"version": "1.0.1"}'


def test_stash_interrupted_ignores_moved_head(tmp_path: Path) -> None:
    repo = _repository(tmp_path)
    (repo / "package.json").write_text('{"edited": true}\n')

    assert git.stash_interrupted(repo, "0" * 40, message="left by a killed run") is None
    assert git.stash_interrupted(repo, None, message="left by a killed run") is None
    assert git.changed_files(repo) == ["package.json"]
