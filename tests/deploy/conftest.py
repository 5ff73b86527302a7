"""Fixtures of the deploy stage's tests: a minimal sandbox monorepo whose packages/core runs the published
@sphinx-labs/core, a network spec for it, and stage contexts aimed at anvil nodes."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from onboard import proc
from onboard.config import Config
from onboard.journal import Journal
from onboard.sandbox.anvil import DEV_PRIVATE_KEY, Anvil, start_anvil
from onboard.sandbox.core_package import link_toolchain, write_core_package
from onboard.sandbox.toolchain import Toolchain
from onboard.spec import NetworkSpec
from onboard.stages.base import Context

CHAIN_ID = 424242
NETWORK = "sandbox_chain"
RPC_URL_ID = "SANDBOX_CHAIN_URL"

# A hand-written SPHINX_NETWORKS in upstream's style, with the field order varied on purpose.
NETWORKS_TS = f"""import {{ SupportedNetwork }} from './types'

export const SPHINX_NETWORKS: Array<SupportedNetwork> = [
  {{
    name: 'ethereum',
    displayName: 'Ethereum',
    chainId: BigInt(1),
    rpcUrl: () => process.env.ETH_MAINNET_URL!,
    rpcUrlId: 'ETH_MAINNET_URL',
    blockexplorers: {{}},
  }},
  {{
    displayName: 'Sandbox Chain',
    name: '{NETWORK}',
    rpcUrlId: '{RPC_URL_ID}',
    chainId: BigInt({CHAIN_ID}),
    rpcUrl: () => process.env.{RPC_URL_ID}!,
    blockexplorers: {{}},
    hardcodedMerkleLeafGas: (10_500_000).toString(),
  }},
]

export const SPHINX_LOCAL_NETWORKS: Array<SupportedNetwork> = [
  {{ name: 'anvil', chainId: BigInt(31337), rpcUrlId: 'ANVIL_URL' }},
]
"""

SPEC = {
    "name": NETWORK,
    "display_name": "Sandbox Chain",
    "chain_id": CHAIN_ID,
    "rpc_url_id": RPC_URL_ID,
    "currency": "ETH",
    "drip_size": "0.15",
    "network_type": "Testnet",
    "drip_version": 0,
    "decimals": 18,
    "query_filter_block_limit": 2000,
    "legacy_tx": False,
    "action_gas_limit_buffer": False,
    "eip2028": True,
    "action_transaction_batching": True,
}


@pytest.fixture(scope="session")
def monorepo(tmp_path_factory: pytest.TempPathFactory, toolchain: Toolchain) -> Path:
    """A git checkout with packages/contracts/src/networks.ts and packages/core linked to the toolchain."""
    root = tmp_path_factory.mktemp("monorepo")
    networks = root / "packages" / "contracts" / "src" / "networks.ts"
    networks.parent.mkdir(parents=True)
    networks.write_text(NETWORKS_TS)
    core = root / "packages" / "core"
    write_core_package(core, contracts_version="0.23.0")
    link_toolchain(core, toolchain)
    proc.run(["git", "init", "--quiet", str(root)])
    return root


@pytest.fixture
def spec() -> NetworkSpec:
    return NetworkSpec.model_validate(SPEC)


ContextFactory = Callable[..., Context]


def build_context(
    monorepo: Path,
    state_dir: Path,
    node: Anvil,
    *,
    spec: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    deploy: dict[str, Any] | None = None,
    **fields: Any,
) -> Context:
    """Return a stage context for `node`: the sandbox monorepo, the dev account as deployer, a captured console."""
    config = Config(data={"monorepo": {"path": str(monorepo)}, "deploy": deploy or {}}, path=None, root=state_dir)
    network_spec = NetworkSpec.model_validate({**SPEC, **(spec or {})})
    child_env = {"PATH": os.environ["PATH"], RPC_URL_ID: node.url, "PRIVATE_KEY": DEV_PRIVATE_KEY, **(env or {})}
    console = Console(file=io.StringIO(), width=200)
    return Context(
        spec=network_spec,
        config=config,
        journal=Journal(state_dir, network_spec.name),
        env=child_env,
        console=console,
        **fields,
    )


@pytest.fixture
def make_context(monorepo: Path, tmp_path: Path) -> ContextFactory:
    def make(node: Anvil, **kwargs: Any) -> Context:
        return build_context(monorepo, tmp_path / "state", node, **kwargs)

    return make


@pytest.fixture(scope="session")
def deployed_chain(monorepo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Anvil, Path, dict]]:
    """A chain with the whole system deployed once by the stage, shared by the tests that only read it."""
    from onboard.stages.deploy import DeployStage

    folder = tmp_path_factory.mktemp("deployed")
    node = start_anvil(chain_id=CHAIN_ID, log_file=folder / "anvil.log")
    try:
        ctx = build_context(monorepo, folder / "state", node)
        outputs = DeployStage().apply(ctx)
        ctx.journal.update("deploy", status="done", outputs=outputs)
        yield node, folder / "state", outputs
    finally:
        node.stop()


def console_text(ctx: Context) -> str:
    return ctx.console.file.getvalue()  # type: ignore[attr-defined]
