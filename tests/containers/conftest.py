"""Fixtures of the containers and register tests: one registry, one PostgreSQL server and one buildah store per
session, and a minimal platform checkout whose service images are built `FROM scratch`."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from onboard import proc
from onboard.config import Config
from onboard.journal import Journal
from onboard.sandbox.postgres import Postgres, start_postgres
from onboard.sandbox.registry import Registry, start_registry
from onboard.spec import NetworkSpec, load_spec
from onboard.stages.base import Context

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("relayer", "executor", "init")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Onboard Tests",
    "GIT_AUTHOR_EMAIL": "tests@onboard.invalid",
    "GIT_COMMITTER_NAME": "Onboard Tests",
    "GIT_COMMITTER_EMAIL": "tests@onboard.invalid",
}


@pytest.fixture(scope="session")
def registry() -> Iterator[Registry]:
    with start_registry() as running:
        yield running


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    with start_postgres() as running:
        yield running


@pytest.fixture(scope="session")
def buildah_store() -> Iterator[Path]:
    """A buildah image store for the session, so tests do not touch /var/lib/containers."""
    folder = Path(tempfile.mkdtemp(prefix="onboard-buildah-"))
    yield folder
    store = ["--storage-driver", "vfs", "--root", str(folder / "root"), "--runroot", str(folder / "run")]
    proc.run(["buildah", *store, "rm", "--all"], check=False)
    shutil.rmtree(folder, ignore_errors=True)


def git(root: Path, *args: str) -> str:
    return proc.run(["git", *args], cwd=root, env=GIT_ENV).stdout.strip()


def write_service(root: Path, service: str, *, content: str = "", broken: bool = False) -> None:
    """Write a service folder whose Dockerfile copies one file into an empty image (or a missing one)."""
    folder = root / "services" / service
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.txt").write_text(content or f"{service}\n", encoding="utf-8")
    source = "missing.txt" if broken else "app.txt"
    (folder / "Dockerfile").write_text(f"FROM scratch\nCOPY services/{service}/{source} /app.txt\n", encoding="utf-8")
    package = {"name": f"@sphinx-platform/{service}", "dependencies": {"@sphinx-labs/contracts": "^0.23.1"}}
    if service != "init":
        package["dependencies"]["@sphinx-labs/core"] = "^0.26.1"
    (folder / "package.json").write_text(json.dumps(package, indent=2) + "\n", encoding="utf-8")


@pytest.fixture
def platform_repo(tmp_path: Path) -> Path:
    """A platform checkout with three services, committed on `main`."""
    root = tmp_path / "platform"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "package.json").write_text('{"private": true, "workspaces": ["services/*"]}\n', encoding="utf-8")
    (root / "yarn.lock").write_text("# yarn lockfile v1\n", encoding="utf-8")
    for service in SERVICES:
        write_service(root, service)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Add the services")
    return root


@pytest.fixture
def spec() -> NetworkSpec:
    return load_spec(REPO_ROOT / "network_specs" / "unichain.toml")


@pytest.fixture
def namespace() -> str:
    """A registry namespace of its own per test, because the registry is shared by the session."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def containers_config(registry: Registry, buildah_store: Path, namespace: str) -> dict[str, Any]:
    return {
        "builder": "buildah",
        "registry": registry.address,
        "namespace": namespace,
        "services": list(SERVICES),
        "parallel": 2,
        "storage_driver": "vfs",
        "storage_root": str(buildah_store / "root"),
        "storage_runroot": str(buildah_store / "run"),
        "isolation": "chroot",
    }


ContextFactory = Callable[..., Context]


@pytest.fixture
def make_context(tmp_path: Path, spec: NetworkSpec) -> ContextFactory:
    """Build a stage Context over a configuration dict; the journal lives in the test's folder."""

    def factory(
        data: Mapping[str, Any], *, env: Mapping[str, str] | None = None, network: NetworkSpec | None = None
    ) -> Context:
        config = Config(data=dict(data), path=None, root=tmp_path)
        chosen = network or spec
        journal = Journal(tmp_path / "state", chosen.name)
        return Context(
            spec=chosen, config=config, journal=journal, env=dict(env or {"PATH": os.environ.get("PATH", "")})
        )

    return factory
