"""sphinx.system and gas.block_limit: every system deployment the deploy stage will send, simulated.

Each contract not yet deployed is sent to the CREATE2 proxy with eth_call (which must return the expected
address) and eth_estimateGas. When the proxy is absent, the same calls carry a state override that puts the
proxy's runtime at its address. A node without overrides cannot simulate, and then the finding reports the
proxy as absent rather than blaming gas.
"""

from __future__ import annotations

from onboard.evm.asm import CREATE2_PROXY, CREATE2_PROXY_RUNTIME
from onboard.evm.artifacts import SALT, SystemContract
from onboard.evm.findings import Finding, Status, evidence, to_bytes, to_int
from onboard.evm.rpc import Call, Reply
from onboard.evm.target import Calls, Facts, Replies, Target

# The largest deployment (GnosisSafeL2) measured on anvil 1.7 with @sphinx-labs/contracts 0.23, used when
# the deployments could not be simulated.
LARGEST_DEPLOYMENT_GAS = 5_280_000


def first_round(target: Target) -> Calls:
    calls = {f"system:code:{item.name}": Call("eth_getCode", (item.address, "latest")) for item in target.system}
    if target.deployer:
        calls["system:deployer_balance"] = Call("eth_getBalance", (target.deployer, "latest"))
    return calls


def _pending(target: Target, replies: Replies) -> list[SystemContract]:
    return [item for item in target.system if not to_bytes(replies[f"system:code:{item.name}"].result)]


def _transaction(item: SystemContract, target: Target) -> dict[str, str]:
    transaction = {"to": CREATE2_PROXY, "data": "0x" + (SALT + item.initcode).hex()}
    if target.deployer:
        transaction["from"] = target.deployer
    return transaction


def second_round(target: Target, replies: Replies, facts: Facts) -> Calls:
    override = () if facts.proxy_present else ({CREATE2_PROXY: {"code": "0x" + CREATE2_PROXY_RUNTIME.hex()}},)
    calls = {}
    for item in _pending(target, replies):
        transaction = _transaction(item, target)
        calls[f"system:call:{item.name}"] = Call("eth_call", (transaction, "latest", *override))
        calls[f"system:gas:{item.name}"] = Call("eth_estimateGas", (transaction, "latest", *override))
    return calls


def judge(target: Target, replies: Replies, facts: Facts) -> list[Finding]:
    if not target.system:
        return [Finding("sphinx.system", Status.SKIP, "not simulated: the system contract artifacts are missing"),
                _block_limit(facts, None)]  # fmt: skip
    pending = _pending(target, replies)
    if not pending:
        return [Finding("sphinx.system", Status.PASS, "every Sphinx system contract is already deployed"),
                _block_limit(facts, None)]  # fmt: skip

    results = {item.name: (replies[f"system:call:{item.name}"], replies[f"system:gas:{item.name}"])
               for item in pending}  # fmt: skip
    unsimulated = [name for name, (call, gas) in results.items() if not call.ok or not gas.ok]
    if not facts.proxy_present and unsimulated:
        first_call, first_gas = results[unsimulated[0]]
        return [Finding(
            "sphinx.system", Status.SKIP,
            f"not simulated: the CREATE2 proxy {CREATE2_PROXY} is absent and the node could not simulate it "
            "with a state override",
            impact="Gas and size of the system deployments are unknown until the proxy is deployed.",
            fix="deploy the proxy first (see proxy.keyless), then run the check again",
            evidence=evidence(first_call, first_gas),
        ), _block_limit(facts, None)]  # fmt: skip
    return _judge_simulation(target, replies, facts, pending, results)


