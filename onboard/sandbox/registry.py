"""A real Docker registry (the `docker-registry` binary of Debian's docker-registry package, distribution 2.8) on
127.0.0.1 and a free port, with its storage in a temporary folder. It speaks plain HTTP, so clients push with
`--tls-verify=false`."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from onboard import proc
from onboard.errors import CommandError
from onboard.sandbox.anvil import free_port

REGISTRY_BINARY = "docker-registry"
START_TIMEOUT_SECONDS = 20.0

_CONFIG = """\
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: {storage}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:{port}
"""


def htpasswd_auth(path: Path) -> str:
    """Return the `auth` section for HTTP Basic logins checked against `path` (`user:bcrypt-hash` lines)."""
    return f"auth:\n  htpasswd:\n    realm: onboard-sandbox\n    path: {path}\n"


def token_auth(*, realm: str, service: str, issuer: str, root_certificate: Path) -> str:
    """Return the `auth` section for Bearer tokens from the token service at `realm`, signed by a key whose
    certificate chains to `root_certificate`."""
    return (
        "auth:\n  token:\n"
        f"    realm: {realm}\n    service: {service}\n    issuer: {issuer}\n    rootcertbundle: {root_certificate}\n"
    )


@dataclass
class Registry:
    """A running registry. `address` is the host:port that image references start with."""

    port: int
    folder: Path
    process: subprocess.Popen[bytes] = field(repr=False)
    owns_folder: bool = False

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def log_file(self) -> Path:
        return self.folder / "registry.log"

    def stop(self) -> None:
        proc.stop(self.process)

    def remove(self) -> None:
        """Stop the registry and delete its storage when this object created the folder."""
        self.stop()
        if self.owns_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def start_registry(
    *,
    folder: Path | None = None,
    port: int | None = None,
    binary: str = REGISTRY_BINARY,
    auth: str | None = None,
) -> Registry:
    """Start the registry with a config file and storage under `folder` (a new temporary one by default).

    `auth` is an `auth:` section of the registry configuration, from `htpasswd_auth` or `token_auth`.
    """
    owns_folder = folder is None
    folder = Path(tempfile.mkdtemp(prefix="onboard-registry-")) if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    config = folder / "config.yml"
    text = _CONFIG.format(storage=folder / "storage", port=port)
    if auth is not None:
        text += auth
    config.write_text(text, encoding="utf-8")

    process = proc.start([binary, "serve", str(config)], log_file=folder / "registry.log")
    registry = Registry(port=port, folder=folder, process=process, owns_folder=owns_folder)
    _wait_until_ready(registry)
    return registry


def _wait_until_ready(registry: Registry) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if registry.process.poll() is not None:
            raise CommandError(
                f"docker-registry exited with code {registry.process.returncode} at start",
                cause=registry.log_file.read_text(errors="replace")[-2000:],
                fix=f"read {registry.log_file}; the port {registry.port} may be taken",
            )
        try:
            if requests.get(f"{registry.url}/v2/", timeout=2).status_code in (200, 401):
                return
        except requests.RequestException:
            time.sleep(0.05)
    registry.remove()
    raise CommandError(f"docker-registry did not respond on {registry.url} within {START_TIMEOUT_SECONDS:.0f} s")
