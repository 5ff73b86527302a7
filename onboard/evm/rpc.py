"""A JSON-RPC client built for probing: batches, a fallback to single requests, bounded retries, counters.

Every probe of the compatibility check goes out through `RpcClient.send`. Calls are sent as one JSON-RPC batch
while the endpoint accepts batches. When a batch is rejected (an HTTP error status, or a body that is not an
array of responses), the client remembers it and sends single requests from then on, a few at a time.
Rate limiting (HTTP 429, `Retry-After`, JSON-RPC -32016 or -32005) is retried within bounds. So the findings
are the same with or without limiting, and only the counters differ.
"""

from __future__ import annotations

import email.utils
import json
import logging
import threading
import time
import urllib.parse
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

from onboard.errors import RpcError
from onboard.evm.jsonrpc import Call, Reply
from onboard.redact import redact, register_secret

log = logging.getLogger("onboard.evm.rpc")

# JSON-RPC error code that providers use for rate limiting. EIP-1474's -32005 "limit exceeded" also covers
# result-size limits of eth_getLogs, so it counts as rate limiting only when its message mentions a rate.
RATE_LIMIT_CODE = -32016
LIMIT_EXCEEDED_CODE = -32005
# HTTP statuses after which the same request can succeed later.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_RETRY_DELAY_SECONDS = 10.0
# After a rejected batch, batches of this many calls are tried before single requests: many public endpoints
# cap the batch size rather than reject batches.
SMALL_BATCH = 10


@dataclass
class RpcStats:
    """Counters: HTTP round trips, JSON-RPC requests sent (retries included), retries, and batch support."""

    round_trips: int = 0
    requests: int = 0
    retries: int = 0
    batch_accepted: bool | None = None
    batch_rejection: str = ""
    # Set when only batches of up to this many calls are accepted.
    batch_limit: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, requests_sent: int) -> None:
        with self._lock:
            self.round_trips += 1
            self.requests += requests_sent


class _RateLimited(Exception):
    def __init__(self, delay: float | None) -> None:
        super().__init__("rate limited")
        self.delay = delay


class _BatchRejected(Exception):
    pass


def retry_delay(header: str | None, attempt: int, *, backoff: float) -> float:
    """Return the seconds to wait before retry `attempt` (0-based): `Retry-After` if given, else backoff."""
    if header:
        header = header.strip()
        if header.isdigit():
            return min(float(header), MAX_RETRY_DELAY_SECONDS)
        parsed = email.utils.parsedate_to_datetime(header) if "," in header else None
        if parsed is not None:
            return min(max(parsed.timestamp() - time.time(), 0.0), MAX_RETRY_DELAY_SECONDS)
    return min(backoff * (2**attempt), MAX_RETRY_DELAY_SECONDS)


