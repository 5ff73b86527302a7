"""A real verdaccio npm registry on 127.0.0.1: offline (no uplinks), storage in a folder, stopped by PID.

Reads are open to everyone and publishing is allowed without an account, so the sandbox and the tests can
publish with any token. npm 11 still rejects a publish without some `_authToken` for the registry, so callers
pass a token anyway. `add_user` creates an account and returns a real token when a test needs one.
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from onboard import proc
from onboard.errors import CommandError
from onboard.sandbox.anvil import free_port
from onboard.sandbox.toolchain import ensure_toolchain

START_TIMEOUT_SECONDS = 60.0


def write_config(folder: Path, *, publish: str = "$all", access: str = "$all") -> Path:
    """Write a verdaccio configuration under `folder` and return its path.

    JSON is valid YAML, so the file is written as JSON. `publish` and `access` set who may publish and
    read: `$all` (anyone, the default) or `$authenticated` (only holders of a token from `add_user`).
    """
    folder.mkdir(parents=True, exist_ok=True)
    config = {
        "storage": str(folder / "storage"),
        "auth": {"htpasswd": {"file": str(folder / "htpasswd"), "max_users": 100}},
        "uplinks": {},
        "packages": {"**": {"access": access, "publish": publish, "unpublish": publish}},
        "log": {"type": "stdout", "format": "pretty", "level": "warn"},
    }
    path = folder / "config.yaml"
    path.write_text(json.dumps(config, indent=2) + "\n")
    return path


@dataclass
class Verdaccio:
    """A running verdaccio. Use as a context manager, or call stop()."""

    port: int
    folder: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def url(self) -> str:
        """The registry URL, with the trailing slash npm and yarn expect."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def log_file(self) -> Path:
        return self.folder / "verdaccio.log"

    def add_user(self, name: str, password: str) -> str:
        """Create an account through the npm login endpoint and return its token."""
        response = requests.put(
            f"{self.url}-/user/org.couchdb.user:{name}",
            json={"name": name, "password": password},
            timeout=30,
        )
        if response.status_code not in (200, 201):
            raise CommandError(
                f"verdaccio rejected the account {name!r} with HTTP {response.status_code}",
                cause=response.text[:500],
            )
        return response.json()["token"]

    def stop(self) -> None:
        proc.stop(self.process)

    def __enter__(self) -> Verdaccio:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_verdaccio(
    folder: Path, *, port: int | None = None, publish: str = "$all", access: str = "$all"
) -> Verdaccio:
    """Start verdaccio with its configuration and storage under `folder`; wait until it responds.

    Restarting on the same `folder` and `port` keeps every package published before.
    """
    entry = ensure_toolchain().verdaccio_entry
    config = write_config(folder, publish=publish, access=access)
    port = port or free_port()
    argv = ["node", str(entry), "--config", str(config), "--listen", f"127.0.0.1:{port}"]
    registry = Verdaccio(port=port, folder=folder, process=proc.start(argv, log_file=folder / "verdaccio.log"))
    _wait_until_ready(registry)
    return registry


def _wait_until_ready(registry: Verdaccio) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if registry.process.poll() is not None:
            raise CommandError(
                f"verdaccio exited with code {registry.process.returncode} at start",
                cause=registry.log_file.read_text()[-2000:] if registry.log_file.exists() else "no log",
                fix=f"check the configuration in {registry.folder}",
            )
        try:
            if requests.get(f"{registry.url}-/ping", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    registry.stop()
    raise CommandError(f"verdaccio did not respond on {registry.url} within {START_TIMEOUT_SECONDS:.0f} s")
