"""Facts about the platform checkout the images are built from: its commit, the Sphinx versions it pins, and a
fingerprint per service that changes only when that service's build inputs change."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from onboard import proc
from onboard.errors import StageError

CONTRACTS_PACKAGE = "@sphinx-labs/contracts"
CORE_PACKAGE = "@sphinx-labs/core"
VERSION_PATTERN = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?$")
STAGE = "containers"


def git_sha(root: Path) -> str:
    return proc.run(["git", "rev-parse", "HEAD"], cwd=root).stdout.strip()


def check_clean(root: Path) -> None:
    """Raise when tracked files differ from HEAD: the images would be tagged with a commit they do not match.

    NOTE: untracked files are not checked, and they enter the build context unless .dockerignore excludes them.
    """
    changed = proc.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root).stdout.splitlines()
    if changed:
        raise StageError(
            STAGE,
            f"the platform checkout {root} has uncommitted changes",
            cause="images are tagged with the commit SHA, so they must be built from that commit: "
            + ", ".join(line[3:] for line in changed[:5]),
            fix=f"commit or stash the changes in {root}, then run again",
        )


def check_contains_commit(root: Path, commit: str | None, branch: str | None) -> None:
    """Raise unless HEAD is `commit` or a descendant of it, such as the bump stage's commit."""
    if not commit:
        return
    result = proc.run(["git", "merge-base", "--is-ancestor", commit, "HEAD"], cwd=root, check=False)
    if result.returncode != 0:
        raise StageError(
            STAGE,
            f"the platform checkout {root} does not contain the bump commit {commit[:12]}",
            cause="the images would be built without the new Sphinx versions",
            fix=f"run `git -C {root} switch {branch or '<bump branch>'}`, then run again",
        )


def _tree_entries(root: Path, folder: str = "") -> list[tuple[str, str]]:
    """Return (name, object id) of every entry of HEAD's tree at `folder`."""
    args = ["git", "ls-tree", "HEAD"] + ([f"{folder}/"] if folder else [])
    entries = []
    for line in proc.run(args, cwd=root).stdout.splitlines():
        meta, path = line.split("\t", 1)
        entries.append((path.rsplit("/", 1)[-1], meta.split()[2]))
    return entries


def service_fingerprints(
    root: Path, services: Iterable[str], settings: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    """Hash, per service, HEAD's tree without the folders of the other services, plus that service's `settings`.

    A commit that only touches `services/relayer` changes the relayer's fingerprint and no other. Anything
    outside the services' folders (lock file, shared packages) changes every fingerprint.
    """
    services = list(services)
    root_entries = _tree_entries(root)
    top = [entry for entry in root_entries if entry[0] != "services"]
    in_services = _tree_entries(root, "services") if any(name == "services" for name, _ in root_entries) else []
    fingerprints = {}
    for service in services:
        others = set(services) - {service}
        entries = top + [("services/" + name, oid) for name, oid in in_services if name not in others]
        payload = json.dumps(
            {"tree": sorted(entries), "service": service, "settings": settings[service]}, sort_keys=True
        )
        fingerprints[service] = hashlib.sha256(payload.encode()).hexdigest()[:16]
    return fingerprints


def _pinned_versions(root: Path, package: str) -> dict[str, str]:
    """Return {package.json path: pinned version} for every package.json of the platform that names `package`."""
    found = {}
    for manifest in [
        root / "package.json",
        *sorted(root.glob("services/*/package.json")),
        root / "website/package.json",
    ]:
        if not manifest.is_file():
            continue
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise StageError(STAGE, f"cannot read {manifest}", cause=str(err), fix="fix the file") from err
        for section in ("dependencies", "devDependencies"):
            spec = (data.get(section) or {}).get(package)
            if spec:
                found[str(manifest.relative_to(root))] = spec.lstrip("^~=v ")
    return found


def _from_release(release: Mapping[str, Any], package: str) -> str | None:
    versions = release.get("versions") or {}
    short = package.split("/")[-1]
    value = versions.get(package) or versions.get(short) or release.get(f"{short}_version")
    return str(value) if value else None


def sphinx_version(root: Path, recorded: Iterable[Mapping[str, Any]], package: str) -> str | None:
    """Return the version of `package` from the first stage outputs in `recorded` (release, bump) that name it,
    else the one the platform pins.

    Raise when the platform's package.json files pin different versions, because the bump is then incomplete.
    """
    for outputs in recorded:
        released = _from_release(outputs, package)
        if released:
            return released
    pinned = _pinned_versions(root, package)
    distinct = sorted(set(pinned.values()))
    if not distinct:
        return None
    if len(distinct) > 1:
        raise StageError(
            STAGE,
            f"the platform pins {package} at different versions: "
            + ", ".join(f"{path} {version}" for path, version in sorted(pinned.items())),
            fix="run the bump stage so that every package.json names the same version",
        )
    if not VERSION_PATTERN.match(distinct[0]):
        raise StageError(STAGE, f"{package} is pinned as {distinct[0]!r}, which is not a version", fix="pin x.y.z")
    return distinct[0]
