"""The image builder interface: its request and outcome types, and the parallel loop the local builders share."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from onboard.errors import OnboardError
from onboard.redact import redact

log = logging.getLogger("onboard.images")


@dataclass(frozen=True)
class BuildRequest:
    """One service image to build from `context` with `dockerfile` (relative to it) and push under every tag."""

    service: str
    context: Path
    dockerfile: str
    registry: str
    repository: str
    tags: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    insecure: bool = False

    def reference(self, tag: str) -> str:
        return f"{self.registry}/{self.repository}:{tag}"

    @property
    def references(self) -> tuple[str, ...]:
        return tuple(self.reference(tag) for tag in self.tags)


@dataclass(frozen=True)
class BuildOutcome:
    """The result of one request: the pushed manifest digest, or the error that stopped it."""

    service: str
    digest: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.digest is not None


OnDone = Callable[[BuildOutcome], None]


class ImageBuilder(ABC):
    """Builds service images and pushes them to a registry. Chosen by `onboard.images.choose_builder`."""

    name: ClassVar[str]

    def publish(
        self, requests: Sequence[BuildRequest], *, parallel: int = 1, on_done: OnDone | None = None
    ) -> list[BuildOutcome]:
        """Build and push every request, up to `parallel` at a time. A failed build does not stop the others."""
        outcomes: list[BuildOutcome] = []
        with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix=f"build-{self.name}") as pool:
            futures = {pool.submit(self._publish_guarded, request): request for request in requests}
            for future in as_completed(futures):
                outcome = future.result()
                outcomes.append(outcome)
                if on_done is not None:
                    on_done(outcome)
        order = [request.service for request in requests]
        return sorted(outcomes, key=lambda outcome: order.index(outcome.service))

    def _publish_guarded(self, request: BuildRequest) -> BuildOutcome:
        try:
            digest = self.publish_one(request)
        except OnboardError as err:
            log.warning("image %s failed: %s", request.service, redact(err.message))
            return BuildOutcome(request.service, error=redact(err.render()))
        log.info("image %s pushed as %s", request.service, digest)
        return BuildOutcome(request.service, digest=digest)

    @abstractmethod
    def publish_one(self, request: BuildRequest) -> str:
        """Build one image, push it under every tag and return the manifest digest (`sha256:...`)."""
