"""A real anvil node on 127.0.0.1 and a free port, started from the platform binary and stopped by PID."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import requests

from onboard import proc
from onboard.errors import CommandError
from onboard.sandbox.toolchain import ensure_toolchain

START_TIMEOUT_SECONDS = 30.0

# anvil's first default account (mnemonic "test test ... junk"), funded with 10000 ETH on every anvil chain.
DEV_ACCOUNT = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
DEV_PRIVATE_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Anvil:
    """A running anvil node. Use as a context manager, or call stop()."""

    chain_id: int
    port: int
    process: subprocess.Popen[bytes] = field(repr=False)
    log_file: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def rpc(self, method: str, params: Sequence[object] = ()) -> object:
        """Send one JSON-RPC request and return its result; raise CommandError on a JSON-RPC error."""
        body = requests.post(
            self.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=30
        ).json()
        if "error" in body:
            raise CommandError(f"anvil {method} failed", cause=str(body["error"]))
        return body["result"]

    def stop(self) -> None:
        proc.stop(self.process)

    def __enter__(self) -> Anvil:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_anvil(
    *,
    chain_id: int = 31337,
    hardfork: str | None = None,
    args: Sequence[str] = (),
    log_file: Path | None = None,
    port: int | None = None,
) -> Anvil:
    """Start anvil with `chain_id`, an optional `--hardfork` and any extra flags; wait until it responds."""
    binary = ensure_toolchain().anvil
    port = port or free_port()
    argv = [str(binary), "--host", "127.0.0.1", "--port", str(port), "--chain-id", str(chain_id)]
    if hardfork:
        argv += ["--hardfork", hardfork]
    argv += list(args)
    node = Anvil(chain_id=chain_id, port=port, process=proc.start(argv, log_file=log_file), log_file=log_file)

    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if node.process.poll() is not None:
            raise CommandError(
                f"anvil exited with code {node.process.returncode} at start",
                cause=log_file.read_text()[-2000:] if log_file and log_file.exists() else "no log",
                fix="check the flags: " + " ".join(argv[1:]),
            )
        try:
            node.rpc("eth_chainId")
            return node
        except (requests.RequestException, ValueError):
            time.sleep(0.1)
    node.stop()
    raise CommandError(f"anvil did not respond on {node.url} within {START_TIMEOUT_SECONDS:.0f} s")
