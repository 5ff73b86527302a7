"""Precompiles 0x01 to 0x0a and 0x100, each called with a known input and compared with the known output."""

from __future__ import annotations

from onboard.evm.findings import Finding, Status, evidence, to_bytes
from onboard.evm.rpc import Call, Reply
from onboard.evm.target import Calls, Facts, Replies, Target
from onboard.evm.vectors import VECTORS, Vector

# Sphinx and the Gnosis Safe verify signatures with ecrecover, and code compiled by older solc versions
# copies memory through the identity precompile.
REQUIRED = frozenset({0x01, 0x04})
# Gas for each call: the costliest vector, point evaluation, needs 50000 (EIP-4844).
CALL_GAS = 200_000


def finding_id(vector: Vector) -> str:
    return f"precompile.0x{vector.address:02x}"


def first_round(target: Target) -> Calls:
    return {
        f"precompile:{vector.address}": Call(
            "eth_call",
            ({"to": f"0x{vector.address:040x}", "data": "0x" + vector.data.hex(), "gas": hex(CALL_GAS)}, "latest"),
        )
        for vector in VECTORS
    }


def judge(target: Target, replies: Replies, facts: Facts) -> list[Finding]:
    return [_judge_vector(vector, replies[f"precompile:{vector.address}"], facts) for vector in VECTORS]


def _expected(vector: Vector, facts: Facts) -> bool:
    if vector.fork is None:
        return False
    return vector.fork == "frontier" or facts.at_least(vector.fork)


def _judge_vector(vector: Vector, reply: Reply, facts: Facts) -> Finding:
    label = f"{vector.name} (0x{vector.address:02x})"
    output = to_bytes(reply.result) if reply.ok else None
    if output == vector.output:
        return Finding(finding_id(vector), Status.PASS, f"{label} returns the known output")
    absent = reply.ok and output == b""
    if absent and not _expected(vector, facts):
        scope = "optional" if vector.fork is None else f"added in {vector.fork}, after {facts.evm_version}"
        return Finding(finding_id(vector), Status.PASS, f"{label} is absent ({scope})", evidence=evidence(reply))
    if absent:
        what = "is absent"
    elif not reply.ok:
        what = "fails"
    else:
        what = "returns a different output"
    status = Status.FAIL if vector.address in REQUIRED else Status.WARN
    return Finding(
        finding_id(vector), status, f"{label} {what}",
        impact=_impact(vector), fix=_fix(vector), evidence=evidence(reply),
        data={"expected": "0x" + vector.output.hex()},
    )  # fmt: skip


def _impact(vector: Vector) -> str:
    if vector.address in REQUIRED:
        return "Sphinx and the Gnosis Safe need this precompile; proposals and executions fail without it."
    return "Sphinx does not call it, but contracts you deploy that use it behave differently than on Ethereum."


def _fix(vector: Vector) -> str:
    if vector.address in REQUIRED:
        return "this chain cannot run Sphinx; ask the chain's team, waive only with their confirmation"
    return f"avoid contracts that call {vector.name}, or waive {finding_id(vector)} with the reason"
