"""The deterministic deployment proxy: create2.proxy, proxy.keyless and tx.unprotected.

When the proxy is missing, the deploy stage sends its fixed pre-EIP-155 deployment transaction from the keyless
sender. Whether that can work is checked without spending anything: three raw transactions with a gas limit
below the intrinsic 21000 are sent from an unfunded key, so every node rejects all three. They differ in one
property each, and a different rejection than the control's shows what the node refuses:
  control    EIP-155 protected, gas price above the node's price
  unprotected  the same, unprotected (v = 27 or 28)
  price        the control at the fixed 100 gwei of the keyless transaction
"""

from __future__ import annotations

import re

from eth_account import Account
from eth_utils import keccak

from onboard.evm.asm import (
    CREATE2_PROXY,
    CREATE2_PROXY_RUNTIME,
    KEYLESS_FUNDING_WEI,
    KEYLESS_GAS_LIMIT,
    KEYLESS_GAS_PRICE_WEI,
    KEYLESS_SENDER,
)
from onboard.evm.findings import Finding, Status, evidence, to_bytes, to_int
from onboard.evm.rpc import Call, Reply
from onboard.evm.target import Calls, Facts, Replies, Target

# A key derived from a fixed phrase. Its account has no funds, so nothing it signs can be mined.
_PROBE_KEY = keccak(b"onboard rejected transaction probe")
_PROBE_GAS = 20_000
_PROBE_TO = "0x000000000000000000000000000000000000dEaD"


def first_round(target: Target) -> Calls:
    return {
        "proxy:code": Call("eth_getCode", (CREATE2_PROXY, "latest")),
        "proxy:keyless_nonce": Call("eth_getTransactionCount", (KEYLESS_SENDER, "latest")),
        "proxy:keyless_balance": Call("eth_getBalance", (KEYLESS_SENDER, "latest")),
    }


def observe(replies: Replies, facts: Facts) -> None:
    code = to_bytes(replies["proxy:code"].result)
    facts.proxy_present = bool(code)


def _raw(*, gas_price: int, chain_id: int | None) -> str:
    transaction = {"nonce": 0, "gasPrice": gas_price, "gas": _PROBE_GAS, "to": _PROBE_TO, "value": 0, "data": b""}
    if chain_id is not None:
        transaction["chainId"] = chain_id
    signed = Account.sign_transaction(transaction, _PROBE_KEY)
    return "0x" + bytes(signed.raw_transaction).hex()


def _high_price(facts: Facts) -> int:
    return max(2 * (facts.gas_price or 0), KEYLESS_GAS_PRICE_WEI)


def second_round(target: Target, facts: Facts) -> Calls:
    if facts.chain_id is None:
        return {}
    high = _high_price(facts)
    calls = {
        "proxy:tx_control": Call("eth_sendRawTransaction", (_raw(gas_price=high, chain_id=facts.chain_id),)),
        "proxy:tx_unprotected": Call("eth_sendRawTransaction", (_raw(gas_price=high, chain_id=None),)),
    }
    if high != KEYLESS_GAS_PRICE_WEI:
        price_probe = _raw(gas_price=KEYLESS_GAS_PRICE_WEI, chain_id=facts.chain_id)
        calls["proxy:tx_price"] = Call("eth_sendRawTransaction", (price_probe,))
    return calls


def _outcome(reply: Reply) -> tuple[object, str]:
    """Return the rejection with hashes and numbers masked, so two rejections for one reason compare equal."""
    if reply.ok:
        return ("accepted", "")
    return reply.error_code, re.sub(r"0x[0-9a-fA-F]+|[0-9]+", "#", reply.error_message.lower())


def judge(target: Target, replies: Replies, facts: Facts) -> list[Finding]:
    return [_proxy_code(replies), _unprotected(replies, facts), _keyless(replies, facts)]


def _proxy_code(replies: Replies) -> Finding:
    reply = replies["proxy:code"]
    code = to_bytes(reply.result)
    if code == CREATE2_PROXY_RUNTIME:
        return Finding("create2.proxy", Status.PASS, f"the CREATE2 proxy at {CREATE2_PROXY} is deployed")
    if not code:
        return Finding(
            "create2.proxy", Status.WARN, f"the CREATE2 proxy {CREATE2_PROXY} is not deployed",
            impact="Every Sphinx system contract is deployed through this proxy; it must be deployed first.",
            fix="see proxy.keyless: the deploy stage sends the keyless deployment when it can",
            evidence=evidence(reply),
        )  # fmt: skip
    return Finding(
        "create2.proxy", Status.FAIL, f"{CREATE2_PROXY} holds code that is not the deterministic deployment proxy",
        impact="Sphinx would deploy its system contracts through unknown code, to unknown addresses.",
        fix="this chain cannot run Sphinx unless its team replaces the code; do not waive this finding",
        evidence=evidence(reply),
    )  # fmt: skip


