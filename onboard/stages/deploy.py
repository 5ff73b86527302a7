"""The deploy stage: check the chain and the deployer, run the monorepo's `deploy-system` task, then prove from
the chain that every Sphinx system contract is there."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from rich.prompt import Confirm

from onboard.config import repo_path
from onboard.deploy import amounts
from onboard.deploy.build import build_contracts, needs_build
from onboard.deploy.evidence import check_code, deployment_transactions
from onboard.deploy.funding import send_native
from onboard.deploy.preflight import KEYLESS_SENDER, Preflight, check_chain_id, run_preflight
from onboard.deploy.rpc import Rpc
from onboard.deploy.settings import DeploySection
from onboard.deploy.system import PROXY_ADDRESS, SystemContract, load_system
from onboard.deploy.task import TaskRun, run_task, task_env
from onboard.errors import StageError
from onboard.stages.base import Context, Plan, Stage

NAME = "deploy"


@dataclass(frozen=True)
class Setup:
    """The stage's working set: its settings, the package with the task, and the chain's RPC endpoint."""

    settings: DeploySection
    monorepo: Path
    core_dir: Path
    contracts_dir: Path
    rpc_url: str
    rpc: Rpc


class DeployStage(Stage):
    name = NAME
    description = "deploy the Sphinx system contracts with the monorepo's deploy-system task"

    def inputs(self, ctx: Context) -> Mapping[str, Any]:
        settings = ctx.config.section(NAME, DeploySection)
        return {"spec": ctx.spec.model_dump(mode="json"), "deploy": settings.model_dump(mode="json")}

    def summarize(self, outputs: Mapping[str, Any]) -> str:
        contracts = len(outputs.get("contracts") or {})
        return f"{contracts} system contracts on chain {outputs.get('chain_id')}, {outputs.get('gas_used')} gas used"

    def plan(self, ctx: Context) -> Plan:
        setup = _setup(ctx)
        if needs_build(setup.monorepo, setup.core_dir, setup.contracts_dir):
            return Plan(NAME, f"build {setup.contracts_dir.name}, then deploy the Sphinx system", changes=True)
        contracts = load_system(setup.core_dir)
        deployer = None
        if ctx.env.get(ctx.spec.deployer.private_key_env):
            deployer = _address(ctx, ctx.secret(ctx.spec.deployer.private_key_env, purpose=_KEY_PURPOSE, stage=NAME))
        preflight = run_preflight(
            setup.rpc, ctx.spec, contracts, deployer=deployer, fund_keyless=bool(ctx.options.get("fund_keyless"))
        )
        details = _describe(ctx, preflight)
        if deployer is None:
            details.append(f"deployer balance not checked: {ctx.spec.deployer.private_key_env} is not set")
        if not preflight.missing:
            return Plan(NAME, f"all {len(contracts)} system contracts are already deployed", False, tuple(details))
        summary = f"deploy {len(preflight.missing)} of {len(contracts)} system contracts on chain {preflight.chain_id}"
        plan = Plan(NAME, summary, True, tuple(details), data=_preflight_data(preflight))
        try:
            preflight.raise_blockers()
        except StageError as err:
            # A dry run fails on what would stop the real run, and still shows the plan.
            err.plan = plan
            raise
        return plan

    def apply(self, ctx: Context) -> dict[str, Any]:
        setup = _setup(ctx)
        if needs_build(setup.monorepo, setup.core_dir, setup.contracts_dir):
            ctx.console.print(f"building {setup.contracts_dir}")
            build_contracts(setup.contracts_dir, setup.settings)
        contracts = load_system(setup.core_dir)
        key = ctx.secret(ctx.spec.deployer.private_key_env, purpose=_KEY_PURPOSE, stage=NAME)
        deployer = _address(ctx, key)
        fund_keyless = bool(ctx.options.get("fund_keyless"))

        preflight = run_preflight(setup.rpc, ctx.spec, contracts, deployer=deployer, fund_keyless=fund_keyless)
        for line in _describe(ctx, preflight):
            ctx.console.print(f"  {line}")
        preflight.raise_blockers()

        previous = ctx.outputs_of(NAME)
        # A recorded first block beyond the chain's head comes from a chain that was reset: start afresh.
        first_block = min(int(previous.get("first_block", preflight.block_number + 1)), preflight.block_number + 1)
        ctx.journal.record_outputs(NAME, {"first_block": first_block, "deployer": deployer})
        if not preflight.missing:
            ctx.console.print(f"all {len(contracts)} system contracts are already deployed; nothing sent")
            # The transactions were recorded when they were sent; scanning again could cover months of blocks.
            found = _recorded(previous)
            if not found["contracts"] and "first_block" in previous:
                # An earlier attempt was killed after sending: scan the blocks since that attempt started.
                found = deployment_transactions(setup.rpc, contracts, deployer=deployer, first_block=first_block)
            outputs = _evidence(setup, contracts, deployer, first_block, found=found)
            return {**previous, **outputs, "changed": False}

        if preflight.keyless and preflight.keyless.funding:
            _fund_keyless(ctx, setup, key, preflight.keyless.funding)
        env = task_env(private_key=key, rpc_url_id=ctx.spec.rpc_url_id, rpc_url=setup.rpc_url)
        run = run_task(setup.core_dir, network=ctx.spec.name, env=env, timeout=setup.settings.timeout_seconds)
        ctx.console.print(run.summary())

        found = deployment_transactions(setup.rpc, contracts, deployer=deployer, first_block=first_block)
        outputs = _evidence(setup, contracts, deployer, first_block, found=found)
        _require_all_present(outputs, run)
        return {**outputs, "task": _task_data(run), "changed": True}

    def verify(self, ctx: Context, outputs: Mapping[str, Any]) -> None:
        setup = _setup(ctx)
        check_chain_id(setup.rpc, ctx.spec)
        if not setup.rpc.code(PROXY_ADDRESS):
            raise StageError(NAME, f"the deterministic deployment proxy {PROXY_ADDRESS} has no code")
        checks = check_code(setup.rpc, load_system(setup.core_dir))
        absent = [f"{check.name} at {check.address}" for check in checks if not check.present]
        different = [f"{check.name} at {check.address}" for check in checks if check.present and not check.matches]
        if absent:
            raise StageError(
                NAME,
                f"{len(absent)} system contracts have no code: {', '.join(absent)}",
                fix=f"run `onboard network {ctx.spec.name} --only deploy` again",
            )
        if different:
            raise StageError(
                NAME,
                f"code differs from the artifact's runtime code: {', '.join(different)}",
                cause="another contract occupies the address, or the installed @sphinx-labs/contracts is not the "
                "version that deployed it",
                fix="compare the installed @sphinx-labs/contracts version with the one the platform uses",
            )


_KEY_PURPOSE = "the private key of the account that pays for the Sphinx system deployment"


def _setup(ctx: Context) -> Setup:
    settings = ctx.config.section(NAME, DeploySection)
    monorepo = repo_path(ctx.config, "monorepo")
    rpc_url = ctx.secret(ctx.spec.rpc_source, purpose=f"the RPC URL of {ctx.spec.display_name}", stage=NAME)
    core_dir = monorepo / settings.core_dir
    if not (core_dir / "package.json").is_file():
        raise StageError(
            NAME,
            f"{core_dir} has no package.json",
            cause="the deploy-system task lives in the monorepo's core package",
            fix="set [deploy] core_dir in onboard.toml to the package folder, relative to the monorepo",
        )
    return Setup(settings, monorepo, core_dir, monorepo / settings.contracts_dir, rpc_url, Rpc(rpc_url))


def _address(ctx: Context, key: str) -> str:
    try:
        return Account.from_key(key).address
    except (ValueError, TypeError):
        # The library's message could quote the value, so the original error is dropped.
        raise StageError(
            NAME,
            f"{ctx.spec.deployer.private_key_env} does not hold a valid private key",
            fix="set it to a 32-byte hex private key (64 hex digits, with or without 0x)",
        ) from None


def _describe(ctx: Context, preflight: Preflight) -> list[str]:
    spec = ctx.spec
    lines = [
        f"chain id {preflight.chain_id}, block {preflight.block_number}, gas limit {preflight.block_gas_limit:,}",
        f"fee per gas {amounts.gwei(preflight.fee_per_gas)}",
        f"already deployed: {len(preflight.present)}; to deploy: {', '.join(preflight.missing) or 'none'}",
    ]
    if preflight.missing:
        required = amounts.native(preflight.required, spec)
        lines.append(f"estimated gas {preflight.total_gas:,}, required balance {required}")
    if preflight.balance is not None:
        lines.append(f"deployer {preflight.deployer} holds {amounts.native(preflight.balance, spec)}")
    if not preflight.proxy_present:
        lines.append(f"proxy {PROXY_ADDRESS} is missing; deploy-system will send its keyless deployment")
    if preflight.keyless and preflight.keyless.funding:
        lines.append(f"the deployer will fund {KEYLESS_SENDER} with {amounts.native(preflight.keyless.funding, spec)}")
    lines += [f"blocked: {blocker.message}" for blocker in preflight.blockers]
    return lines


def _preflight_data(preflight: Preflight) -> dict[str, Any]:
    return {
        "chain_id": preflight.chain_id,
        "missing": list(preflight.missing),
        "estimated_gas": preflight.total_gas,
        "fee_per_gas_wei": preflight.fee_per_gas,
        "required_wei": preflight.required,
        "proxy_present": preflight.proxy_present,
        "blockers": [blocker.message for blocker in preflight.blockers],
    }


def _fund_keyless(ctx: Context, setup: Setup, key: str, amount: int) -> None:
    question = f"send {amounts.native(amount, ctx.spec)} from the deployer to the keyless sender {KEYLESS_SENDER}?"
    if not ctx.assume_yes:
        if not sys.stdin.isatty():
            raise StageError(
                NAME,
                f"funding the keyless sender needs confirmation: {question}",
                fix="run again with --yes to confirm without a prompt",
            )
        if not Confirm.ask(question, console=ctx.console):
            raise StageError(
                NAME, "funding the keyless sender was declined", fix=f"send the amount to {KEYLESS_SENDER} yourself"
            )
    receipt = send_native(setup.rpc, private_key=key, to=KEYLESS_SENDER, amount=amount, chain_id=ctx.spec.chain_id)
    ctx.journal.record_outputs(NAME, {"keyless_funding_tx": receipt["transactionHash"]})
    ctx.console.print(f"funded {KEYLESS_SENDER} in transaction {receipt['transactionHash']}")


def _recorded(previous: Mapping[str, Any]) -> dict[str, Any]:
    """Return the transactions an earlier apply recorded, in the shape deployment_transactions returns."""
    code_fields = ("address", "code_hash", "code_matches_artifact")
    contracts = {
        name: {key: value for key, value in record.items() if key not in code_fields}
        for name, record in (previous.get("contracts") or {}).items()
        if record.get("tx_hash")
    }
    return {"contracts": contracts, "other": list(previous.get("other_transactions") or [])}


def _evidence(
    setup: Setup, contracts: tuple[SystemContract, ...], deployer: str, first_block: int, *, found: Mapping[str, Any]
) -> dict[str, Any]:
    checks = {check.name: check for check in check_code(setup.rpc, contracts)}
    records = {}
    for contract in contracts:
        check = checks[contract.name]
        record = {"address": contract.address, "code_hash": check.code_hash, "code_matches_artifact": check.matches}
        records[contract.name] = {**record, **found["contracts"].get(contract.name, {})}
    costs = [*found["contracts"].values(), *found["other"]]
    return {
        "chain_id": setup.rpc.chain_id(),
        "deployer": deployer,
        "first_block": first_block,
        "proxy": PROXY_ADDRESS,
        "contracts": records,
        "other_transactions": found["other"],
        "gas_used": sum(item["gas_used"] for item in costs),
        "cost_wei": sum(item["cost_wei"] for item in costs),
    }


def _require_all_present(outputs: Mapping[str, Any], run: TaskRun) -> None:
    absent = [name for name, record in outputs["contracts"].items() if record["code_hash"] is None]
    if absent:
        raise StageError(
            NAME,
            f"after deploy-system, {len(absent)} system contracts have no code: {', '.join(absent)}",
            cause=f"{run.summary()}\n{run.tail}",
            fix="read the task's output in the run's debug log, fix the cause, then run the stage again; "
            "contracts already deployed are skipped",
        )


def _task_data(run: TaskRun) -> dict[str, Any]:
    return {
        "exit_code": run.returncode,
        "timed_out": run.timed_out,
        "reported": list(run.deployed),
        "summary": run.summary(),
        "explorer_verification": run.explorer_verification,
    }
