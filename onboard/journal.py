"""The journal of one network: each stage's status, timestamps, inputs fingerprint and outputs.

It lives at `<state_dir>/<network>/journal.json` and is rewritten atomically after every change, so a run
killed at any point leaves the last consistent state for the next run to resume from.
"""

from __future__ import annotations

import datetime
import errno
import fcntl
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from onboard import proc
from onboard.errors import LockError, OnboardError
from onboard.fsutil import atomic_write
from onboard.redact import redact_data

JOURNAL_VERSION = 1
PENDING, RUNNING, APPLIED, DONE, FAILED, INTERRUPTED = "pending", "running", "applied", "done", "failed", "interrupted"


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def fingerprint(inputs: Mapping[str, Any]) -> str:
    """Return a stable hash of a stage's inputs (sorted JSON, SHA-256, first 16 hex digits)."""
    encoded = json.dumps(inputs, sort_keys=True, default=str, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


class Journal:
    """The on-disk record of one network's pipeline."""

    def __init__(self, state_dir: Path, network: str) -> None:
        self.folder = state_dir / network
        self.path = self.folder / "journal.json"
        self.network = network
        self._data = self._read()

    def _read(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"version": JOURNAL_VERSION, "network": self.network, "stages": {}}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise OnboardError(
                f"journal {self.path} cannot be read",
                cause=str(err),
                fix=f"move it aside and run again; stages will be verified and re-applied where needed",
            ) from err
        if data.get("version") != JOURNAL_VERSION:
            raise OnboardError(
                f"journal {self.path} has version {data.get('version')!r}, expected {JOURNAL_VERSION}",
                fix="finish the run with the onboard version that started it, or move the journal aside",
            )
        return data

    def save(self) -> None:
        atomic_write(self.path, json.dumps(redact_data(self._data), indent=2, sort_keys=True) + "\n")

    @property
    def stages(self) -> dict[str, dict[str, Any]]:
        return self._data["stages"]

    def entry(self, stage: str) -> dict[str, Any]:
        return self.stages.get(stage, {"status": PENDING})

    def status(self, stage: str) -> str:
        return self.entry(stage)["status"]

    def outputs(self, stage: str) -> dict[str, Any]:
        return dict(self.entry(stage).get("outputs") or {})

    def update(self, stage: str, **fields: Any) -> None:
        """Merge `fields` into a stage's record and write the journal."""
        record = self.stages.setdefault(stage, {"status": PENDING})
        record.update(fields)
        self.save()

    def record_outputs(self, stage: str, outputs: Mapping[str, Any]) -> None:
        """Merge partial outputs while a stage runs, so a killed stage can resume where it stopped."""
        record = self.stages.setdefault(stage, {"status": PENDING})
        record["outputs"] = {**(record.get("outputs") or {}), **outputs}
        self.save()

    def to_json(self) -> dict[str, Any]:
        return json.loads(json.dumps(self._data))


class NetworkLock:
    """An exclusive lock per network (flock on `lock` in the network's folder), holding the owner's PID."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "lock"
        self._descriptor: int | None = None

    def __enter__(self) -> NetworkLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            holder = os.pread(descriptor, 64, 0).decode(errors="replace").strip() or "unknown"
            os.close(descriptor)
            if err.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise _held_error(self.path, holder) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        self._descriptor = descriptor
        proc.inherit_fd(descriptor)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._descriptor is not None:
            proc.forget_fd(self._descriptor)
            os.ftruncate(self._descriptor, 0)
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)
            os.close(self._descriptor)
            self._descriptor = None


def _held_error(path: Path, holder: str) -> LockError:
    network = path.parent.name
    if holder.isdigit() and not Path(f"/proc/{holder}").exists():
        # Children inherit the lock's descriptor, so a killed run's deployment or build keeps the lock.
        return LockError(
            f"processes started by an onboard run that has ended (PID {holder}) still hold the lock of network "
            f"'{network}'",
            cause=f"{path} is locked by a command that run started, such as a deployment or an image build",
            fix=f"wait for them to finish (`fuser {path}` lists them), then run again",
        )
    return LockError(
        f"another onboard run has the lock of network '{network}' (PID {holder})",
        cause=f"{path} is locked",
        fix=f"wait for PID {holder} to finish, or stop it, then run again",
    )
