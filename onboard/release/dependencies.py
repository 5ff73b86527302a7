"""Dependency ranges in the platform's package.json files, and what its yarn 1 lockfile resolves.

Ranges are rewritten in the file's text, so indentation, key order and every other byte stay as they were.
The result is parsed again to check that only the intended values changed.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from onboard.errors import OnboardError

DEPENDENCY_FIELDS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
# `^1.2.3`, `~1.2.3` or an exact `1.2.3`, with an optional prerelease or build suffix.
_SIMPLE_RANGE = re.compile(r"^(?P<style>[\^~]?)\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$")
_LOCKFILE_NAMES = ("yarn.lock", "package-lock.json", "npm-shrinkwrap.json")


@dataclass(frozen=True)
class RangeChange:
    """One dependency range in one manifest moving to a released version."""

    manifest: Path
    field: str
    package: str
    old: str
    new: str


def moved_range(current: str, version: str, *, where: str) -> str:
    """Return `version` written in the style of `current`: `^`, `~` or exact."""
    match = _SIMPLE_RANGE.match(current.strip())
    if match is None:
        raise OnboardError(
            f"unsupported version range {current!r} in {where}",
            cause="only ^x.y.z, ~x.y.z and exact x.y.z ranges can be moved while keeping their style",
            fix=f"change it to ^{version} by hand, or to a simple range, then run again",
        )
    return f"{match['style']}{version}"


_SKIPPED_FOLDERS = {"node_modules", ".git"}


def manifests(repo: Path) -> list[Path]:
    """Return every package.json in the repository, without descending into node_modules or .git."""
    found = []
    for folder, subfolders, files in os.walk(repo):
        subfolders[:] = [name for name in subfolders if name not in _SKIPPED_FOLDERS]
        if "package.json" in files:
            found.append(Path(folder) / "package.json")
    return sorted(found)


def range_changes(repo: Path, versions: Mapping[str, str]) -> list[RangeChange]:
    """Return the ranges that must move so every manifest names the released `versions`."""
    changes = []
    for manifest in manifests(repo):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        for field in DEPENDENCY_FIELDS:
            for package, current in (data.get(field) or {}).items():
                if package not in versions:
                    continue
                where = f"{manifest.relative_to(repo)} {field}.{package}"
                new = moved_range(current, versions[package], where=where)
                if new != current:
                    changes.append(RangeChange(manifest, field, package, current, new))
    return changes


def _rewrite(text: str, change: RangeChange) -> str:
    """Replace the range of `change.package` inside the `change.field` object of a manifest's text."""
    field_start = re.search(rf'"{re.escape(change.field)}"\s*:\s*\{{', text)
    if field_start is None:
        raise OnboardError(f'{change.manifest} has no "{change.field}" object', fix="check the file's JSON")
    entry = re.compile(rf'("{re.escape(change.package)}"\s*:\s*"){re.escape(change.old)}"')
    match = entry.search(text, field_start.end())
    if match is None:
        raise OnboardError(f"{change.package} {change.old!r} not found in {change.manifest}", fix="check the file")
    return text[: match.start()] + match.group(1) + change.new + '"' + text[match.end() :]


def rewritten_manifest(manifest: Path, changes: list[RangeChange]) -> str:
    """Return the text of `manifest` with `changes` applied, checked by parsing it again."""
    text = manifest.read_text(encoding="utf-8")
    for change in changes:
        text = _rewrite(text, change)

    expected = json.loads(manifest.read_text(encoding="utf-8"))
    for change in changes:
        expected[change.field][change.package] = change.new
    if json.loads(text) != expected:
        raise OnboardError(f"rewriting ranges in {manifest} changed more than the ranges", fix="edit it by hand")
    return text


def locked_versions(lockfile_text: str, packages: set[str]) -> dict[str, set[str]]:
    """Return the versions a yarn 1 lockfile resolves for each of `packages`."""
    found: dict[str, set[str]] = {name: set() for name in packages}
    names: list[str] = []
    for line in lockfile_text.splitlines():
        if line and not line.startswith((" ", "#")) and line.endswith(":"):
            specifiers = [item.strip().strip('"') for item in line[:-1].split(",")]
            names = [specifier.rpartition("@")[0] for specifier in specifiers]
        elif line.startswith("  version "):
            version = line.split(None, 1)[1].strip().strip('"')
            for name in names:
                if name in found:
                    found[name].add(version)
            names = []
    return found


def stale_lockfiles(repo: Path, versions: Mapping[str, str]) -> list[str]:
    """Return the per-package lockfiles below the root that still lock another version of `versions`."""
    stale = []
    for manifest in manifests(repo):
        folder = manifest.parent
        if folder == repo:
            continue
        for name in _LOCKFILE_NAMES:
            lockfile = folder / name
            if lockfile.exists() and _locks_other_version(lockfile, versions):
                stale.append(lockfile.relative_to(repo).as_posix())
    return stale


def _locks_other_version(lockfile: Path, versions: Mapping[str, str]) -> bool:
    text = lockfile.read_text(encoding="utf-8")
    if lockfile.name == "yarn.lock":
        locked = locked_versions(text, set(versions))
    else:
        packages = json.loads(text).get("packages", {})
        locked = {
            name: {entry.get("version") for key, entry in packages.items() if key.endswith(f"node_modules/{name}")}
            for name in versions
        }
    return any(found and found != {versions[name]} for name, found in locked.items())
