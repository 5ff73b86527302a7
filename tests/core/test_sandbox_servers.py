"""Stopping sandbox servers that this same process started, as the pipeline benchmark does."""

from __future__ import annotations

from pathlib import Path

from onboard import proc
from onboard.sandbox import servers


def test_stop_reaps_own_child() -> None:
    child = proc.start(["sleep", "60"])
    record = servers.record("sleeper", child.pid, "none")

    assert record.running()
    assert record.stop()
    # Without reaping, the stopped child would stay a zombie in /proc and still count as running.
    assert not Path(f"/proc/{child.pid}").exists()
    assert not record.running()


def test_zombie_counts_as_stopped() -> None:
    child = proc.start(["true"])
    record = servers.record("short-lived", child.pid, "none")
    # `true` exits at once. Until it is reaped it is a zombie, whose start time still matches the record.
    while Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
        pass

    assert not record.running()
    assert not record.stop()
    child.wait()
