"""bump: move the platform onto the released contracts and core, refresh yarn.lock, commit on a branch.

Ranges are edited in place, then yarn 1 `yarn install` re-resolves them against the registry. This keeps
every other range and lock entry, which `yarn upgrade` does not promise. Contracts and core move together,
or core would keep a nested older contracts that lacks the new network.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from onboard import proc
from onboard.config import repo_path
from onboard.errors import CommandError, StageError
from onboard.fsutil import atomic_write
from onboard.release import git, npm
from onboard.release.dependencies import (
    RangeChange,
    locked_versions,
    range_changes,
    rewritten_manifest,
    stale_lockfiles,
)
from onboard.release.github import open_pull_request
from onboard.release.settings import BumpSection, ReleaseSection
from onboard.sandbox.toolchain import ensure_toolchain
from onboard.stages.base import Context, Plan, Stage

YARN_TIMEOUT_SECONDS = 600


class BumpStage(Stage):
    name = "bump"
    description = "Move the platform's Sphinx packages to the released versions and refresh yarn.lock"

    def inputs(self, ctx: Context) -> Mapping[str, Any]:
        return {
            "network": ctx.spec.name,
            "bump": _settings(ctx).model_dump(mode="json"),
            "versions": _released_versions(ctx, required=False),
        }

    def summarize(self, outputs: Mapping[str, Any]) -> str:
        versions = outputs.get("versions") or {}
        moved = ", ".join(f"{name}@{version}" for name, version in versions.items())
        return f"platform on {moved}, commit {str(outputs.get('commit'))[:12]}"

    def plan(self, ctx: Context) -> Plan:
        versions = _released_versions(ctx, required=False)
        registry = _registry(ctx)
        if not versions:
            return Plan(
                self.name,
                "the packages will move to the versions the release stage publishes",
                changes=True,
                details=(f"registry: {registry}",),
                data={"registry": registry},
            )
        repo, branch = repo_path(ctx.config, "platform"), _branch(ctx)
        changes = _pending_changes(ctx, repo, versions, branch)
        details = changes + [f"stale lockfile (not refreshed): {path}" for path in stale_lockfiles(repo, versions)]
        pending = bool(changes)
        moves = ", ".join(f"{name} to {version}" for name, version in sorted(versions.items()))
        return Plan(
            self.name,
            f"move {moves}" if pending else "the platform already uses the released versions: nothing to do",
            changes=pending,
            details=tuple(details),
            data={"versions": versions, "registry": registry, "branch": branch},
        )

    def apply(self, ctx: Context) -> dict[str, Any]:
        settings, versions = _settings(ctx), _released_versions(ctx, required=True)
        repo, branch, registry = repo_path(ctx.config, "platform"), _branch(ctx), _registry(ctx)
        token = None
        if settings.token_env:
            token = ctx.secret(settings.token_env, purpose=f"a token that may read {registry}", stage=self.name)
        started_at = ctx.outputs_of(self.name).get("moving_at")
        message = f"onboard: files left by an interrupted bump at {str(started_at)[:12]}"
        stash = git.stash_interrupted(repo, started_at, message=message)
        if stash:
            ctx.console.print(f"bump: an earlier run stopped before its commit; its files are saved in {stash}")
        _require_clean(repo)

        with git.on_branch(repo, branch):
            # Recorded so that a run killed before the commit can stash the files it left.
            ctx.journal.record_outputs(self.name, {"moving_at": git.head(repo)})
            commit = _move_and_commit(repo, versions, registry=registry, token=token)
        ctx.journal.record_outputs(self.name, {"moving_at": None})

        outputs: dict[str, Any] = {
            "branch": branch,
            "commit": commit,
            "versions": versions,
            "registry": registry,
            "stale_lockfiles": stale_lockfiles(repo, versions),
            "remote": settings.remote,
        }
        for path in outputs["stale_lockfiles"]:
            ctx.console.print(f"[yellow]bump: {path} still locks an older Sphinx version, so refresh it by hand[/]")
        if settings.remote:
            _push(repo, settings.remote, branch)
        if settings.github:
            outputs["pull_request"] = _pull_request(ctx, settings, branch, versions)
        return outputs

    def verify(self, ctx: Context, outputs: Mapping[str, Any]) -> None:
        repo = repo_path(ctx.config, "platform")
        versions = outputs["versions"]
        lockfile = git.git(repo, "show", f"{outputs['commit']}:yarn.lock")
        for package, found in locked_versions(lockfile, set(versions)).items():
            if found != {versions[package]}:
                raise StageError(
                    self.name,
                    f"yarn.lock at {outputs['commit'][:12]} resolves {package} to {sorted(found) or 'nothing'}",
                    cause=f"exactly one version, {versions[package]}, must resolve",
                    fix="run the bump stage again; if a dependency pins another version, add a `resolutions` entry",
                )


def _settings(ctx: Context) -> BumpSection:
    return ctx.config.section("bump", BumpSection)


def _branch(ctx: Context) -> str:
    return _settings(ctx).branch or f"onboard/{ctx.spec.name}"


def _registry(ctx: Context) -> str:
    configured = _settings(ctx).registry_url
    if configured:
        return configured
    return ctx.config.section("release", ReleaseSection).registry_url


def _relative(repo: Path, path: Path) -> str:
    return path.relative_to(repo).as_posix()


def _pending_changes(ctx: Context, repo: Path, versions: Mapping[str, str], branch: str) -> list[str]:
    """Describe what apply would still change: ranges, lockfile, and the push of the branch."""
    recorded = ctx.outputs_of("bump")
    branch_head = git.git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False)
    changes: list[str] = []
    # A recorded bump commit still at the head of the branch is done, whichever branch is checked out.
    if recorded.get("versions") != versions or recorded.get("commit") != branch_head:
        for change in range_changes(repo, versions):
            changes.append(f"{_relative(repo, change.manifest)}: {change.package} {change.old} -> {change.new}")
        changes += [f"yarn.lock: {problem}" for problem in _lockfile_problems(repo, versions)]
    if changes:
        changes.append(f"yarn install against {_registry(ctx)}, commit on {branch}")
    remote = _settings(ctx).remote
    if remote and (changes or git.remote_refs(repo, remote).get(f"refs/heads/{branch}") != branch_head):
        changes.append(f"push {branch} to {remote}")
    return changes


def _released_versions(ctx: Context, *, required: bool) -> dict[str, str]:
    """Return the released version of each configured package, from the release stage's outputs."""
    released = ctx.outputs_of("release").get("versions") or {}
    packages = _settings(ctx).packages
    missing = [name for name in packages if name not in released]
    if missing and required:
        raise StageError(
            "bump",
            f"the release stage recorded no version for {', '.join(missing)}",
            cause="bump moves the platform to the versions the release stage published",
            fix="run the release stage first (its changeset must bump contracts and core together)",
        )
    return {name: released[name] for name in packages if name in released}


