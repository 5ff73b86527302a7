"""The containers stage's work per service: build, retag, or nothing.

A service is rebuilt when its fingerprint (its build inputs and settings) differs from the journal's record or
the registry no longer contains the recorded image. When a tag is missing or points elsewhere for a service whose
inputs did not change (a new commit SHA, a moved `latest`), the recorded manifest is tagged again instead.
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
    """The request for one service, what must happen to it, and the tags to point at the recorded digest."""

    request: BuildRequest
    fingerprint: str
    action: str
    previous: Mapping[str, Any] = field(default_factory=dict)
    missing_tags: tuple[str, ...] = ()


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
    if registry is None:
        recorded_tags = set(previous.get("tags") or ())
        missing = tuple(tag for tag in request.tags if tag not in recorded_tags)
    else:
        missing = _tags_not_at(registry, request, str(digest))
    if missing:
        return ServiceWork(request, fingerprint, RETAG, previous, missing)
    return ServiceWork(request, fingerprint, UNCHANGED, previous)


def _tags_not_at(registry: RegistryClient, request: BuildRequest, digest: str) -> tuple[str, ...]:
    """Return the requested tags that are missing from the registry or point at another digest.

    A tag someone moved (`latest`, most often) is pointed back, and a deleted manifest makes the retag fail,
    which falls back to a rebuild.
    """
    missing = []
    for tag in request.tags:
        try:
            current = registry.manifest_digest(request.repository, tag)
        except OnboardError:
            current = None
        if current != digest:
            missing.append(tag)
    return tuple(missing)
