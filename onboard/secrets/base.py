"""The interface every secrets backend implements, and the fingerprints that stand in for secret values.

A backend never hands a secret value back to its caller: `read` returns whether each secret exists and the
fingerprint of its current value, so plans, journals and reports can compare values without holding them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets as random_bytes
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from onboard.errors import OnboardError
from onboard.fsutil import atomic_write

# 12 hex digits (48 bits) of HMAC-SHA256: enough to tell two values apart, useless for guessing a value
# without the per-install key.
FINGERPRINT_LENGTH = 12
FINGERPRINT_KEY_FILE = "secrets-fingerprint.key"
FINGERPRINT_KEY_BYTES = 32
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True, order=True)
class SecretRef:
    """One secret: its folder (`/RPC`, `/BlockExplorers`) and its name inside that folder."""

    folder: str
    name: str

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.name}"


@dataclass(frozen=True)
class Observed:
    """The state a backend reports for one secret. `fingerprint` is None when the backend cannot reveal
    values. `marker` is the backend's own change marker (GitHub's `updated_at`), None where it has none."""

    exists: bool
    fingerprint: str | None = None
    marker: str | None = None


MISSING = Observed(exists=False)


class ApprovalRequired(OnboardError):
    """The backend queued the change for a human approval instead of applying it."""

    def __init__(self, message: str, *, request_id: str, fix: str) -> None:
        super().__init__(message, fix=fix)
        self.request_id = request_id


class Fingerprinter:
    """Keyed fingerprints of secret values: HMAC-SHA256 with a random per-install key, first 12 hex digits."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the fingerprint key must be at least 16 bytes")
        self._key = key

    def __call__(self, value: str) -> str:
        digest = hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()
        return digest[:FINGERPRINT_LENGTH]

    def __repr__(self) -> str:
        return "Fingerprinter(<key hidden>)"

    @classmethod
    def for_install(cls, state_dir: Path) -> Fingerprinter:
        """Load the install's key from the state directory, creating it (mode 0600) on first use."""
        path = state_dir / FINGERPRINT_KEY_FILE
        if not path.exists():
            atomic_write(path, random_bytes.token_bytes(FINGERPRINT_KEY_BYTES), mode=0o600)
        try:
            key = path.read_bytes()
        except OSError as err:
            raise OnboardError(
                f"cannot read the fingerprint key {path}",
                cause=str(err),
                fix=f"make {path} readable by this user, or move it aside so a new key is created",
            ) from err
        if len(key) != FINGERPRINT_KEY_BYTES:
            raise OnboardError(
                f"fingerprint key {path} has {len(key)} bytes, expected {FINGERPRINT_KEY_BYTES}",
                fix=f"move {path} aside; onboard creates a new key and re-checks every secret",
            )
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o600)
        return cls(key)


class SecretBackend(ABC):
    """Storage for the secrets: Infisical, a dotenv file or GitHub Actions secrets."""

    name: ClassVar[str]
    # False for flat stores (dotenv, GitHub): folders are not stored, so names must be unique across folders.
    has_folders: ClassVar[bool] = True

    @abstractmethod
    def describe(self) -> str:
        """Return where the secrets are stored, for plans and messages (never a credential)."""

    def location(self, ref: SecretRef) -> str:
        """Return how the backend names one secret."""
        return ref.path if self.has_folders else ref.name

    def check_names(self, refs: Sequence[SecretRef]) -> list[str]:
        """Return one problem per name the backend cannot store; empty when all are valid."""
        problems = []
        for ref in refs:
            if not ENV_NAME.fullmatch(ref.name):
                problems.append(f"{ref.path} is not a valid name, which must match {ENV_NAME.pattern}")
        if not self.has_folders:
            problems.extend(_flat_collisions(refs))
        return problems

    def missing_folders(self, folders: Sequence[str]) -> list[str]:
        """Return the folders that do not exist yet. Flat backends have none to create."""
        return []

    def create_folder(self, folder: str) -> None:
        """Create one folder. Flat backends store no folders, so there is nothing to do."""

    @abstractmethod
    def read(self, refs: Sequence[SecretRef]) -> dict[SecretRef, Observed]:
        """Return the state of every secret in `refs`."""

    @abstractmethod
    def upsert(self, folder: str, values: Mapping[str, str]) -> dict[SecretRef, Observed]:
        """Create or update the secrets `values` (name -> value) of one folder; return their new state."""

    def close(self) -> None:
        """Release connections. The default has nothing to release."""


def _flat_collisions(refs: Sequence[SecretRef]) -> list[str]:
    seen: dict[str, SecretRef] = {}
    problems = []
    for ref in refs:
        key = ref.name.upper()
        if key in seen and seen[key].folder != ref.folder:
            problems.append(
                f"{seen[key].path} and {ref.path} would be the same name {ref.name} in a backend without folders"
            )
        seen.setdefault(key, ref)
    return problems
