"""Chain identity and the RPC endpoint itself: chain.id, rpc.client, rpc.batch."""

from __future__ import annotations

from onboard.evm.findings import Finding, Status, evidence, to_int
from onboard.evm.rpc import Call, RpcStats
from onboard.evm.target import Calls, Facts, Replies, Target


def first_round(target: Target) -> Calls:
    return {
        "chain:id": Call("eth_chainId"),
        "chain:net_version": Call("net_version"),
        "chain:client": Call("web3_clientVersion"),
        "chain:block": Call("eth_getBlockByNumber", ("latest", False)),
        "chain:gas_price": Call("eth_gasPrice"),
    }


def judge(target: Target, replies: Replies, facts: Facts) -> list[Finding]:
    block = replies["chain:block"]
    if block.ok and isinstance(block.result, dict):
        facts.block = block.result
        facts.head = to_int(block.result.get("number"))
        facts.block_gas_limit = to_int(block.result.get("gasLimit"))
    facts.gas_price = to_int(replies["chain:gas_price"].result)
    return [_chain_id(target, replies, facts), _client(replies)]


def _chain_id(target: Target, replies: Replies, facts: Facts) -> Finding:
    reply, net = replies["chain:id"], replies["chain:net_version"]
    actual = to_int(reply.result)
    facts.chain_id = actual
    proof = evidence(reply, net)
    impact = "Sphinx signs for one chain id and the platform stores networks by chain id."
    if actual is None:
        return Finding(
            "chain.id", Status.FAIL, "eth_chainId returned no chain id", impact=impact,
            fix="use an RPC URL of an EVM node that implements eth_chainId (EIP-695)", evidence=proof,
        )  # fmt: skip
    expected = target.chain_id
    if expected is not None and actual != expected:
        source, setting = ("the spec", f"chain_id = {actual} in the spec")
        if target.spec is None:
            source, setting = "--chain-id", f"--chain-id {actual}"
        return Finding(
            "chain.id", Status.FAIL, f"eth_chainId is {actual}, {source} says {expected}", impact=impact,
            fix=f"set {setting}, or use the RPC URL of chain {expected}",
            evidence=proof, data={"chain_id": actual, "expected": expected},
        )  # fmt: skip
    net_version = to_int(net.result)
    data = {"chain_id": actual, "net_version": net.result}
    if net.ok and net_version is not None and net_version != actual:
        return Finding(
            "chain.id", Status.WARN, f"chain id {actual}, but net_version returns {net.result}",
            impact="Tools that read net_version instead of eth_chainId see another network id; "
            "Sphinx itself uses eth_chainId.",
            fix="nothing to change for Sphinx; use eth_chainId (never net_version) in your own scripts",
            evidence=proof, data=data,
        )  # fmt: skip
    title = f"chain id {actual}" + (" matches the spec" if expected is not None else "")
    return Finding("chain.id", Status.PASS, title, evidence=proof, data=data)


def _client(replies: Replies) -> Finding:
    reply = replies["chain:client"]
    if not reply.ok or not isinstance(reply.result, str):
        return Finding(
            "rpc.client", Status.PASS, "web3_clientVersion is not available; the node software is unknown",
            evidence=evidence(reply),
        )  # fmt: skip
    return Finding("rpc.client", Status.PASS, f"node software: {reply.result}", evidence=evidence(reply),
                   data={"client": reply.result})  # fmt: skip


def judge_batch(stats: RpcStats) -> Finding:
    """Judge batch support from what the client saw while sending every probe."""
    if stats.batch_accepted is False:
        return Finding(
            "rpc.batch", Status.WARN, "JSON-RPC batches are rejected; single requests were used",
            impact="Checks and Sphinx tooling that batch requests send one HTTP request per call, "
            "which is slower and uses more of the provider's rate limit.",
            fix="nothing is required; a provider plan or node that accepts batches makes checks faster",
            evidence=({"method": "(batch)", "error": {"message": stats.batch_rejection}},),
        )  # fmt: skip
    if stats.batch_limit is not None and stats.batch_accepted:
        return Finding(
            "rpc.batch", Status.WARN, f"JSON-RPC batches of at most {stats.batch_limit} requests are accepted",
            impact="Larger batches are rejected, so checks and Sphinx tooling that batch need more round trips.",
            fix="nothing is required; a provider plan that accepts larger batches makes checks faster",
            evidence=({"method": "(batch)", "error": {"message": stats.batch_rejection}},),
        )  # fmt: skip
    if stats.batch_accepted is None:
        return Finding("rpc.batch", Status.SKIP, "no batch was sent")
    return Finding("rpc.batch", Status.PASS, "JSON-RPC batches are accepted")
