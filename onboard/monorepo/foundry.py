"""`packages/plugins/foundry.toml`: the `[rpc_endpoints]` line that lets forge scripts use the network by name."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

from onboard.errors import OnboardError

_TABLE = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
_KEY_VALUE = re.compile(r"^\s*[A-Za-z0-9_\-\"']+\s*=")


@dataclass(frozen=True)
class FoundryEdit:
    text: str | None
    note: str


def add_rpc_endpoint(text: str, *, name: str, rpc_url_id: str, path: str) -> FoundryEdit:
    """Add `<name> = "${<rpc_url_id>}"` to `[rpc_endpoints]`, creating the table at the end when missing."""
    value = "${" + rpc_url_id + "}"
    endpoints = _parse(text, path).get("rpc_endpoints", {})
    if name in endpoints:
        if endpoints[name] == value:
            return FoundryEdit(None, f"{path} already has the rpc endpoint {name}")
        raise OnboardError(
            f"{path}: [rpc_endpoints] {name} is already set to {endpoints[name]!r}",
            cause=f"onboard would set it to {value!r}",
            fix=f"correct or remove that line of {path}, or the spec's rpc_url_id",
        )

    eol = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(eol)
    line = f'{name} = "{value}"'
    tables = [(index, _TABLE.match(item)) for index, item in enumerate(lines)]
    start = next((index for index, match in tables if match and match.group(1) == "rpc_endpoints"), None)
    if start is None:
        trailing = "" if not text or text.endswith(eol) else eol
        updated = f"{text}{trailing}{eol if text.strip() else ''}[rpc_endpoints]{eol}{line}{eol}"
    else:
        last = start
        for index in range(start + 1, len(lines)):
            if _TABLE.match(lines[index]):
                break
            if _KEY_VALUE.match(lines[index]):
                last = index
        lines.insert(last + 1, line)
        updated = eol.join(lines)

    if _parse(updated, path).get("rpc_endpoints", {}).get(name) != value:
        raise OnboardError(f"adding {name} to {path} did not produce the expected TOML", fix="edit the file by hand")
    return FoundryEdit(updated, f"{path}: rpc endpoint {name} added")


def _parse(text: str, path: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise OnboardError(f"{path} is not valid TOML", cause=str(err), fix=f"fix the syntax of {path}") from err
