"""Behaviours reported from real chains, injected by the test proxy, each with the finding it must give."""

from __future__ import annotations

import time

import pytest

from onboard.evm.asm import KEYLESS_SENDER
from onboard.evm.probes import create
from tests.evm import rpcproxy
from tests.evm.conftest import finding, statuses

NO_PROXY = "--disable-default-create2-deployer"
pytestmark = pytest.mark.node


@pytest.mark.parametrize(
    "message",
    ["only replay-protected (EIP-155) transactions allowed over RPC", "legacy pre-eip-155 transactions not supported"],
)
def test_unprotected_rejected(anvil_nodes, check, message):
    report = check(anvil_nodes(None, NO_PROXY).url, rpcproxy.RejectUnprotected(message))

    assert finding(report, "tx.unprotected").status == "fail"
    keyless = finding(report, "proxy.keyless")
    assert keyless.status == "fail"
    assert "rejects pre-EIP-155 transactions" in keyless.title
    assert "gas price" not in keyless.title


def test_unprotected_rejected_with_proxy_deployed(chain, check):
    report = check(chain.url, rpcproxy.RejectUnprotected())

    assert finding(report, "tx.unprotected").status == "warn"
    assert finding(report, "proxy.keyless").status == "skip"


def test_minimum_gas_price_above_keyless(anvil_nodes, check):
    report = check(anvil_nodes(None, NO_PROXY).url, rpcproxy.MinimumGasPrice(1000 * 10**9))

    keyless = finding(report, "proxy.keyless")
    assert keyless.status == "fail"
    assert "rejects the fixed gas price of 100 gwei" in keyless.title
    assert finding(report, "tx.unprotected").status == "pass"


def test_keyless_nonce_used_without_proxy(anvil_factory, check):
    node = anvil_factory(args=[NO_PROXY])
    node.rpc("anvil_setNonce", [KEYLESS_SENDER, "0x1"])

    keyless = finding(check(node.url), "proxy.keyless")

    assert keyless.status == "fail"
    assert "lost for good" in keyless.title
    assert keyless.data["nonce"] == 1


def test_keyless_possible_without_proxy(anvil_nodes, check):
    report = check(anvil_nodes(None, NO_PROXY).url)

    assert finding(report, "create2.proxy").status == "warn"
    keyless = finding(report, "proxy.keyless")
    assert keyless.status == "warn"
    assert KEYLESS_SENDER in keyless.fix
    system = finding(report, "sphinx.system")
    assert system.status == "pass"
    assert "state override" in system.title


def test_create2_formula_differs(chain, check):
    report = check(chain.url, rpcproxy.Create2Formula(create.INITCODE))

    assert finding(report, "create2.derivation").status == "fail"
    assert finding(report, "create.derivation").status == "pass"


def test_proxy_absent_estimate_fails(anvil_nodes, check):
    report = check(anvil_nodes(None, NO_PROXY).url, rpcproxy.ProxyEstimateFails())

    system = finding(report, "sphinx.system")
    assert system.status == "skip"
    assert "CREATE2 proxy" in system.title
    assert "absent" in system.title
    assert finding(report, "gas.estimate").status == "pass"
    assert finding(report, "gas.block_limit").status == "pass"


@pytest.mark.parametrize("message", ["invalid opcode: opcode 0x5f not defined", "invalid opcode: PUSH0"])
def test_push0_missing(anvil_nodes, check, message):
    report = check(anvil_nodes("cancun").url, rpcproxy.MissingOpcode(0x5F, message))

    assert finding(report, "opcode.push0").status == "warn"
    assert finding(report, "opcode.mcopy").status == "pass"
    assert report.evm_version == "london"


def test_push0_missing_on_london(anvil_nodes, check):
    report = check(anvil_nodes("london").url)

    assert finding(report, "opcode.push0").status == "warn"
    assert finding(report, "opcode.push0").data["supported"] is False


def test_estimate_tripled(chain, check):
    report = check(chain.url, rpcproxy.ScaledEstimate(3.0))

    estimate = finding(report, "gas.estimate")
    assert estimate.status == "warn"
    assert estimate.data["ratio"] == pytest.approx(3.0, rel=0.01)
    assert finding(report, "calldata.eip2028").suggest == {"eip2028": True}


def test_estimate_too_low(chain, check):
    report = check(chain.url, rpcproxy.ScaledEstimate(0.8))

    estimate = finding(report, "gas.estimate")
    assert estimate.status == "fail"
    assert estimate.suggest == {"actionGasLimitBuffer": True}


def send_transaction(node) -> None:
    """Mine one contract creation from anvil's first dev account: the loop initcode of the gas probes."""
    from onboard.evm.probes.fees import LOOP_INITCODE
    from onboard.sandbox.anvil import DEV_ACCOUNT

    transaction = node.rpc("eth_sendTransaction", [{"from": DEV_ACCOUNT, "data": "0x" + LOOP_INITCODE.hex()}])
    # anvil may return the hash before the automined block is visible on a busy machine.
    deadline = time.monotonic() + 10
    while node.rpc("eth_getTransactionReceipt", [transaction]) is None and time.monotonic() < deadline:
        time.sleep(0.05)


