"""logs.range_limit: the largest eth_getLogs block range the endpoint accepts (queryFilterBlockLimit).

A range of n blocks is fromBlock = head - n + 1 to toBlock = head, filtered by an address that emits no logs,
so only the range can make the request fail. The search first tries the ceiling, then the numbers quoted in the
rejection (n - 1 to n + 2, because providers differ by one in how they count). It bisects only when the
quoted numbers do not explain the rejection, so it sends at most 1 + 4 per quoted number + log2(MAX_RANGE)
requests.
"""

from __future__ import annotations

import re

from onboard.evm.findings import Finding, Status, evidence
from onboard.evm.rpc import Call, Reply, RpcClient
from onboard.evm.target import Facts, Target

MAX_RANGE = 100_000
DEFAULT_LIMIT = 2_000
QUIET_ADDRESS = "0x000000000000000000000000000000000000c0de"


def range_call(head: int, size: int) -> Call:
    params = {"fromBlock": hex(head - size + 1), "toBlock": hex(head), "address": QUIET_ADDRESS}
    return Call("eth_getLogs", (params,))


def ceiling(facts: Facts) -> int:
    return min(MAX_RANGE, (facts.head or 0) + 1)


def second_round(target: Target, facts: Facts) -> dict[str, Call]:
    if facts.head is None:
        return {}
    return {"logs:ceiling": range_call(facts.head, ceiling(facts))}


def search(client: RpcClient, facts: Facts, first: Reply) -> tuple[int, int | None, list[Reply]]:
    """Return the largest accepted range, the smallest rejected one (None when none was), and the replies."""
    head, top = facts.head or 0, ceiling(facts)
    if first.ok:
        return top, None, [first]
    accepted, rejected, trail = 0, top, [first]

    hints = sorted({size for number in _numbers(first.error_message) if 1 < number < top
                    for size in (number - 1, number, number + 1, number + 2)})  # fmt: skip
    if hints:
        replies = client.send([range_call(head, size) for size in hints])
        trail += replies
        for size, reply in zip(hints, replies, strict=True):
            if reply.ok:
                accepted = max(accepted, size)
        rejected = min([size for size, reply in zip(hints, replies, strict=True) if not reply.ok and size > accepted]
                       + [top])  # fmt: skip

    while rejected - accepted > 1:
        middle = (accepted + rejected) // 2
        reply = client.send([range_call(head, middle)])[0]
        trail.append(reply)
        if reply.ok:
            accepted = middle
        else:
            rejected = middle
    return accepted, rejected, trail


def _numbers(message: str) -> list[int]:
    return [int(number) for number in re.findall(r"\d+", message.replace(",", ""))][:4]


def judge(target: Target, facts: Facts, result: tuple[int, int | None, list[Reply]] | None) -> Finding:
    if result is None:
        return Finding("logs.range_limit", Status.SKIP, "not probed: the latest block is unknown")
    accepted, rejected, trail = result
    proof = evidence(*trail[:1], *trail[-2:]) if len(trail) > 1 else evidence(*trail)
    data = {"max_range": accepted, "rejected": rejected, "requests": len(trail)}
    configured = target.spec.query_filter_block_limit if target.spec is not None else None
    wanted = configured or DEFAULT_LIMIT
    blocks = f"{accepted:,} block" + ("" if accepted == 1 else "s")
    bound = blocks if rejected is not None else f"at least {blocks}"
    if accepted == 0:
        return Finding("logs.range_limit", Status.FAIL, "eth_getLogs fails even for one block",
                       impact="Sphinx and the platform read deployment events with eth_getLogs.",
                       fix="use an RPC endpoint that serves eth_getLogs", evidence=proof, data=data)  # fmt: skip
    if rejected is None or accepted >= wanted:
        return Finding("logs.range_limit", Status.PASS, f"eth_getLogs accepts {bound}",
                       data=data, suggest={"queryFilterBlockLimit": wanted})  # fmt: skip
    status = Status.FAIL if configured is not None else Status.WARN
    return Finding(
        "logs.range_limit", status, f"eth_getLogs accepts at most {accepted:,} blocks per request",
        impact=f"Sphinx queries events in ranges of queryFilterBlockLimit ({wanted}) blocks; larger ranges are "
        "rejected and the executor and the platform miss events.",
        fix=f"set query_filter_block_limit = {accepted} in the spec",
        evidence=proof, data=data, suggest={"queryFilterBlockLimit": accepted},
    )  # fmt: skip
