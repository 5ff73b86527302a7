"""The containers stage's work per service: build, retag, or nothing.

A service is rebuilt when its fingerprint (its build inputs and settings) differs from the journal's record or
the registry no longer contains the recorded image. When only the commit SHA changed for a service whose inputs did
not, the recorded manifest is tagged again in the registry instead of rebuilding it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onboard.errors import OnboardError
from onboard.images.base import BuildRequest
from onboard.images.registry import RegistryClient
from onboard.images.settings import ContainersSection
from onboard.images.source import service_fingerprints

BUILD, RETAG, UNCHANGED = "build", "retag", "unchanged"


@dataclass(frozen=True)
class ServiceWork:
    """The request for one service and what must happen to it."""

    request: BuildRequest
    fingerprint: str
    action: str
    previous: Mapping[str, Any] = field(default_factory=dict)

    @property
    def missing_tags(self) -> tuple[str, ...]:
        recorded = set(self.previous.get("tags") or ())
        return tuple(tag for tag in self.request.tags if tag not in recorded)


@dataclass(frozen=True)
class Versions:
    sha: str
    contracts: str
    core: str | None


def image_labels(*, service: str, network: str, chain_id: int, versions: Versions) -> dict[str, str]:
    labels = {
        "org.opencontainers.image.title": service,
        "org.opencontainers.image.revision": versions.sha,
        "org.opencontainers.image.version": versions.contracts,
        "onboard.network": network,
        "onboard.chain-id": str(chain_id),
        "onboard.contracts-version": versions.contracts,
    }
    if versions.core:
        labels["onboard.core-version"] = versions.core
    return labels


def image_tags(settings: ContainersSection, versions: Versions) -> tuple[str, ...]:
    return (versions.contracts, versions.sha) + (("latest",) if settings.tag_latest else ())


def plan_work(
    *,
    settings: ContainersSection,
    root: Path,
    builder: str,
    network: str,
    chain_id: int,
    versions: Versions,
    recorded: Mapping[str, Any],
    registry: RegistryClient | None,
) -> list[ServiceWork]:
    """Return the work per configured service. With `registry`, recorded images are checked to still exist."""
    tags = image_tags(settings, versions)
    requests = {}
    for service in settings.services:
        labels = image_labels(service=service, network=network, chain_id=chain_id, versions=versions)
        requests[service] = BuildRequest(
            service=service,
            context=root,
            dockerfile=settings.dockerfile.format(service=service),
            registry=settings.registry,
            repository=settings.repository(service),
            tags=tags,
            labels=labels,
            insecure=settings.insecure,
        )
    stable = {
        service: {
            "builder": builder,
            "dockerfile": request.dockerfile,
            "reference": f"{request.registry}/{request.repository}",
            "labels": {k: v for k, v in request.labels.items() if k != "org.opencontainers.image.revision"},
            "version_tags": [tag for tag in tags if tag != versions.sha],
        }
        for service, request in requests.items()
    }
    fingerprints = service_fingerprints(root, settings.services, stable)
    return [
        _decide(requests[service], fingerprints[service], recorded.get(service) or {}, registry)
        for service in settings.services
    ]


def _decide(
    request: BuildRequest, fingerprint: str, previous: Mapping[str, Any], registry: RegistryClient | None
) -> ServiceWork:
    digest = previous.get("digest")
    if previous.get("fingerprint") != fingerprint or not digest:
        return ServiceWork(request, fingerprint, BUILD, previous)
    if registry is not None and not _still_published(registry, request, previous):
        return ServiceWork(request, fingerprint, BUILD, previous)
    recorded_tags = set(previous.get("tags") or ())
    action = UNCHANGED if set(request.tags) <= recorded_tags else RETAG
    return ServiceWork(request, fingerprint, action, previous)


def _still_published(registry: RegistryClient, request: BuildRequest, previous: Mapping[str, Any]) -> bool:
    tag = (previous.get("tags") or [request.tags[0]])[0]
    try:
        return registry.manifest_digest(request.repository, tag) == previous["digest"]
    except OnboardError:
        return False
