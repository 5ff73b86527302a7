"""Writing a MonorepoChange: files, regeneration, tsc and prettier, then the commit. A failure restores all."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import git
from rich.console import Console

from onboard import proc
from onboard.errors import CommandError, OnboardError
from onboard.fsutil import atomic_write
from onboard.monorepo import checks, gitops
from onboard.monorepo.change import MonorepoChange
from onboard.monorepo.networks_file import NETWORKS_TS
from onboard.spec import NetworkSpec

REGENERATE_TIMEOUT_SECONDS = 600


def commit_message(spec: NetworkSpec) -> str:
    """Return the commit message: a subject line and a body wrapped at 72 columns, as git tools expect."""
    kind = "testnet" if spec.network_type == "Testnet" else "mainnet"
    body = (
        f"{spec.display_name} is a {kind} with chain id {spec.chain_id}. Its RPC URL comes from "
        f"{spec.rpc_url_id}. The entry, README line, rpc endpoint and changeset were written by onboard."
    )
    return f"Add {spec.display_name} to the supported networks\n\n{textwrap.fill(body, width=72)}\n"


def apply_change(
    monorepo: Path,
    repo: git.Repo,
    change: MonorepoChange,
    *,
    branch: str,
    message: str,
    regenerate: Sequence[str],
    regenerate_cwd: Path,
    env: Mapping[str, str],
    console: Console,
) -> str:
    """Write the files, regenerate, check and commit on the new `branch`, returning the commit SHA.

    Expects a clean work tree. On any failure, the work tree, index and HEAD are put back as they were.
    """
    untracked_before = set(repo.untracked_files)
    written = {item.path: item.before for item in change.changes}
    try:
        for item in change.changes:
            atomic_write(monorepo / item.path, item.after)
        if change.touches_networks and regenerate:
            _regenerate(regenerate, cwd=regenerate_cwd, env=env)
        for note in _run_checks(monorepo, change, env):
            console.print(f"networks: {note}")
        paths = gitops.dirty_paths(repo)
        return gitops.commit_on_new_branch(repo, branch=branch, paths=paths, message=message)
    except BaseException:
        gitops.restore(repo, written, untracked_before)
        raise


def _regenerate(args: Sequence[str], *, cwd: Path, env: Mapping[str, str]) -> None:
    try:
        proc.run(args, cwd=cwd, env=env, inherit_env=False, timeout=REGENERATE_TIMEOUT_SECONDS)
    except CommandError as err:
        raise OnboardError(
            f"the regeneration command `{' '.join(args)}` failed in {cwd}, and every file was restored",
            cause=err.render(),
            fix="make the command work in the monorepo (or set [networks] regenerate_command), then run again",
        ) from err


def _run_checks(monorepo: Path, change: MonorepoChange, env: Mapping[str, str]) -> list[str]:
    item = next((item for item in change.changes if item.path == NETWORKS_TS), None)
    if item is None or item.before is None:
        return []
    file = monorepo / NETWORKS_TS
    return [
        checks.check_typescript(monorepo, file, entry_lines=change.entry_lines, env=env),
        checks.check_prettier(monorepo, file, before=item.before, after=item.after, env=env),
    ]
