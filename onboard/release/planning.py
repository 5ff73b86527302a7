"""The release stage's view of its progress: the release commit already made, and the plan for the rest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from onboard.config import repo_path
from onboard.release import git, npm, versioning
from onboard.release.publishing import RegistryState, check_registry, conflict_error, publish_order
from onboard.release.settings import ReleaseSection
from onboard.release.workspaces import WorkspacePackage, workspace_packages
from onboard.stages.base import Context, Plan


@dataclass(frozen=True)
class Release:
    """The "Version packages" commit and the version each package moved to in it."""

    commit: str
    versions: dict[str, str]


def release_tag(name: str, version: str) -> str:
    """Return the tag `changeset publish` would create: `@sphinx-labs/core@0.27.0`."""
    return f"{name}@{version}"


def optional_token(ctx: Context, settings: ReleaseSection) -> str | None:
    """Return the registry token when it is set. Plan works without it on registries open to reads."""
    if not ctx.env.get(settings.token_env):
        return None
    return ctx.secret(settings.token_env, purpose="the npm registry token", stage="release")


def recorded_release(ctx: Context, repo: Path) -> Release | None:
    """Return the release this stage made before: from the journal, else from a "Version packages" HEAD."""
    recorded = ctx.outputs_of("release")
    if recorded.get("commit") and recorded.get("versions"):
        return Release(recorded["commit"], dict(recorded["versions"]))
    if git.subject(repo) == versioning.VERSION_COMMIT_SUBJECT:
        commit = git.head(repo)
        return Release(commit, versioning.versions_in_commit(repo, commit))
    return None


def published_packages(repo: Path, versions: Mapping[str, str]) -> list[WorkspacePackage]:
    """Return the released packages that are not private, dependencies first."""
    packages = {name: package for name, package in workspace_packages(repo).items() if name in versions}
    return [packages[name] for name in publish_order(packages) if not packages[name].private]


def plan_versioning(ctx: Context, settings: ReleaseSection, planned: dict[str, str], branch: str) -> Plan:
    repo = repo_path(ctx.config, "monorepo")
    packages = workspace_packages(repo)
    token = optional_token(ctx, settings)
    details = [f"{name}: {packages[name].version} -> {version}" for name, version in sorted(planned.items())]
    details.append(f"commit {versioning.VERSION_COMMIT_SUBJECT!r} on branch {branch}")
    tags = [release_tag(name, version) for name, version in sorted(planned.items()) if not packages[name].private]
    details += [f"tag {tag}" for tag in tags]
    details.append(f"publish to {settings.registry_url}")
    for name, version in sorted(planned.items()):
        if npm.published_dist(settings.registry_url, name, version, token=token) is not None:
            note = "apply compares the tarballs and stops if they differ"
            details.append(f"{name}@{version} already exists there: {note}")
    if settings.remote:
        details.append(f"push {branch} and the tags to {settings.remote}")
    if settings.github:
        details.append(f"open a pull request into {settings.github.base} on {settings.github.repository}")
    return Plan(
        "release",
        f"release {len(planned)} packages to {settings.registry_url}",
        changes=True,
        details=tuple(details),
        data={"versions": planned, "tags": tags, "registry": settings.registry_url, "branch": branch},
    )


def plan_resume(ctx: Context, settings: ReleaseSection, repo: Path, branch: str, release: Release) -> Plan:
    token = optional_token(ctx, settings)
    packages = published_packages(repo, release.versions)
    tags = [release_tag(package.name, package.version) for package in packages]
    with npm.registry_env(settings.registry_url, token, fetch_retries=settings.fetch_retries) as env:
        checks = check_registry(packages, registry_url=settings.registry_url, token=token, env=env)
    conflicts = [check for check in checks if check.state is RegistryState.DIFFERENT]
    if conflicts:
        raise conflict_error("release", conflicts, settings.registry_url)

    details = [f"tag {tag}" for tag in tags if git.tag_commit(repo, tag) is None]
    details += [f"publish {check.spec}" for check in checks if check.state is RegistryState.MISSING]
    if settings.remote:
        remote_refs = git.remote_refs(repo, settings.remote)
        expected_refs = [f"refs/heads/{branch}", *(f"refs/tags/{tag}" for tag in tags)]
        local = {f"refs/heads/{branch}": git.git(repo, "rev-parse", f"refs/heads/{branch}", check=False)}
        local.update({f"refs/tags/{tag}": git.tag_commit(repo, tag) for tag in tags})
        unpushed = [ref for ref in expected_refs if remote_refs.get(ref) != local.get(ref)]
        details += [f"push {ref} to {settings.remote}" for ref in unpushed]
    if settings.github and not ctx.outputs_of("release").get("pull_request"):
        details.append(f"open a pull request into {settings.github.base} on {settings.github.repository}")
    summary = "release partly done: " + "; ".join(details) if details else "released already: nothing to do"
    return Plan(
        "release",
        summary,
        changes=bool(details),
        details=tuple(details),
        data={"versions": release.versions, "tags": tags, "registry": settings.registry_url, "branch": branch},
    )
