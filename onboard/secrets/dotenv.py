"""Dotenv files as docker compose reads them: read values, and update or append keys while every other line,
comment and blank line stays byte for byte. Writes replace the file atomically with mode 0600.

Syntax handled (docker compose's `.env` rules): `KEY=value`, optional `export ` prefix, `#` comment lines,
unquoted values ending at ` #`, single-quoted literal values, double-quoted values with backslash escapes,
and quoted values spanning several lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from onboard.errors import OnboardError
from onboard.fsutil import atomic_write
from onboard.redact import register_secret
from onboard.secrets.base import MISSING, Fingerprinter, Observed, SecretBackend, SecretRef

_ASSIGNMENT = re.compile(r"^(?P<indent>\s*)(?P<export>export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<rest>.*)$", re.S)
# Values made of these characters are written unquoted: compose reads them literally.
_PLAIN = re.compile(r"^[A-Za-z0-9_./:@%+,=~?&-]*$")
_DOUBLE_QUOTED_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "$": "$"}


@dataclass(frozen=True)
class Entry:
    """One logical line of a dotenv file: its raw text (one or more physical lines) and the key it assigns."""

    raw: str
    key: str | None = None
    value: str | None = None
    export: bool = False


def parse(text: str, *, source: str) -> list[Entry]:
    """Split a dotenv text into entries; raise OnboardError naming the line of an unterminated quote."""
    lines = text.splitlines(keepends=True)
    entries: list[Entry] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        match = _ASSIGNMENT.match(line.rstrip("\r\n"))
        if match is None or line.lstrip().startswith("#"):
            entries.append(Entry(line))
            index += 1
            continue
        consumed, value = _value(lines, index, match["rest"], source=source)
        raw = "".join(lines[index : index + consumed])
        entries.append(Entry(raw, match["key"], value, export=bool(match["export"])))
        index += consumed
    return entries


def _value(lines: Sequence[str], index: int, rest: str, *, source: str) -> tuple[int, str]:
    """Return how many physical lines the value takes and the value itself."""
    quote = rest[:1]
    if quote not in ("'", '"'):
        return 1, re.split(r"\s+#", rest, maxsplit=1)[0].strip()
    text = rest[1:]
    consumed = 1
    while True:
        closing = _closing_quote(text, quote)
        if closing is not None:
            inner = text[:closing]
            return consumed, inner if quote == "'" else _unescape(inner)
        if index + consumed >= len(lines):
            raise OnboardError(
                f"{source} line {index + 1}: the quoted value has no closing {quote}",
                fix=f"close the quote on that line of {source}, then run again",
            )
        text += "\n" + lines[index + consumed].rstrip("\r\n")
        consumed += 1


def _closing_quote(text: str, quote: str) -> int | None:
    position = 0
    while position < len(text):
        char = text[position]
        if quote == '"' and char == "\\":
            position += 2
            continue
        if char == quote:
            return position
        position += 1
    return None


def _unescape(inner: str) -> str:
    return re.sub(r"\\(.)", lambda m: _DOUBLE_QUOTED_ESCAPES.get(m[1], "\\" + m[1]), inner, flags=re.S)


def format_value(value: str, *, name: str) -> str:
    """Return `value` written so that docker compose reads it back unchanged."""
    if _PLAIN.fullmatch(value):
        return value
    if "'" not in value and "\n" not in value:
        return f"'{value}'"
    if "$" in value or "\n" in value:
        raise OnboardError(
            f"the value of {name} cannot be written to a .env file without changing its meaning",
            cause="it contains a single quote together with a $ sign or a line break",
            fix=f"use another secrets backend for {name}, or a value without those characters",
        )
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def assigned_values(entries: Sequence[Entry]) -> dict[str, str]:
    """Return key -> value; a key assigned twice keeps its last value, as docker compose does."""
    return {entry.key: entry.value for entry in entries if entry.key is not None and entry.value is not None}


def update(text: str, updates: Mapping[str, str], *, source: str) -> str:
    """Return `text` with every assignment of each key in `updates` replaced, and new keys appended."""
    entries = parse(text, source=source)
    present = {entry.key for entry in entries}
    parts = []
    for entry in entries:
        if entry.key in updates:
            newline = entry.raw[len(entry.raw.rstrip("\r\n")):]
            prefix = "export " if entry.export else ""
            parts.append(f"{prefix}{entry.key}={format_value(updates[entry.key], name=entry.key)}{newline}")
        else:
            parts.append(entry.raw)
    result = "".join(parts)
    appended = [name for name in sorted(updates) if name not in present]
    if appended and result and not result.endswith("\n"):
        result += "\n"
    for name in appended:
        result += f"{name}={format_value(updates[name], name=name)}\n"
    return result


def read_file(path: Path) -> dict[str, str]:
    """Return the values of a dotenv file, every one registered for redaction; {} when the file is absent."""
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise OnboardError(f"cannot read {path}", cause=str(err), fix=f"check {path} and its permissions") from err
    found = assigned_values(parse(text, source=str(path)))
    for value in found.values():
        register_secret(value)
    return found


class DotenvBackend(SecretBackend):
    """Secrets as keys of one `.env` file; folders are not stored, so names are flat."""

    name = "dotenv"
    has_folders = False

    def __init__(self, path: Path, *, fingerprint: Fingerprinter) -> None:
        # Write through a symlink to its target, so the link stays a link.
        self.path = path.resolve()
        self.fingerprint = fingerprint

    def describe(self) -> str:
        return f"dotenv file {self.path}"

    def location(self, ref: SecretRef) -> str:
        return f"{ref.name} in {self.path}"

    def read(self, refs: Sequence[SecretRef]) -> dict[SecretRef, Observed]:
        current = read_file(self.path)
        return {
            ref: Observed(True, self.fingerprint(current[ref.name])) if ref.name in current else MISSING for ref in refs
        }

    def upsert(self, folder: str, values: Mapping[str, str]) -> dict[SecretRef, Observed]:
        text = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
        atomic_write(self.path, update(text, values, source=str(self.path)), mode=0o600)
        return {SecretRef(folder, name): Observed(True, self.fingerprint(value)) for name, value in values.items()}
