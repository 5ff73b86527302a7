"""The README's "Networks Supported" section: one bullet list for mainnets and one for testnets."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)([-*+])(\s+)(.*?)\s*$")
_SECTION_TITLE = re.compile(r"networks supported|supported networks", re.IGNORECASE)


@dataclass(frozen=True)
class _List:
    label: str
    lines: list[int]  # indexes of the bullet lines


@dataclass(frozen=True)
class ReadmeEdit:
    """The new README text, or None with the reason when nothing is to change."""

    text: str | None
    note: str


def add_network(text: str, *, display_name: str, network_type: str) -> ReadmeEdit:
    """Append `display_name` to the mainnet or testnet list of the "Networks Supported" section."""
    eol = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(eol)
    lists = _section_lists(lines)
    if lists is None:
        return ReadmeEdit(None, "README has no 'Networks Supported' section; not changed")
    target = _pick(lists, testnet=network_type == "Testnet")
    if target is None:
        return ReadmeEdit(None, "the README's 'Networks Supported' section has no bullet list; not changed")

    items = [_BULLET.match(lines[index]) for index in target.lines]
    if any(match and match.group(4) == display_name for match in items):
        return ReadmeEdit(None, f"README already lists '{display_name}'")
    last = items[-1]
    assert last is not None
    bullet = f"{last.group(1)}{last.group(2)}{last.group(3)}{display_name}"
    lines.insert(target.lines[-1] + 1, bullet)
    kind = "test networks" if network_type == "Testnet" else "mainnets"
    return ReadmeEdit(eol.join(lines), f"README: '{display_name}' added to the {kind} list")


def _section_lists(lines: list[str]) -> list[_List] | None:
    """Return the bullet lists of the section with their preceding label text, or None without a section."""
    start = level = None
    for index, line in enumerate(lines):
        heading = _HEADING.match(line)
        if heading and _SECTION_TITLE.search(heading.group(2)):
            start, level = index + 1, len(heading.group(1))
            break
    if start is None or level is None:
        return None

    lists: list[_List] = []
    label = ""  # the last non-blank line before a list, such as "Test networks:"
    current: list[int] = []
    for index in range(start, len(lines)):
        line = lines[index]
        heading = _HEADING.match(line)
        if heading and len(heading.group(1)) <= level:
            break
        if _BULLET.match(line):
            current.append(index)
            continue
        if current:
            lists.append(_List(label, current))
            current, label = [], ""
        if line.strip():
            label = line.strip()
    if current:
        lists.append(_List(label, current))
    return lists


def _pick(lists: list[_List], *, testnet: bool) -> _List | None:
    """Choose the list by its label (a line such as "Test networks:"), else the first for mainnets and the
    second for testnets."""
    if not lists:
        return None
    labelled_test = [item for item in lists if re.search(r"\btest\s?net", item.label, re.IGNORECASE)]
    labelled_main = [item for item in lists if re.search(r"\bmain\s?net|\bproduction", item.label, re.IGNORECASE)]
    if testnet:
        if labelled_test:
            return labelled_test[-1]
        return lists[1] if len(lists) > 1 else lists[0]
    if labelled_main:
        return labelled_main[0]
    unlabelled = [item for item in lists if item not in labelled_test]
    return unlabelled[0] if unlabelled else lists[0]
