"""Fixtures for the networks stage: specs, a sandbox monorepo built once per session, and stage contexts."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from onboard.config import Config
from onboard.journal import Journal
from onboard.sandbox.monorepo import build_monorepo
from onboard.spec import NetworkSpec, load_spec
from onboard.stages.base import Context

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def unichain() -> NetworkSpec:
    return load_spec(REPO_ROOT / "network_specs" / "unichain.toml")


@pytest.fixture
def make_spec(unichain: NetworkSpec) -> Callable[..., NetworkSpec]:
    """Return a copy of the unichain spec with fields replaced, validated again."""

    def make(**changes: Any) -> NetworkSpec:
        data = unichain.model_dump(mode="python")
        data.update(changes)
        return NetworkSpec.model_validate(data, strict=False)

    return make


@pytest.fixture(scope="session")
def sandbox_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_monorepo(tmp_path_factory.mktemp("template") / "monorepo")


@pytest.fixture
def monorepo(sandbox_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the sandbox monorepo, with its git history, for one test."""
    destination = tmp_path / "monorepo"
    shutil.copytree(sandbox_template, destination, symlinks=True)
    return destination


@pytest.fixture
def make_context(tmp_path: Path) -> Callable[..., Context]:
    def make(
        spec: NetworkSpec, monorepo: Path, *, env: dict[str, str] | None = None, **networks: Any
    ) -> Context:
        data: dict[str, Any] = {"monorepo": {"path": str(monorepo)}}
        if networks:
            data["networks"] = networks
        config = Config(data=data, path=None, root=tmp_path)
        journal = Journal(tmp_path / "state", spec.name)
        console = Console(stderr=True, width=200)
        env = env or {"PATH": os.environ.get("PATH", "")}
        return Context(spec=spec, config=config, journal=journal, env=env, console=console)

    return make
