"""Layout habits of the existing entries of networks.ts, so that a new entry reads like its neighbours."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import TypeVar

from tree_sitter import Node

from onboard.monorepo.networks_file import DEPRECATED_ARRAY, LIVE_ARRAY, LOCAL_ARRAY, NetworksFile

# prettier's default indentation, used when the file has no entry to copy it from.
DEFAULT_INDENT = "  "
_Vote = TypeVar("_Vote")


@dataclass(frozen=True)
class Style:
    """Layout habits read from the file. Key orders are lists of samples, in file order."""

    eol: str = "\n"
    element_indent: str = DEFAULT_INDENT
    indent_unit: str = DEFAULT_INDENT
    quote: str = "'"
    object_trailing_comma: bool = True
    array_trailing_comma: bool = True
    numeric_separators: bool = False
    entry_orders: tuple[tuple[str, ...], ...] = ()
    explorer_kind_orders: tuple[tuple[str, ...], ...] = ()
    etherscan_orders: tuple[tuple[str, ...], ...] = ()
    blockscout_orders: tuple[tuple[str, ...], ...] = ()
    rollup_orders: tuple[tuple[str, ...], ...] = ()


def detect_style(networks_file: NetworksFile) -> Style:
    source = networks_file.source
    live = networks_file.entries(LIVE_ARRAY)
    samples = live or networks_file.entries(DEPRECATED_ARRAY) or networks_file.entries(LOCAL_ARRAY)
    objects = [node for entry in samples for node in _objects(entry.node)]
    strings = [node for entry in samples for node in _descendants(entry.node, "string")]
    explorers = [entry.values.get("blockexplorers") for entry in live]
    explorers = [value for value in explorers if isinstance(value, dict)]
    style = Style(
        eol="\r\n" if source.count(b"\r\n") * 2 > source.count(b"\n") else "\n",
        quote=_majority([node.text[:1].decode() for node in strings if node.text], default="'"),
        object_trailing_comma=_majority([_has_trailing_comma(node) for node in objects if _multiline(node)], True),
        numeric_separators=any(b"_" in _field_text(entry.node, "hardcodedMerkleLeafGas") for entry in live),
        entry_orders=tuple(entry.keys for entry in live),
        explorer_kind_orders=tuple(tuple(value) for value in explorers if value),
        etherscan_orders=_sub_orders(explorers, "etherscan"),
        blockscout_orders=_sub_orders(explorers, "blockscout"),
        rollup_orders=tuple(
            tuple(entry.values["rollupStack"]) for entry in live if isinstance(entry.values.get("rollupStack"), dict)
        ),
    )
    array = networks_file.live_array
    assert array is not None
    if samples:
        element_indent, indent_unit = _indents(source, samples[-1].node)
        style = replace(style, element_indent=element_indent, indent_unit=indent_unit)
    if live:
        style = replace(style, array_trailing_comma=_has_trailing_comma(array))
    return style


def _field_text(obj: Node, key: str) -> bytes:
    """Return the source of the value of `key` in an object literal, or b"" when the key is absent."""
    for pair in obj.named_children:
        name = pair.child_by_field_name("key") if pair.type == "pair" else None
        value = pair.child_by_field_name("value") if pair.type == "pair" else None
        if name is not None and value is not None and name.text == key.encode():
            return value.text or b""
    return b""


def _descendants(node: Node, kind: str) -> list[Node]:
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        if current.type == kind:
            found.append(current)
        stack.extend(current.children)
    return found


def _objects(node: Node) -> list[Node]:
    return _descendants(node, "object")


def _multiline(node: Node) -> bool:
    return node.start_point.row != node.end_point.row


def _has_trailing_comma(node: Node) -> bool:
    """Return whether the last element or pair of an array or object is followed by a comma."""
    items = [child for child in node.named_children if child.type != "comment"]
    if not items:
        return False
    after = [child for child in node.children if child.start_byte >= items[-1].end_byte]
    return any(child.type == "," for child in after)


def _majority(votes: list[_Vote], default: _Vote) -> _Vote:
    if not votes:
        return default
    return Counter(votes).most_common(1)[0][0]


def _sub_orders(explorers: list[dict], kind: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(value[kind]) for value in explorers if isinstance(value.get(kind), dict))


def _line_prefix(source: bytes, offset: int) -> bytes:
    start = source.rfind(b"\n", 0, offset) + 1
    return source[start:offset]


def _indents(source: bytes, obj: Node) -> tuple[str, str]:
    """Return the indentation before an entry's `{` and the extra indentation of its fields."""
    prefix = _line_prefix(source, obj.start_byte)
    element_indent = prefix.decode() if not prefix.strip() else DEFAULT_INDENT
    pair_nodes = [child for child in obj.named_children if child.type == "pair"]
    if not pair_nodes or not _multiline(obj):
        return element_indent, DEFAULT_INDENT
    pair_prefix = _line_prefix(source, pair_nodes[0].start_byte).decode()
    if pair_prefix.strip() or not pair_prefix.startswith(element_indent) or pair_prefix == element_indent:
        return element_indent, DEFAULT_INDENT
    return element_indent, pair_prefix[len(element_indent) :]


def order_keys(keys: list[str], samples: tuple[tuple[str, ...], ...]) -> list[str]:
    """Order `keys` (given in canonical order) like the sample that shares the most of them.

    Ties go to the later sample, since maintainers copy the last entry. Keys the sample lacks go right after
    the canonical key before them that is already placed, or first when there is none.
    """
    best: tuple[str, ...] = ()
    best_score = -1
    for sample in samples:
        score = len(set(sample) & set(keys))
        if score >= best_score:
            best, best_score = sample, score
    ordered = list(dict.fromkeys(key for key in best if key in keys))
    for index, key in enumerate(keys):
        if key in ordered:
            continue
        before = [placed for placed in keys[:index] if placed in ordered]
        position = ordered.index(before[-1]) + 1 if before else 0
        ordered.insert(position, key)
    return ordered
