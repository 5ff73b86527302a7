"""`onboard check NAME... | --rpc URL [--chain-id N]`: the compatibility check from the command line.

Exit codes: 0 when no finding fails, 3 when one fails after the spec's waivers, 1 when an RPC endpoint cannot
be used at all (or the input is invalid).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from eth_account import Account

from onboard.errors import ExitCode, OnboardError, RpcError
from onboard.evm.artifacts import SystemContract, candidate_folders, load_system_contracts
from onboard.evm.check import has_failures, run_checks
from onboard.evm.render import FORMATS, render
from onboard.evm.report import Report
from onboard.evm.settings import CompatSection
from onboard.evm.target import Target
from onboard.fsutil import atomic_write
from onboard.redact import redact, register_secret
from onboard.sandbox.toolchain import default_cache_root
from onboard.spec import NetworkSpec
from onboard.spec.load import load_network_spec

# `--rpc env:NAME` reads the URL from the environment variable NAME.
RPC_FROM_ENV = "env:"


def toolchain_node_modules() -> Path | None:
    """Find the node_modules of an installed toolchain with @sphinx-labs/contracts, without installing one."""
    root = default_cache_root()
    found = sorted(root.glob("*/node_modules/@sphinx-labs/contracts")) if root.is_dir() else []
    return found[0].parents[1] if found else None


def system_contracts(monorepo: Path | None) -> tuple[SystemContract, ...]:
    """Load the system contracts to simulate. Returns none when no artifacts are installed, so sphinx.system skips."""
    try:
        contracts, _ = load_system_contracts(candidate_folders(monorepo, toolchain_node_modules()))
    except OnboardError:
        return ()
    return tuple(contracts)


def deployer_address(spec: NetworkSpec, env: Mapping[str, str]) -> str | None:
    """Derive the deployer's address from its private key in the environment, registering the key as a secret."""
    key = env.get(spec.deployer.private_key_env, "")
    if not key:
        return None
    register_secret(key)
    try:
        return Account.from_key(key).address
    except (ValueError, TypeError) as err:
        raise OnboardError(
            f"environment variable {spec.deployer.private_key_env} is not a valid private key",
            cause="it must be 32 bytes of hex, with or without 0x",
            fix=f"export {spec.deployer.private_key_env}=0x... with the deployer's key",
        ) from err


def spec_target(spec: NetworkSpec, env: Mapping[str, str], system: tuple[SystemContract, ...]) -> Target:
    url = env.get(spec.rpc_source, "")
    if not url:
        raise OnboardError(
            f"environment variable {spec.rpc_source} is missing or empty",
            cause=f"it must hold the RPC URL of {spec.name}",
            fix=f"export {spec.rpc_source}=https://..., or run `onboard check --rpc URL --chain-id {spec.chain_id}`",
        )
    register_secret(url)
    return Target(label=spec.name, url=url, spec=spec, deployer=deployer_address(spec, env), system=system)


def rpc_from_env(variable: str, env: Mapping[str, str]) -> str:
    """Read the RPC URL from an environment variable, so that an API key stays out of the process list."""
    url = env.get(variable, "")
    if not url:
        raise OnboardError(
            f"environment variable {variable} is missing or empty",
            fix=f"export {variable}=https://... before `onboard check --rpc env:{variable}`",
        )
    register_secret(url)
    return url


def build_targets(names: Sequence[str], *, rpc: str | None, chain_id: int | None, specs_dir: Path,
                  env: Mapping[str, str], monorepo: Path | None = None) -> list[Target]:  # fmt: skip
    """Targets from spec names, or one from `--rpc`; raise OnboardError on invalid input."""
    if bool(names) == bool(rpc):
        raise OnboardError(
            "give network names or --rpc URL, not both and not neither",
            fix="run `onboard check unichain` or `onboard check --rpc https://... --chain-id 130`",
        )
    system = system_contracts(monorepo)
    if rpc and rpc.startswith(RPC_FROM_ENV):
        rpc = rpc_from_env(rpc.removeprefix(RPC_FROM_ENV), env)
    if rpc:
        if not rpc.startswith(("http://", "https://")):
            raise OnboardError(f"--rpc {redact(rpc)} is not an http:// or https:// URL",
                               fix="pass the JSON-RPC URL of the chain, such as https://rpc.example.org")  # fmt: skip
        return [Target(label=redact(rpc), url=rpc, expected_chain_id=chain_id, system=system)]
    specs = [load_network_spec(name, specs_dir)[1] for name in names]
    if chain_id is not None:
        raise OnboardError("--chain-id applies to --rpc only", fix="set chain_id in the spec instead")
    return [spec_target(spec, env, system) for spec in specs]


def exit_code(outcomes: Sequence[Report | RpcError]) -> ExitCode:
    if any(isinstance(outcome, RpcError) for outcome in outcomes):
        return ExitCode.FAILURE
    if any(has_failures(outcome) for outcome in outcomes if isinstance(outcome, Report)):
        return ExitCode.INCOMPATIBLE
    return ExitCode.OK


def check(names: Sequence[str] = (), *, rpc: str | None = None, chain_id: int | None = None,
          output_format: str = "text", output: Path | None = None, specs_dir: Path = Path("network_specs"),
          env: Mapping[str, str] | None = None, monorepo: Path | None = None,
          settings: CompatSection | None = None) -> tuple[ExitCode, str]:  # fmt: skip
    """Run the check and write the report to `output` when given; return the exit code and the report text."""
    if output_format not in FORMATS:
        raise OnboardError(f"unknown format {output_format!r}", fix=f"use one of: {', '.join(FORMATS)}")
    env = os.environ if env is None else env
    targets = build_targets(names, rpc=rpc, chain_id=chain_id, specs_dir=specs_dir, env=env, monorepo=monorepo)
    outcomes = run_checks(targets, settings=settings)
    text = render(outcomes, output_format)
    if output is not None:
        atomic_write(output, text)
    return exit_code(outcomes), text
