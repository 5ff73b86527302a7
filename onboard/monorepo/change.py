"""Every file the networks stage changes in the monorepo, computed without writing anything."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from onboard.monorepo import foundry, readme
from onboard.monorepo.foundry import FoundryEdit
from onboard.monorepo.readme import ReadmeEdit
from onboard.monorepo.changeset import changeset_path, package_names, render_changeset
from onboard.monorepo.insert import add_entry
from onboard.monorepo.networks_file import NETWORKS_TS, read_networks_file
from onboard.spec import NetworkSpec

README = Path("README.md")
FOUNDRY_TOML = Path("packages/plugins/foundry.toml")


@dataclass(frozen=True)
class FileChange:
    """One file's new content, and its old content unless the file is new."""

    path: Path
    before: bytes | None
    after: bytes


@dataclass(frozen=True)
class MonorepoChange:
    """The changes for one network, and notes on what was found already in place."""

    changes: tuple[FileChange, ...]
    notes: tuple[str, ...]
    existing_entry: str | None
    entry_lines: tuple[int, int]

    @property
    def touches_networks(self) -> bool:
        return any(change.path == NETWORKS_TS for change in self.changes)

    def diff(self) -> str:
        return "".join(_diff(change) for change in self.changes)


def compute_change(monorepo: Path, spec: NetworkSpec, *, bump: str) -> MonorepoChange:
    """Return the edits that add `spec` to the monorepo's work tree, raising on duplicates or invalid files."""
    changes: list[FileChange] = []
    notes: list[str] = []

    networks_file = read_networks_file(monorepo)
    insertion = add_entry(networks_file, spec)
    if insertion.source is None:
        notes.append(f"{NETWORKS_TS}: the same entry is already there ({insertion.existing})")
    else:
        changes.append(FileChange(NETWORKS_TS, networks_file.source, insertion.source))
        notes.append(f"{NETWORKS_TS}: entry '{spec.name}' added at lines {insertion.entry_lines[0]}-"
                     f"{insertion.entry_lines[1]}")  # fmt: skip

    readme_change = _text_change(monorepo / README, README, notes, lambda text: readme.add_network(
        text, display_name=spec.display_name, network_type=spec.network_type))  # fmt: skip
    foundry_change = _text_change(monorepo / FOUNDRY_TOML, FOUNDRY_TOML, notes, lambda text: foundry.add_rpc_endpoint(
        text, name=spec.name, rpc_url_id=spec.rpc_url_id, path=str(FOUNDRY_TOML)))  # fmt: skip
    changes.extend(change for change in (readme_change, foundry_change) if change is not None)

    if insertion.source is not None:
        path = changeset_path(spec.name)
        text = render_changeset(spec, packages=package_names(monorepo), bump=bump).encode("utf-8")
        before = (monorepo / path).read_bytes() if (monorepo / path).exists() else None
        if before != text:
            changes.append(FileChange(path, before, text))
            notes.append(f"{path}: {bump} bump of contracts, core and plugins")
    return MonorepoChange(tuple(changes), tuple(notes), insertion.existing, insertion.entry_lines)


def _text_change(
    absolute: Path, relative: Path, notes: list[str], edit: Callable[[str], ReadmeEdit | FoundryEdit]
) -> FileChange | None:
    if not absolute.exists():
        notes.append(f"{relative} not found; not changed")
        return None
    before = absolute.read_bytes()
    result = edit(before.decode("utf-8"))
    notes.append(result.note)
    if result.text is None:
        return None
    return FileChange(relative, before, result.text.encode("utf-8"))


def _diff(change: FileChange) -> str:
    old = change.before.decode("utf-8").splitlines(keepends=True) if change.before is not None else []
    new = change.after.decode("utf-8").splitlines(keepends=True)
    source = f"a/{change.path.as_posix()}" if change.before is not None else "/dev/null"
    lines = list(difflib.unified_diff(old, new, source, f"b/{change.path.as_posix()}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
