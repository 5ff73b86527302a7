"""The `#:schema ./schema.json` line works in taplo, the TOML language server behind most editors."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from onboard import proc
from onboard.spec.draft import write_draft
from tests.spec.conftest import CHAINLIST_DIR, SPEC_FILES, SPECS_DIR

# The taplo wheel from PyPI installs the binary next to the interpreter of the virtual environment.
TAPLO = shutil.which("taplo", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
pytestmark = pytest.mark.skipif(TAPLO is None, reason="taplo is not installed (pip install taplo)")


def _taplo_check(folder: Path, *names: str) -> proc.Result:
    return proc.run([str(TAPLO), "check", *names], cwd=folder, check=False, timeout=60)


def test_taplo_accepts_committed_specs() -> None:
    result = _taplo_check(SPECS_DIR, *(path.name for path in SPEC_FILES))

    assert result.returncode == 0, result.stderr


def test_taplo_flags_draft_placeholders(tmp_path: Path) -> None:
    shutil.copy(SPECS_DIR / "schema.json", tmp_path / "schema.json")
    write_draft("ink", CHAINLIST_DIR / "eip155-57073.json", tmp_path)

    result = _taplo_check(tmp_path, "ink.toml")

    assert result.returncode != 0
    assert "FILL-ME: a positive decimal string such as 0.025" in result.stderr
