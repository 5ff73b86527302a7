"""The HTTP transport shared by the Infisical and GitHub backends: explicit timeouts, back-off on rate
limits for the seconds the server names, and errors that never carry a request body.

A request is sent again only after a 429 (or GitHub's rate-limit 403): the server rejected it before running
it. A timeout is never retried here, because a write may have landed; callers read the state first.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from onboard.errors import OnboardError
from onboard.redact import redact

log = logging.getLogger("onboard.secrets")

MAX_RATE_LIMIT_RETRIES = 3
# Connect timeout in seconds; the read timeout comes from the backend's settings.
CONNECT_TIMEOUT = 5.0
_TRY_AGAIN = re.compile(r"try again in (\d+(?:\.\d+)?) ?(?:seconds?|s)\b", re.IGNORECASE)

# Tests replace this to record back-off waits without sleeping.
sleep: Callable[[float], None] = time.sleep


class RequestTimedOut(OnboardError):
    """The server did not respond in time. A write may or may not have been applied."""

    def __init__(self, message: str, *, write: bool, fix: str) -> None:
        super().__init__(message, fix=fix)
        self.write = write


@dataclass(frozen=True)
class Reply:
    """A response reduced to what the backends use: status, parsed JSON body (None when not JSON) and headers."""

    status: int
    body: Any
    headers: Mapping[str, str]
    request: str

    def field(self, name: str) -> Any:
        return self.body.get(name) if isinstance(self.body, dict) else None


def seconds_named_in(reply: Reply) -> float | None:
    """Return the wait a rate-limited reply names: Retry-After, GitHub's reset time, or "try again in N seconds"."""
    retry_after = reply.headers.get("Retry-After")
    if retry_after and retry_after.strip().isdigit():
        return float(retry_after)
    if reply.headers.get("X-RateLimit-Remaining") == "0" and reply.headers.get("X-RateLimit-Reset", "").isdigit():
        return max(0.0, float(reply.headers["X-RateLimit-Reset"]) - time.time())
    match = _TRY_AGAIN.search(str(reply.field("message") or ""))
    return float(match.group(1)) if match else None


class JsonApi:
    """Send JSON requests to one service under a base URL."""

    def __init__(
        self,
        *,
        service: str,
        base_url: str,
        timeout: float,
        max_wait: float,
        is_rate_limited: Callable[[Reply], bool] = lambda reply: reply.status == 429,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_wait = max_wait
        self._is_rate_limited = is_rate_limited
        self._session = requests.Session()
        self._session.headers.update({"Accept": "application/json", **(headers or {})})

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Send one request; wait and resend while the server rate-limits it, at most three times."""
        for attempt in range(MAX_RATE_LIMIT_RETRIES + 1):
            reply = self._send_once(method, path, params=params, json=json, headers=headers)
            if not self._is_rate_limited(reply):
                return reply
            wait = seconds_named_in(reply)
            if wait is None:
                wait = min(60.0, self.max_wait)
            if attempt == MAX_RATE_LIMIT_RETRIES or wait > self.max_wait:
                raise OnboardError(
                    f"{self.service} rate-limited {reply.request} and asks to wait {wait:.0f} s",
                    cause=f"still limited after {attempt} waits, or the wait exceeds the configured "
                    f"max_rate_limit_wait_seconds = {self.max_wait:.0f}",
                    fix=f"wait {wait:.0f} s and run again, or raise max_rate_limit_wait_seconds",
                )
            log.warning("%s rate-limited %s; waiting %.1f s (retry %d)", self.service, reply.request, wait, attempt + 1)
            sleep(wait)
        raise AssertionError("unreachable")

    def _send_once(self, method: str, path: str, **kwargs: Any) -> Reply:
        url = f"{self.base_url}{path}"
        label = f"{method} {path}"
        started = time.monotonic()
        try:
            response = self._session.request(method, url, timeout=(CONNECT_TIMEOUT, self.timeout), **kwargs)
        except requests.Timeout as err:
            write = method != "GET"
            raise RequestTimedOut(
                f"{self.service} did not respond to {label} within {self.timeout:g} s",
                write=write,
                fix="check the service's status and run again; onboard reads the current state before writing",
            ) from err
        except requests.RequestException as err:
            raise OnboardError(
                f"cannot reach {self.service} at {self.base_url} ({label})",
                cause=redact(str(err)),
                fix="check the URL in onboard.toml, the network and any proxy, then run again",
            ) from err
        log.debug("%s %s -> %d (%.2f s)", self.service, label, response.status_code, time.monotonic() - started)
        return Reply(response.status_code, _json_or_none(response), response.headers, label)

    def close(self) -> None:
        self._session.close()


def _json_or_none(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def describe_failure(reply: Reply) -> str:
    """Return a one-line, redacted description of an error reply for messages."""
    message = reply.field("message")
    if isinstance(message, list):
        message = "; ".join(str(issue.get("message", issue)) if isinstance(issue, dict) else str(issue) for issue in message)
    request_id = reply.field("reqId")
    details = f"HTTP {reply.status}"
    if reply.field("error"):
        # In brackets: redaction masks the word after "...Secret...:" or "...Token...:", and error names such
        # as GetSecretByName or TokenError would otherwise hide the message that follows them.
        details += f" ({reply.field('error')})"
    if message:
        details += f": {message}"
    if request_id:
        details += f" (reqId {request_id})"
    return redact(details)
