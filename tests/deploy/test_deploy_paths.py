"""Full deployments on chains that differ from a fresh default anvil: no proxy, an older hardfork, and a run
killed midway."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from onboard.deploy.preflight import KEYLESS_COST, KEYLESS_SENDER
from onboard.deploy.rpc import Rpc
from onboard.deploy.system import PROXY_ADDRESS
from onboard.errors import StageError
from onboard.sandbox.anvil import DEV_ACCOUNT, DEV_PRIVATE_KEY
from onboard.stages.deploy import DeployStage
from tests.deploy.conftest import CHAIN_ID, console_text

pytestmark = [pytest.mark.node, pytest.mark.slow]

OWN_TRANSACTIONS = 13
WAIT_SECONDS = 60.0


def proxy_transactions(rpc: Rpc) -> list[dict]:
    """Return every transaction the dev account sent to the proxy, from the chain itself."""
    found = []
    for number in range(rpc.block_number() + 1):
        for tx in rpc.block(number, full=True)["transactions"]:
            if tx["from"].lower() == DEV_ACCOUNT.lower() and (tx.get("to") or "").lower() == PROXY_ADDRESS:
                found.append(tx)
    return found


def test_keyless_proxy_deployment(anvil_factory, make_context) -> None:
    node = anvil_factory(chain_id=CHAIN_ID, args=["--disable-default-create2-deployer"])
    rpc = Rpc(node.url)
    assert rpc.code(PROXY_ADDRESS) == b""
    ctx = make_context(node, options={"fund_keyless": True}, assume_yes=True)

    outputs = DeployStage().apply(ctx)
    DeployStage().verify(ctx, outputs)

    assert rpc.code(PROXY_ADDRESS) != b""
    kinds = [item["kind"] for item in outputs["other_transactions"]]
    assert kinds == ["keyless sender funding", "proxy deployment"]
    assert outputs["other_transactions"][0]["value_wei"] == KEYLESS_COST
    assert rpc.nonce(KEYLESS_SENDER) == 1
    assert all(record["code_matches_artifact"] for record in outputs["contracts"].values())
    assert len(proxy_transactions(rpc)) == OWN_TRANSACTIONS


def test_london_hardfork(anvil_factory, make_context, caplog) -> None:
    node = anvil_factory(chain_id=CHAIN_ID, hardfork="london")
    ctx = make_context(node)
    caplog.set_level(logging.DEBUG, logger="onboard")

    outputs = DeployStage().apply(ctx)
    DeployStage().verify(ctx, outputs)

    assert all(record["code_matches_artifact"] for record in outputs["contracts"].values())
    assert sum("tx_hash" in record for record in outputs["contracts"].values()) == OWN_TRANSACTIONS
    assert "Deployed GnosisSafeL2" in caplog.text
    assert DEV_PRIVATE_KEY[2:] not in caplog.text
    assert DEV_PRIVATE_KEY[2:] not in ctx.journal.path.read_text()
    expected = f"then exited 1 because the installed @sphinx-labs/core does not list chain id {CHAIN_ID}"
    assert expected in console_text(ctx)


def mine_pending(rpc: Rpc, count: int) -> None:
    """Mine `count` blocks, each once a transaction is waiting, so the task advances one contract at a time."""
    deadline = time.monotonic() + WAIT_SECONDS
    mined = 0
    while mined < count:
        assert time.monotonic() < deadline, f"only {mined} transactions arrived"
        pending = rpc.block("pending", full=False)["transactions"]
        if pending:
            rpc.call("evm_mine")
            mined += 1
        else:
            time.sleep(0.05)


def test_killed_midway_then_resumed(anvil_factory, make_context) -> None:
    node = anvil_factory(chain_id=CHAIN_ID)
    rpc = Rpc(node.url)
    rpc.call("evm_setAutomine", [False])
    # Three contracts get mined, the fourth stays pending until the timeout stops the task.
    ctx = make_context(node, deploy={"timeout_seconds": 20})
    errors: list[StageError] = []
    worker = threading.Thread(target=lambda: _apply_expecting_failure(ctx, errors))
    worker.start()
    mine_pending(rpc, 3)
    worker.join(timeout=WAIT_SECONDS)

    assert not worker.is_alive()
    assert "after deploy-system, 10 system contracts have no code" in errors[0].message
    assert "timed out" in (errors[0].cause or "")
    assert ctx.journal.outputs("deploy")["first_block"] == 1
    with pytest.raises(StageError, match="1 pending transactions"):
        DeployStage().apply(ctx)

    rpc.call("evm_mine")
    rpc.call("evm_setAutomine", [True])
    outputs = DeployStage().apply(ctx)
    DeployStage().verify(ctx, outputs)

    sent = proxy_transactions(rpc)
    assert len(sent) == OWN_TRANSACTIONS
    assert len({tx["input"] for tx in sent}) == OWN_TRANSACTIONS
    assert outputs["other_transactions"] == []
    recorded = {record["tx_hash"] for record in outputs["contracts"].values() if "tx_hash" in record}
    assert recorded == {tx["hash"] for tx in sent}


def _apply_expecting_failure(ctx, errors: list[StageError]) -> None:
    try:
        DeployStage().apply(ctx)
    except StageError as err:
        errors.append(err)


def test_unrecorded_transactions_found_on_resume(anvil_factory, make_context) -> None:
    node = anvil_factory(chain_id=CHAIN_ID)
    ctx = make_context(node)
    DeployStage().apply(ctx)
    # What a run killed after deploy-system sent everything leaves: the first block, no transactions.
    ctx.journal.update("deploy", outputs={"first_block": 1, "deployer": DEV_ACCOUNT})

    outputs = DeployStage().apply(ctx)

    assert outputs["changed"] is False
    recorded = {record["tx_hash"] for record in outputs["contracts"].values() if "tx_hash" in record}
    assert recorded == {tx["hash"] for tx in proxy_transactions(Rpc(node.url))}
    assert len(recorded) == OWN_TRANSACTIONS
