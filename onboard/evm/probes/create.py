"""CREATE and CREATE2 address derivation, compared with the formulas of the yellow paper and EIP-1014.

One creation eth_call from a fixed sender runs initcode that creates a child with CREATE and another with
CREATE2, then returns its own address and both child addresses. Sphinx predicts every address it deploys to,
so a chain whose derivation differs (zkSync Era, for one) deploys contracts where Sphinx does not look.
"""

from __future__ import annotations

from onboard.evm.asm import create2_address, create_address, creation_call, push, word_to_address
from onboard.evm.findings import Finding, Status, evidence, to_bytes, to_int
from onboard.evm.rpc import Call
from onboard.evm.target import Calls, Facts, Replies, Target

# An address without a known key. Only its nonce matters, and eth_call needs no balance.
SENDER = "0x00000000000000000000000000000000000b0a4d"
SALT = bytes.fromhex("5a" * 32)
# PUSH1 0x00 PUSH1 0x00 RETURN: a child that deploys empty code.
CHILD_INITCODE = bytes.fromhex("60006000f3")
_CHILD_OFFSET = 32 - len(CHILD_INITCODE)
_CREATE_ARGS = push(len(CHILD_INITCODE)) + push(_CHILD_OFFSET) + push(0)

# Memory: 0x00 child initcode (right-aligned), 0x20 ADDRESS, 0x40 CREATE result, 0x60 CREATE2 result.
INITCODE = (
    push(CHILD_INITCODE) + push(0) + bytes([0x52])
    + bytes([0x30]) + push(0x20) + bytes([0x52])
    + _CREATE_ARGS + bytes([0xF0]) + push(0x40) + bytes([0x52])
    + push(SALT) + _CREATE_ARGS + bytes([0xF5]) + push(0x60) + bytes([0x52])
    + push(0x60) + push(0x20) + bytes([0xF3])
)  # fmt: skip


def first_round(target: Target) -> Calls:
    return {
        "create:nonce": Call("eth_getTransactionCount", (SENDER, "latest")),
        "create:probe": Call("eth_call", (creation_call(INITCODE, **{"from": SENDER}), "latest")),
    }


def judge(target: Target, replies: Replies, facts: Facts) -> list[Finding]:
    nonce_reply, probe = replies["create:nonce"], replies["create:probe"]
    nonce = to_int(nonce_reply.result)
    output = to_bytes(probe.result) if probe.ok else None
    proof = evidence(nonce_reply, probe)
    if nonce is None or output is None or len(output) != 96:
        skipped = "the derivation probe did not return three addresses"
        return [
            Finding("create.derivation", Status.SKIP, f"CREATE not checked: {skipped}", evidence=proof),
            Finding("create2.derivation", Status.SKIP, f"CREATE2 not checked: {skipped}", evidence=proof),
        ]

    own, child, child2 = (word_to_address(output[start : start + 32]) for start in (0, 32, 64))
    expected_own = create_address(SENDER, nonce)
    # EIP-161: a new contract's nonce starts at 1, so its first CREATE uses nonce 1.
    expected_child = create_address(own, 1)
    expected_child2 = create2_address(own, SALT, CHILD_INITCODE)
    return [
        _compare("create.derivation", "CREATE", [(own, expected_own), (child, expected_child)], proof),
        _compare("create2.derivation", "CREATE2", [(child2, expected_child2)], proof),
    ]


def _compare(finding_id: str, opcode: str, pairs: list[tuple[str, str]], proof: tuple) -> Finding:
    wrong = [(actual, expected) for actual, expected in pairs if actual != expected]
    data = {"addresses": [{"actual": actual, "expected": expected} for actual, expected in pairs]}
    if not wrong:
        return Finding(finding_id, Status.PASS, f"{opcode} addresses follow the Ethereum formula", data=data)
    actual, expected = wrong[0]
    return Finding(
        finding_id, Status.FAIL, f"{opcode} derived {actual}, the Ethereum formula gives {expected}",
        impact="Sphinx computes the addresses of the system contracts, Safes and modules in advance; "
        "on this chain they would be deployed elsewhere and every deployment would fail.",
        fix="Sphinx does not support this chain's address derivation; do not waive this finding",
        evidence=proof, data=data,
    )  # fmt: skip
