"""Pre-flight failures of the deploy stage: each stops before any transaction and reports why."""

from __future__ import annotations

from decimal import Decimal

import pytest
from eth_account import Account
from eth_utils import to_checksum_address

from onboard.deploy.preflight import KEYLESS_SENDER
from onboard.deploy.rpc import Rpc
from onboard.errors import StageError
from onboard.sandbox.anvil import DEV_ACCOUNT, DEV_PRIVATE_KEY
from onboard.stages.deploy import DeployStage
from tests.deploy.conftest import CHAIN_ID

pytestmark = [pytest.mark.node]

# A key anvil does not fund; the tests give it a small balance.
POOR_KEY = "0x" + "42" * 32
POOR_ACCOUNT = Account.from_key(POOR_KEY).address


def apply_fails(ctx, node) -> StageError:
    """Run apply, expect a StageError, and check that the chain did not move."""
    rpc = Rpc(node.url)
    block_before = rpc.block_number()
    with pytest.raises(StageError) as caught:
        DeployStage().apply(ctx)
    assert rpc.block_number() == block_before
    assert rpc.nonce(DEV_ACCOUNT) == 0
    return caught.value


def test_chain_id_mismatch(anvil_factory, make_context) -> None:
    node = anvil_factory(chain_id=31337)
    ctx = make_context(node)

    error = apply_fails(ctx, node)

    assert f"serves chain id 31337, the spec says {CHAIN_ID}" in error.message
    assert "SANDBOX_CHAIN_URL" in error.message


def test_underfunded_deployer(anvil_factory, make_context) -> None:
    node = anvil_factory(chain_id=CHAIN_ID)
    node.rpc("anvil_setBalance", [POOR_ACCOUNT, hex(10**15)])
    ctx = make_context(node, env={"PRIVATE_KEY": POOR_KEY})

    error = apply_fails(ctx, node)

    assert "pre-flight failed, no transaction was sent" in error.message
    assert f"the deployer {POOR_ACCOUNT} holds 0.001 ETH (1000000000000000 wei)" in error.message
    assert "20% margin: missing " in error.message
    assert f"to {POOR_ACCOUNT}, then run again" in error.fix
    assert Rpc(node.url).nonce(POOR_ACCOUNT) == 0


