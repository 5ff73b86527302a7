"""Reading dotenv files (`KEY=value` lines, `#` comments, optional quotes and `export`)."""

from __future__ import annotations

import re
from pathlib import Path

from onboard.errors import ConfigError

_LINE = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.*?)\s*$")


def parse_value(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        inner = raw[1:-1]
        return inner.replace('\\"', '"').replace("\\\\", "\\") if raw[0] == '"' else inner
    return raw.split(" #", 1)[0].rstrip()


def read_dotenv(path: Path) -> dict[str, str]:
    """Return the variables of a dotenv file, raising ConfigError with the line number on a bad line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"cannot read env file {path}", cause=err.strerror, fix="check env_file in onboard.toml") from err
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ConfigError(
                f"{path}:{number} is not a KEY=value line",
                fix="write one KEY=value per line; start comments with #",
            )
        values[match["key"]] = parse_value(match["value"])
    return values
