"""tsc and prettier on the edited networks.ts, when the monorepo has them installed."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path

from onboard import proc
from onboard.errors import OnboardError

_TSC_ERROR = re.compile(r"^(?P<file>[^(\n]+)\((?P<line>\d+),(?P<column>\d+)\): error (?P<text>.*)$", re.MULTILINE)
TOOL_TIMEOUT_SECONDS = 300
DIFF_LINES_SHOWN = 40


def find_tool(monorepo: Path, start: Path, name: str) -> Path | None:
    """Return `node_modules/.bin/<name>` in `start` or a folder above it, up to the monorepo root."""
    folder = start
    while True:
        candidate = folder / "node_modules" / ".bin" / name
        if candidate.exists():
            return candidate
        if folder == monorepo or folder == folder.parent:
            return None
        folder = folder.parent


def package_dir(monorepo: Path, file: Path) -> Path:
    folder = file.parent
    while folder != monorepo and not (folder / "package.json").exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def check_typescript(monorepo: Path, file: Path, *, entry_lines: tuple[int, int], env: Mapping[str, str]) -> str:
    """Type-check `file` alone and raise when tsc reports an error inside the new entry's lines."""
    package = package_dir(monorepo, file)
    tsc = find_tool(monorepo, package, "tsc")
    if tsc is None:
        return "tsc is not installed in the monorepo; type check skipped"
    args = [str(tsc), "--noEmit", "--pretty", "false", "--skipLibCheck", "--strict", "--target", "es2020",
            "--module", "commonjs", "--moduleResolution", "node", str(file.relative_to(package))]  # fmt: skip
    result = proc.run(args, cwd=package, env=env, inherit_env=False, timeout=TOOL_TIMEOUT_SECONDS, check=False)
    if result.ok:
        return f"tsc accepts {file.relative_to(monorepo)}"
    errors = [match for match in _TSC_ERROR.finditer(result.stdout) if Path(match["file"]).name == file.name]
    first, last = entry_lines
    inside = [match.group(0) for match in errors if first <= int(match["line"]) <= last]
    if inside or not errors:
        raise OnboardError(
            f"tsc rejects the new entry in {file.relative_to(monorepo)}",
            cause="\n".join(inside) or result.stdout.strip() or result.stderr.strip(),
            fix="correct the spec value the error names; the file was restored",
        )
    return f"tsc reports {len(errors)} errors outside the new entry, left as they are (first: {errors[0].group(0)})"


def check_prettier(monorepo: Path, file: Path, *, before: bytes, after: bytes, env: Mapping[str, str]) -> str:
    """Raise when prettier would reformat the edited file although it left the original as it was."""
    prettier = find_tool(monorepo, package_dir(monorepo, file), "prettier")
    if prettier is None:
        return "prettier is not installed in the monorepo; format check skipped"
    if _format(prettier, monorepo, file, before, env) != before.decode("utf-8"):
        return f"prettier would reformat {file.relative_to(monorepo)} before the change already; check skipped"
    formatted = _format(prettier, monorepo, file, after, env)
    text = after.decode("utf-8")
    if formatted != text:
        diff = difflib.unified_diff(text.splitlines(), formatted.splitlines(), "onboard", "prettier", lineterm="")
        raise OnboardError(
            f"prettier would reformat the new entry in {file.relative_to(monorepo)}",
            cause="\n".join(list(diff)[:DIFF_LINES_SHOWN]),
            fix="report the diff above; the file was restored",
        )
    return f"prettier accepts {file.relative_to(monorepo)}"


def _format(prettier: Path, monorepo: Path, file: Path, content: bytes, env: Mapping[str, str]) -> str:
    result = proc.run(
        [str(prettier), "--stdin-filepath", str(file)],
        cwd=monorepo,
        env=env,
        inherit_env=False,
        input=content.decode("utf-8"),
        timeout=TOOL_TIMEOUT_SECONDS,
    )
    return result.stdout
