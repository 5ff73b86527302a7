"""`changeset version` in the monorepo: which packages the pending changesets bump, and applying them."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from onboard import proc
from onboard.errors import CommandError
from onboard.release import git
from onboard.release.workspaces import workspace_packages
from onboard.sandbox.toolchain import ensure_toolchain

VERSION_COMMIT_SUBJECT = "Version packages"
CHANGESET_TIMEOUT_SECONDS = 300
# Files in .changeset/ that are not changesets.
_NOT_CHANGESETS = {"README.md"}


def changeset_command(repo: Path) -> list[str]:
    """Return the monorepo's own changesets CLI when it is installed, else the toolchain's."""
    own = repo / "node_modules" / ".bin" / "changeset"
    if own.exists():
        return [str(own)]
    return [str(ensure_toolchain().bin("changeset"))]


def pending_changesets(repo: Path) -> list[Path]:
    folder = repo / ".changeset"
    if not folder.is_dir():
        raise CommandError(
            f"{repo} has no .changeset folder",
            cause="the release stage versions packages with changesets",
            fix="point [monorepo] path at the Sphinx monorepo, or run `changeset init` there",
        )
    return sorted(path for path in folder.glob("*.md") if path.name not in _NOT_CHANGESETS)


def planned_versions(repo: Path) -> dict[str, str]:
    """Return the version each package moves to under the pending changesets (`changeset status`)."""
    if not pending_changesets(repo):
        return {}
    with tempfile.TemporaryDirectory(prefix="onboard-changeset-") as folder:
        output = Path(folder) / "status.json"
        proc.run(
            [*changeset_command(repo), "status", f"--output={output}"], cwd=repo, timeout=CHANGESET_TIMEOUT_SECONDS
        )
        plan = json.loads(output.read_text(encoding="utf-8"))
    return {release["name"]: release["newVersion"] for release in plan["releases"] if release["type"] != "none"}


def apply_versions(repo: Path, *, extra_commands: list[list[str]]) -> None:
    """Run `changeset version`, then the configured extra steps (upstream rewrites version constants)."""
    proc.run([*changeset_command(repo), "version"], cwd=repo, timeout=CHANGESET_TIMEOUT_SECONDS)
    for command in extra_commands:
        proc.run(command, cwd=repo, timeout=CHANGESET_TIMEOUT_SECONDS)


def versions_in_commit(repo: Path, commit: str) -> dict[str, str]:
    """Return the packages whose version `commit` changes, with their version after it.

    This finds the release of a "Version packages" commit that a killed run made but never recorded.
    """
    changed: dict[str, str] = {}
    for package in workspace_packages(repo).values():
        manifest = (package.folder / "package.json").relative_to(repo).as_posix()
        before = git.git(repo, "show", f"{commit}~1:{manifest}", check=False)
        after = git.git(repo, "show", f"{commit}:{manifest}", check=False)
        if not after:
            continue
        old = json.loads(before).get("version") if before else None
        new = json.loads(after).get("version")
        if new and new != old:
            changed[package.name] = new
    return changed
