"""Fees and gas: fees.eip1559 (legacyTx), gas.estimate, calldata.eip2028 (eip2028).

Gas estimation is measured against initcode whose cost is known exactly: a loop of LOOP_ITERATIONS rounds of
26 gas, which creates no contract. Calldata pricing is the difference between two estimates of that initcode
with 64 zero bytes or 64 non-zero bytes appended after its STOP; the loop keeps execution above the EIP-7623
calldata floor, so the difference is the per-byte price alone.
"""

from __future__ import annotations

from onboard.evm.asm import creation_call
from onboard.evm.findings import Finding, Status, evidence, to_int
from onboard.evm.rpc import Call, Reply
from onboard.evm.target import Calls, Facts, Replies, Target

LOOP_ITERATIONS = 2_000
# PUSH2 n; JUMPDEST PUSH1 1 SWAP1 SUB DUP1 PUSH1 3 JUMPI; STOP. Each round costs 1+3+3+3+3+3+10 = 26 gas.
LOOP_INITCODE = bytes.fromhex(f"61{LOOP_ITERATIONS:04x}" "5b600190038060035700")
CREATION_GAS = 53_000
LOOP_GAS = 3 + 26 * LOOP_ITERATIONS
PADDING_BYTES = 64
# Estimates within this ratio of the known cost count as exact.
ESTIMATE_LOW, ESTIMATE_HIGH = 0.99, 1.10
DEFAULT_LEGACY_TX = False
DEFAULT_EIP2028 = True


