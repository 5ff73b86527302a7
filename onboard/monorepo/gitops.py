"""Git operations on the monorepo checkout through GitPython: status, branches, blobs, commit and rollback."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from pathlib import Path

import git

from onboard.errors import OnboardError, StageError
from onboard.fsutil import atomic_write


def open_repo(path: Path) -> git.Repo:
    try:
        return git.Repo(path)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as err:
        raise OnboardError(
            f"{path} is not a git checkout", cause=str(err), fix="set [monorepo] path to a clone of the monorepo"
        ) from err


def dirty_paths(repo: git.Repo) -> list[str]:
    """Return staged, modified and untracked (not ignored) paths, relative to the work tree, sorted."""
    paths = {diff.a_path or diff.b_path for diff in repo.index.diff(None)}
    if repo.head.is_valid():
        paths |= {diff.a_path or diff.b_path for diff in repo.index.diff(repo.head.commit)}
    paths |= set(repo.untracked_files)
    return sorted(path for path in paths if path)


def describe_paths(paths: list[str], *, limit: int = 10) -> str:
    return ", ".join(paths[:limit]) + (f" and {len(paths) - limit} more" if len(paths) > limit else "")


def require_clean(repo: git.Repo, *, stage: str, interrupted_at: str | None = None) -> None:
    """Raise naming every uncommitted change.

    `interrupted_at` is the HEAD SHA at which an earlier run started writing and never finished. While HEAD is
    still there, the error attributes the files to that run.
    """
    dirty = dirty_paths(repo)
    if not dirty:
        return
    if interrupted_at is not None and interrupted_at == repo.head.commit.hexsha:
        raise StageError(
            stage,
            f"the monorepo checkout {repo.working_tree_dir} has uncommitted changes: {describe_paths(dirty)}",
            cause="an earlier run of this stage stopped after writing files and before committing them",
            fix="check them with `git status`, discard them with `git stash --include-untracked`, then run again",
        )
    raise StageError(
        stage,
        f"the monorepo checkout {repo.working_tree_dir} has changes onboard did not make: {describe_paths(dirty)}",
        cause="the commit would mix them with the new network, and a rollback could not tell them apart",
        fix="commit or stash them (`git stash --include-untracked`), then run again",
    )


def stash_all(repo: git.Repo, *, message: str) -> str:
    """Move every uncommitted change, untracked files included, into a new stash entry; return its name."""
    repo.git.stash("push", "--include-untracked", "--message", message)
    return "stash@{0}"


def read_blob(repo: git.Repo, revision: str, path: Path) -> bytes | None:
    """Return the content of `path` at `revision`, or None when the file is not there."""
    blob = _blob(repo, revision, path)
    return None if blob is None else blob.data_stream.read()


def _blob(repo: git.Repo, revision: str, path: Path) -> git.Blob | None:
    try:
        return repo.commit(revision).tree / path.as_posix()
    except KeyError:
        return None


def current_branch(repo: git.Repo) -> str | None:
    return None if repo.head.is_detached else repo.active_branch.name


def has_branch(repo: git.Repo, name: str) -> bool:
    return name in [head.name for head in repo.heads]


def restore(repo: git.Repo, written: Mapping[Path, bytes | None], untracked_before: Iterable[str]) -> None:
    """Put the work tree and index back to HEAD plus the untracked files that were there before.

    Files onboard wrote get their old content. Other files the regeneration command changed are read back
    from HEAD, and files it created are deleted.
    """
    root = Path(repo.working_tree_dir or ".")
    for relative, content in written.items():
        _put(root, relative, content)
    with contextlib.suppress(git.GitCommandError):
        repo.index.reset()
    keep = set(untracked_before)
    for relative in dirty_paths(repo):
        if relative in keep:
            continue
        blob = _blob(repo, "HEAD", Path(relative))
        if blob is None:
            _put(root, Path(relative), None)
        else:
            _put(root, Path(relative), blob.data_stream.read(), mode=blob.mode & 0o777)


def _put(root: Path, relative: Path, content: bytes | None, *, mode: int | None = None) -> None:
    """Write `content` to `root / relative`, or delete the file and the folders it leaves empty."""
    path = root / relative
    if content is not None:
        atomic_write(path, content, mode=mode)
        return
    path.unlink(missing_ok=True)
    for folder in path.relative_to(root).parents:
        if folder == Path("."):
            break
        try:
            (root / folder).rmdir()
        except OSError:
            break


def commit_on_new_branch(repo: git.Repo, *, branch: str, paths: list[str], message: str) -> str:
    """Create `branch` at HEAD, switch to it keeping the work tree, commit `paths` and return the SHA.

    On failure HEAD points at the old branch again and the new branch is deleted.
    """
    previous = repo.head.ref if not repo.head.is_detached else None
    start = repo.head.commit
    head = repo.create_head(branch, start)
    try:
        repo.head.reference = head
        repo.git.add("--all", "--", *paths)
        commit = repo.index.commit(message)
    except BaseException:
        repo.head.reference = previous if previous is not None else start
        repo.delete_head(head, force=True)
        raise
    return commit.hexsha
