"""The compatibility check of one network: three rounds of probes, then the eth_getLogs range search.

Round one sends every probe that needs nothing but the chain (one batch). Round two sends what depends on
round one: the raw transaction probes (the gas price), the system deployments (whether the proxy exists),
the first eth_getLogs range and the latest block's first transaction. Round three, only when the latest block
has a transaction, estimates that transaction again. Only the log range search may take more round trips.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from onboard.errors import RpcError
from onboard.evm.findings import Finding, Status
from onboard.evm.probes import (
    chain,
    codesize,
    create,
    fees,
    logs,
    opcodes,
    precompiles,
    proxy,
    receipts,
    rollup,
    system,
)
from onboard.evm.report import Report, apply_waivers, rpc_summary, suggested_entry
from onboard.evm.rpc import Call, Reply, RpcClient
from onboard.evm.settings import CompatSection
from onboard.evm.target import Facts, Target

log = logging.getLogger("onboard.evm.check")

# Probes judged from round one alone, in judging order: later ones read facts that earlier ones set.
_ROUND_ONE = (chain, opcodes, precompiles, create, rollup, fees, codesize)
_ALL_FIRST_ROUND = (*_ROUND_ONE, proxy, system)


def _send(client: RpcClient, calls: dict[str, Call]) -> dict[str, Reply]:
    keys = list(calls)
    return dict(zip(keys, client.send([calls[key] for key in keys]), strict=True))


def _usable(replies: dict[str, Reply], client: RpcClient) -> None:
    reply = replies["chain:id"]
    if reply.ok:
        return
    raise RpcError(
        f"{client.display_url} returns an error for eth_chainId",
        cause=f"error {reply.error_code}: {reply.error_message}",
        fix="check that the URL is the JSON-RPC endpoint of an EVM chain and that its API key is valid",
    )


def run_check(target: Target, *, client: RpcClient | None = None) -> Report:
    """Probe the chain behind `target.url` and return the report; raise RpcError when it cannot be used."""
    started = time.monotonic()
    client = client or RpcClient(target.url)
    facts = Facts()
    if target.system:
        facts.extra["system_max_runtime"] = max(item.runtime_size for item in target.system)

    first_calls: dict[str, Call] = {}
    for module in _ALL_FIRST_ROUND:
        first_calls.update(module.first_round(target))
    replies = _send(client, first_calls)
    _usable(replies, client)

    findings: list[Finding] = []
    for module in _ROUND_ONE:
        findings += module.judge(target, replies, facts)
    proxy.observe(replies, facts)

    second_calls = {**proxy.second_round(target, facts), **system.second_round(target, replies, facts),
                    **logs.second_round(target, facts), **receipts.second_round(target, facts)}  # fmt: skip
    replies.update(_send(client, second_calls))
    replies.update(_send(client, receipts.third_round(target, replies, facts)))
    findings += proxy.judge(target, replies, facts)
    findings += system.judge(target, replies, facts)
    findings += receipts.judge(target, replies, facts)

    first_logs = replies.get("logs:ceiling")
    search = logs.search(client, facts, first_logs) if first_logs is not None else None
    findings.append(logs.judge(target, facts, search))
    findings.append(chain.judge_batch(client.stats))

    return _report(target, client, facts, findings, started)


def _report(target: Target, client: RpcClient, facts: Facts, findings: list[Finding], started: float) -> Report:
    findings = apply_waivers(target, findings)
    report = Report(
        network=target.label,
        url=client.display_url,
        chain_id=facts.chain_id,
        evm_version=facts.evm_version,
        findings=tuple(findings),
        suggested_entry=suggested_entry(target, facts.chain_id, findings),
        rpc=rpc_summary(client.stats, target.url),
        seconds=time.monotonic() - started,
    )
    log.info("%s: %s in %.1f s", target.label, report.counts(), report.seconds)
    return report


def run_checks(targets: Sequence[Target], *, settings: CompatSection | None = None) -> list[Report | RpcError]:
    """Check several networks at once; a network whose RPC cannot be used yields its RpcError."""
    settings = settings or CompatSection()

    def one(target: Target) -> Report | RpcError:
        client = settings.client(target.url)
        try:
            return run_check(target, client=client)
        except RpcError as err:
            if len(targets) == 1:
                return err
            return RpcError(f"network {target.label}: {err.message}", cause=err.cause, fix=err.fix)
        finally:
            client.close()

    with ThreadPoolExecutor(max_workers=max(1, len(targets))) as pool:
        return list(pool.map(one, targets))


def has_failures(report: Report) -> bool:
    return any(finding.status is Status.FAIL for finding in report.findings)
