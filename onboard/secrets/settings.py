"""The `[secrets]` section of onboard.toml: which backend stores the secrets, and its settings.

    [secrets]
    backend = "infisical"            # or "dotenv" or "github"
    values_file = "secrets.env"      # optional: dotenv-format file with the values
    [secrets.placeholders]           # optional: explicit values for explorers that need no key
    UNICHAIN_BLOCKSCOUT_API_KEY = "no-key-required"
    [secrets.infisical]
    url = "https://app.infisical.com"
    project_id = "..."
    environment = "prod"
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Literal

from pydantic import Field, field_validator, model_validator

from onboard.config import Section

_ENV_VARIABLE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")


def _check_http_url(value: str) -> str:
    parsed = urllib.parse.urlsplit(value)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValueError("must be an http:// or https:// URL")
    if parsed.query or parsed.fragment or parsed.username or parsed.password:
        raise ValueError("must not contain a query, a fragment or credentials")
    return value


def _check_variable(value: str) -> str:
    if not _ENV_VARIABLE.fullmatch(value):
        raise ValueError("must be an environment variable name matching ^[A-Z][A-Z0-9_]*$")
    return value


class InfisicalSettings(Section):
    """An Infisical project environment, reached with a machine identity's universal-auth credentials."""

    url: str = Field(default="https://app.infisical.com", description="Base URL, with or without /api.")
    project_id: str = Field(min_length=1)
    environment: str = Field(min_length=1, description="Environment slug, such as prod.")
    client_id_env: str = Field(default="INFISICAL_CLIENT_ID", description="Variable holding the client id.")
    client_secret_env: str = Field(default="INFISICAL_CLIENT_SECRET", description="Variable holding the secret.")
    timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    max_rate_limit_wait_seconds: float = Field(default=120.0, ge=0, le=3600)

    _url = field_validator("url")(_check_http_url)
    _variables = field_validator("client_id_env", "client_secret_env")(_check_variable)


class DotenvSettings(Section):
    """A `.env` file read by docker compose."""

    path: str = Field(min_length=1)


class GitHubSettings(Section):
    """GitHub Actions secrets of one repository, or of one deployment environment in it."""

    repository: str = Field(description="owner/name")
    environment: str | None = Field(default=None, min_length=1, max_length=255)
    token_env: str = Field(default="GITHUB_TOKEN", description="Variable holding a token allowed to write secrets.")
    api_url: str = "https://api.github.com"
    timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    max_rate_limit_wait_seconds: float = Field(default=120.0, ge=0, le=3600)

    _url = field_validator("api_url")(_check_http_url)
    _variable = field_validator("token_env")(_check_variable)

    @field_validator("repository")
    @classmethod
    def _repository(cls, value: str) -> str:
        if not _REPOSITORY.fullmatch(value):
            raise ValueError("must be owner/name, such as sphinx-labs/sphinx-platform")
        return value


class SecretsSection(Section):
    """The `[secrets]` section."""

    backend: Literal["infisical", "dotenv", "github"]
    values_file: str | None = Field(default=None, description="Dotenv-format file holding the values.")
    placeholders: dict[str, str] = Field(
        default_factory=dict, description="Explorer key name -> explicit placeholder for explorers needing no key."
    )
    infisical: InfisicalSettings | None = None
    dotenv: DotenvSettings | None = None
    github: GitHubSettings | None = None

    @field_validator("placeholders")
    @classmethod
    def _placeholders(cls, value: dict[str, str]) -> dict[str, str]:
        for name, placeholder in value.items():
            _check_variable(name)
            if not placeholder or placeholder != placeholder.strip() or "\n" in placeholder:
                raise ValueError(f"placeholder of {name} must be non-empty, without surrounding whitespace")
        return value

    @model_validator(mode="after")
    def _backend_table(self) -> SecretsSection:
        if getattr(self, self.backend) is None:
            raise ValueError(f"backend = {self.backend!r} needs a [secrets.{self.backend}] table")
        return self
