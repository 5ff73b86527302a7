"""A sandbox for the release and bump stages: verdaccio on loopback, a small monorepo, the sandbox
platform, and bare git repositories as their remotes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from onboard import proc
from onboard.config import Config
from onboard.journal import Journal
from onboard.sandbox.platform import GIT_IDENTITY, build_platform
from onboard.sandbox.registry_seed import seed_registry
from onboard.sandbox.verdaccio import Verdaccio, start_verdaccio
from onboard.spec import load_spec
from onboard.stages.base import Context
from tests.conftest import REPO_ROOT

NPM_TOKEN = "npm-token-for-the-release-tests"
NETWORK = "unichain"

_CHANGESET_CONFIG = {
    "changelog": "@changesets/cli/changelog",
    "commit": False,
    "fixed": [],
    "linked": [],
    "access": "public",
    "baseBranch": "develop",
    "updateInternalDependencies": "patch",
    "ignore": [],
}

_CHANGESET = """\
---
'@sphinx-labs/contracts': minor
'@sphinx-labs/core': minor
'@sphinx-labs/plugins': minor
---

Add Unichain
"""


def git(repo: Path, *args: str) -> str:
    return proc.run(["git", "-C", str(repo), *args]).stdout.strip()


def _write_package(folder: Path, manifest: dict[str, Any], code: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (folder / "index.js").write_text(code)


def build_monorepo(dest: Path) -> Path:
    """Write a minimal Sphinx monorepo: three workspace packages, a changesets config, and on branch
    `onboard/unichain` a changeset bumping the three, as the networks stage leaves it."""
    (dest / ".changeset").mkdir(parents=True)
    (dest / "package.json").write_text(json.dumps({"name": "sphinx", "private": True, "workspaces": ["packages/*"]}))
    (dest / ".changeset" / "config.json").write_text(json.dumps(_CHANGESET_CONFIG, indent=2) + "\n")
    (dest / ".gitignore").write_text("node_modules/\n")
    _write_package(
        dest / "packages" / "contracts",
        {"name": "@sphinx-labs/contracts", "version": "0.23.0", "main": "index.js"},
        "exports.SPHINX_NETWORKS = ['ethereum'];\n",
    )
    _write_package(
        dest / "packages" / "core",
        {"name": "@sphinx-labs/core", "version": "0.26.0", "main": "index.js",
         "dependencies": {"@sphinx-labs/contracts": "^0.23.0"}},
        "exports.networks = require('@sphinx-labs/contracts').SPHINX_NETWORKS;\n",
    )
    _write_package(
        dest / "packages" / "plugins",
        {"name": "@sphinx-labs/plugins", "version": "0.33.0", "main": "index.js",
         "dependencies": {"@sphinx-labs/contracts": "^0.23.0", "@sphinx-labs/core": "^0.26.0"}},
        "exports.plugin = true;\n",
    )
    proc.run(["git", "-C", str(dest), "init", "--quiet", "--initial-branch", "develop"])
    git(dest, "add", "--all")
    git(dest, "commit", "--quiet", "--message", "Add the packages")
    git(dest, "switch", "--quiet", "--create", f"onboard/{NETWORK}")
    (dest / "packages" / "contracts" / "index.js").write_text("exports.SPHINX_NETWORKS = ['ethereum', 'unichain'];\n")
    (dest / ".changeset" / "add-unichain.md").write_text(_CHANGESET)
    git(dest, "add", "--all")
    git(dest, "commit", "--quiet", "--message", "Add Unichain")
    return dest


def add_bare_remote(repo: Path, remote: Path) -> Path:
    proc.run(["git", "init", "--quiet", "--bare", str(remote)])
    git(repo, "remote", "add", "origin", str(remote))
    return remote


@dataclass
class Sandbox:
    root: Path
    registry: Verdaccio
    monorepo: Path
    platform: Path
    monorepo_remote: Path
    platform_remote: Path
    release: dict[str, Any] = field(default_factory=dict)
    bump: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def context(self) -> Context:
        """Return a fresh context (configuration, journal and environment read again)."""
        data = {
            "monorepo": {"path": str(self.monorepo)},
            "platform": {"path": str(self.platform)},
            "release": {"registry_url": self.registry.url, "token_env": "NPM_TOKEN", "fetch_retries": 0,
                        **self.release},
            "bump": {"remote": "origin", **self.bump},
        }
        config = Config(data=data, path=None, root=self.root)
        spec = load_spec(REPO_ROOT / "network_specs" / f"{NETWORK}.toml")
        journal = Journal(self.root / "state", spec.name)
        return Context(spec=spec, config=config, journal=journal, env=dict(self.env))

    def restart_registry(self) -> None:
        """Start verdaccio again on the same port and storage, after a test stopped it."""
        self.registry.stop()
        self.registry = start_verdaccio(self.registry.folder, port=self.registry.port)


@pytest.fixture
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable, value in GIT_IDENTITY.items():
        monkeypatch.setenv(variable, value)


def make_sandbox(root: Path, registry: Verdaccio, token: str) -> Sandbox:
    """Seed `registry`, build the monorepo on its onboarding branch and the platform locked to the seed."""
    monorepo = build_monorepo(root / "sphinx")
    git(monorepo, "switch", "--quiet", "develop")
    seed_registry(registry.url, monorepo, token=token)
    git(monorepo, "switch", "--quiet", f"onboard/{NETWORK}")
    platform = build_platform(root / "sphinx-platform", registry_url=registry.url, token=token)
    return Sandbox(
        root=root,
        registry=registry,
        monorepo=monorepo,
        platform=platform,
        monorepo_remote=add_bare_remote(monorepo, root / "sphinx.git"),
        platform_remote=add_bare_remote(platform, root / "sphinx-platform.git"),
        env={"NPM_TOKEN": token},
    )


@pytest.fixture
def sandbox(tmp_path: Path, toolchain, git_identity) -> Iterator[Sandbox]:
    """A registry open to anyone, seeded; the monorepo on its onboarding branch; the platform locked to the seed."""
    registry = start_verdaccio(tmp_path / "verdaccio")
    try:
        box = make_sandbox(tmp_path, registry, NPM_TOKEN)
        yield box
        box.registry.stop()
    finally:
        registry.stop()


@pytest.fixture
def private_sandbox(tmp_path: Path, toolchain, git_identity) -> Iterator[Sandbox]:
    """The same sandbox on a registry that only account holders may read and publish to."""
    registry = start_verdaccio(tmp_path / "verdaccio", publish="$authenticated", access="$authenticated")
    try:
        token = registry.add_user("release-bot", "release-bot-password")
        box = make_sandbox(tmp_path, registry, token)
        box.bump["token_env"] = "NPM_TOKEN"
        yield box
        box.registry.stop()
    finally:
        registry.stop()
