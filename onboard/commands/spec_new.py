"""`onboard spec new NAME [--from-chainlist FILE] [--rpc URL]`: draft a spec from registry data and the chain."""

from __future__ import annotations

import os
from pathlib import Path

from rich.console import Console

from onboard.config import Config
from onboard.errors import OnboardError
from onboard.spec.draft import read_chain_file, write_draft


def _measure(rpc: str, chain_id: int | None, config: Config, console: Console) -> tuple[int, dict[str, object]]:
    """Run the compatibility check on `rpc`; return the chain id and the fields its findings derived."""
    from onboard.commands.check import build_targets
    from onboard.evm.check import run_checks
    from onboard.evm.report import Report
    from onboard.evm.settings import CompatSection

    targets = build_targets(
        [], rpc=rpc, chain_id=chain_id, specs_dir=config.specs_dir, env=config.run_env(os.environ)
    )
    (outcome,) = run_checks(targets, settings=config.section("compat", CompatSection))
    if not isinstance(outcome, Report):
        raise outcome
    for finding in outcome.failed:
        console.print(f"FAIL {finding.id}: {finding.title}", markup=False)
    if outcome.failed:
        console.print("the chain has failing findings: fix them or waive them in the spec before onboarding")
    assert outcome.chain_id is not None
    # Only what a finding derived from the chain, not the defaults the suggested entry starts from.
    measured = {key: value for finding in outcome.findings for key, value in finding.suggest.items()}
    return outcome.chain_id, measured


def spec_new(
    config: Config, name: str, *, chain_file: Path | None, rpc: str | None, force: bool, console: Console
) -> Path:
    """Draft network_specs/NAME.toml and return its path."""
    if chain_file is None and rpc is None:
        raise OnboardError(
            "nothing to draft from",
            fix=f"pass --from-chainlist eip155-<id>.json, --rpc URL, or both: onboard spec new {name} --rpc URL",
        )
    listed_id = None
    if chain_file is not None:
        chain = read_chain_file(chain_file)
        listed_id = chain.get("chainId") if isinstance(chain, dict) else None

    measured, chain_id = None, listed_id
    if rpc is not None:
        chain_id, measured = _measure(rpc, listed_id if isinstance(listed_id, int) else None, config, console)
        if isinstance(listed_id, int) and chain_id != listed_id:
            raise OnboardError(
                f"the RPC's eth_chainId is {chain_id}, but {chain_file} describes chain id {listed_id}",
                cause="the URL and the chain file belong to different networks",
                fix="pass the RPC URL of the chain the file describes, or the file of the chain behind the URL",
            )
    return write_draft(name, chain_file, config.specs_dir, force=force, chain_id=chain_id, measured=measured)
