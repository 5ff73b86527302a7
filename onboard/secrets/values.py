"""The secrets a network needs and the sources of their values: the environment, a values file named in
onboard.toml, or (for explorer keys only) an explicit placeholder. Values never come from the command line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from onboard.errors import StageError
from onboard.redact import register_secret
from onboard.secrets import dotenv
from onboard.secrets.base import Fingerprinter, SecretRef
from onboard.spec import NetworkSpec

log = logging.getLogger("onboard.secrets")

RPC_FOLDER = "/RPC"
EXPLORER_FOLDER = "/BlockExplorers"
# Sphinx services read /BlockExplorers/<envKey> for every explorer of a network and throw when it is missing,
# so a key is needed even for explorers that verify contracts without one.
EXPLORER_KEY_NOTE = (
    "Sphinx services read /BlockExplorers/{name} for every listed explorer and fail when it is missing, "
    "so it needs a value even if {kind} requires no API key"
)


@dataclass(frozen=True)
class Target:
    """One secret the network needs and the variable its value is read from."""

    ref: SecretRef
    source: str
    explorer: str | None = None

    @property
    def purpose(self) -> str:
        if self.explorer is None:
            return "the network's RPC URL"
        return f"the {self.explorer} API key"


@dataclass(frozen=True)
class Desired:
    """A target with the value to store. The value is kept out of repr so it cannot reach a log by accident."""

    target: Target
    value: str = field(repr=False)
    origin: str
    fingerprint: str


def targets_for(spec: NetworkSpec) -> list[Target]:
    """Return the RPC URL secret and one key per listed explorer, in that order."""
    targets = [Target(SecretRef(RPC_FOLDER, spec.rpc_url_id), spec.rpc_source)]
    for kind, explorer in spec.block_explorers.listed():
        target = Target(SecretRef(EXPLORER_FOLDER, explorer.env_key), explorer.key_source, kind)
        if all(existing.ref != target.ref for existing in targets):
            targets.append(target)
    return targets


def resolve(
    targets: list[Target],
    *,
    env: Mapping[str, str],
    values_file: Path | None,
    placeholders: Mapping[str, str],
    fingerprint: Fingerprinter,
    stage: str,
) -> list[Desired]:
    """Return the value of every target; raise one StageError listing every value that is missing."""
    from_file = _read_values_file(values_file, stage=stage)
    desired, missing = [], []
    for target in targets:
        found = _lookup(target, env=env, from_file=from_file, values_file=values_file, placeholders=placeholders)
        if found is None:
            missing.append(target)
            continue
        value, origin = found
        register_secret(value)
        desired.append(Desired(target, value, origin, fingerprint(value)))
    if missing:
        raise StageError(
            stage,
            f"{len(missing)} secret value(s) missing: " + ", ".join(target.ref.path for target in missing),
            cause="\n".join(_missing_line(target) for target in missing),
            fix=_missing_fix(missing, values_file),
        )
    return desired


def _lookup(
    target: Target,
    *,
    env: Mapping[str, str],
    from_file: Mapping[str, str],
    values_file: Path | None,
    placeholders: Mapping[str, str],
) -> tuple[str, str] | None:
    if env.get(target.source, "").strip():
        return env[target.source].strip(), f"environment variable {target.source}"
    if from_file.get(target.source, "").strip():
        return from_file[target.source].strip(), f"values file {values_file}"
    if target.explorer is not None and target.ref.name in placeholders:
        return placeholders[target.ref.name], "placeholder in [secrets.placeholders]"
    return None


def _read_values_file(path: Path | None, *, stage: str) -> dict[str, str]:
    if path is None:
        return {}
    if not path.is_file():
        raise StageError(
            stage,
            f"values file {path} does not exist",
            fix="create it (KEY=value lines, mode 0600) or remove values_file from [secrets]",
        )
    if path.stat().st_mode & 0o077:
        log.warning("values file %s is readable by other users; run `chmod 600 %s`", path, path)
    return dotenv.read_file(path)


def _missing_line(target: Target) -> str:
    line = f"{target.ref.path} needs {target.purpose} in {target.source}"
    if target.explorer is not None:
        line += "; " + EXPLORER_KEY_NOTE.format(name=target.ref.name, kind=target.explorer)
    return line


def _missing_fix(missing: list[Target], values_file: Path | None) -> str:
    # No "NAME=value" here: redaction masks whatever follows "..._API_KEY=" in every output.
    names = ", ".join(target.source for target in missing)
    where = f"add them to {values_file}" if values_file else "name a dotenv file holding them in [secrets] values_file"
    fix = f"export {names} (export NAME=VALUE), or {where}. Values are never read from the command line"
    explorers = [target.ref.name for target in missing if target.explorer is not None]
    if explorers:
        fix += (
            f". For an explorer that needs no key, add {explorers[0]} with an explicit placeholder such as "
            '"no-key-required" to the [secrets.placeholders] table'
        )
    return fix
