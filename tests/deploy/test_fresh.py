"""The deploy stage on a fresh anvil chain, and run a second time on the same chain."""

from __future__ import annotations

import pytest

from onboard.deploy.rpc import Rpc
from onboard.sandbox.anvil import DEV_ACCOUNT
from onboard.stages.deploy import DeployStage
from tests.deploy.conftest import CHAIN_ID, build_context, console_text

pytestmark = [pytest.mark.node, pytest.mark.slow]

SYSTEM_SIZE = 14  # 13 deployed by their own transaction, SphinxModule by SphinxModuleProxyFactory


def test_fresh_chain_records_every_contract(deployed_chain) -> None:
    _, _, outputs = deployed_chain

    assert outputs["changed"] is True
    assert outputs["chain_id"] == CHAIN_ID
    assert outputs["deployer"] == DEV_ACCOUNT
    assert len(outputs["contracts"]) == SYSTEM_SIZE
    assert all(record["code_matches_artifact"] for record in outputs["contracts"].values())
    with_tx = {name: record for name, record in outputs["contracts"].items() if "tx_hash" in record}
    assert len(with_tx) == SYSTEM_SIZE - 1
    assert "SphinxModule" not in with_tx
    assert len({record["tx_hash"] for record in with_tx.values()}) == SYSTEM_SIZE - 1
    assert all(record["gas_used"] > 100_000 and record["cost_wei"] > 0 for record in with_tx.values())
    assert 18_000_000 < outputs["gas_used"] < 20_000_000
    assert outputs["other_transactions"] == []


def test_fresh_chain_task_exit_code_interpreted(deployed_chain) -> None:
    _, _, outputs = deployed_chain

    # The published core lists only upstream's chains, so its verification step throws after deploying.
    assert outputs["task"]["exit_code"] == 1
    assert f"does not list chain id {CHAIN_ID}" in outputs["task"]["summary"]
    assert len(outputs["task"]["reported"]) == SYSTEM_SIZE - 1
    assert outputs["task"]["explorer_verification"].startswith("not attempted: the installed @sphinx-labs/core")


def test_fresh_chain_transactions_read_from_node(deployed_chain) -> None:
    node, _, outputs = deployed_chain
    rpc = Rpc(node.url)

    for name, record in outputs["contracts"].items():
        if "tx_hash" not in record:
            continue
        receipt = rpc.receipt(record["tx_hash"])
        assert int(receipt["gasUsed"], 16) == record["gas_used"], name
        assert int(receipt["blockNumber"], 16) == record["block"], name


def test_fresh_chain_verify_passes(deployed_chain, monorepo) -> None:
    node, state_dir, outputs = deployed_chain
    ctx = build_context(monorepo, state_dir, node)

    DeployStage().verify(ctx, outputs)


def test_second_run_sends_no_transaction(deployed_chain, monorepo) -> None:
    node, state_dir, first = deployed_chain
    ctx = build_context(monorepo, state_dir, node)
    rpc = Rpc(node.url)
    block_before = rpc.block_number()
    nonce_before = rpc.nonce(DEV_ACCOUNT)

    plan = DeployStage().plan(ctx)
    outputs = DeployStage().apply(ctx)

    assert plan.changes is False
    assert plan.summary == f"all {SYSTEM_SIZE} system contracts are already deployed"
    assert outputs["changed"] is False
    assert rpc.block_number() == block_before
    assert rpc.nonce(DEV_ACCOUNT) == nonce_before
    assert outputs["contracts"] == first["contracts"]
    assert "nothing sent" in console_text(ctx)
