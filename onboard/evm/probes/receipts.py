"""gas.receipt: a mined transaction's gasUsed against eth_estimateGas of the same transaction.

The first transaction of the latest block is estimated again at its parent block, the state it started
from. A receipt that used more gas than the estimate means transactions sent with estimates run out of gas.
"""

from __future__ import annotations

from typing import Any

from onboard.evm.findings import Finding, Status, evidence, to_int
from onboard.evm.rpc import Call
from onboard.evm.target import Calls, Facts, Replies, Target

_FIELDS = ("from", "to", "value", "input")


def first_transaction(facts: Facts) -> str | None:
    transactions = (facts.block or {}).get("transactions") or []
    first = transactions[0] if transactions else None
    return first if isinstance(first, str) else None


def second_round(target: Target, facts: Facts) -> Calls:
    transaction = first_transaction(facts)
    if transaction is None:
        return {}
    return {
        "receipt:transaction": Call("eth_getTransactionByHash", (transaction,)),
        "receipt:receipt": Call("eth_getTransactionReceipt", (transaction,)),
    }


def replay(transaction: dict[str, Any]) -> dict[str, Any]:
    """Build the estimate request of a mined transaction, without fee fields, so that no balance check differs."""
    request = {key: transaction[key] for key in _FIELDS if transaction.get(key) is not None}
    if "input" in request:
        request["data"] = request.pop("input")
    return request


def third_round(target: Target, replies: Replies, facts: Facts) -> Calls:
    transaction = replies.get("receipt:transaction")
    number = to_int((facts.block or {}).get("number"))
    if transaction is None or not transaction.ok or not isinstance(transaction.result, dict) or not number:
        return {}
    return {"receipt:estimate": Call("eth_estimateGas", (replay(transaction.result), hex(number - 1)))}


def judge(target: Target, replies: Replies, facts: Facts) -> list[Finding]:
    estimate_reply, receipt_reply = replies.get("receipt:estimate"), replies.get("receipt:receipt")
    if estimate_reply is None or receipt_reply is None:
        return [Finding("gas.receipt", Status.SKIP, "not checked: the latest block has no transactions")]
    estimate = to_int(estimate_reply.result) if estimate_reply.ok else None
    receipt = receipt_reply.result if isinstance(receipt_reply.result, dict) else {}
    used = to_int(receipt.get("gasUsed"))
    proof = evidence(receipt_reply, estimate_reply)
    if estimate is None or used is None:
        return [Finding("gas.receipt", Status.SKIP, "not checked: the transaction could not be estimated again",
                        evidence=proof)]  # fmt: skip
    data = {"transaction": receipt.get("transactionHash"), "gas_used": used, "estimate": estimate}
    if used > estimate:
        return [Finding(
            "gas.receipt", Status.FAIL, f"a mined transaction used {used:,} gas, its estimate is {estimate:,}",
            impact="Transactions sent with eth_estimateGas run out of gas on this chain.",
            fix="set action_gas_limit_buffer = true, or hardcoded_merkle_leaf_gas for the chain",
            evidence=proof, data=data, suggest={"actionGasLimitBuffer": True},
        )]  # fmt: skip
    return [Finding("gas.receipt", Status.PASS, f"a mined transaction used {used:,} gas, within its estimate "
                    f"of {estimate:,}", data=data)]  # fmt: skip