def _judge_simulation(target: Target, replies: Replies, facts: Facts, pending: list[SystemContract],
                      results: dict[str, tuple[Reply, Reply]]) -> list[Finding]:  # fmt: skip
    problems, proof, gas_by_name = [], [], {}
    for item in pending:
        call, gas_reply = results[item.name]
        returned = to_bytes(call.result)
        gas = to_int(gas_reply.result) if gas_reply.ok else None
        gas_by_name[item.name] = gas
        if not call.ok or returned is None or "0x" + returned[-20:].hex() != item.address.lower():
            problems.append(f"{item.name} does not deploy to {item.address}")
            proof += [call]
        elif gas is None:
            problems.append(f"eth_estimateGas fails for {item.name}")
            proof += [gas_reply]
        elif facts.block_gas_limit is not None and gas > facts.block_gas_limit:
            problems.append(f"{item.name} needs {gas:,} gas, above the block gas limit {facts.block_gas_limit:,}")
        if facts.code_size_limit is not None and item.runtime_size > facts.code_size_limit:
            problems.append(f"{item.name} has {item.runtime_size:,} bytes of runtime, above the size limit")

    known = [gas for gas in gas_by_name.values() if gas is not None]
    facts.system_max_gas = max(known) if known else None
    total = sum(known)
    data = {"contracts": len(pending), "gas": gas_by_name, "total_gas": total, "gas_price_wei": facts.gas_price}
    findings = [_system_finding(target, replies, facts, problems, proof, data)]
    # A failed estimate may be the block gas limit itself, so the largest measured one proves nothing then.
    complete = len(known) == len(gas_by_name)
    findings.append(_block_limit(facts, facts.system_max_gas if complete else None))
    return findings


def _system_finding(target: Target, replies: Replies, facts: Facts, problems: list[str], proof: list[Reply],
                    data: dict) -> Finding:  # fmt: skip
    via = "through the CREATE2 proxy" if facts.proxy_present else "with the CREATE2 proxy set by a state override"
    if problems:
        return Finding(
            "sphinx.system", Status.FAIL, f"{len(problems)} system deployment problems: " + "; ".join(problems[:3]),
            impact="The deploy stage would fail part way, after spending gas.",
            fix="see the evidence; code size and gas problems need the chain's team", evidence=evidence(*proof),
            data=data,
        )  # fmt: skip
    cost = data["total_gas"] * (facts.gas_price or 0)
    data["total_cost_wei"] = cost
    title = f"{data['contracts']} system deployments simulated {via}: {data['total_gas']:,} gas"
    balance_reply = replies.get("system:deployer_balance")
    balance = to_int(balance_reply.result) if balance_reply is not None else None
    if balance is not None and target.spec is not None:
        needed = cost * (100 + target.spec.deployer.balance_margin_percent) // 100
        data["deployer_balance_wei"] = balance
        if balance < needed:
            return Finding(
                "sphinx.system", Status.WARN, f"{title}; the deployer holds {balance} wei of the {needed} needed",
                impact="The deploy stage stops at its pre-flight until the deployer is funded.",
                fix=f"send at least {needed - balance} wei to {target.deployer}", evidence=evidence(balance_reply),
                data=data,
            )  # fmt: skip
    return Finding("sphinx.system", Status.PASS, f"{title}, {cost / 10**18:.6g} native tokens at the current price",
                   data=data)  # fmt: skip


def _block_limit(facts: Facts, largest: int | None) -> Finding:
    needed = largest or LARGEST_DEPLOYMENT_GAS
    limit = facts.block_gas_limit
    if limit is None:
        return Finding("gas.block_limit", Status.SKIP, "the latest block has no gasLimit")
    data = {"block_gas_limit": limit, "largest_deployment_gas": needed}
    if limit < needed:
        return Finding(
            "gas.block_limit", Status.FAIL, f"block gas limit {limit:,} is below the {needed:,} gas of the largest "
            "system deployment (GnosisSafeL2)",
            impact="The system contract cannot be deployed in one transaction, so the deployment is impossible.",
            fix="ask the chain's team to raise the block gas limit", data=data,
        )  # fmt: skip
    return Finding("gas.block_limit", Status.PASS, f"block gas limit {limit:,} fits the largest deployment "
                   f"({needed:,} gas)", data=data)  # fmt: skip
