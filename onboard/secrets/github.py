"""GitHub Actions secrets of a repository or of one of its environments, through the REST API.

GitHub never returns a secret's value: the backend encrypts each value for the repository's public key
(libsodium sealed box, PyNaCl) and PUTs it. A read-back returns only whether a secret exists and its
`updated_at`, so the fingerprint of what onboard wrote is kept in the journal together with that time.
"""

from __future__ import annotations

import base64
import logging
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

from nacl.public import PublicKey, SealedBox

from onboard.errors import OnboardError
from onboard.secrets.base import MISSING, Fingerprinter, Observed, SecretBackend, SecretRef
from onboard.secrets.http import JsonApi, Reply, RequestTimedOut, describe_failure
from onboard.secrets.settings import GitHubSettings

log = logging.getLogger("onboard.secrets")

API_VERSION = "2022-11-28"
# GitHub's naming rules for Actions secrets: letters, digits and underscores, not starting with a digit
# or with GITHUB_; names are case-insensitive. Values are at most 48 KB.
SECRET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_VALUE_BYTES = 48 * 1024


def _rate_limited(reply: Reply) -> bool:
    """Return True for GitHub's rate-limit replies: 429, or 403 with Retry-After or no remaining requests."""
    if reply.status == 429:
        return True
    return reply.status == 403 and (
        "Retry-After" in reply.headers or reply.headers.get("X-RateLimit-Remaining") == "0"
    )


class GitHubSecretsBackend(SecretBackend):
    name = "github"
    has_folders = False

    def __init__(self, settings: GitHubSettings, *, token: str, fingerprint: Fingerprinter) -> None:
        self.settings = settings
        self.fingerprint = fingerprint
        self._public_key: dict[str, Any] | None = None
        self._api = JsonApi(
            service="GitHub",
            base_url=settings.api_url,
            timeout=settings.timeout_seconds,
            max_wait=settings.max_rate_limit_wait_seconds,
            is_rate_limited=_rate_limited,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {token}",
                "X-GitHub-Api-Version": API_VERSION,
            },
        )
        owner, repo = settings.repository.split("/")
        self._prefix = f"/repos/{owner}/{repo}/actions/secrets"
        if settings.environment:
            environment = urllib.parse.quote(settings.environment, safe="")
            self._prefix = f"/repos/{owner}/{repo}/environments/{environment}/secrets"

    def describe(self) -> str:
        scope = f"environment {self.settings.environment} of " if self.settings.environment else ""
        return f"GitHub Actions secrets of {scope}{self.settings.repository}"

    def location(self, ref: SecretRef) -> str:
        return f"{ref.name} ({self.describe()})"

    def check_names(self, refs: Sequence[SecretRef]) -> list[str]:
        problems = super().check_names(refs)
        for ref in refs:
            if ref.name.upper().startswith("GITHUB_"):
                problems.append(f"{ref.path} starts with GITHUB_, which GitHub reserves for its own secrets")
        return problems

    def read(self, refs: Sequence[SecretRef]) -> dict[SecretRef, Observed]:
        self._key()  # a 404 here means the repository or environment is missing or not visible
        return {ref: self._observe(ref.name) for ref in refs}

    def upsert(self, folder: str, values: Mapping[str, str]) -> dict[SecretRef, Observed]:
        written = {}
        for name, value in sorted(values.items()):
            self._put(name, value)
            written[SecretRef(folder, name)] = Observed(True, self.fingerprint(value), self._observe(name).marker)
        return written

    def _observe(self, name: str) -> Observed:
        reply = self._api.send("GET", f"{self._prefix}/{name}")
        if reply.status == 404:
            return MISSING
        self._expect(reply, (200,), f"read secret {name}")
        return Observed(True, None, str(reply.field("updated_at")))

    def _put(self, name: str, value: str) -> None:
        encoded = value.encode("utf-8")
        if len(encoded) > MAX_VALUE_BYTES:
            raise OnboardError(f"the value of {name} has {len(encoded)} bytes; GitHub accepts at most 48 KB")
        key = self._key()
        sealed = SealedBox(PublicKey(base64.b64decode(key["key"]))).encrypt(encoded)
        body = {"encrypted_value": base64.b64encode(sealed).decode("ascii"), "key_id": key["key_id"]}
        before = self._observe(name).marker
        try:
            reply = self._api.send("PUT", f"{self._prefix}/{name}", json=body)
        except RequestTimedOut as err:
            if not err.write:
                raise
            # The PUT may have landed: read first, and write again only when updated_at did not move.
            log.warning("GitHub PUT of %s timed out; reading back before writing again", name)
            if self._observe(name).marker not in (None, before):
                return
            reply = self._api.send("PUT", f"{self._prefix}/{name}", json=body)
        self._expect(reply, (201, 204), f"write secret {name}")

    def _key(self) -> dict[str, Any]:
        if self._public_key is None:
            reply = self._api.send("GET", f"{self._prefix}/public-key")
            self._expect(reply, (200,), "read the public key for secrets")
            self._public_key = {"key": reply.field("key"), "key_id": reply.field("key_id")}
        return self._public_key

    def _expect(self, reply: Reply, statuses: tuple[int, ...], action: str) -> None:
        if reply.status in statuses:
            return
        fix = "run again; onboard reads the current state before it writes"
        if reply.status == 401:
            fix = f"export a valid token in {self.settings.token_env}, then run again"
        elif reply.status in (403, 404):
            fix = (
                f"check that {self.settings.repository}"
                + (f" has the environment {self.settings.environment}" if self.settings.environment else " exists")
                + f" and that the token in {self.settings.token_env} may write Actions secrets there"
            )
        raise OnboardError(f"GitHub failed to {action} for {self.describe()}: {_describe(reply)}", fix=fix)

    def close(self) -> None:
        self._api.close()


def _describe(reply: Reply) -> str:
    text = describe_failure(reply)
    errors = reply.field("errors")
    if isinstance(errors, list) and errors:
        text += " (" + "; ".join(str(error.get("message", error)) if isinstance(error, dict) else str(error)
                              for error in errors) + ")"
    return text
