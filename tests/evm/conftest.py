"""Shared anvil nodes for the compatibility check tests, started once per session and stopped by PID."""

from __future__ import annotations

import json

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from onboard.commands.check import system_contracts
from onboard.evm.check import run_check
from onboard.evm.findings import Finding
from onboard.evm.report import Report
from onboard.evm.rpc import RpcClient
from onboard.evm.target import Target
from onboard.sandbox.anvil import Anvil, start_anvil
from tests.evm.rpcproxy import Behaviour, RpcProxy

# Blocks mined on the shared node, so that eth_getLogs ranges of several thousand blocks exist.
MINED_BLOCKS = 5500


@pytest.fixture(scope="session")
def anvil_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Anvil]]:
    """Start one anvil per distinct set of flags and reuse it for the whole session."""
    nodes: dict[tuple, Anvil] = {}
    folder = tmp_path_factory.mktemp("anvil")

    def node(hardfork: str | None = None, *args: str) -> Anvil:
        key = (hardfork, *args)
        if key not in nodes:
            nodes[key] = start_anvil(hardfork=hardfork, args=list(args), log_file=folder / f"anvil-{len(nodes)}.log")
        return nodes[key]

    yield node
    for started in nodes.values():
        started.stop()


@pytest.fixture(scope="session")
def chain(anvil_nodes: Callable[..., Anvil], tmp_path_factory: pytest.TempPathFactory) -> Anvil:
    """The default node (latest hardfork) whose genesis is block MINED_BLOCKS.

    A genesis with a high number gives eth_getLogs ranges of thousands of blocks at once. anvil_mine would
    take several seconds per 1000 blocks on a loaded machine.
    """
    genesis = tmp_path_factory.mktemp("genesis") / "genesis.json"
    genesis.write_text(json.dumps({
        "config": {"chainId": 31337}, "number": hex(MINED_BLOCKS), "gasLimit": hex(30_000_000),
        "difficulty": "0x0", "timestamp": "0x0", "extraData": "0x", "alloc": {},
    }))  # fmt: skip
    return anvil_nodes(None, "--init", str(genesis))


@pytest.fixture(scope="session")
def system() -> tuple:
    return system_contracts(None)


@pytest.fixture
def check(system: tuple) -> Callable[..., Report]:
    """Run the check against `url`, optionally behind a proxy with behaviours."""
    proxies: list[RpcProxy] = []

    def run(url: str, *behaviours: Behaviour, spec=None, chain_id: int | None = None, **client: object) -> Report:
        if behaviours:
            proxy = RpcProxy(url, *behaviours).start()
            proxies.append(proxy)
            url = proxy.url
        target = Target(label="test", url=url, spec=spec, expected_chain_id=chain_id, system=system)
        rpc = RpcClient(url, backoff=0.01, **client)  # type: ignore[arg-type]
        try:
            return run_check(target, client=rpc)
        finally:
            rpc.close()

    yield run
    for proxy in proxies:
        proxy.stop()


def finding(report: Report, finding_id: str) -> Finding:
    matches = [item for item in report.findings if item.id == finding_id]
    assert matches, f"no finding {finding_id}"
    return matches[0]


def statuses(report: Report) -> dict[str, str]:
    return {item.id: str(item.status) for item in report.findings}


@pytest.fixture(scope="session")
def unichain_on_anvil():
    """The unichain spec with anvil's chain id and no rollup stack, so that only the tested finding differs."""
    from onboard.spec.load import load_spec

    spec = load_spec(Path(__file__).resolve().parents[2] / "network_specs" / "unichain.toml")
    return spec.model_copy(update={"chain_id": 31337, "rollup_stack": None})
