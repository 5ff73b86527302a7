"""The `[deploy]` section of onboard.toml."""

from __future__ import annotations

from pydantic import Field

from onboard.config import Section


class DeploySection(Section):
    """Settings of the deploy stage: where the deploy-system task is and how long it may run."""

    timeout_seconds: float = Field(default=1800, gt=0, description="Limit for one deploy-system run, in seconds.")
    core_dir: str = Field(default="packages/core", description="The package with the task, relative to the monorepo.")
    contracts_dir: str = Field(default="packages/contracts", description="The contracts package, relative too.")
    build_command: tuple[str, ...] = Field(
        default=("yarn", "build"),
        description="Builds the contracts package when packages/core resolves it to an unbuilt workspace copy.",
    )
    build_timeout_seconds: float = Field(default=1800, gt=0, description="Limit for the build, in seconds.")