def _rejects(replies: Replies, key: str) -> bool | None:
    control, probe = replies.get("proxy:tx_control"), replies.get(key)
    if control is None or probe is None:
        return None
    return _outcome(probe) != _outcome(control)


def _unprotected(replies: Replies, facts: Facts) -> Finding:
    rejects = _rejects(replies, "proxy:tx_unprotected")
    proof = evidence(replies.get("proxy:tx_control"), replies.get("proxy:tx_unprotected"))
    if rejects is None:
        return Finding("tx.unprotected", Status.SKIP, "not probed: the chain id is unknown")
    if not rejects:
        return Finding("tx.unprotected", Status.PASS, "pre-EIP-155 (unprotected) transactions are accepted",
                       evidence=proof)  # fmt: skip
    return Finding(
        "tx.unprotected", Status.FAIL if not facts.proxy_present else Status.WARN,
        "pre-EIP-155 (unprotected) transactions are rejected over RPC",
        impact="The keyless deployment of the CREATE2 proxy is an unprotected transaction"
        + (" and the proxy is missing, so it cannot be deployed." if not facts.proxy_present
           else "; the proxy is already deployed, so Sphinx is not affected."),
        fix="ask the node operator to allow unprotected transactions (geth: --rpc.allow-unprotected-txs) for one "
        "transaction, or the chain's team to predeploy the proxy",
        evidence=proof,
    )  # fmt: skip


def _keyless(replies: Replies, facts: Facts) -> Finding:
    if facts.proxy_present:
        return Finding("proxy.keyless", Status.SKIP, "not needed: the CREATE2 proxy is deployed")
    nonce_reply, balance_reply = replies["proxy:keyless_nonce"], replies["proxy:keyless_balance"]
    blockers, todo = _keyless_blockers(replies, facts), []
    balance = to_int(balance_reply.result) or 0
    if balance < KEYLESS_FUNDING_WEI:
        todo.append(f"send at least {KEYLESS_FUNDING_WEI / 10**18:g} native tokens to {KEYLESS_SENDER} "
                    f"(balance {balance} wei)")  # fmt: skip
    proof = evidence(nonce_reply, balance_reply, replies["chain:gas_price"], replies.get("proxy:tx_price"))
    data = {"nonce": to_int(nonce_reply.result), "balance_wei": balance, "gas_price_wei": facts.gas_price,
            "block_gas_limit": facts.block_gas_limit}  # fmt: skip
    if blockers:
        return Finding(
            "proxy.keyless", Status.FAIL, "the keyless deployment of the CREATE2 proxy cannot succeed: "
            + "; ".join(blockers),
            impact="Without the proxy no Sphinx system contract can be deployed at its expected address.",
            fix="ask the chain's team to predeploy the proxy at 0x4e59b448... (many chains ship it in genesis), "
            "or to deploy it with their own key-less method; then run the check again",
            evidence=proof, data=data,
        )  # fmt: skip
    return Finding(
        "proxy.keyless", Status.WARN, "the CREATE2 proxy is missing; its keyless deployment can be sent",
        impact="The deploy stage sends the fixed deployment transaction before the system contracts.",
        fix="; ".join(todo) or "nothing: the keyless sender is funded", evidence=proof, data=data,
    )  # fmt: skip


def _keyless_blockers(replies: Replies, facts: Facts) -> list[str]:
    blockers = []
    nonce = to_int(replies["proxy:keyless_nonce"].result)
    if nonce:
        blockers.append(f"the keyless sender {KEYLESS_SENDER} has nonce {nonce} but the proxy has no code, "
                        "so the canonical address is lost for good")  # fmt: skip
    if _rejects(replies, "proxy:tx_unprotected"):
        blockers.append("the node rejects pre-EIP-155 transactions")
    if _rejects(replies, "proxy:tx_price"):
        blockers.append("the node rejects the fixed gas price of 100 gwei")
    elif facts.gas_price is not None and facts.gas_price > KEYLESS_GAS_PRICE_WEI:
        blockers.append(f"eth_gasPrice is {facts.gas_price / 10**9:g} gwei, above the fixed 100 gwei")
    if facts.block_gas_limit is not None and facts.block_gas_limit < KEYLESS_GAS_LIMIT:
        blockers.append(f"the block gas limit {facts.block_gas_limit} is below the fixed 100000")
    return blockers
