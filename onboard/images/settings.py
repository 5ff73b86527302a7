"""The `[containers]` section of onboard.toml: which builder, which registry, which services, and the rollout."""

from __future__ import annotations

import re
import shlex
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import Field, field_validator

from onboard.config import Section
from onboard.images.registry import is_loopback_host

# The services upstream's image workflow builds, in its matrix order.
DEFAULT_SERVICES = ("artifact-generator", "contract-verifier", "executor", "relayer", "init")
SERVICE_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
# host[:port], as image references start (no scheme, no path).
REGISTRY_PATTERN = r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$"
# Repository path components of the OCI distribution specification, lower case.
NAMESPACE_PATTERN = r"^([a-z0-9]+([._-][a-z0-9]+)*)(/[a-z0-9]+([._-][a-z0-9]+)*)*$"


class GitHubSection(Section):
    """`[containers.github]`: the platform's image workflow, dispatched through the GitHub REST API."""

    repository: str = Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", description="owner/name")
    workflow: str = Field(default="publish.yaml", description="Workflow file name or numeric id.")
    ref: str | None = Field(default=None, description="Branch to run on. Defaults to the bump stage's branch.")
    token_env: str = "GITHUB_TOKEN"
    api_url: str = "https://api.github.com"
    inputs: dict[str, str] = Field(
        default_factory=dict,
        description="Workflow inputs; {services}, {tags}, {registry}, {namespace} and {labels} are filled in.",
    )
    poll_interval: float = Field(default=10.0, gt=0, description="Seconds between status requests.")
    timeout: float = Field(default=3600.0, gt=0, description="Seconds to wait for the run to finish.")


class ContainersSection(Section):
    builder: Literal["auto", "docker", "podman", "buildah", "github"] = "auto"
    registry: str = Field(description="host[:port] the images are pushed to, such as 127.0.0.1:5000.")
    namespace: str = Field(
        default="sphinx", description="Repository prefix: images are <registry>/<namespace>/<service>."
    )
    services: tuple[str, ...] = DEFAULT_SERVICES
    dockerfile: str = Field(default="services/{service}/Dockerfile", description="Relative to the platform root.")
    parallel: int = Field(default=2, ge=1, le=32, description="Builds running at the same time.")
    tag_latest: bool = True
    registry_username_env: str | None = Field(default=None, description="Variable holding the registry user.")
    registry_password_env: str | None = Field(default=None, description="Variable holding its password or token.")
    insecure_registry: bool | None = Field(
        default=None, description="Push over plain HTTP. Defaults to true for loopback registries only."
    )
    storage_driver: str | None = Field(default=None, description="buildah/podman --storage-driver, such as vfs.")
    storage_root: str | None = Field(default=None, description="buildah/podman --root.")
    storage_runroot: str | None = Field(default=None, description="buildah/podman --runroot.")
    isolation: str | None = Field(default=None, description="buildah/podman --isolation; chroot without runc.")
    rollout_command: tuple[str, ...] = Field(
        default=(),
        description="Run in rollout_cwd after the push, with SPHINX_IMAGE_REGISTRY (<registry>/<namespace>), "
        "SPHINX_IMAGE_TAG (the contracts version) and SPHINX_IMAGE_SHA in its environment.",
    )
    rollout_cwd: str | None = Field(default=None, description="Defaults to the platform root.")
    rollout_timeout: float = Field(default=900.0, gt=0, description="Seconds.")
    health_urls: tuple[str, ...] = ()
    health_timeout: float = Field(default=120.0, gt=0, description="Seconds until every health URL returns 2xx.")
    relayer_keys_env: str = "SPHINX_RELAYER__PRIVATE_KEYS"
    relayer_min_balance: str = Field(default="0.05", description="Native tokens each relayer key needs.")
    relayer_shortfall: Literal["warn", "fail"] = "warn"
    github: GitHubSection | None = None

    @field_validator("rollout_command", mode="before")
    @classmethod
    def _split_command(cls, value: object) -> object:
        return tuple(shlex.split(value)) if isinstance(value, str) else value

    @field_validator("registry")
    @classmethod
    def _registry(cls, value: str) -> str:
        if not re.fullmatch(REGISTRY_PATTERN, value):
            raise ValueError("must be host[:port] without scheme or path, such as 127.0.0.1:5000 or ghcr.io")
        return value

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        if value and not re.fullmatch(NAMESPACE_PATTERN, value):
            raise ValueError("must be lower case path components such as sphinx or acme/sphinx")
        return value

    @field_validator("services")
    @classmethod
    def _services(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        invalid = [service for service in value if not re.fullmatch(SERVICE_PATTERN, service)]
        if invalid:
            raise ValueError(f"invalid service names {invalid}: use lower case letters, digits, '.', '_' and '-'")
        if len(set(value)) != len(value):
            raise ValueError("lists a service more than once")
        return value

    @field_validator("relayer_min_balance")
    @classmethod
    def _min_balance(cls, value: str) -> str:
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise ValueError("must be a decimal number of native tokens written as a string, such as '0.05'") from None
        if not amount.is_finite() or amount < 0:
            raise ValueError("must be zero or a positive decimal number, such as '0.05'")
        return value

    @property
    def insecure(self) -> bool:
        if self.insecure_registry is not None:
            return self.insecure_registry
        return is_loopback_host(self.registry)

    @property
    def labels_applied(self) -> bool:
        """Whether the builder applies onboard's labels: local builders do, a workflow only through `{labels}`."""
        if self.builder != "github" or self.github is None:
            return True
        return any("{labels}" in template for template in self.github.inputs.values())

    def repository(self, service: str) -> str:
        return f"{self.namespace}/{service}" if self.namespace else service
