"""A canary value in every secret the pipeline reads must appear nowhere: not in any process's arguments
while the full pipeline runs, nor in its console output, state folder, reports or commits afterwards."""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import tarfile
import threading
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomli_w

from onboard.sandbox.anvil import DEV_PRIVATE_KEY
from onboard.sandbox.config_file import RELAYER_PRIVATE_KEY
from tests.reliability import inventory
from tests.reliability.harness import Sandbox, start_cli

pytestmark = [pytest.mark.slow, pytest.mark.node]

CANARY = "cnry5e8d1f0b7a"
SAMPLE_SECONDS = 0.05
# The deployer and relayer keys must be real keys, so their hex digits are searched for as well.
SECRET_TEXTS = (CANARY, DEV_PRIVATE_KEY.removeprefix("0x"), RELAYER_PRIVATE_KEY.removeprefix("0x"))
# Where secrets belong: the env file the run reads them from, and the dotenv backend the secrets stage writes.
SECRET_STORES = ("sandbox.env", "deploy/.env")
# Logs the servers write themselves, not onboard.
SERVER_LOGS = ("logs/anvil.log", "verdaccio/verdaccio.log", "image-registry/registry.log")


def _plant_canaries(sandbox: Sandbox) -> None:
    """Put the canary into every secret: the RPC URL's query, explorer keys, npm token, registry and database
    passwords. The sandbox's servers ignore credentials they do not check (anvil, the image registry, and
    PostgreSQL under trust authentication), so the run works with these values."""
    env = sandbox.env
    env["UNICHAIN_MAINNET_URL"] = f"{env['UNICHAIN_MAINNET_URL']}/?apikey={CANARY}"
    env["UNICHAIN_ETHERSCAN_API_KEY"] = f"{CANARY}-etherscan"
    env["UNICHAIN_BLOCKSCOUT_API_KEY"] = f"{CANARY}-blockscout"
    env["NPM_TOKEN"] = f"{CANARY}-npm"
    env["REGISTRY_PASSWORD"] = f"{CANARY}-registry"
    env["REGISTRY_USER"] = f"robot-{CANARY}"
    env["POSTGRES_PRISMA_URL"] = env["POSTGRES_PRISMA_URL"].replace("postgres@", f"postgres:{CANARY}@", 1)
    lines = [f"{name}={value}\n" for name, value in env.items()]
    (sandbox.folder / "sandbox.env").write_text("".join(lines))

    config = tomllib.loads(sandbox.config.read_text())
    config["containers"]["registry_username_env"] = "REGISTRY_USER"
    config["containers"]["registry_password_env"] = "REGISTRY_PASSWORD"
    sandbox.config.write_text(tomli_w.dumps(config))


def _leaks(data: bytes) -> list[str]:
    return [text for text in SECRET_TEXTS if text.encode() in data]


class ArgumentSampler(threading.Thread):
    """A thread that reads /proc/*/cmdline of every process every SAMPLE_SECONDS and keeps those that contain a secret."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.samples = 0
        self.found: dict[int, str] = {}

    def run(self) -> None:
        own = os.getpid()
        while not self.stop.is_set():
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit() or int(entry.name) == own:
                    continue
                try:
                    arguments = (entry / "cmdline").read_bytes()
                except OSError:
                    continue
                if _leaks(arguments):
                    self.found[int(entry.name)] = arguments.replace(b"\0", b" ").decode(errors="replace")
            self.samples += 1
            self.stop.wait(SAMPLE_SECONDS)


def _files(folder: Path) -> Iterator[Path]:
    for root, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if name not in (".git", "node_modules")]
        for name in names:
            path = Path(root, name)
            if not path.is_symlink():
                yield path


def _contents(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix != ".tgz":
        return data
    # Published npm tarballs: a leaked .npmrc or .env would be inside.
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data))) as archive:
        members = [archive.extractfile(member) for member in archive.getmembers() if member.isfile()]
        return b"\n".join(member.read() for member in members if member)


def _check_sampler_sees(sampler: ArgumentSampler) -> None:
    """Start a process with the canary in its arguments and wait until the sampler reports it."""
    control = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", CANARY])
    try:
        deadline = time.monotonic() + 10
        while control.pid not in sampler.found and time.monotonic() < deadline:
            time.sleep(SAMPLE_SECONDS)
        assert control.pid in sampler.found
    finally:
        control.kill()
        control.wait()
    sampler.found.clear()


def test_canary_appears_nowhere(make_sandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox()
    _plant_canaries(sandbox)
    reports = tmp_path / "reports"

    sampler = ArgumentSampler()
    sampler.start()
    try:
        _check_sampler_sees(sampler)
        run = start_cli(sandbox, tmp_path / "run.log", "--report-dir", str(reports))
        code = run.wait()
    finally:
        sampler.stop.set()
        sampler.join()

    assert code == 0, run.output()[-4000:]
    assert sampler.samples > 100
    assert sampler.found == {}
    assert _leaks(run.output().encode()) == []

    assert CANARY in (sandbox.folder / "deploy" / ".env").read_text()
    skipped = {sandbox.folder / relative for relative in (*SECRET_STORES, *SERVER_LOGS)}
    scanned = [path for path in [*_files(sandbox.folder), *_files(reports)] if path not in skipped]
    assert any(path.parent.name == "logs" and path.is_relative_to(sandbox.folder / "state") for path in scanned)
    assert {path.name for path in reports.iterdir()} == {"unichain-run.json", "unichain-run.md"}
    leaked = {str(path): _leaks(_contents(path)) for path in scanned}
    assert {path: found for path, found in leaked.items() if found} == {}

    for repository in ("monorepo", "platform"):
        history = inventory.git(sandbox.folder / repository, "log", "--all", "--patch", "--format=%H %s%n%b")
        assert _leaks(history.encode()) == [], repository