def _require_clean(repo: Path) -> None:
    changed = git.changed_files(repo)
    if changed:
        raise StageError(
            "bump",
            f"the platform {repo} has uncommitted changes: {', '.join(changed[:5])}",
            cause="the bump commit must contain only the range and lockfile changes",
            fix=f"commit or stash them (`git -C {repo} stash --include-untracked`), then run again",
        )


def _lockfile_problems(repo: Path, versions: Mapping[str, str]) -> list[str]:
    lockfile = repo / "yarn.lock"
    text = lockfile.read_text(encoding="utf-8") if lockfile.exists() else ""
    problems = []
    for package, found in locked_versions(text, set(versions)).items():
        if found != {versions[package]}:
            resolved = ", ".join(sorted(found)) or "nothing"
            problems.append(f"{package} resolves to {resolved}, expected {versions[package]}")
    return problems


def _move_and_commit(repo: Path, versions: Mapping[str, str], *, registry: str, token: str | None) -> str:
    """Edit the ranges, refresh yarn.lock and commit. Return the new commit, or HEAD when nothing changed."""
    changes = range_changes(repo, versions)
    if not changes and not _lockfile_problems(repo, versions):
        return git.head(repo)

    by_manifest: dict[Path, list[RangeChange]] = {}
    for change in changes:
        by_manifest.setdefault(change.manifest, []).append(change)
    for manifest, manifest_changes in by_manifest.items():
        atomic_write(manifest, rewritten_manifest(manifest, manifest_changes))

    _yarn_install(repo, registry=registry, token=token)
    problems = _lockfile_problems(repo, versions)
    if problems:
        raise StageError(
            "bump",
            f"yarn.lock does not resolve exactly the released versions: {'; '.join(problems)}",
            cause="another dependency asks for a different version of a Sphinx package",
            fix="add a `resolutions` entry for it in the root package.json, then run again",
        )
    summary = ", ".join(f"{name} {version}" for name, version in sorted(versions.items()))
    return git.commit_all(repo, f"Move to {summary}")


def _yarn_install(repo: Path, *, registry: str, token: str | None) -> None:
    yarn = str(ensure_toolchain().bin("yarn"))
    with npm.registry_env(registry, token) as env:
        proc.run(
            [yarn, "install", "--non-interactive", "--ignore-scripts", "--registry", npm.normalize_registry(registry)],
            cwd=repo,
            env=env,
            timeout=YARN_TIMEOUT_SECONDS,
        )


def _push(repo: Path, remote: str, branch: str) -> None:
    try:
        git.push(repo, remote, [f"refs/heads/{branch}:refs/heads/{branch}"])
    except CommandError as err:
        raise StageError(
            "bump",
            f"pushing {branch} to {remote} failed",
            cause=err.cause or err.message,
            fix="fix access to the remote, then run again: the bump commit is kept",
        ) from err


def _pull_request(ctx: Context, settings: BumpSection, branch: str, versions: Mapping[str, str]) -> str:
    assert settings.github is not None
    token = ctx.secret(settings.github.token_env, purpose="a GitHub token that may open pull requests", stage="bump")
    lines = [f"- `{name}` {version}" for name, version in sorted(versions.items())]
    return open_pull_request(
        settings.github,
        token=token,
        branch=branch,
        title=f"Support {ctx.spec.display_name}: move to the new Sphinx packages",
        body="Moves the platform to:\n\n" + "\n".join(lines),
    )