def test_receipt_within_estimate(anvil_factory, check):
    node = anvil_factory()
    send_transaction(node)

    receipt = finding(check(node.url), "gas.receipt")

    assert receipt.title.startswith("a mined transaction used")
    assert receipt.status == "pass"
    assert receipt.data["gas_used"] <= receipt.data["estimate"]


def test_receipt_above_estimate(anvil_factory, check):
    node = anvil_factory()
    send_transaction(node)

    report = check(node.url, rpcproxy.InflatedReceipts(1.2))

    receipt = finding(report, "gas.receipt")
    assert receipt.status == "fail"
    assert receipt.suggest == {"actionGasLimitBuffer": True}
    assert report.rpc["round_trips"] <= 4


def test_calldata_priced_68(chain, check, unichain_on_anvil):
    behaviour = rpcproxy.Calldata68()

    without_spec = finding(check(chain.url, behaviour), "calldata.eip2028")
    with_spec = finding(check(chain.url, behaviour, spec=unichain_on_anvil), "calldata.eip2028")

    assert without_spec.status == "warn"
    assert without_spec.suggest == {"eip2028": False}
    assert without_spec.data["gas_per_nonzero_byte"] == pytest.approx(68, abs=1)
    assert with_spec.status == "fail"


@pytest.mark.parametrize(("style", "cap", "expected"), [("inclusive", 1024, 1024), ("difference", 5000, 5001)])
def test_log_range_cap(chain, check, style, cap, expected):
    report = check(chain.url, rpcproxy.LogRangeCap(cap, style=style))

    limit = finding(report, "logs.range_limit")
    assert limit.data["max_range"] == expected
    assert limit.data["rejected"] == expected + 1
    assert limit.data["requests"] <= 10
    assert report.suggested_entry["queryFilterBlockLimit"] == min(expected, 2000)


def test_log_range_cap_below_spec(chain, check, unichain_on_anvil):
    report = check(chain.url, rpcproxy.LogRangeCap(1024, style="inclusive"), spec=unichain_on_anvil)

    limit = finding(report, "logs.range_limit")
    assert limit.status == "fail"
    assert limit.fix == "set query_filter_block_limit = 1024 in the spec"


def test_priority_fee_method_missing(chain, check):
    fees = finding(check(chain.url, rpcproxy.NoPriorityFeeMethod()), "fees.eip1559")

    assert fees.status == "warn"
    assert fees.suggest == {"legacyTx": False}


def test_no_base_fee(chain, check, unichain_on_anvil):
    without_spec = finding(check(chain.url, rpcproxy.NoBaseFee()), "fees.eip1559")
    with_spec = finding(check(chain.url, rpcproxy.NoBaseFee(), spec=unichain_on_anvil), "fees.eip1559")

    assert without_spec.status == "warn"
    assert without_spec.suggest == {"legacyTx": True}
    assert with_spec.status == "fail"
    assert with_spec.fix == "set legacy_tx = true in the spec"


@pytest.mark.parametrize("kind", ["http-json", "http-text", "retry-after", "rpc"])
def test_rate_limited_report_unchanged(chain, check, kind):
    baseline = check(chain.url)
    limiter = rpcproxy.RateLimit(kind)

    report = check(chain.url, limiter)

    assert limiter.limited > 0
    assert report.rpc["retries"] > 0
    assert statuses(report) == statuses(baseline)
    assert report.suggested_entry == baseline.suggested_entry


def test_code_size_capped_by_node(anvil_nodes, check):
    node = anvil_nodes(None, "--code-size-limit", "65536")

    capped = finding(check(node.url, rpcproxy.CodeSizeCap(24_576)), "code.size_limit")
    direct = finding(check(node.url), "code.size_limit")

    assert capped.status == "pass"
    assert capped.data == {"limit_at_least": 24_576, "rejected": 24_577}
    assert direct.data == {"limit_at_least": 49_152, "rejected": None}


def test_code_size_below_ethereum(anvil_nodes, check):
    report = check(anvil_nodes(None).url, rpcproxy.CodeSizeCap(20_000))

    assert finding(report, "code.size_limit").status == "fail"


def test_net_version_differs(chain, check):
    chain_id = finding(check(chain.url, rpcproxy.NetVersion("1")), "chain.id")

    assert chain_id.status == "warn"
    assert chain_id.data == {"chain_id": 31337, "net_version": "1"}


def test_batches_rejected(chain, check):
    baseline = check(chain.url)

    report = check(chain.url, rpcproxy.RejectBatches())

    assert finding(report, "rpc.batch").status == "warn"
    changed = {key for key, value in statuses(report).items() if statuses(baseline)[key] != value}
    assert changed == {"rpc.batch"}
    assert report.rpc["batch"] is False
    assert report.rpc["round_trips"] > 50


def test_batch_size_capped(chain, check):
    baseline = check(chain.url)

    report = check(chain.url, rpcproxy.BatchSizeLimit(10))

    batch = finding(report, "rpc.batch")
    assert batch.status == "warn"
    assert batch.title == "JSON-RPC batches of at most 10 requests are accepted"
    changed = {key for key, value in statuses(report).items() if statuses(baseline)[key] != value}
    assert changed == {"rpc.batch"}
