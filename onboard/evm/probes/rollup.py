"""rollup.stack: OP Stack predeploys, Arbitrum precompiles, zkSync and Polygon CDK RPC namespaces."""

from __future__ import annotations

from onboard.evm.findings import Finding, Status, evidence, to_bytes, to_int
from onboard.evm.rpc import Call
from onboard.evm.target import Calls, Facts, Replies, Target

# OP Stack predeploys: GasPriceOracle and L1Block.
OP_GAS_PRICE_ORACLE = "0x420000000000000000000000000000000000000F"
OP_L1_BLOCK = "0x4200000000000000000000000000000000000015"
# Arbitrum's ArbSys precompile at 0x64; arbChainID() returns the chain id.
ARB_SYS = "0x0000000000000000000000000000000000000064"
ARB_CHAIN_ID_SELECTOR = "0xd127f54a"


def first_round(target: Target) -> Calls:
    return {
        "rollup:op_oracle": Call("eth_getCode", (OP_GAS_PRICE_ORACLE, "latest")),
        "rollup:op_l1block": Call("eth_getCode", (OP_L1_BLOCK, "latest")),
        "rollup:arbsys": Call("eth_call", ({"to": ARB_SYS, "data": ARB_CHAIN_ID_SELECTOR}, "latest")),
        "rollup:zksync": Call("zks_L1ChainId"),
        "rollup:cdk": Call("zkevm_batchNumber"),
    }


def detect(replies: Replies, facts: Facts) -> str | None:
    if to_bytes(replies["rollup:op_oracle"].result) and to_bytes(replies["rollup:op_l1block"].result):
        return "OP Stack"
    arb = to_bytes(replies["rollup:arbsys"].result)
    if arb and len(arb) == 32 and facts.chain_id is not None and int.from_bytes(arb, "big") == facts.chain_id:
        return "Arbitrum"
    if replies["rollup:zksync"].ok and to_int(replies["rollup:zksync"].result) is not None:
        return "zkSync"
    if replies["rollup:cdk"].ok and to_int(replies["rollup:cdk"].result) is not None:
        return "Polygon CDK"
    return None


def judge(target: Target, replies: Replies, facts: Facts) -> list[Finding]:
    stack = detect(replies, facts)
    proof = evidence(*(replies[key] for key in first_round(target)))
    configured = None if target.spec is None or target.spec.rollup_stack is None else target.spec.rollup_stack.type
    if stack == "zkSync":
        return [Finding(
            "rollup.stack", Status.FAIL, "zkSync-style chain: zks_ methods answer",
            impact="zkSync derives CREATE2 addresses with its own formula and deploys through its own system "
            "contracts, so Sphinx's precomputed addresses are wrong.",
            fix="Sphinx does not support zkSync-style chains", evidence=proof,
        )]  # fmt: skip
    if stack is None:
        if configured is not None:
            return [Finding("rollup.stack", Status.WARN, f"no rollup stack detected, the spec says {configured}",
                            fix="remove rollup_stack from the spec unless the chain's documentation says otherwise",
                            evidence=proof)]  # fmt: skip
        return [Finding("rollup.stack", Status.PASS, "no rollup stack detected")]
    provider = target.spec.rollup_stack.provider if target.spec and target.spec.rollup_stack else "None"
    suggest = {"rollupStack": {"provider": provider, "type": stack}}
    if configured != stack:
        return [Finding(
            "rollup.stack", Status.WARN, f"{stack} detected; the spec says {configured or 'no rollup stack'}",
            impact="The platform shows the rollup stack and applies stack-specific fee handling.",
            fix=f'set [rollup_stack] type = "{stack}" and the provider (Conduit, Caldera or None)',
            evidence=proof, suggest=suggest,
        )]  # fmt: skip
    return [Finding("rollup.stack", Status.PASS, f"{stack} detected, as the spec says", suggest=suggest)]
