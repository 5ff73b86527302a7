"""Compare local tarballs with the registry, then publish what is missing, dependencies first."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from onboard.errors import StageError
from onboard.release import npm
from onboard.release.workspaces import WorkspacePackage, read_manifest

_DEPENDENCY_FIELDS = ("dependencies", "peerDependencies", "optionalDependencies", "devDependencies")


class RegistryState(enum.Enum):
    MISSING = "missing"
    SAME = "same"
    DIFFERENT = "different"


@dataclass(frozen=True)
class PackageCheck:
    """One package version compared with the registry: the local tarball and what the registry holds."""

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
