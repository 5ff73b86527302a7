"""Fixtures for the secrets stage: Infisical and GitHub doubles, a context per backend, canary values."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from rich.console import Console

from onboard.config import load_config
from onboard.journal import Journal
from onboard.spec import NetworkSpec, load_spec
from onboard.stages.base import Context, Plan
from onboard.stages.secrets import SecretsStage
from tests.doubles.github_secrets import GitHubSecretsDouble
from tests.doubles.infisical import InfisicalDouble

REPO_ROOT = Path(__file__).resolve().parents[2]
# Canary values: none of them may appear in any output, log, journal or exception text.
CANARY_RPC = "https://rpc.example.org/canaryRPCqzw"
CANARY_ETHERSCAN = "CANARYethKEYxwv"
CANARY_BLOCKSCOUT = "CANARYbsKEYvut"
CANARIES = ("canaryRPCqzw", CANARY_ETHERSCAN, CANARY_BLOCKSCOUT)
BACKENDS = ("infisical", "dotenv", "github")


def canary_env(infisical: InfisicalDouble, github: GitHubSecretsDouble) -> dict[str, str]:
    return {
        "UNICHAIN_MAINNET_URL": CANARY_RPC,
        "UNICHAIN_ETHERSCAN_API_KEY": CANARY_ETHERSCAN,
        "UNICHAIN_BLOCKSCOUT_API_KEY": CANARY_BLOCKSCOUT,
        "INFISICAL_CLIENT_ID": infisical.client_id,
        "INFISICAL_CLIENT_SECRET": infisical.client_secret,
        "GITHUB_TOKEN": github.token,
    }


@pytest.fixture(scope="session")
def _infisical_server() -> Iterator[InfisicalDouble]:
    double = InfisicalDouble().start()
    yield double
    double.stop()


@pytest.fixture(scope="session")
def _github_server() -> Iterator[GitHubSecretsDouble]:
    double = GitHubSecretsDouble().start()
    yield double
    double.stop()


@pytest.fixture
def infisical(_infisical_server: InfisicalDouble) -> InfisicalDouble:
    """The session's Infisical double, emptied for this test (stopping a server costs half a second)."""
    _infisical_server.reset()
    return _infisical_server


@pytest.fixture
def github(_github_server: GitHubSecretsDouble) -> GitHubSecretsDouble:
    _github_server.reset()
    return _github_server


@pytest.fixture(autouse=True)
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record rate-limit back-off waits instead of sleeping."""
    recorded: list[float] = []
    monkeypatch.setattr("onboard.secrets.http.sleep", recorded.append)
    return recorded


@pytest.fixture
def unichain() -> NetworkSpec:
    return load_spec(REPO_ROOT / "network_specs" / "unichain.toml")


def spec_from(tmp_path: Path, **replacements: str) -> NetworkSpec:
    """Load the unichain spec with text replacements, for variants of names and explorers."""
    text = (REPO_ROOT / "network_specs" / "unichain.toml").read_text()
    for old, new in replacements.items():
        text = text.replace(old, new)
    path = tmp_path / "variant.toml"
    path.write_text(text)
    return load_spec(path)


def backend_table(backend: str, infisical: InfisicalDouble, github: GitHubSecretsDouble) -> dict[str, Any]:
    if backend == "infisical":
        return {"url": infisical.url, "project_id": infisical.project_id, "environment": infisical.environment,
                "timeout_seconds": 2.0}
    if backend == "dotenv":
        return {"path": "deploy/.env"}
    return {"repository": github.repository, "api_url": github.url, "timeout_seconds": 2.0}


@dataclass
class Harness:
    """One onboard install in a temporary folder, with the spec, environment and configuration of a test."""

    root: Path
    spec: NetworkSpec
    env: dict[str, str]
    secrets: dict[str, Any]
    console_output: io.StringIO
    stage: SecretsStage

    def context(self, **options: Any) -> Context:
        (self.root / "onboard.toml").write_text(tomli_w.dumps({"state_dir": "state", "secrets": self.secrets}))
        config = load_config(self.root / "onboard.toml", env={})
        journal = Journal(config.state_dir, self.spec.name)
        console = Console(file=self.console_output, force_terminal=False, width=200)
        return Context(spec=self.spec, config=config, journal=journal, env=self.env, console=console, options=options)

    def plan(self) -> Plan:
        return self.stage.plan(self.context())

    def run(self, **options: Any) -> tuple[Plan, dict[str, Any]]:
        """Plan, apply, record the outputs as the pipeline runner does, then verify."""
        ctx = self.context(**options)
        plan = self.stage.plan(ctx)
        outputs = self.stage.apply(ctx)
        ctx.journal.update(self.stage.name, status="done", outputs=outputs)
        self.stage.verify(self.context(), outputs)
        return plan, outputs

    def journal_text(self) -> str:
        path = self.root / "state" / self.spec.name / "journal.json"
        return path.read_text() if path.exists() else ""

    @property
    def dotenv_path(self) -> Path:
        return self.root / "deploy" / ".env"


@pytest.fixture
def make_harness(
    tmp_path: Path, unichain: NetworkSpec, infisical: InfisicalDouble, github: GitHubSecretsDouble
) -> Callable[..., Harness]:
    def make(backend: str, *, spec: NetworkSpec | None = None, **settings: Any) -> Harness:
        table = {**backend_table(backend, infisical, github), **settings.pop("table", {})}
        secrets = {"backend": backend, backend: table, **settings}
        root = tmp_path / backend
        root.mkdir(exist_ok=True)
        return Harness(root, spec or unichain, canary_env(infisical, github), secrets, io.StringIO(), SecretsStage())

    return make


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog
