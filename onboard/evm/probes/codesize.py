"""code.size_limit: the largest runtime code a creation may deploy (24,576 bytes on Ethereum, EIP-170).

Each probe is initcode that creates a child deploying `size` zero bytes, then returns the child's code size,
or reverts when the CREATE failed. Returning one word instead of the runtime keeps the responses small.
"""

from __future__ import annotations

from onboard.evm.asm import RETURN_TOP_WORD, creation_call, push, returning_zeros
from onboard.evm.findings import Finding, Status, evidence
from onboard.evm.probes.opcodes import returned_word
from onboard.evm.rpc import Call
from onboard.evm.target import Calls, Facts, Replies, Target

EIP170_LIMIT = 24_576
SIZES = (16_384, EIP170_LIMIT, EIP170_LIMIT + 1, 32_768, 49_152)
# The largest runtime among the Sphinx system contracts (GnosisSafeL2 1.3.0: 23,801 bytes), used when the
# artifacts are not available.
SYSTEM_MAX_RUNTIME = 23_801


def gas_needed(size: int) -> int:
    """Approximate gas of the probe: creation, code deposit at 200 gas per byte, and memory expansion."""
    words = (size + 31) // 32
    return 53_000 + 200 * size + 3 * words + words * words // 512


def size_probe(size: int) -> bytes:
    """Initcode: CREATE a child of `size` zero bytes; revert if it failed, else return EXTCODESIZE of it."""
    child = returning_zeros(size)
    create = push(child) + push(0) + bytes([0x52]) + push(len(child)) + push(32 - len(child)) + push(0) + b"\xf0"
    # DUP1 EXTCODESIZE SWAP1 ISZERO PUSH1 revert JUMPI: leaves the size, jumps to the revert on address 0.
    revert_at = len(create) + 7 + len(RETURN_TOP_WORD)
    branch = bytes.fromhex("803b9015") + push(revert_at) + bytes([0x57])
    # JUMPDEST PUSH1 0 DUP1 REVERT
    return create + branch + RETURN_TOP_WORD + bytes.fromhex("5b600080fd")


def first_round(target: Target) -> Calls:
    return {f"codesize:{size}": Call("eth_call", (creation_call(size_probe(size)), "latest")) for size in SIZES}


def judge(target: Target, replies: Replies, facts: Facts) -> list[Finding]:
    limit, rejected, proof = None, None, []
    for size in SIZES:
        reply = replies[f"codesize:{size}"]
        if facts.block_gas_limit is not None and gas_needed(size) > facts.block_gas_limit:
            break
        if returned_word(reply) != size:
            rejected = size
            proof.append(reply)
            break
        limit = size
    facts.code_size_limit = limit
    largest = facts.extra.get("system_max_runtime", SYSTEM_MAX_RUNTIME)
    data = {"limit_at_least": limit, "rejected": rejected}
    if limit is None:
        return [Finding("code.size_limit", Status.WARN, f"not even {SIZES[0]} bytes of runtime could be deployed",
                        impact="The Sphinx system contracts need up to 23,801 bytes of runtime code.",
                        fix="check the block gas limit and the node's eth_call gas cap",
                        evidence=evidence(*proof), data=data)]  # fmt: skip
    bound = f"{limit:,} bytes" if rejected else f"at least {limit:,} bytes (the largest size probed)"
    if limit >= EIP170_LIMIT:
        return [Finding("code.size_limit", Status.PASS, f"largest deployable runtime: {bound}",
                        evidence=evidence(*proof), data=data)]  # fmt: skip
    status = Status.FAIL if limit < largest else Status.WARN
    return [Finding(
        "code.size_limit", status, f"largest deployable runtime: {bound}, below the 24,576 of Ethereum",
        impact=f"The largest Sphinx system contract has {largest:,} bytes of runtime; "
        "contracts near Ethereum's limit cannot be deployed.",
        fix="deploy only smaller contracts, or ask the chain's team to raise the limit",
        evidence=evidence(*proof), data=data,
    )]  # fmt: skip
