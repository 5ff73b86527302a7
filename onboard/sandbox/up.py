"""`onboard sandbox up|down`: local stand-ins for everything a real onboarding acts on.

`up` builds a monorepo and a platform repository shaped like the upstream ones. It starts an anvil chain with
the network's chain id, a verdaccio npm registry seeded with the sandbox packages, and, when their Debian
packages are installed, an image registry and PostgreSQL. It then writes `DIR/onboard.toml` and
`DIR/sandbox.env`, so that `onboard --config DIR/onboard.toml network NAME` runs every stage against them.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from onboard import proc
from onboard.errors import OnboardError
from onboard.sandbox import servers
from onboard.sandbox.anvil import DEV_PRIVATE_KEY, start_anvil
from onboard.sandbox.config_file import sandbox_env, sandbox_toml
from onboard.sandbox.core_package import link_toolchain
from onboard.sandbox.monorepo import build_monorepo
from onboard.sandbox.platform import build_platform
from onboard.sandbox.postgres import start_postgres
from onboard.sandbox.registry import start_registry
from onboard.sandbox.registry_seed import SANDBOX_TOKEN, seed_registry
from onboard.sandbox.toolchain import ensure_toolchain
from onboard.sandbox.verdaccio import start_verdaccio
from onboard.spec import NetworkSpec
from onboard.spec.load import load_network_spec


@dataclass
class Sandbox:
    """The folders, server URLs and server records that `up` created and `down` needs."""

    folder: Path
    spec: NetworkSpec
    records: list[servers.ServerRecord] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)
    cleanup: list[str] = field(default_factory=list)


def _running(folder: Path) -> list[servers.ServerRecord]:
    records, _ = servers.read_records(folder)
    return [item for item in records if item.running()]


def _start_chain(sandbox: Sandbox) -> None:
    node = start_anvil(chain_id=sandbox.spec.chain_id, log_file=sandbox.folder / "logs" / "anvil.log")
    sandbox.records.append(servers.record("anvil", node.pid, node.url))
    sandbox.urls["rpc"] = node.url


def _build_repositories(sandbox: Sandbox) -> None:
    toolchain = ensure_toolchain()
    monorepo = build_monorepo(sandbox.folder / "monorepo")
    # The monorepo's .gitignore lists node_modules, so these links never show as changes.
    link_toolchain(monorepo / "packages" / "core", toolchain)
    (monorepo / "node_modules").symlink_to(toolchain.node_modules, target_is_directory=True)
    _add_bare_remote(monorepo, sandbox.folder / "remotes" / "monorepo.git")

    registry = start_verdaccio(sandbox.folder / "verdaccio")
    sandbox.records.append(servers.record("verdaccio", registry.pid, registry.url))
    sandbox.urls["npm"] = registry.url
    seed_registry(registry.url, monorepo)

    platform = build_platform(sandbox.folder / "platform", registry_url=registry.url, token=SANDBOX_TOKEN)
    _add_bare_remote(platform, sandbox.folder / "remotes" / "platform.git")


def _add_bare_remote(repo: Path, remote: Path) -> None:
    remote.parent.mkdir(parents=True, exist_ok=True)
    proc.run(["git", "init", "--quiet", "--bare", str(remote)])
    proc.run(["git", "-C", str(repo), "remote", "add", "origin", str(remote)])


def _start_optional_services(sandbox: Sandbox, console: Console) -> None:
    if shutil.which("docker-registry") and shutil.which("buildah"):
        images = start_registry(folder=sandbox.folder / "image-registry")
        sandbox.records.append(servers.record("image-registry", images.pid, images.url))
        sandbox.urls["images"] = images.address
    else:
        console.print("buildah or docker-registry is not installed: the containers stage is left out")

    try:
        database = start_postgres()
    except OnboardError as err:
        console.print(f"PostgreSQL could not start, so the register stage is left out: {err.message}")
        return
    # Fast shutdown: SIGINT makes PostgreSQL abort open transactions and exit at once.
    sandbox.records.append(servers.record("postgres", database.pid, database.url(), signal.SIGINT))
    sandbox.urls["database"] = database.create_database("platform")
    sandbox.cleanup.append(str(database.folder))


def sandbox_up(directory: Path, network: str, *, specs_dir: Path, console: Console) -> Path:
    """Create the sandbox in `directory` and return the path of its onboard.toml."""
    folder = directory.resolve()
    if _running(folder):
        raise OnboardError(
            f"a sandbox is already running in {folder}",
            fix=f"run `onboard sandbox down --dir {directory}` first, or choose another folder",
        )
    if folder.exists() and not folder.is_dir():
        raise OnboardError(f"{folder} is a file, not a folder", fix="pass a new or empty folder to --dir")
    if folder.exists() and any(folder.iterdir()):
        raise OnboardError(f"{folder} is not empty", fix="choose a new or empty folder for the sandbox")

    _, spec = load_network_spec(network, specs_dir)
    sandbox = Sandbox(folder=folder, spec=spec)
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OnboardError(f"cannot create the sandbox folder {folder}", cause=err.strerror, fix="choose a writable folder") from err
    try:
        _start_chain(sandbox)
        _build_repositories(sandbox)
        _start_optional_services(sandbox, console)
    except BaseException:
        _stop_all(sandbox.records, sandbox.cleanup)
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        raise

    servers.write_records(folder, sandbox.records, {"cleanup": sandbox.cleanup, "network": sandbox.spec.name})
    (folder / "sandbox.env").write_text(sandbox_env(sandbox.spec, sandbox.urls, deployer_key=DEV_PRIVATE_KEY))
    (folder / "sandbox.env").chmod(0o600)
    config_path = folder / "onboard.toml"
    config_path.write_text(sandbox_toml(sandbox.spec, sandbox.urls, specs_dir=specs_dir.resolve(), folder=folder))
    return config_path


def _stop_all(records: list[servers.ServerRecord], cleanup: list[str]) -> int:
    stopped = sum(1 for item in reversed(records) if item.stop())
    for path in cleanup:
        with contextlib.suppress(OSError):
            shutil.rmtree(path)
    return stopped


def sandbox_down(directory: Path) -> int:
    """Stop every server the sandbox in `directory` started; return how many were running."""
    folder = directory.resolve()
    records, extra = servers.read_records(folder)
    if not records and not (folder / servers.STATE_FILE).exists():
        raise OnboardError(f"no sandbox in {folder}", fix="pass the folder given to `onboard sandbox up --dir`")
    stopped = _stop_all(records, list(extra.get("cleanup", [])))
    servers.write_records(folder, [], {"network": extra.get("network")})
    return stopped
