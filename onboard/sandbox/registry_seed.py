"""Seed a sandbox registry with the packages the platform depends on, built from the sandbox monorepo.

The platform pins `@sphinx-labs/contracts@^0.23.0` and `@sphinx-labs/core@^0.26.0`; publishing the sandbox
monorepo's packages at those versions lets `yarn install` in the platform resolve them offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from onboard.errors import OnboardError
from onboard.release import npm
from onboard.release.publishing import RegistryState, check_registry
from onboard.release.workspaces import workspace_packages

SEEDED_PACKAGES = ("@sphinx-labs/contracts", "@sphinx-labs/core")
# verdaccio in the sandbox accepts any token, but npm 11 publishes only with one.
SANDBOX_TOKEN = "sandbox-publish-token"


def seed_registry(
    registry_url: str,
    monorepo: Path,
    *,
    packages: Sequence[str] = SEEDED_PACKAGES,
    token: str = SANDBOX_TOKEN,
) -> list[str]:
    """Publish `packages` from `monorepo` at their current versions; return the `name@version` published.

    Versions already in the registry with the same tarball are skipped, so seeding twice is harmless.
    """
    found = workspace_packages(monorepo)
    missing = [name for name in packages if name not in found]
    if missing:
        raise OnboardError(
            f"{monorepo} has no workspace package named {', '.join(missing)}",
            fix="build the sandbox monorepo first, or pass the package names it has",
        )

    published = []
    with npm.registry_env(registry_url, token) as env:
        checks = check_registry([found[name] for name in packages], registry_url=registry_url, token=token, env=env)
        for check in checks:
            if check.state is RegistryState.DIFFERENT:
                raise OnboardError(
                    f"{check.spec} is already in {registry_url} with other contents",
                    fix="seed a fresh registry (a new storage folder)",
                )
            if check.state is RegistryState.MISSING:
                npm.publish(check.package.folder, registry_url=registry_url, env=env, access="public")
                published.append(check.spec)
    return published