def known_cost(*, eip2028: bool, shanghai: bool) -> int:
    """Return the gas a creation of LOOP_INITCODE uses: intrinsic, calldata, initcode words and execution."""
    nonzero = sum(1 for byte in LOOP_INITCODE if byte)
    zero = len(LOOP_INITCODE) - nonzero
    calldata = zero * 4 + nonzero * (16 if eip2028 else 68)
    # EIP-3860 (Shanghai): 2 gas per 32-byte word of initcode.
    words = 2 * ((len(LOOP_INITCODE) + 31) // 32) if shanghai else 0
    return CREATION_GAS + calldata + words + LOOP_GAS


def first_round(target: Target) -> Calls:
    return {
        "fees:priority": Call("eth_maxPriorityFeePerGas"),
        "fees:history": Call("eth_feeHistory", ("0x4", "latest", [50])),
        "gas:known": Call("eth_estimateGas", (creation_call(LOOP_INITCODE),)),
        "gas:zeros": Call("eth_estimateGas", (creation_call(LOOP_INITCODE + bytes(PADDING_BYTES)),)),
        "gas:nonzeros": Call("eth_estimateGas", (creation_call(LOOP_INITCODE + b"\xff" * PADDING_BYTES),)),
    }


def judge(target: Target, replies: Replies, facts: Facts) -> list[Finding]:
    calldata = _calldata(target, replies, facts)
    return [_eip1559(target, replies, facts), _estimate(replies, facts, calldata), calldata]


def _spec_value(target: Target, field: str) -> object:
    return None if target.spec is None else getattr(target.spec, field)


def _against_spec(target: Target, *, field: str, value: object, default: object) -> Status:
    """Status of a derived SPHINX_NETWORKS field: FAIL when the spec says otherwise, WARN when it is
    not the default and there is no spec to compare with."""
    configured = _spec_value(target, field)
    if configured is not None:
        return Status.PASS if configured == value else Status.FAIL
    return Status.PASS if value == default else Status.WARN


def _eip1559(target: Target, replies: Replies, facts: Facts) -> Finding:
    priority, history = replies["fees:priority"], replies["fees:history"]
    base_fee = to_int((facts.block or {}).get("baseFeePerGas"))
    history_ok = history.ok and isinstance(history.result, dict) and bool(history.result.get("baseFeePerGas"))
    proof = evidence(replies["chain:block"], priority, history)
    legacy = base_fee is None or not history_ok
    status = _against_spec(target, field="legacy_tx", value=legacy, default=DEFAULT_LEGACY_TX)
    suggest = {"legacyTx": legacy}
    if legacy:
        reason = "blocks carry no baseFeePerGas" if base_fee is None else "eth_feeHistory fails"
        return Finding(
            "fees.eip1559", status, f"EIP-1559 fees are not usable: {reason}; legacyTx: true",
            impact="forge and ethers send EIP-1559 transactions unless legacyTx is set; the node rejects them "
            "or they are priced wrongly.",
            fix="set legacy_tx = true in the spec", evidence=proof, suggest=suggest,
        )  # fmt: skip
    if not priority.ok:
        return Finding(
            "fees.eip1559", Status.WARN if status is Status.PASS else status,
            "EIP-1559 works, but eth_maxPriorityFeePerGas fails",
            impact="ethers falls back to a 1 gwei tip and forge reads eth_feeHistory, so transactions still go "
            "out; tips may be higher or lower than the chain needs.",
            fix="keep legacy_tx = false; if transactions stay pending, set legacy_tx = true",
            evidence=proof, suggest=suggest,
        )  # fmt: skip
    return Finding("fees.eip1559", status, f"EIP-1559 fees work (base fee {base_fee} wei); legacyTx: false",
                   fix="set legacy_tx = false in the spec" if status is Status.FAIL else "",
                   evidence=proof if status is not Status.PASS else (), suggest=suggest)  # fmt: skip


def _ratio(reply: Reply, facts: Facts, *, eip2028: bool) -> float | None:
    estimate = to_int(reply.result) if reply.ok else None
    if estimate is None:
        return None
    return estimate / known_cost(eip2028=eip2028, shanghai=facts.at_least("shanghai"))


def _estimate(replies: Replies, facts: Facts, calldata: Finding) -> Finding:
    reply = replies["gas:known"]
    eip2028 = calldata.suggest.get("eip2028", True)
    ratio = _ratio(reply, facts, eip2028=bool(eip2028))
    proof = evidence(reply)
    if ratio is None:
        return Finding("gas.estimate", Status.FAIL, "eth_estimateGas fails for a plain creation",
                       impact="Sphinx estimates the gas of every transaction it sends.",
                       fix="use an RPC endpoint that implements eth_estimateGas", evidence=proof)  # fmt: skip
    facts.estimate_scale = ratio
    known = known_cost(eip2028=bool(eip2028), shanghai=facts.at_least("shanghai"))
    data = {"ratio": round(ratio, 4), "known_gas": known}
    if ratio < ESTIMATE_LOW:
        return Finding(
            "gas.estimate", Status.FAIL, f"eth_estimateGas returns {ratio:.2f} times the real cost",
            impact="Transactions sent with the estimate run out of gas; receipts use more gas than estimated.",
            fix="set action_gas_limit_buffer = true, or hardcoded_merkle_leaf_gas for the chain",
            evidence=proof, data=data, suggest={"actionGasLimitBuffer": True},
        )  # fmt: skip
    if ratio > ESTIMATE_HIGH:
        return Finding(
            "gas.estimate", Status.WARN, f"eth_estimateGas returns {ratio:.2f} times the real cost",
            impact="Sphinx reserves and pays for more gas than it uses (rollups add their L1 data fee here); "
            "batched actions may exceed the block gas limit.",
            fix="set action_transaction_batching = false; fund the deployer for the higher estimate",
            evidence=proof, data=data, suggest={"actionTransactionBatching": False},
        )  # fmt: skip
    return Finding("gas.estimate", Status.PASS, f"eth_estimateGas matches the known cost (ratio {ratio:.3f})",
                   data=data)  # fmt: skip


def _calldata(target: Target, replies: Replies, facts: Facts) -> Finding:
    zeros, nonzeros, known = replies["gas:zeros"], replies["gas:nonzeros"], replies["gas:known"]
    proof = evidence(zeros, nonzeros)
    low, high = to_int(zeros.result), to_int(nonzeros.result)
    scale = _ratio(known, facts, eip2028=True) or 1.0
    if low is None or high is None:
        return Finding("calldata.eip2028", Status.SKIP, "not measured: eth_estimateGas failed", evidence=proof)
    if ESTIMATE_LOW <= scale <= ESTIMATE_HIGH:
        scale = 1.0
    # Zero bytes cost 4 gas in every fork since Istanbul and before it.
    per_byte = (high - low) / scale / PADDING_BYTES + 4
    data = {"gas_per_nonzero_byte": round(per_byte, 1)}
    if abs(per_byte - 16) > 4 and abs(per_byte - 68) > 12:
        return Finding("calldata.eip2028", Status.WARN, f"non-zero calldata bytes cost {per_byte:.1f} gas",
                       impact="Sphinx's calldata gas formula assumes 16 or 68 gas per non-zero byte.",
                       fix="ask the chain's team how calldata is priced; keep eip2028 = true",
                       evidence=proof, data=data)  # fmt: skip
    eip2028 = abs(per_byte - 16) <= 4
    status = _against_spec(target, field="eip2028", value=eip2028, default=DEFAULT_EIP2028)
    price = 16 if eip2028 else 68
    return Finding(
        "calldata.eip2028", status, f"non-zero calldata bytes cost {price} gas; eip2028: {str(eip2028).lower()}",
        impact="" if status is Status.PASS else "Sphinx prices calldata with the eip2028 flag; a wrong flag "
        "makes its gas limits too low (68 gas chains) or too high.",
        fix="" if status is Status.PASS else f"set eip2028 = {str(eip2028).lower()} in the spec",
        evidence=proof, data=data, suggest={"eip2028": eip2028},
    )  # fmt: skip
