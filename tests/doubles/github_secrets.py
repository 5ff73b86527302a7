"""An in-process GitHub REST server for Actions secrets of a repository and of its environments.

Follows GitHub's REST reference (API version 2022-11-28): GET .../secrets/public-key returns {key_id, key};
PUT .../secrets/{name} takes {encrypted_value, key_id} (a libsodium sealed box for that key, base64) and
returns 201 when it created the secret, 204 when it updated it; GET .../secrets/{name} returns
{name, created_at, updated_at} and never the value. Errors are {message, documentation_url, status}:
401 "Bad credentials", 404 "Not Found", 422 for invalid names or payloads. Rate limits return 403 with
X-RateLimit-Remaining: 0 and X-RateLimit-Reset, or 429 with Retry-After.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
import time
from typing import Any

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox

from tests.doubles.http import DoubleServer, Request, Response, ServedDouble

DOCS = "https://docs.github.com/rest/actions/secrets"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status, {"message": message, "documentation_url": DOCS, "status": str(status)}, headers or {})


class GitHubSecretsDouble(ServedDouble):
    def __init__(self, *, repository: str = "acme/platform", environments: tuple[str, ...] = ("production",),
                 token: str = "ghp_double_token_0123456789") -> None:
        self.repository, self.environments, self.token = repository, set(environments), token
        self.private_key = PrivateKey.generate()
        self.key_id = "568250167242549743"
        self.server = DoubleServer()
        self.reset()
        owner, repo = repository.split("/")
        for scope_pattern in (f"/repos/{owner}/{repo}/actions/secrets",
                              f"/repos/{owner}/{repo}/environments/{{environment}}/secrets"):
            self.server.route("GET", f"{scope_pattern}/public-key", self._guard(self._public_key))
            self.server.route("GET", f"{scope_pattern}/{{name}}", self._guard(self._get))
            self.server.route("PUT", f"{scope_pattern}/{{name}}", self._guard(self._put))

    def reset(self) -> None:
        """Forget every secret, fault and recorded request; keep the server and its key pair."""
        # (scope, upper-case name) -> {name, value, created_at, updated_at}; scope "" is the repository.
        self.secrets: dict[tuple[str, str], dict[str, Any]] = {}
        self.faults: list[dict[str, Any]] = []
        self._clock = itertools.count(1)
        self.server.requests.clear()

    def value(self, name: str, environment: str = "") -> str | None:
        secret = self.secrets.get((environment, name.upper()))
        return None if secret is None else secret["value"]

    def set_outside(self, name: str, value: str, environment: str = "") -> None:
        """Write a secret as someone else would, moving its updated_at."""
        self._store(environment, name, value)

    def rate_limit(self, method: str, *, seconds: int = 1, primary: bool = True) -> None:
        if primary:
            headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + seconds)}
            self.faults.append({"method": method, "response": _error(403, "API rate limit exceeded for user ID 1.",
                                                                     headers)})
        else:
            self.faults.append({"method": method, "response": _error(
                429, "You have exceeded a secondary rate limit.", {"Retry-After": str(seconds)})})

    def fail_next(self, method: str, status: int = 502, message: str = "Server Error", *, skip: int = 0) -> None:
        """Fail the next `method` request with `status`, after letting `skip` of them through."""
        self.faults.append({"method": method, "response": _error(status, message), "skip": skip})

    def requests_to(self, method: str) -> list[Request]:
        return [r for r in self.server.requests if r.method == method]

    def _guard(self, handler: Any) -> Any:
        def run(request: Request) -> Response:
            for fault in self.faults:
                if fault["method"] == request.method:
                    if fault.get("skip", 0) > 0:
                        fault["skip"] -= 1
                        continue
                    self.faults.remove(fault)
                    return fault["response"]
            if request.headers.get("Authorization") != f"Bearer {self.token}":
                return Response(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest",
                                      "status": "401"})
            environment = request.params.get("environment", "")
            if environment and environment not in self.environments:
                return _error(404, "Not Found")
            return handler(request, environment)
        return run

    def _store(self, scope: str, name: str, value: str) -> bool:
        tick = next(self._clock)
        stamp = f"2026-01-01T{tick // 3600:02d}:{tick // 60 % 60:02d}:{tick % 60:02d}Z"
        existing = self.secrets.get((scope, name.upper()))
        if existing is None:
            self.secrets[(scope, name.upper())] = {"name": name.upper(), "value": value, "created_at": stamp,
                                                   "updated_at": stamp}
            return True
        existing.update(value=value, updated_at=stamp)
        return False

    def _public_key(self, request: Request, scope: str) -> Response:
        key = base64.b64encode(bytes(self.private_key.public_key)).decode()
        return Response(200, {"key_id": self.key_id, "key": key})

    def _get(self, request: Request, scope: str) -> Response:
        secret = self.secrets.get((scope, request.params["name"].upper()))
        if secret is None:
            return _error(404, "Not Found")
        return Response(200, {key: secret[key] for key in ("name", "created_at", "updated_at")})

    def _put(self, request: Request, scope: str) -> Response:
        name = request.params["name"]
        if not _NAME.fullmatch(name) or name.upper().startswith("GITHUB_"):
            return _error(422, "Secret names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or "
                               "underscores (_), must not start with a number or with GITHUB_.")
        try:
            body = request.json() or {}
        except ValueError:
            return _error(400, "Problems parsing JSON")
        if body.get("key_id") != self.key_id:
            return _error(422, "Invalid request.\n\nkey_id does not match the current public key.")
        try:
            value = SealedBox(self.private_key).decrypt(base64.b64decode(body.get("encrypted_value", ""), validate=True))
        except (CryptoError, binascii.Error, ValueError):
            return _error(422, "Invalid request.\n\nencrypted_value is not a sealed box for the public key.")
        created = self._store(scope, name, value.decode("utf-8"))
        return Response(201, {}) if created else Response(204, raw=b"")
