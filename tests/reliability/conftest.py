"""A fresh sandbox per test: the kill and canary tests change its repositories, chain and registries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.console import Console

from onboard.sandbox.up import sandbox_down, sandbox_up
from tests.reliability.harness import NETWORK, REPO_ROOT, Sandbox


@pytest.fixture
def make_sandbox(tmp_path: Path) -> Iterator[Callable[[], Sandbox]]:
    """Return a function that builds a sandbox under tmp_path; every sandbox built is stopped at teardown."""
    built: list[Path] = []

    def build() -> Sandbox:
        folder = tmp_path / f"sandbox-{len(built)}"
        built.append(folder)
        sandbox_up(folder, NETWORK, specs_dir=REPO_ROOT / "network_specs", console=Console(stderr=True))
        return Sandbox(folder)

    yield build
    for folder in built:
        if (folder / "sandbox.json").exists():
            sandbox_down(folder)
