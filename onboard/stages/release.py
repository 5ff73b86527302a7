"""release: version the monorepo packages with changesets, tag them, publish them, push and open a PR.

Every step checks what is already done, so a run killed at any point resumes. The "Version packages"
commit is found again (journal first, then HEAD) and existing tags are kept. Versions already in the
registry with the same tarball are skipped, and an open pull request from the branch is reused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import semver

from onboard import proc
from onboard.config import repo_path
from onboard.errors import OnboardError, StageError
from onboard.release import git, npm, versioning
from onboard.release.github import open_pull_request
from onboard.release.planning import (
    Release,
    optional_token,
    plan_resume,
    plan_versioning,
    published_packages,
    recorded_release,
    release_tag,
)
from onboard.release.publishing import (
    PackageCheck,
    RegistryState,
    changeset_publish,
    check_registry,
    conflict_error,
    publish_missing,
)
from onboard.release.settings import ReleaseSection
from onboard.release.workspaces import workspace_packages
from onboard.stages.base import Context, Plan, Stage

BUILD_TIMEOUT_SECONDS = 900


class ReleaseStage(Stage):
    name = "release"
    description = "Version the changed packages, tag and publish them, push, and open a pull request"

    def inputs(self, ctx: Context) -> Mapping[str, Any]:
        return {"network": ctx.spec.name, "release": _settings(ctx).model_dump(mode="json")}

    def summarize(self, outputs: Mapping[str, Any]) -> str:
        return f"published {', '.join(outputs.get('published') or []) or 'nothing new'}"

    def plan(self, ctx: Context) -> Plan:
        settings, repo = _settings(ctx), repo_path(ctx.config, "monorepo")
        branch = _branch(ctx, repo)
        planned = versioning.planned_versions(repo)
        if planned:
            return plan_versioning(ctx, settings, planned, branch)
        release = recorded_release(ctx, repo)
        if release is None and ctx.dry_run and not ctx.journal.outputs("networks"):
            return _plan_predicted(ctx, settings, repo, branch)
        if release is None:
            return Plan(
                self.name,
                "no pending changeset yet: the changesets present when this stage runs will be released",
                changes=True,
                details=(f"registry: {settings.registry_url}",),
                data={"registry": settings.registry_url, "branch": branch},
            )
        return plan_resume(ctx, settings, repo, branch, release)

    def apply(self, ctx: Context) -> dict[str, Any]:
        settings, repo = _settings(ctx), repo_path(ctx.config, "monorepo")
        branch = _branch(ctx, repo)
        purpose = f"a token that may publish to {settings.registry_url}"
        token = ctx.secret(settings.token_env, purpose=purpose, stage=self.name)
        _stash_interrupted(ctx, repo)
        _require_clean(repo)

        with npm.registry_env(settings.registry_url, token, fetch_retries=settings.fetch_retries) as env:
            release, checks = _version_and_check(ctx, settings, repo, branch, token=token, env=env)
            release_record = {"branch": branch, "commit": release.commit, "versions": release.versions}
            ctx.journal.record_outputs(self.name, {**release_record, "registry": settings.registry_url})
            tags = _create_tags(repo, checks, release.commit)
            if settings.publisher == "changeset":
                published = changeset_publish(ctx, settings, repo, checks, token=token, env=env)
            else:
                published = publish_missing(ctx, settings, repo, checks, env=env)

        pushed = _push(repo, settings.remote, branch, tags)
        outputs: dict[str, Any] = {
            "branch": branch,
            "commit": release.commit,
            "versions": release.versions,
            "tags": tags,
            "registry": settings.registry_url,
            "shasums": {check.package.name: check.tarball.shasum for check in checks},
            "published": published,
            "pushed": pushed,
            "remote": settings.remote,
        }
        if settings.github:
            outputs["pull_request"] = _pull_request(ctx, settings, branch, release)
        return outputs

    def verify(self, ctx: Context, outputs: Mapping[str, Any]) -> None:
        repo = repo_path(ctx.config, "monorepo")
        commit = outputs["commit"]
        packages = workspace_packages(repo)
        for name, version in outputs["versions"].items():
            manifest = (packages[name].folder / "package.json").relative_to(repo).as_posix()
            found = json.loads(git.git(repo, "show", f"{commit}:{manifest}")).get("version")
            if found != version:
                message = f"{name} is {found} in {commit[:12]}, expected {version}"
                raise StageError(self.name, message, fix="run the release stage again")
        for tag in outputs["tags"]:
            if git.tag_commit(repo, tag) != commit:
                fix = f"delete the tag (`git -C {repo} tag -d {tag}`) and run the release stage again"
                raise StageError(self.name, f"tag {tag} does not point at {commit[:12]}", fix=fix)
        _verify_registry(ctx, outputs)
        if outputs.get("remote"):
            _verify_remote(repo, outputs)


def _settings(ctx: Context) -> ReleaseSection:
    return ctx.config.section("release", ReleaseSection)


def _branch(ctx: Context, repo: Path) -> str:
    """Return the configured release branch, else the checked-out one (where the networks stage committed)."""
    branch = _settings(ctx).branch or git.current_branch(repo)
    if not branch:
        raise StageError(
            "release",
            f"the monorepo {repo} has a detached HEAD and [release] branch is not set",
            cause="the release commit needs a branch to push and to open a pull request from",
            fix=f"check out the onboarding branch (`git -C {repo} switch onboard/{ctx.spec.name}`), then run again",
        )
    return branch


def _stash_interrupted(ctx: Context, repo: Path) -> None:
    started_at = ctx.outputs_of("release").get("versioning_at")
    message = f"onboard: files left by an interrupted changeset version at {str(started_at)[:12]}"
    stash = git.stash_interrupted(repo, started_at, message=message)
    if stash:
        ctx.console.print(f"release: an earlier run stopped before its commit; its files are saved in {stash}")


def _require_clean(repo: Path) -> None:
    changed = git.changed_files(repo)
    if changed:
        raise StageError(
            "release",
            f"the monorepo {repo} has uncommitted changes: {', '.join(changed[:5])}",
            cause="the release commit must contain only what `changeset version` writes",
            fix=f"commit or stash them (`git -C {repo} stash --include-untracked`), then run again",
        )


def _version_and_check(
    ctx: Context, settings: ReleaseSection, repo: Path, branch: str, *, token: str, env: Mapping[str, str]
) -> tuple[Release, list[PackageCheck]]:
    """Make or find the release commit, then compare every tarball with the registry.

    When a step here fails, the repository goes back to how it was, with the release commit of this run undone.
    """
    with git.on_branch(repo, branch):
        planned = versioning.planned_versions(repo)
        if planned:
            # Recorded so that a run killed before the commit can stash the files it left.
            ctx.journal.record_outputs("release", {"versioning_at": git.head(repo)})
            versioning.apply_versions(repo, extra_commands=settings.version_commands)
            release = Release(git.commit_all(repo, versioning.VERSION_COMMIT_SUBJECT), planned)
            ctx.journal.record_outputs("release", {"versioning_at": None})
        else:
            release = recorded_release(ctx, repo) or _nothing_to_release(repo)
        for command in settings.build_commands:
            proc.run(command, cwd=repo, timeout=BUILD_TIMEOUT_SECONDS)
        packages = published_packages(repo, release.versions)
        checks = check_registry(packages, registry_url=settings.registry_url, token=token, env=env)
        conflicts = [check for check in checks if check.state is RegistryState.DIFFERENT]
        if conflicts:
            raise conflict_error("release", conflicts, settings.registry_url)
    return release, checks


def _plan_predicted(ctx: Context, settings: ReleaseSection, repo: Path, branch: str) -> Plan:
    """Plan the release of the changeset the networks stage will add, which does not exist during a dry run."""
    from onboard.monorepo.changeset import RELEASED_PACKAGES
    from onboard.stages.networks import NetworksSection

    networks = ctx.config.section("networks", NetworksSection)
    bump = networks.changeset_bump
    # The networks stage leaves its branch checked out, and the release commits on it unless one is configured.
    branch = settings.branch or networks.branch.format(name=ctx.spec.name)
    found = workspace_packages(repo)
    versions: dict[str, str] = {}
    for short_name in RELEASED_PACKAGES:
        package = found.get(f"@sphinx-labs/{short_name}")
        if package is not None:
            versions[package.name] = str(getattr(semver.Version.parse(package.version), f"bump_{bump}")())
    moves = ", ".join(f"{name}@{version}" for name, version in versions.items())
    return Plan(
        "release",
        f"publish {moves} (a {bump} release from the networks stage's changeset)",
        changes=True,
        details=(
            f"tags: {', '.join(f'{name}@{version}' for name, version in versions.items())}",
            f"registry: {settings.registry_url}",
            f"commit \"{versioning.VERSION_COMMIT_SUBJECT}\" on {branch}",
        ),
        data={"registry": settings.registry_url, "branch": branch, "versions": versions, "predicted": True},
    )


def _nothing_to_release(repo: Path) -> Release:
    raise StageError(
        "release",
        f"nothing to release in {repo}: no pending changeset and no earlier release commit",
        cause="the networks stage adds a changeset bumping contracts, core and plugins",
        fix="run the networks stage first, or add a changeset with `npx changeset add` and commit it",
    )


def _create_tags(repo: Path, checks: list[PackageCheck], commit: str) -> list[str]:
    tags = []
    for check in checks:
        tag = release_tag(check.package.name, check.package.version)
        target = git.tag_commit(repo, tag)
        if target is None:
            git.create_tag(repo, tag, commit)
        elif target != commit:
            raise StageError(
                "release",
                f"tag {tag} already exists and points at {target[:12]}, not at the release commit {commit[:12]}",
                cause="an earlier release used this version",
                fix=f"if that tag is stale, delete it (`git -C {repo} tag -d {tag}`), else bump past {tag}",
            )
        tags.append(tag)
    return tags


def _push(repo: Path, remote: str, branch: str, tags: list[str]) -> list[str]:
    """Push the branch and the tags the remote lacks, and return the refs pushed."""
    if not remote:
        return []
    remote_refs = git.remote_refs(repo, remote)
    local_refs = {f"refs/heads/{branch}": git.head(repo)}
    local_refs.update({f"refs/tags/{tag}": git.tag_commit(repo, tag) or "" for tag in tags})
    missing = [ref for ref, sha in local_refs.items() if remote_refs.get(ref) != sha]
    try:
        git.push(repo, remote, [f"{ref}:{ref}" for ref in missing])
    except OnboardError as err:
        raise StageError(
            "release",
            f"pushing {', '.join(missing)} to {remote} failed",
            cause=err.cause or err.message,
            fix="fix access to the remote (or delete a conflicting remote tag), then run again: "
            "the commit, tags and published versions are kept",
        ) from err
    return missing


def _pull_request(ctx: Context, settings: ReleaseSection, branch: str, release: Release) -> str:
    assert settings.github is not None
    purpose = "a GitHub token that may open pull requests"
    token = ctx.secret(settings.github.token_env, purpose=purpose, stage="release")
    lines = [f"- `{name}` {version}" for name, version in sorted(release.versions.items())]
    return open_pull_request(
        settings.github,
        token=token,
        branch=branch,
        title=f"Add {ctx.spec.display_name} and version packages",
        body=f"Adds {ctx.spec.display_name} (chain id {ctx.spec.chain_id}) and releases:\n\n" + "\n".join(lines),
    )


def _verify_registry(ctx: Context, outputs: Mapping[str, Any]) -> None:
    token = optional_token(ctx, _settings(ctx))
    for name, shasum in outputs.get("shasums", {}).items():
        version = outputs["versions"][name]
        dist = npm.published_dist(outputs["registry"], name, version, token=token)
        if dist is None or dist.get("shasum") != shasum:
            raise StageError(
                "release",
                f"{name}@{version} in {outputs['registry']} is {'missing' if dist is None else 'different'}",
                cause=f"the release published a tarball with shasum {shasum}",
                fix="run the release stage again",
            )


def _verify_remote(repo: Path, outputs: Mapping[str, Any]) -> None:
    remote, branch, commit = outputs["remote"], outputs["branch"], outputs["commit"]
    remote_refs = git.remote_refs(repo, remote)
    branch_head = remote_refs.get(f"refs/heads/{branch}")
    if not branch_head or not git.is_ancestor(repo, commit, branch_head):
        message = f"{remote} has no branch {branch} containing the release commit {commit[:12]}"
        raise StageError("release", message, fix="run the release stage again to push it")
    for tag in outputs["tags"]:
        if remote_refs.get(f"refs/tags/{tag}") != commit:
            message = f"{remote} lacks tag {tag} at the release commit {commit[:12]}"
            raise StageError("release", message, fix="run the release stage again to push it")
