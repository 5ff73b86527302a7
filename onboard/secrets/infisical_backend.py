"""The Infisical secrets backend: folders `/RPC` and `/BlockExplorers` in one project environment."""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Mapping, Sequence

from onboard.secrets.base import MISSING, Fingerprinter, Observed, SecretBackend, SecretRef
from onboard.secrets.http import RequestTimedOut
from onboard.secrets.infisical import InfisicalClient, api_root, trim_like_infisical

log = logging.getLogger("onboard.secrets")


class InfisicalBackend(SecretBackend):
    name = "infisical"
    has_folders = True

    def __init__(self, client: InfisicalClient, *, fingerprint: Fingerprinter) -> None:
        self.client = client
        self.fingerprint = fingerprint

    def describe(self) -> str:
        settings = self.client.settings
        return f"Infisical {api_root(settings.url)}, project {settings.project_id}, environment {settings.environment}"

    def location(self, ref: SecretRef) -> str:
        return f"{ref.path} (environment {self.client.settings.environment})"

    def missing_folders(self, folders: Sequence[str]) -> list[str]:
        missing = []
        for parent, group in _by_parent(folders).items():
            existing = self.client.folder_names(parent)
            missing.extend(folder for folder in group if posixpath.basename(folder) not in existing)
        return missing

    def create_folder(self, folder: str) -> None:
        self.client.create_folder(posixpath.basename(folder), posixpath.dirname(folder))

    def read(self, refs: Sequence[SecretRef]) -> dict[SecretRef, Observed]:
        absent = set(self.missing_folders(sorted({ref.folder for ref in refs})))
        observed = {}
        for ref in refs:
            value = None if ref.folder in absent else self.client.get_secret(ref.folder, ref.name)
            observed[ref] = MISSING if value is None else Observed(True, self.fingerprint(value))
        return observed

    def upsert(self, folder: str, values: Mapping[str, str]) -> dict[SecretRef, Observed]:
        stored = {name: trim_like_infisical(value) for name, value in values.items()}
        try:
            self.client.upsert_secrets(folder, stored)
        except RequestTimedOut as err:
            if not err.write:
                raise
            # The write may have landed: read first, then write only what still differs, once.
            log.warning("Infisical write to %s timed out; reading back before writing again", folder)
            remaining = self._still_different(folder, stored)
            if remaining:
                self.client.upsert_secrets(folder, remaining)
        return {SecretRef(folder, name): Observed(True, self.fingerprint(value)) for name, value in stored.items()}

    def _still_different(self, folder: str, values: Mapping[str, str]) -> dict[str, str]:
        current = self.read([SecretRef(folder, name) for name in values])
        return {
            name: value
            for name, value in values.items()
            if current[SecretRef(folder, name)].fingerprint != self.fingerprint(value)
        }

    def close(self) -> None:
        self.client.close()


def _by_parent(folders: Sequence[str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for folder in folders:
        groups.setdefault(posixpath.dirname(folder) or "/", []).append(folder)
    return groups
