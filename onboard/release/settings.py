"""The `[release]` and `[bump]` sections of onboard.toml."""

from __future__ import annotations

from pydantic import Field, field_validator

from onboard.config import Section

SPHINX_PACKAGES = ("@sphinx-labs/contracts", "@sphinx-labs/core")


class GithubSection(Section):
    """Where to open the pull request of a pushed branch. The token is read from `token_env`."""

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
    """How the monorepo is released: registry, token variable, remote and optional pull request."""

    registry_url: str
    token_env: str = "NPM_TOKEN"
    # The git remote to push the branch and tags to; empty to push nothing.
    remote: str = "origin"
    # The branch that gets the "Version packages" commit; empty means the checked-out branch.
    branch: str = ""
    # Commands run at the monorepo root after `changeset version`, before the commit; each is an argv list.
    version_commands: list[list[str]] = Field(default_factory=list)
    # Commands run at the monorepo root before packing, such as a build that fills `dist/`.
    build_commands: list[list[str]] = Field(default_factory=list)
    # How often npm retries a failed registry request before publishing fails.
    fetch_retries: int = Field(default=2, ge=0)
    github: GithubSection | None = None


class BumpSection(Section):
    """How the platform moves onto the released packages."""

    # Empty means the [release] registry.
    registry_url: str = ""
    # A variable holding a token to read the registry; empty for a registry open to anonymous reads.
    token_env: str = ""
    remote: str = ""
    branch: str = ""
    packages: list[str] = Field(default_factory=lambda: list(SPHINX_PACKAGES))
    github: GithubSection | None = None
