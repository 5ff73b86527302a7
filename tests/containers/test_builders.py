"""The shared build loop of the local builders, with real buildah builds."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from onboard.images import BuildRequest
from onboard.images.local import OciToolBuilder
from tests.containers.conftest import SERVICES


class CountingBuilder(OciToolBuilder):
    """buildah, with a count of the builds running at the same time."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.running = 0
        self.max_running = 0
        self._lock = threading.Lock()

    def publish_one(self, request: BuildRequest) -> str:
        with self._lock:
            self.running += 1
            self.max_running = max(self.max_running, self.running)
        try:
            # Widen the overlap window, so that a missing limit shows even when builds are fast.
            time.sleep(0.2)
            return super().publish_one(request)
        finally:
            with self._lock:
                self.running -= 1


def _requests(platform_repo: Path, registry_address: str, namespace: str) -> list[BuildRequest]:
    return [
        BuildRequest(
            service=service,
            context=platform_repo,
            dockerfile=f"services/{service}/Dockerfile",
            registry=registry_address,
            repository=f"{namespace}/{service}",
            tags=("t1",),
            insecure=True,
        )
        for service in SERVICES
    ]


@pytest.mark.parametrize("parallel", [1, 2])
def test_parallel_builds_bounded(parallel, platform_repo, registry, namespace, buildah_store):
    builder = CountingBuilder(
        storage_driver="vfs", root=buildah_store / "root", runroot=buildah_store / "run", isolation="chroot"
    )
    finished = []

    outcomes = builder.publish(
        _requests(platform_repo, registry.address, namespace), parallel=parallel, on_done=finished.append
    )

    assert [outcome.service for outcome in outcomes] == list(SERVICES)
    assert all(outcome.ok for outcome in outcomes)
    assert sorted(outcome.service for outcome in finished) == sorted(SERVICES)
    assert builder.max_running == parallel


def test_push_to_closed_port_fails_one_outcome(platform_repo, namespace, buildah_store):
    from onboard.sandbox.anvil import free_port

    builder = OciToolBuilder(
        storage_driver="vfs", root=buildah_store / "root", runroot=buildah_store / "run", isolation="chroot"
    )
    request = _requests(platform_repo, f"127.0.0.1:{free_port()}", namespace)[0]

    outcome = builder.publish([request])[0]

    assert not outcome.ok
    assert "command failed with exit code" in outcome.error
    assert "buildah" in outcome.error
