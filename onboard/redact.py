"""Redaction that every output passes through: console, debug log, journal, reports and exception text.

Two mechanisms work together. Secret values the run has loaded are registered and replaced wherever they
appear, in plain and URL-encoded form. Patterns catch what was never registered: API keys in RPC URLs
(`/v2/KEY`, `/v3/KEY`, `apikey=`, user info) and private keys assigned to a variable.
"""

from __future__ import annotations

import re
import threading
import urllib.parse
from typing import Any

MASK = "***"

# Keys shorter than this are not registered: masking "1" or "true" everywhere would garble every output.
MIN_SECRET_LENGTH = 6

_URL_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/@\s:]+(?::[^/@\s]*)?)@")
# Infura (/v3/KEY), Alchemy (/v2/KEY) and similar providers put the key in the path.
_URL_PATH_KEY = re.compile(r"(?P<prefix>://[^/\s]+/(?:[^/\s]+/)*?v[0-9]+/)(?P<key>[A-Za-z0-9_-]{8,})")
_QUERY_KEY = re.compile(
    r"(?P<prefix>[?&](?:api[-_]?key|apikey|key|token|access_token|secret)=)(?P<key>[^&\s\"']+)", re.IGNORECASE
)
# An upper-case variable whose name says it carries a credential, assigned a value: PRIVATE_KEY=0x..., "API_TOKEN": "...".
# Case-sensitive, so that prose such as "stage secrets: 2 values missing" is left alone.
_ASSIGNED_KEY = re.compile(
    r"(?P<prefix>\b[A-Z0-9_]*(?:PRIVATE_KEYS?|SECRET|TOKEN|PASSWORD|API_KEY)[A-Z0-9_]*[\"']?\s*[=:]\s*[\"']?)"
    r"(?P<key>(?!\.\.\.)[^\s\"',}]+)"
)


class Redactor:
    """Registry of secret values and the function that masks them in text."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    def register(self, value: str | None) -> None:
        """Remember a secret value so that it is masked in every later output."""
        if not value or len(value) < MIN_SECRET_LENGTH:
            return
        forms = {value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value)}
        if value.startswith("0x"):
            forms.add(value[2:])
        with self._lock:
            self._secrets.update(forms)
            self._pattern = None

    def clear(self) -> None:
        with self._lock:
            self._secrets.clear()
            self._pattern = None

    def _secret_pattern(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._secrets:
                # Sorted by length, longest first, so that a secret containing another is masked whole.
                ordered = sorted(self._secrets, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(secret) for secret in ordered), re.IGNORECASE)
            return self._pattern

    def text(self, value: str) -> str:
        """Return `value` with every registered secret and every recognised credential masked."""
        pattern = self._secret_pattern()
        if pattern is not None:
            value = pattern.sub(MASK, value)
        value = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", value)
        value = _URL_PATH_KEY.sub(lambda m: f"{m['prefix']}{MASK}", value)
        value = _QUERY_KEY.sub(lambda m: f"{m['prefix']}{MASK}", value)
        return _ASSIGNED_KEY.sub(lambda m: f"{m['prefix']}{MASK}", value)

    def data(self, value: Any) -> Any:
        """Return a copy of a JSON-like structure with every string passed through `text`."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(key)): self.data(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(item) for item in value]
        return value


REDACTOR = Redactor()


def redact(value: str) -> str:
    return REDACTOR.text(value)


def redact_data(value: Any) -> Any:
    return REDACTOR.data(value)


def register_secret(value: str | None) -> None:
    REDACTOR.register(value)
