"""Fixtures shared by every test: the cached npm toolchain, anvil nodes, and a guard against writes to $HOME."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from onboard.redact import REDACTOR
from onboard.sandbox.anvil import Anvil, start_anvil
from onboard.sandbox.toolchain import Toolchain, ensure_toolchain

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point $HOME at an empty folder so no test reads or writes the developer's files."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    preserved = ("ONBOARD_NODE_CACHE", "ONBOARD_TEST_")
    for variable in [name for name in os.environ if name.startswith("ONBOARD_") and not name.startswith(preserved)]:
        monkeypatch.delenv(variable)


@pytest.fixture(autouse=True)
def _fresh_redactor() -> Iterator[None]:
    REDACTOR.clear()
    yield
    REDACTOR.clear()


@pytest.fixture(scope="session")
def toolchain() -> Toolchain:
    return ensure_toolchain()


@pytest.fixture
def anvil_factory(toolchain: Toolchain, tmp_path: Path) -> Iterator:
    """Start anvil nodes with any flags; every node is stopped by PID when the test ends."""
    nodes: list[Anvil] = []

    def start(**kwargs: object) -> Anvil:
        node = start_anvil(log_file=tmp_path / f"anvil-{len(nodes)}.log", **kwargs)  # type: ignore[arg-type]
        nodes.append(node)
        return node

    yield start
    for node in nodes:
        node.stop()


@pytest.fixture
def anvil(anvil_factory) -> Anvil:
    return anvil_factory(chain_id=31337)
