"""The real `onboard` CLI in a subprocess against a sandbox: start it, watch its journal, kill its process tree.

A SIGKILL of the onboard process alone would leave its children running: every command starts in its own
session (`proc.run`), so a hardhat deployment or a `yarn install` would go on as an orphan. The tests model a
crash of the whole run instead, as when a container or a CI runner goes away. The process tree is first
frozen with SIGSTOP, so nothing forks or writes between the decision and the kill. Then every process in it
gets SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onboard.sandbox.servers import read_records

REPO_ROOT = Path(__file__).resolve().parents[2]
NETWORK = "unichain"
RUN_TIMEOUT_SECONDS = 300.0
POLL_SECONDS = 0.001


def read_env_file(path: Path) -> dict[str, str]:
    """Return the NAME=value lines of a dotenv file written by `onboard sandbox up`."""
    values = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


@dataclass(frozen=True)
class Sandbox:
    """A sandbox made by `sandbox_up`: its folder, onboard.toml and the values of its sandbox.env."""

    folder: Path

    @property
    def config(self) -> Path:
        return self.folder / "onboard.toml"

    @property
    def env(self) -> dict[str, str]:
        return read_env_file(self.folder / "sandbox.env")

    @property
    def journal_path(self) -> Path:
        return self.folder / "state" / NETWORK / "journal.json"

    @property
    def lock_path(self) -> Path:
        return self.folder / "state" / NETWORK / "lock"

    def journal(self) -> dict[str, Any]:
        if not self.journal_path.exists():
            return {"stages": {}}
        return json.loads(self.journal_path.read_text())

    def server_url(self, name: str) -> str:
        records, _ = read_records(self.folder)
        return next(record.url for record in records if record.name == name)


class JournalWatch:
    """Reads the journal again only when its file was replaced; `atomic_write` renames, so the inode changes."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox
        self._key: tuple[int, int] | None = None
        self._data: dict[str, Any] = {"stages": {}}

    def status(self, stage: str) -> str | None:
        try:
            stat = self._sandbox.journal_path.stat()
        except FileNotFoundError:
            return None
        key = (stat.st_ino, stat.st_mtime_ns)
        if key != self._key:
            self._data = self._sandbox.journal()
            self._key = key
        return self._data["stages"].get(stage, {}).get("status")


def _parent_pids() -> dict[int, int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name in field 2 may contain spaces and parentheses, so split after the last ")".
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def descendants(pid: int) -> set[int]:
    """Return the PIDs of every process below `pid`, whatever session or process group they are in."""
    children: dict[int, list[int]] = {}
    for child, parent in _parent_pids().items():
        children.setdefault(parent, []).append(child)
    found: set[int] = set()
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def freeze_tree(pid: int) -> set[int]:
    """Stop `pid` and all its descendants with SIGSTOP; repeat until no new process appears. Return them all."""
    frozen = {pid}
    _signal(pid, signal.SIGSTOP)
    while True:
        new = descendants(pid) - frozen
        if not new:
            return frozen
        for child in new:
            _signal(child, signal.SIGSTOP)
        frozen |= new


def kill_tree(pids: set[int]) -> None:
    for pid in pids:
        _signal(pid, signal.SIGKILL)


def resume(pids: set[int]) -> None:
    for pid in pids:
        _signal(pid, signal.SIGCONT)


@dataclass
class CliRun:
    """One `onboard network` run; its standard output and error go to one file."""

    popen: subprocess.Popen[bytes]
    output_path: Path
    killed_status: str | None = None
    killed_pids: set[int] = field(default_factory=set)
    orphans: set[int] = field(default_factory=set)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.output_path.read_text(errors="replace")

    def wait(self, timeout: float = RUN_TIMEOUT_SECONDS) -> int:
        return self.popen.wait(timeout=timeout)


def start_cli(sandbox: Sandbox, output_path: Path, *extra: str) -> CliRun:
    """Start `python -m onboard --config ... network unichain --yes` from the repository root."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("ONBOARD_")}
    env["ONBOARD_NODE_CACHE"] = os.environ.get("ONBOARD_NODE_CACHE", "")
    args = [sys.executable, "-m", "onboard", "--config", str(sandbox.config), "network", NETWORK, "--yes", *extra]
    with output_path.open("wb") as output:
        popen = subprocess.Popen(args, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    return CliRun(popen, output_path)


def kill_when(
    run: CliRun,
    sandbox: Sandbox,
    stage: str,
    ready: Callable[[], bool],
    *,
    whole_tree: bool = True,
    timeout: float = RUN_TIMEOUT_SECONDS,
) -> None:
    """Poll until `stage` is running and `ready()` holds, then freeze and SIGKILL the run's process tree.

    `run.killed_status` is the stage's journal status read while the tree was frozen, which is what the
    killed run left behind. Without `whole_tree`, only the onboard process is killed, and the commands it
    started stay stopped in `run.orphans` until the caller sends them SIGCONT. Fails when the run exits first.
    """
    watch = JournalWatch(sandbox)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if run.popen.poll() is not None:
            raise AssertionError(
                f"the run exited with code {run.popen.returncode} before the kill point in stage {stage}:\n"
                + run.output()[-3000:]
            )
        if watch.status(stage) == "running" and ready():
            run.killed_pids = freeze_tree(run.pid)
            run.killed_status = sandbox.journal()["stages"].get(stage, {}).get("status")
            if not whole_tree:
                run.orphans = run.killed_pids - {run.pid}
                run.killed_pids = {run.pid}
            kill_tree(run.killed_pids)
            run.popen.wait(timeout=30)
            return
        time.sleep(POLL_SECONDS)
    kill_tree(freeze_tree(run.pid))
    run.popen.wait(timeout=30)
    raise AssertionError(f"stage {stage} did not reach the kill point within {timeout:.0f} s")


class Throttled:
    """Wraps a slow check (an HTTP request, a git command) so that it runs at most every `interval` seconds."""

    def __init__(self, check: Callable[[], bool], interval: float = 0.02) -> None:
        self._check = check
        self._interval = interval
        self._next = 0.0

    def __call__(self) -> bool:
        now = time.monotonic()
        if now < self._next:
            return False
        self._next = now + self._interval
        return self._check()


def alive(pids: set[int]) -> set[int]:
    """Return those of `pids` that still run (zombies count as exited)."""
    running = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            running.add(pid)
    return running
