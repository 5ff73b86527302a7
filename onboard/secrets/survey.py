"""Compare the values a network needs with what the backend holds: one row per secret, with an action."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from onboard.secrets.base import Observed, SecretBackend
from onboard.secrets.values import EXPLORER_KEY_NOTE, Desired

CREATE, UPDATE, OVERWRITE, UNCHANGED = "create", "update", "overwrite", "unchanged"


@dataclass(frozen=True)
class Row:
    """One secret: the desired value, the state the backend reports and the action apply takes."""

    desired: Desired
    observed: Observed
    action: str

    @property
    def path(self) -> str:
        return self.desired.target.ref.path

    def describe(self, backend: SecretBackend) -> str:
        where = backend.location(self.desired.target.ref)
        expected = self.desired.fingerprint
        origin = self.desired.origin
        if self.action == CREATE:
            return f"{where}: missing; create with fingerprint {expected} (from {origin})"
        if self.action == OVERWRITE:
            return f"{where}: exists, value unknown (not written by onboard); overwrite with {expected} (from {origin})"
        if self.action == UPDATE:
            return f"{where}: exists with fingerprint {self.observed.fingerprint}; update to {expected} (from {origin})"
        return f"{where}: exists with fingerprint {expected}; unchanged"

    def to_json(self) -> dict[str, Any]:
        ref = self.desired.target.ref
        return {
            "path": ref.path,
            "folder": ref.folder,
            "name": ref.name,
            "exists": self.observed.exists,
            "current_fingerprint": self.observed.fingerprint,
            "desired_fingerprint": self.desired.fingerprint,
            "action": self.action,
            "origin": self.desired.origin,
        }


@dataclass(frozen=True)
class Survey:
    """Everything plan shows and apply acts on."""

    backend: SecretBackend
    rows: tuple[Row, ...]
    missing_folders: tuple[str, ...]

    @property
    def changes(self) -> bool:
        return bool(self.missing_folders) or any(row.action != UNCHANGED for row in self.rows)

    def pending_by_folder(self) -> dict[str, list[Row]]:
        """Return the rows apply writes, grouped by folder in the order the spec lists them."""
        groups: dict[str, list[Row]] = {}
        for row in self.rows:
            if row.action != UNCHANGED:
                groups.setdefault(row.desired.target.ref.folder, []).append(row)
        return groups

    def summary(self) -> str:
        where = self.backend.describe()
        if not self.changes:
            return f"all {len(self.rows)} secrets already match in {where}"
        counts = {action: sum(row.action == action for row in self.rows) for action in (CREATE, UPDATE, OVERWRITE)}
        parts = [f"{count} to {action}" for action, count in counts.items() if count]
        parts.append(f"{sum(row.action == UNCHANGED for row in self.rows)} unchanged")
        if self.missing_folders:
            parts.append("create folder " + ", ".join(self.missing_folders))
        return f"{len(self.rows)} secrets in {where}: " + ", ".join(parts)

    def details(self) -> tuple[str, ...]:
        lines = [f"create folder {folder}" for folder in self.missing_folders]
        lines.extend(row.describe(self.backend) for row in self.rows)
        for row in self.rows:
            target = row.desired.target
            if target.explorer is not None:
                lines.append("note: " + EXPLORER_KEY_NOTE.format(name=target.ref.name, kind=target.explorer))
        return tuple(lines)


def decide(desired: Desired, observed: Observed) -> str:
    if not observed.exists:
        return CREATE
    if observed.fingerprint is None:
        return OVERWRITE
    return UNCHANGED if observed.fingerprint == desired.fingerprint else UPDATE


def with_recorded(observed: Observed, recorded: Mapping[str, Any] | None) -> Observed:
    """Fill in the fingerprint a backend cannot reveal from what onboard recorded when it wrote the secret,
    provided the backend's change marker is still the one recorded with that write."""
    if not observed.exists or observed.fingerprint is not None or not recorded:
        return observed
    if recorded.get("marker") is None or recorded.get("marker") != observed.marker:
        return observed
    return Observed(True, recorded.get("fingerprint"), observed.marker)


def build(
    backend: SecretBackend,
    desired: Sequence[Desired],
    observed: Mapping[Any, Observed],
    recorded: Mapping[str, Any],
    missing_folders: Sequence[str],
) -> Survey:
    rows = []
    for item in desired:
        state = with_recorded(observed[item.target.ref], recorded.get(item.target.ref.path))
        rows.append(Row(item, state, decide(item, state)))
    return Survey(backend, tuple(rows), tuple(missing_folders))