class RpcClient:
    """Sends JSON-RPC calls to one endpoint. The URL may contain an API key: it is only shown redacted."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        max_retries: int = 6,
        backoff: float = 0.25,
        batch: bool = True,
        single_concurrency: int = 8,
    ) -> None:
        self.url = url
        _register_url_secrets(url)
        self.display_url = redact(url)
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.batch_enabled = batch
        self.single_concurrency = single_concurrency
        self.stats = RpcStats()
        self._session = requests.Session()
        self._next_id = 0
        self._id_lock = threading.Lock()

    def close(self) -> None:
        self._session.close()

    def call(self, method: str, *params: Any) -> Reply:
        return self.send([Call(method, tuple(params))])[0]

    def send(self, calls: Sequence[Call]) -> list[Reply]:
        """Send `calls` in as few round trips as the endpoint allows; replies come back in the same order."""
        if not calls:
            return []
        replies: list[Reply | None] = [None] * len(calls)
        pending = list(range(len(calls)))
        for attempt in range(self.max_retries + 1):
            limited = self._send_round([calls[index] for index in pending])
            for index, reply in zip(pending, limited, strict=True):
                replies[index] = reply
            pending = [index for index in pending if _is_rate_limited(replies[index])]
            if not pending:
                break
            self.stats.retries += 1
            delay = retry_delay(None, attempt, backoff=self.backoff)
            log.info("%s: %d requests rate limited, retry %d in %.2f s",
                     self.display_url, len(pending), attempt + 1, delay)  # fmt: skip
            time.sleep(delay)
        return [reply for reply in replies if reply is not None]

    def _send_round(self, calls: list[Call]) -> list[Reply]:
        while len(calls) > 1 and self.batch_enabled and self.stats.batch_accepted is not False:
            try:
                replies = self._send_batches(calls)
                self.stats.batch_accepted = True
                return replies
            except _BatchRejected as rejection:
                self.stats.batch_rejection = redact(str(rejection))
                if min(len(calls), self.stats.batch_limit or len(calls)) > SMALL_BATCH:
                    log.info("%s rejected a batch (%s); retrying in batches of %d", self.display_url, rejection,
                             SMALL_BATCH)  # fmt: skip
                    self.stats.batch_limit = SMALL_BATCH
                    continue
                self.stats.batch_accepted = False
                log.info("%s rejected a batch (%s); sending single requests", self.display_url, rejection)
        if len(calls) == 1:
            return [self._post_single(calls[0])]
        with ThreadPoolExecutor(max_workers=self.single_concurrency) as pool:
            return list(pool.map(self._post_single, calls))

    def _send_batches(self, calls: list[Call]) -> list[Reply]:
        """Send `calls` as one batch, or as concurrent batches of at most `stats.batch_limit` calls."""
        limit = self.stats.batch_limit or len(calls)
        chunks = [calls[start : start + limit] for start in range(0, len(calls), limit)]
        if len(chunks) == 1:
            return self._post_batch(calls)
        with ThreadPoolExecutor(max_workers=self.single_concurrency) as pool:
            return [reply for replies in pool.map(self._post_batch, chunks) for reply in replies]

    def _ids(self, count: int) -> list[int]:
        with self._id_lock:
            first = self._next_id
            self._next_id += count
        return list(range(first, first + count))

    def _post_batch(self, calls: list[Call]) -> list[Reply]:
        ids = self._ids(len(calls))
        payload = [_envelope(call, request_id) for call, request_id in zip(calls, ids, strict=True)]
        body, status = self._post(payload, count=len(calls))
        if not isinstance(body, list):
            raise _BatchRejected(f"HTTP {status}, body {_preview(body)}")
        by_id = {item.get("id"): item for item in body if isinstance(item, dict)}
        if not set(ids) <= set(by_id):
            raise _BatchRejected(f"HTTP {status}, {len(by_id)} of {len(ids)} responses in the batch")
        return [_reply(call, by_id[request_id]) for call, request_id in zip(calls, ids, strict=True)]

    def _post_single(self, call: Call) -> Reply:
        (request_id,) = self._ids(1)
        body, status = self._post(_envelope(call, request_id), count=1)
        if isinstance(body, list) and len(body) == 1:
            body = body[0]
        if not isinstance(body, dict) or ("result" not in body and "error" not in body):
            raise RpcError(
                f"{self.display_url} returned an invalid JSON-RPC response to {call.method} (HTTP {status})",
                cause=f"body: {_preview(body)}",
                fix="check that the URL points at a JSON-RPC endpoint of an EVM node",
            )
        return _reply(call, body)

    def _post(self, payload: Any, *, count: int) -> tuple[Any, int]:
        """POST `payload`, retrying HTTP-level rate limiting; return the decoded body and the status."""
        for attempt in range(self.max_retries + 1):
            try:
                return self._post_once(payload, count=count)
            except _RateLimited as limited:
                if attempt == self.max_retries:
                    break
                self.stats.retries += 1
                delay = limited.delay if limited.delay is not None else retry_delay(None, attempt, backoff=self.backoff)
                log.info("%s: HTTP rate limited, retry %d in %.2f s", self.display_url, attempt + 1, delay)
                time.sleep(delay)
        raise RpcError(
            f"{self.display_url} kept rate limiting after {self.max_retries} retries",
            cause="every attempt was answered with HTTP 429 or 503",
            fix="use an RPC URL with a higher rate limit, or run again later",
        )

    def _post_once(self, payload: Any, *, count: int) -> tuple[Any, int]:
        try:
            response = self._session.post(self.url, json=payload, timeout=self.timeout)
        except requests.RequestException as err:
            raise RpcError(
                f"cannot reach the RPC endpoint {self.display_url}",
                cause=redact(str(err)),
                fix="check the URL, the network connection and that the node is running",
            ) from err
        finally:
            self.stats.count(count)

        if response.status_code in RETRY_STATUSES:
            header = response.headers.get("Retry-After")
            raise _RateLimited(retry_delay(header, 0, backoff=self.backoff) if header else None)
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if response.status_code >= 400 and isinstance(payload, list):
            raise _BatchRejected(f"HTTP {response.status_code}, body {_preview(body)}")
        if response.status_code >= 400 and not isinstance(body, dict):
            raise RpcError(
                f"{self.display_url} returned HTTP {response.status_code}",
                cause=f"body: {_preview(body)}",
                fix="check the URL and its API key",
            )
        return body, response.status_code


def _register_url_secrets(url: str) -> None:
    """Register the parts of `url` that redaction masks (API keys in the path or query) as secrets, so that
    they are masked too where they appear without the rest of the URL, as in the errors of urllib3."""
    shown = redact(url)
    if shown == url:
        return
    parts = urllib.parse.urlsplit(url)
    pieces = [*parts.path.split("/"), *(value for _, value in urllib.parse.parse_qsl(parts.query))]
    pieces.append(parts.netloc.rpartition("@")[0])
    for piece in pieces:
        if piece and piece not in shown:
            register_secret(piece)


def _envelope(call: Call, request_id: int) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": call.method, "params": list(call.params)}


def _reply(call: Call, body: dict[str, Any]) -> Reply:
    error = body.get("error")
    if error is not None:
        if not isinstance(error, dict):
            error = {"code": None, "message": str(error)}
        return Reply(call, error=error)
    return Reply(call, result=body.get("result"))


def _is_rate_limited(reply: Reply | None) -> bool:
    if reply is None or reply.error is None:
        return False
    # Some providers put the HTTP status 429 into the JSON-RPC error code of each response.
    if reply.error_code in (RATE_LIMIT_CODE, 429):
        return True
    return reply.error_code == LIMIT_EXCEEDED_CODE and "rate" in reply.error_message.lower()


def _preview(body: Any) -> str:
    text = body if isinstance(body, str) else json.dumps(body)
    return redact(text[:200])
