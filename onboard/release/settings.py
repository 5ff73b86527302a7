"""The `[release]` and `[bump]` sections of onboard.toml."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from onboard.config import Section

SPHINX_PACKAGES = ("@sphinx-labs/contracts", "@sphinx-labs/core")


class GithubSection(Section):
    """The GitHub repository that gets a pull request for a pushed branch, and the variable with its token."""

    repository: str
    api_url: str = "https://api.github.com"
    token_env: str = "GITHUB_TOKEN"
    base: str = "develop"
    draft: bool = False

    @field_validator("repository")
    @classmethod
    def _owner_and_name(cls, value: str) -> str:
        owner, _, name = value.partition("/")
        if not owner or not name or "/" in name:
            raise ValueError(f"expected OWNER/NAME, got {value!r}")
        return value


class ReleaseSection(Section):
    """Release settings of the monorepo: registry, token variable, remote and optional pull request."""

    registry_url: str
    token_env: str = "NPM_TOKEN"
    # The git remote that gets the branch and tags. Empty pushes nothing.
    remote: str = "origin"
    # The branch that gets the "Version packages" commit. Empty means the checked-out branch.
    branch: str = ""
    # Commands (argv lists) run at the monorepo root after `changeset version` and before the commit.
    version_commands: list[list[str]] = Field(default_factory=list)
    # Commands run at the monorepo root before packing, such as a build that fills `dist/`.
    build_commands: list[list[str]] = Field(default_factory=list)
    # `npm` runs `npm publish` per package and records each one. `changeset` runs `changeset publish` once.
    publisher: Literal["npm", "changeset"] = "npm"
    # The number of times npm retries a failed registry request before publishing fails.
    fetch_retries: int = Field(default=2, ge=0)
    github: GithubSection | None = None


class BumpSection(Section):
    """Settings for moving the platform onto the released packages."""

    # Empty means the [release] registry.
    registry_url: str = ""
    # The variable with a token that may read the registry. Empty for a registry open to anonymous reads.
    token_env: str = ""
    remote: str = ""
    branch: str = ""
    packages: list[str] = Field(default_factory=lambda: list(SPHINX_PACKAGES))
    github: GithubSection | None = None
