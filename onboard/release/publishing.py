"""Compare local tarballs with the registry, then publish what is missing, dependencies first."""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from onboard import proc
from onboard.errors import CommandError, OnboardError, StageError
from onboard.release import npm, versioning
from onboard.release.settings import ReleaseSection
from onboard.release.workspaces import WorkspacePackage, read_manifest
from onboard.stages.base import Context

log = logging.getLogger("onboard.release.publishing")

CHANGESET_PUBLISH_TIMEOUT_SECONDS = 900

_DEPENDENCY_FIELDS = ("dependencies", "peerDependencies", "optionalDependencies", "devDependencies")


class RegistryState(enum.Enum):
    MISSING = "missing"
    SAME = "same"
    DIFFERENT = "different"


@dataclass(frozen=True)
class PackageCheck:
    """One package version compared with the registry: the local tarball and the state of the registry copy."""

    package: WorkspacePackage
    tarball: npm.Tarball
    state: RegistryState
    registry_shasum: str = ""

    @property
    def spec(self) -> str:
        return f"{self.package.name}@{self.package.version}"


def check_registry(
    packages: list[WorkspacePackage], *, registry_url: str, token: str | None, env: Mapping[str, str]
) -> list[PackageCheck]:
    """Pack every package and compare its shasum and integrity with the registry's copy of that version."""
    checks = []
    for package in packages:
        tarball = npm.pack(package.folder, env=env)
        dist = npm.published_dist(registry_url, package.name, package.version, token=token)
        if dist is None:
            checks.append(PackageCheck(package, tarball, RegistryState.MISSING))
            continue
        same = dist.get("shasum") == tarball.shasum and dist.get("integrity", tarball.integrity) == tarball.integrity
        state = RegistryState.SAME if same else RegistryState.DIFFERENT
        checks.append(PackageCheck(package, tarball, state, registry_shasum=str(dist.get("shasum", ""))))
    return checks


def conflict_error(stage: str, conflicts: list[PackageCheck], registry_url: str) -> StageError:
    first = conflicts[0]
    listed = ", ".join(
        f"{check.spec} (registry shasum {check.registry_shasum}, local {check.tarball.shasum})" for check in conflicts
    )
    return StageError(
        stage,
        f"version already taken in {registry_url} with different contents: {listed}",
        cause="a registry never accepts the same version twice, so these versions cannot be released",
        fix=(
            f"add a changeset that moves {first.package.name} past {first.package.version} "
            f"(`npx changeset add` in the monorepo), or, if the registry copy is a stray upload, "
            f"`npm unpublish {first.spec} --registry {registry_url}`; then run again"
        ),
    )


def publish_order(packages: Mapping[str, WorkspacePackage]) -> list[str]:
    """Return the package names so that each comes after the workspace packages it depends on."""
    depends_on: dict[str, set[str]] = {}
    for name, package in packages.items():
        manifest = read_manifest(package.folder / "package.json")
        names = {dependency for field in _DEPENDENCY_FIELDS for dependency in manifest.get(field, {})}
        depends_on[name] = names & set(packages) - {name}

    ordered: list[str] = []
    remaining = sorted(packages)
    while remaining:
        ready = [name for name in remaining if depends_on[name] <= set(ordered)]
        # A dependency cycle: publish the rest in name order rather than stall.
        batch = ready or remaining[:1]
        ordered.extend(batch)
        remaining = [name for name in remaining if name not in batch]
    return ordered


def _access(repo: Path) -> str | None:
    """Return `public` when the changesets configuration publishes scoped packages publicly."""
    config = read_manifest(repo / ".changeset" / "config.json")
    return "public" if config.get("access") == "public" else None


def _publish_error(subject: str, registry_url: str, err: OnboardError) -> StageError:
    return StageError(
        "release",
        f"publishing {subject} to {registry_url} failed",
        cause=err.message + (f": {err.cause}" if err.cause else ""),
        fix="make the registry reachable and the token valid, then run again: published versions are kept and skipped",
    )


def publish_missing(
    ctx: Context, settings: ReleaseSection, repo: Path, checks: list[PackageCheck], *, env: Mapping[str, str]
) -> list[str]:
    """Publish every package the registry lacks, and record each one so that a resumed run skips it."""
    published = list(ctx.outputs_of("release").get("published") or [])
    for check in checks:
        if check.state is RegistryState.SAME:
            log.info("%s is already in %s with the same contents: skipped", check.spec, settings.registry_url)
            continue
        try:
            npm.publish(check.package.folder, registry_url=settings.registry_url, env=env, access=_access(repo))
        except OnboardError as err:
            raise _publish_error(check.spec, settings.registry_url, err) from err
        if check.spec not in published:
            published.append(check.spec)
        ctx.journal.record_outputs("release", {"published": published})
    return published


def changeset_publish(
    ctx: Context,
    settings: ReleaseSection,
    repo: Path,
    checks: list[PackageCheck],
    *,
    token: str,
    env: Mapping[str, str],
) -> list[str]:
    """Run `changeset publish`, which publishes the versions the registry lacks and keeps existing tags.

    It reports no per-package result, so the registry is read afterwards, also when it failed midway.
    """
    missing = [check for check in checks if check.state is RegistryState.MISSING]
    if not missing:
        return list(ctx.outputs_of("release").get("published") or [])
    try:
        command = [*versioning.changeset_command(repo), "publish"]
        proc.run(command, cwd=repo, env=env, timeout=CHANGESET_PUBLISH_TIMEOUT_SECONDS)
    except OnboardError as err:
        _record_published(ctx, settings, missing, token=token)
        raise _publish_error("with `changeset publish`", settings.registry_url, err) from err
    return _record_published(ctx, settings, missing, token=token)


def _record_published(
    ctx: Context, settings: ReleaseSection, candidates: list[PackageCheck], *, token: str
) -> list[str]:
    """Record which of `candidates` the registry now has. An unreachable registry adds none of them."""
    published = list(ctx.outputs_of("release").get("published") or [])
    for check in candidates:
        try:
            dist = npm.published_dist(settings.registry_url, check.package.name, check.package.version, token=token)
        except CommandError:
            break
        if dist is not None and check.spec not in published:
            published.append(check.spec)
    ctx.journal.record_outputs("release", {"published": published})
    return published
