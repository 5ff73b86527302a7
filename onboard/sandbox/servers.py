"""The record of servers a sandbox started, so `onboard sandbox down` stops exactly those, by PID.

A PID alone can be reused by an unrelated process after the server exits, so each record also keeps the
process start time from /proc, and a server is stopped only when both still match.
"""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from onboard.fsutil import atomic_write

STATE_FILE = "sandbox.json"
STOP_TIMEOUT_SECONDS = 15.0


def start_time(pid: int) -> str | None:
    """Return the start time of `pid` in clock ticks since boot (field 22 of /proc/PID/stat).

    Return None when no such process runs. A zombie (state Z) has exited, so it counts as not running. It stays
    in /proc until its parent reaps it, for example when `sandbox_up` and `sandbox_down` run in one process.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name in field 2 may contain spaces, so split after its closing parenthesis.
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":
        return None
    return fields[19]


@dataclass(frozen=True)
class ServerRecord:
    """One server the sandbox started: its process group leader and where it listens."""

    name: str
    pid: int
    started: str | None
    url: str
    stop_signal: int = signal.SIGTERM

    def running(self) -> bool:
        return self.started is not None and start_time(self.pid) == self.started

    def stop(self) -> bool:
        """Stop the server's process group; return False when it was no longer running."""
        if not self.running():
            return False
        try:
            os.killpg(self.pid, self.stop_signal)
        except ProcessLookupError:
            return False
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while time.monotonic() < deadline and self.running():
            time.sleep(0.1)
        if self.running():
            os.killpg(self.pid, signal.SIGKILL)
        _reap(self.pid)
        return True


def _reap(pid: int) -> None:
    """Collect the exit status of `pid` when this process started it, so no zombie is left behind."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def record(name: str, pid: int, url: str, stop_signal: int = signal.SIGTERM) -> ServerRecord:
    return ServerRecord(name=name, pid=pid, started=start_time(pid), url=url, stop_signal=int(stop_signal))


def write_records(folder: Path, records: list[ServerRecord], extra: dict[str, object]) -> None:
    data = {"servers": [asdict(item) for item in records], **extra}
    atomic_write(folder / STATE_FILE, json.dumps(data, indent=2) + "\n")


def read_records(folder: Path) -> tuple[list[ServerRecord], dict[str, object]]:
    path = folder / STATE_FILE
    if not path.exists():
        return [], {}
    data = json.loads(path.read_text())
    records = [ServerRecord(**item) for item in data.pop("servers", [])]
    return records, data