def test_underfunded_names_exact_missing_amount(anvil_factory, make_context) -> None:
    node = anvil_factory(chain_id=CHAIN_ID)
    node.rpc("anvil_setBalance", [POOR_ACCOUNT, hex(10**15)])
    ctx = make_context(node, env={"PRIVATE_KEY": POOR_KEY})

    with pytest.raises(StageError) as raised:
        DeployStage().plan(ctx)
    plan = raised.value.plan

    assert "pre-flight failed, no transaction was sent" in raised.value.message
    required = plan.data["required_wei"]
    assert required == -(-plan.data["estimated_gas"] * plan.data["fee_per_gas_wei"] * 120 // 100)
    missing = required - 10**15
    in_ether = Decimal(missing).scaleb(-18).normalize()
    assert plan.data["blockers"][0].endswith(f"missing {in_ether:f} ETH ({missing} wei)")


def test_private_key_missing(anvil_factory, make_context) -> None:
    node = anvil_factory(chain_id=CHAIN_ID)
    ctx = make_context(node, env={"PRIVATE_KEY": ""})

    error = apply_fails(ctx, node)

    assert error.message == "stage deploy: environment variable PRIVATE_KEY is missing or empty"


def test_private_key_invalid_not_echoed(anvil_factory, make_context) -> None:
    node = anvil_factory(chain_id=CHAIN_ID)
    ctx = make_context(node, env={"PRIVATE_KEY": "0xnot-a-key-value"})

    error = apply_fails(ctx, node)

    assert "PRIVATE_KEY does not hold a valid private key" in error.message
    assert "not-a-key-value" not in error.render()
    assert error.__cause__ is None


def test_block_gas_limit_below_largest_deployment(anvil_factory, make_context) -> None:
    node = anvil_factory(chain_id=CHAIN_ID, args=["--gas-limit", "5000000"])
    ctx = make_context(node)

    error = apply_fails(ctx, node)

    assert "the block gas limit 5,000,000 is below the largest system deployment" in error.message


def test_keyless_sender_nonce_used(anvil_factory, make_context) -> None:
    node = anvil_factory(chain_id=CHAIN_ID, args=["--disable-default-create2-deployer"])
    node.rpc("anvil_setNonce", [KEYLESS_SENDER, "0x1"])
    ctx = make_context(node, options={"fund_keyless": True}, assume_yes=True)

    error = apply_fails(ctx, node)

    assert f"keyless sender {KEYLESS_SENDER} has nonce 1" in error.message
    assert "preinstall the proxy at 0x4e59b44847b379578588920ca78fbf26c0b4956c" in error.fix
    assert Rpc(node.url).balance(KEYLESS_SENDER) == 0


def test_keyless_sender_unfunded_without_option(anvil_factory, make_context) -> None:
    node = anvil_factory(chain_id=CHAIN_ID, args=["--disable-default-create2-deployer"])
    ctx = make_context(node)

    error = apply_fails(ctx, node)

    assert f"the keyless sender {KEYLESS_SENDER} holds 0 ETH (0 wei)" in error.message
    assert "missing 0.01 ETH (10000000000000000 wei)" in error.message
    assert "--fund-keyless" in error.fix


def test_keyless_gas_price_above_fixed_price(anvil_factory, make_context) -> None:
    node = anvil_factory(
        chain_id=CHAIN_ID, args=["--disable-default-create2-deployer", "--block-base-fee-per-gas", str(150 * 10**9)]
    )
    ctx = make_context(node, options={"fund_keyless": True}, assume_yes=True)

    error = apply_fails(ctx, node)

    assert "the gas price 150 gwei is above the 100 gwei" in error.message


def test_keyless_funding_needs_confirmation(anvil_factory, make_context) -> None:
    node = anvil_factory(chain_id=CHAIN_ID, args=["--disable-default-create2-deployer"])
    ctx = make_context(node, options={"fund_keyless": True})

    error = apply_fails(ctx, node)

    assert "funding the keyless sender needs confirmation" in error.message
    assert "--yes" in error.fix


def test_pending_transaction_blocks(anvil_factory, make_context) -> None:
    node = anvil_factory(chain_id=CHAIN_ID)
    node.rpc("evm_setAutomine", [False])
    transfer = {"to": to_checksum_address(KEYLESS_SENDER), "value": 1, "gas": 21_000, "gasPrice": 10**10, "nonce": 0}
    signed = Account.sign_transaction({**transfer, "chainId": CHAIN_ID}, DEV_PRIVATE_KEY)
    node.rpc("eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex().removeprefix("0x")])
    ctx = make_context(node)

    error = apply_fails(ctx, node)

    assert f"the deployer {DEV_ACCOUNT} has 1 pending transactions" in error.message


def test_plan_without_private_key(anvil_factory, make_context) -> None:
    node = anvil_factory(chain_id=CHAIN_ID)
    ctx = make_context(node, env={"PRIVATE_KEY": ""})

    plan = DeployStage().plan(ctx)

    assert plan.changes is True
    assert plan.summary == f"deploy 14 of 14 system contracts on chain {CHAIN_ID}"
    assert "deployer balance not checked: PRIVATE_KEY is not set" in plan.details
    assert plan.data["blockers"] == []
    assert Rpc(node.url).block_number() == 0


def test_private_key_from_configured_variable(anvil_factory, make_context) -> None:
    node = anvil_factory(chain_id=CHAIN_ID)
    node.rpc("anvil_setBalance", [POOR_ACCOUNT, "0x0"])
    ctx = make_context(node, spec={"deployer": {"private_key_env": "DEPLOYER_KEY"}}, env={"DEPLOYER_KEY": POOR_KEY})

    error = apply_fails(ctx, node)

    assert f"the deployer {POOR_ACCOUNT} holds 0 ETH (0 wei)" in error.message
