import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from onboard.errors import LockError, OnboardError
from onboard.journal import DONE, Journal, NetworkLock, fingerprint
from onboard.redact import register_secret
from tests.conftest import REPO_ROOT


def test_journal_round_trip(tmp_path: Path) -> None:
    journal = Journal(tmp_path, "ink")
    journal.update("spec", status=DONE, outputs={"chain_id": 57073})
    again = Journal(tmp_path, "ink")
    assert again.status("spec") == DONE
    assert again.outputs("spec") == {"chain_id": 57073}
    assert again.status("deploy") == "pending"


def test_journal_written_redacted(tmp_path: Path) -> None:
    register_secret("canary-5a7e1d")
    journal = Journal(tmp_path, "ink")
    journal.update("secrets", status=DONE, error="failed with canary-5a7e1d")
    assert "canary-5a7e1d" not in journal.path.read_text()


def test_journal_record_outputs_merges(tmp_path: Path) -> None:
    journal = Journal(tmp_path, "ink")
    journal.record_outputs("deploy", {"a": 1})
    journal.record_outputs("deploy", {"b": 2})
    assert Journal(tmp_path, "ink").outputs("deploy") == {"a": 1, "b": 2}


def test_journal_corrupt_file_names_the_fix(tmp_path: Path) -> None:
    (tmp_path / "ink").mkdir()
    (tmp_path / "ink" / "journal.json").write_text("{not json")
    with pytest.raises(OnboardError) as raised:
        Journal(tmp_path, "ink")
    assert "cannot be read" in raised.value.message
    assert "move it aside" in (raised.value.fix or "")


def test_journal_other_version_rejected(tmp_path: Path) -> None:
    (tmp_path / "ink").mkdir()
    (tmp_path / "ink" / "journal.json").write_text(json.dumps({"version": 99, "stages": {}}))
    with pytest.raises(OnboardError, match="version 99"):
        Journal(tmp_path, "ink")


def test_fingerprint_is_order_independent() -> None:
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


def _hold_lock(folder: str, ready, release) -> None:
    with NetworkLock(Path(folder)):
        ready.set()
        release.wait(10)


def test_lock_held_by_other_process_names_its_pid(tmp_path: Path) -> None:
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(str(tmp_path), ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        with pytest.raises(LockError) as raised:
            with NetworkLock(tmp_path):
                pass
        assert f"PID {holder.pid}" in raised.value.message
    finally:
        release.set()
        holder.join(10)


def test_lock_released_after_use(tmp_path: Path) -> None:
    with NetworkLock(tmp_path):
        pass
    with NetworkLock(tmp_path):
        pass


_HOLD_WITH_CHILD = """
import sys, time
from pathlib import Path
from onboard import proc
from onboard.journal import NetworkLock
with NetworkLock(Path(sys.argv[1])):
    child = proc.start([sys.executable, "-c", "import time; time.sleep(60)"])
    print(child.pid, flush=True)
    time.sleep(60)
"""


def test_lock_outlives_killed_run_in_children(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_WITH_CHILD, str(tmp_path)], stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT
    )
    assert holder.stdout is not None
    child = int(holder.stdout.readline())
    try:
        holder.kill()
        holder.wait(10)

        with pytest.raises(LockError) as raised:
            with NetworkLock(tmp_path):
                pass
        assert f"started by an onboard run that has ended (PID {holder.pid})" in raised.value.message
    finally:
        os.kill(child, signal.SIGKILL)

    # The lock is free once the child has exited and its descriptors are closed.
    deadline = time.monotonic() + 10
    while True:
        try:
            with NetworkLock(tmp_path):
                break
        except LockError:
            assert time.monotonic() < deadline, f"the lock stayed held after PID {child} was killed"
            time.sleep(0.05)
