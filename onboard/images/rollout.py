"""After the push: the operator's rollout command (such as a compose pull and up), then HTTP health checks."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import requests

from onboard import proc
from onboard.errors import StageError
from onboard.redact import redact

log = logging.getLogger("onboard.images.rollout")

STAGE = "containers"
HEALTH_REQUEST_TIMEOUT_SECONDS = 5.0
HEALTH_INTERVAL_SECONDS = 1.0


@dataclass(frozen=True)
class HealthResult:
    url: str
    status: int | None
    detail: str

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def run_rollout(command: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float) -> str:
    """Run the rollout command and return the tail of its output; raise StageError when it fails."""
    result = proc.run(list(command), cwd=cwd, env=env, timeout=timeout, check=False)
    if not result.ok:
        raise StageError(
            STAGE,
            f"rollout command failed with exit code {result.returncode}: {proc.describe(command)}",
            cause="\n".join(redact(result.stderr or result.stdout).splitlines()[-20:]) or "no output",
            fix="fix the cause and run again; the images are pushed and will not be rebuilt",
        )
    return "\n".join(redact(result.stdout).splitlines()[-5:])


def _probe(url: str) -> HealthResult:
    try:
        response = requests.get(url, timeout=HEALTH_REQUEST_TIMEOUT_SECONDS)
    except requests.RequestException as err:
        return HealthResult(url, None, redact(str(err))[:200])
    return HealthResult(url, response.status_code, redact(response.text[:200]))


def wait_healthy(
    urls: Sequence[str],
    *,
    timeout: float,
    interval: float = HEALTH_INTERVAL_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> list[HealthResult]:
    """Poll every URL until all return 2xx or `timeout` seconds pass; raise StageError naming the failing ones."""
    deadline = time.monotonic() + timeout
    pending = list(urls)
    healthy: dict[str, HealthResult] = {}
    while True:
        results = [_probe(url) for url in pending]
        healthy.update({result.url: result for result in results if result.ok})
        pending = [result.url for result in results if not result.ok]
        if not pending:
            return [healthy[url] for url in urls]
        if time.monotonic() >= deadline:
            failing = [result for result in results if not result.ok]
            raise StageError(
                STAGE,
                f"{len(failing)} health check(s) failed after {timeout:.0f} s",
                cause="; ".join(f"{redact(r.url)}: {r.status or 'no response'} {r.detail}" for r in failing),
                fix="check the services' logs, then run again; the images will not be rebuilt",
            )
        sleep(interval)
