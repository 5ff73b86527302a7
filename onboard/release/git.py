"""The git steps of the release and bump stages, through the one subprocess wrapper."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from onboard import proc
from onboard.errors import CommandError

GIT_TIMEOUT_SECONDS = 120


def git(repo: Path, *args: str, check: bool = True) -> str:
    """Run `git -C repo ARGS` and return its stripped stdout."""
    return proc.run(["git", "-C", str(repo), *args], timeout=GIT_TIMEOUT_SECONDS, check=check).stdout.strip()


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD")


def current_branch(repo: Path) -> str:
    """Return the checked-out branch, or "" on a detached HEAD."""
    return git(repo, "branch", "--show-current")


def changed_files(repo: Path) -> list[str]:
    """Return the paths `git status` lists as modified, added, deleted or untracked."""
    # Not through git(): stripping the output would cut the leading blank of the first " M path" line.
    args = ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=all"]
    output = proc.run(args, timeout=GIT_TIMEOUT_SECONDS).stdout
    return [line[3:] for line in output.splitlines() if line]


def branch_exists(repo: Path, branch: str) -> bool:
    return bool(git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False))


def switch(repo: Path, branch: str) -> None:
    """Check out `branch`, creating it at HEAD when it does not exist."""
    if current_branch(repo) == branch:
        return
    if branch_exists(repo, branch):
        git(repo, "switch", branch)
    else:
        git(repo, "switch", "--create", branch)


@contextlib.contextmanager
def on_branch(repo: Path, branch: str) -> Iterator[None]:
    """Check out `branch` (created at HEAD when missing) for the block, and undo the block's work if it raises.

    On an exception the branch goes back to the commit it had, files the block added are removed, the
    previous branch is checked out again and a branch created here is deleted. The work tree must be clean.
    """
    previous = current_branch(repo)
    created = not branch_exists(repo, branch)
    switch(repo, branch)
    start = head(repo)
    try:
        yield
    except BaseException:
        reset_hard(repo, start)
        git(repo, "clean", "-d", "--force", "--quiet")
        if previous and previous != branch:
            switch(repo, previous)
            if created:
                git(repo, "branch", "--delete", "--force", branch)
        raise


def stash_interrupted(repo: Path, started_at: str | None, *, message: str) -> str | None:
    """Stash what a killed run left uncommitted since it recorded `started_at`; return the stash's name.

    The tree was clean when the run recorded the HEAD it started writing at, so while HEAD is still there the
    changes are that run's files. A stash rather than a reset keeps any edit made by hand since then. Returns
    None, changing nothing, when HEAD moved or the tree is clean.
    """
    if started_at is None or head(repo) != started_at or not changed_files(repo):
        return None
    git(repo, "stash", "push", "--include-untracked", "--message", message)
    return "stash@{0}"


def commit_all(repo: Path, message: str) -> str:
    """Stage every change, commit it and return the new commit SHA."""
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", message)
    return head(repo)


def subject(repo: Path, revision: str = "HEAD") -> str:
    return git(repo, "log", "-1", "--format=%s", revision)


def tag_commit(repo: Path, tag: str) -> str | None:
    """Return the commit a tag points at, or None when the tag does not exist."""
    found = git(repo, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}", check=False)
    return found or None


def create_tag(repo: Path, tag: str, commit: str) -> None:
    """Create an annotated tag whose message is its name, as `changeset publish` writes them."""
    git(repo, "tag", "--annotate", "--message", tag, tag, commit)


def delete_tag(repo: Path, tag: str) -> None:
    git(repo, "tag", "--delete", tag)


def reset_hard(repo: Path, commit: str) -> None:
    git(repo, "reset", "--hard", "--quiet", commit)


def remote_refs(repo: Path, remote: str) -> dict[str, str]:
    """Return the refs of `remote` (`refs/heads/...`, `refs/tags/...`) and the object each points at.

    Annotated tags are listed by the commit they peel to.
    """
    try:
        output = git(repo, "ls-remote", remote)
    except CommandError as err:
        raise CommandError(
            f"git remote {remote!r} of {repo} is not reachable",
            cause=err.cause,
            fix=f"check `git -C {repo} remote -v` and the remote setting in onboard.toml",
        ) from err
    refs: dict[str, str] = {}
    for line in output.splitlines():
        sha, _, ref = line.partition("\t")
        if ref.endswith("^{}"):
            refs[ref[:-3]] = sha
        else:
            refs.setdefault(ref, sha)
    return refs


def is_ancestor(repo: Path, commit: str, descendant: str) -> bool:
    """Return whether `commit` is `descendant` or one of its ancestors."""
    return proc.run(["git", "-C", str(repo), "merge-base", "--is-ancestor", commit, descendant], check=False).ok


def push(repo: Path, remote: str, refspecs: Sequence[str]) -> None:
    if refspecs:
        git(repo, "push", "--quiet", remote, *refspecs)
