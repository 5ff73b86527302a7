"""Adding a network to SPHINX_NETWORKS: duplicate checks, insertion before `]`, and the re-parse check."""

from __future__ import annotations

from dataclasses import dataclass

from onboard.errors import OnboardError
from onboard.monorepo import tsparse
from onboard.monorepo.entry import differences, expected_values
from onboard.monorepo.networks_file import LIVE_ARRAY, Entry, NetworksFile
from onboard.monorepo.render import render_entry
from onboard.monorepo.style import detect_style
from onboard.spec import NetworkSpec

# The generated Solidity `enum Network` is a uint8 that lists anvil before the live networks. Solidity allows
# 256 members, and onboard stops at 255 so that the largest value stays unused.
# NOTE: whether upstream's constants script needs that free value was not checked. 255 is the safe side.
MAX_LIVE_NETWORKS = 254


@dataclass(frozen=True)
class Insertion:
    """The result of adding an entry: the new file, or None when the same entry is already there."""

    source: bytes | None
    existing: str | None = None
    # First and last line (1-based) of the new entry in `source`.
    entry_lines: tuple[int, int] = (0, 0)


def find_conflicts(networks_file: NetworksFile, spec: NetworkSpec) -> Entry | None:
    """Return the live entry equal to the spec (a re-run), or raise naming the entry that conflicts."""
    expected = expected_values(spec)
    for entry in networks_file.known_entries():
        same_name = entry.name == spec.name
        clashes = [
            label
            for label, clash in (
                ("name", same_name),
                ("chain id", entry.chain_id == spec.chain_id),
                ("RPC URL id", entry.rpc_url_id is not None and entry.rpc_url_id == spec.rpc_url_id),
            )
            if clash
        ]
        if not clashes:
            continue
        if entry.array == LIVE_ARRAY and same_name and entry.chain_id == spec.chain_id:
            mismatches = differences(entry.values, expected)
            if not mismatches:
                return entry
            raise OnboardError(
                f"{networks_file.path}: {entry.describe()} already exists with other values",
                cause="; ".join(mismatches),
                fix="edit that entry by hand, or correct the spec so it matches the entry",
            )
        raise OnboardError(
            f"{networks_file.path}: the spec's {' and '.join(clashes)} already "
            f"{'belongs' if len(clashes) == 1 else 'belong'} to {entry.describe()}",
            cause=f"network '{spec.name}' (chain id {spec.chain_id}, {spec.rpc_url_id}) would duplicate it",
            fix="check the spec's name, chain_id and rpc_url_id; each must be new to the monorepo",
        )
    return None


def add_entry(networks_file: NetworksFile, spec: NetworkSpec) -> Insertion:
    """Return networks.ts with the spec's entry appended to SPHINX_NETWORKS and every other byte kept."""
    existing = find_conflicts(networks_file, spec)
    if existing is not None:
        return Insertion(None, existing=existing.describe())

    live = networks_file.entries(LIVE_ARRAY)
    if len(live) + 1 > MAX_LIVE_NETWORKS:
        raise OnboardError(
            f"{networks_file.path}: {LIVE_ARRAY} already has {len(live)} networks",
            cause=f"the generated Solidity enum allows at most {MAX_LIVE_NETWORKS} live networks besides anvil",
            fix="move retired networks to DEPRECATED_SPHINX_NETWORKS first",
        )

    style = detect_style(networks_file)
    text = render_entry(expected_values(spec), style) + ("," if style.array_trailing_comma else "")
    source = _insert(networks_file, text.encode("utf-8"), style.eol.encode())
    added = _check_result(source, networks_file, spec, expected_count=len(live) + 1)
    return Insertion(source, entry_lines=(added.node.start_point.row + 1, added.node.end_point.row + 1))


def _insert(networks_file: NetworksFile, entry: bytes, eol: bytes) -> bytes:
    source = networks_file.source
    array = networks_file.live_array
    assert array is not None
    close = array.children[-1]
    edits: list[tuple[int, bytes]] = []

    items = tsparse.elements(array)
    if items:
        after_last = [child for child in array.children if child.start_byte >= items[-1].end_byte]
        if not any(child.type == "," for child in after_last):
            edits.append((items[-1].end_byte, b","))

    line_start = source.rfind(b"\n", 0, close.start_byte) + 1
    if not source[line_start : close.start_byte].strip():
        edits.append((line_start, entry + eol))
    else:
        edits.append((close.start_byte, eol + entry + eol))

    # Apply from the end so that earlier offsets stay valid. At equal offsets the comma must end up first.
    for _, offset, text in sorted(((order, offset, text) for order, (offset, text) in enumerate(edits)),
                                  key=lambda edit: (edit[1], edit[0]), reverse=True):  # fmt: skip
        source = source[:offset] + text + source[offset:]
    return source


def _check_result(source: bytes, before: NetworksFile, spec: NetworkSpec, *, expected_count: int) -> Entry:
    """Re-parse the edited file and read the new entry back, raising when either differs from the spec."""
    problems = tsparse.syntax_problems(tsparse.parse(source))
    after = NetworksFile(source, path=before.path) if not problems else None
    entries = after.entries(LIVE_ARRAY) if after else []
    mismatches = differences(entries[-1].values, expected_values(spec)) if entries else ["entry not found"]
    if problems or len(entries) != expected_count or mismatches:
        raise OnboardError(
            f"adding '{spec.name}' to {before.path} would produce an invalid file",
            cause="; ".join(problems or mismatches) or f"{LIVE_ARRAY} would have {len(entries)} entries",
            fix="report this with the file attached; the file was not changed",
        )
    return entries[-1]
