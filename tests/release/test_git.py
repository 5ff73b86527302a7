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
