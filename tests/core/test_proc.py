import os
import time
from pathlib import Path

import pytest

from onboard import proc
from onboard.errors import CommandError
from onboard.redact import register_secret


def test_run_captures_output() -> None:
    result = proc.run(["sh", "-c", "echo out; echo err >&2; exit 3"], check=False)
    assert result.returncode == 3
    assert result.stdout == "out\n"
    assert result.stderr == "err\n"


def test_failure_shows_command_code_and_stderr() -> None:
    with pytest.raises(CommandError) as raised:
        proc.run(["sh", "-c", "echo broken >&2; exit 4"])
    assert "exit code 4" in raised.value.message
    assert "broken" in (raised.value.cause or "")


def test_missing_executable_named() -> None:
    with pytest.raises(CommandError, match="command not found: no-such-tool-xyz"):
        proc.run(["no-such-tool-xyz"])


def test_secret_in_arguments_refused() -> None:
    register_secret("canary-arg-1234")
    with pytest.raises(CommandError, match="secret in its arguments"):
        proc.run(["echo", "canary-arg-1234"])


def test_secret_passes_through_environment() -> None:
    register_secret("canary-env-1234")
    result = proc.run(["printenv", "TOKEN"], env={"TOKEN": "canary-env-1234"})
    assert result.stdout == "canary-env-1234\n"


def test_timeout_kills_grandchildren(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    script = f"sleep 30 & echo $! > {marker}; wait"
    with pytest.raises(CommandError, match="timed out"):
        proc.run(["sh", "-c", script], timeout=1)
    grandchild = int(marker.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    pytest.fail(f"grandchild {grandchild} still runs after the timeout")
