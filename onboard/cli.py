"""The `onboard` command line. Commands stay thin: the work is in onboard.commands and the stages."""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from onboard import __version__
from onboard.config import Config, load_config
from onboard.errors import ExitCode, OnboardError
from onboard.log import start_run_log, stop_run_logs
from onboard.redact import redact
from onboard.runner import Interrupted

app = typer.Typer(
    name="onboard",
    help="Add a new EVM network to a self-hosted Sphinx deployment platform, end to end.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
spec_app = typer.Typer(help="Draft, validate and describe network specs.", no_args_is_help=True)
config_app = typer.Typer(help="Inspect the configuration.", no_args_is_help=True)
sandbox_app = typer.Typer(help="Local stand-ins for the repositories, chain and services.", no_args_is_help=True)
app.add_typer(spec_app, name="spec")
app.add_typer(config_app, name="config")
app.add_typer(sandbox_app, name="sandbox")

# soft_wrap keeps long messages on one line when the output is a file or a CI log.
console = Console(stderr=True, soft_wrap=True)
log = logging.getLogger("onboard.cli")
_state: dict[str, Config] = {}


def _config() -> Config:
    return _state["config"]


def _version(value: bool) -> None:
    if value:
        print(f"onboard {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    config: Annotated[
        Optional[Path], typer.Option("--config", help="Configuration file. Default: ./onboard.toml, when present.")
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    _state["config"] = load_config(config)


@app.command()
def network(
    name: Annotated[str, typer.Argument(help="Network name: network_specs/NAME.toml.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Plan every stage and run only the read-only checks; write nothing.")
    ] = False,
    from_stage: Annotated[
        Optional[str], typer.Option("--from", help="Re-run from this stage onward, even where already done.")
    ] = None,
    only: Annotated[
        Optional[list[str]], typer.Option("--only", help="Run only this stage; repeat for several.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Answer yes to every confirmation prompt.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON on standard output.")] = False,
    fund_keyless: Annotated[
        bool,
        typer.Option(
            "--fund-keyless", help="Fund the CREATE2 proxy's keyless sender from the deployer (0.01 native token)."
        ),
    ] = False,
    report_dir: Annotated[
        Optional[Path], typer.Option("--report-dir", help="Also write the report as Markdown and JSON here.")
    ] = None,
    resubmit_approval: Annotated[
        bool,
        typer.Option(
            "--resubmit-approval", help="Send a new secrets change request when an earlier one still awaits approval."
        ),
    ] = False,
) -> None:
    """Run the staged pipeline that onboards NAME, resuming where the last run stopped."""
    from onboard.commands.network import NetworkOptions, print_result, run_network

    options = NetworkOptions(
        name=name,
        dry_run=dry_run,
        from_stage=from_stage,
        only=tuple(only or ()),
        assume_yes=yes,
        as_json=as_json,
        fund_keyless=fund_keyless,
        report_dir=report_dir,
        resubmit_approval=resubmit_approval,
    )
    result = run_network(_config(), options, console)
    print_result(result, console, as_json=as_json)
    raise typer.Exit(result.exit_code)


@app.command("check")
def check_command(
    names: Annotated[
        Optional[list[str]], typer.Argument(help="Network names (specs in the specs folder) or spec file paths.")
    ] = None,
    rpc: Annotated[
        Optional[str],
        typer.Option("--rpc", help="Check this JSON-RPC URL instead of specs; env:NAME reads it from variable NAME."),
    ] = None,
    chain_id: Annotated[
        Optional[int], typer.Option("--chain-id", help="Chain id that the --rpc endpoint must return.")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="Report format: text, markdown, json or junit.")
    ] = "text",
    output: Annotated[Optional[Path], typer.Option("--output", help="Also write the report to this file.")] = None,
) -> None:
    """Check that networks can run Sphinx, from their RPC alone. Exit 0: compatible, 3: a finding fails, 1: RPC unusable."""
    from onboard.commands.check import check
    from onboard.config import ConfigError, repo_path
    from onboard.evm.settings import CompatSection

    config = _config()
    try:
        monorepo = repo_path(config, "monorepo")
    except ConfigError:
        monorepo = None
    code, text = check(
        names or [],
        rpc=rpc,
        chain_id=chain_id,
        output_format=output_format,
        output=output,
        specs_dir=config.specs_dir,
        env=config.run_env(os.environ),
        monorepo=monorepo,
        settings=config.section("compat", CompatSection),
    )
    sys.stdout.write(text)
    raise typer.Exit(int(code))


@app.command()
def status(
    name: Annotated[str, typer.Argument(help="Network name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON on standard output.")] = False,
) -> None:
    """Show each stage's state, when it ran and its outputs."""
    from onboard.commands.status import network_status, status_table

    result = network_status(_config(), name)
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        Console(width=max(Console().width, 120)).print(status_table(result))


@config_app.command("show")
def config_show() -> None:
    """Print the merged configuration (file and ONBOARD_* variables) with secrets masked."""
    config = _config()
    print(f"# file: {config.path or '(none; defaults and ONBOARD_* variables)'}")
    print(json.dumps(config.redacted(), indent=2))


@spec_app.command("validate")
def spec_validate(target: Annotated[str, typer.Argument(help="Network name or path of a spec file.")]) -> None:
    """Validate a spec and list every problem with its path, value and fix."""
    from onboard.spec.load import load_network_spec

    path, spec = load_network_spec(target, _config().specs_dir)
    console.print(f"{path}: valid ({spec.display_name}, chain id {spec.chain_id})")


@spec_app.command("schema")
def spec_schema() -> None:
    """Print the JSON Schema of a network spec (also in network_specs/schema.json)."""
    from onboard.spec.schema import spec_json_schema_text

    sys.stdout.write(spec_json_schema_text())


@spec_app.command("new")
def spec_new(
    name: Annotated[str, typer.Argument(help="Network name for the new spec (snake_case).")],
    from_chainlist: Annotated[
        Optional[Path], typer.Option("--from-chainlist", help="An ethereum-lists/chains file (eip155-<id>.json).")
    ] = None,
    rpc: Annotated[
        Optional[str],
        typer.Option("--rpc", help="Measure the derived fields on this RPC URL; env:NAME reads it from variable NAME."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing spec.")] = False,
) -> None:
    """Draft network_specs/NAME.toml from chain registry data and the chain itself; FILL-ME marks the rest."""
    from onboard.commands.spec_new import spec_new as draft

    path = draft(_config(), name, chain_file=from_chainlist, rpc=rpc, force=force, console=console)
    console.print(f"wrote {path}: replace every FILL-ME value, then run `onboard spec validate {name}`")


@sandbox_app.command("up")
def sandbox_up(
    directory: Annotated[Path, typer.Option("--dir", help="Folder for the sandbox (created).")],
    network_name: Annotated[str, typer.Option("--network", help="Network whose chain id the sandbox anvil chain uses.")] = "unichain",
) -> None:
    """Create sandbox repositories and services in DIR and write DIR/onboard.toml pointing at them."""
    from onboard.sandbox.up import sandbox_up as up

    config_path = up(directory, network_name, specs_dir=_config().specs_dir, console=console)
    console.print(f"sandbox ready; run: onboard --config {config_path} network {network_name}")


@sandbox_app.command("down")
def sandbox_down(directory: Annotated[Path, typer.Option("--dir", help="Folder of the sandbox.")]) -> None:
    """Stop every server the sandbox in DIR started."""
    from onboard.sandbox.up import sandbox_down as down

    stopped = down(directory)
    console.print(f"stopped {stopped} sandbox servers")


def _ensure_debug_log() -> Path | None:
    """Return the run's debug log, attaching one under the state directory when the command has not."""
    for handler in logging.getLogger("onboard").handlers:
        if isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    config = _state.get("config")
    try:
        state_dir = config.state_dir if config else Path(".onboard").resolve()
    except OnboardError:
        # The configuration itself is what failed, so its state_dir cannot be read either.
        state_dir = Path(".onboard").resolve()
    try:
        return start_run_log(state_dir, "error")
    except OSError:
        return None


def _report_interrupt() -> None:
    log.debug("interrupted by a signal")
    console.print("interrupted; the journal is consistent, run the same command again to resume")


def _report_error(err: OnboardError) -> int:
    _ensure_debug_log()
    log.debug("error: %s\n%s", err.render(), traceback.format_exc())
    console.print(f"[red]error:[/red] {escape(redact(err.render()))}", highlight=False)
    return int(err.exit_code)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and map every outcome to a documented exit code."""
    try:
        returned = app(args=argv, standalone_mode=False)
        # With standalone_mode=False, click returns the code of typer.Exit instead of raising it, and typer
        # turns Ctrl-C into that code (130) before it reaches the handler below.
        code = returned if isinstance(returned, int) else ExitCode.OK
        if code == ExitCode.INTERRUPTED:
            _report_interrupt()
    except typer.Exit as exit_:
        code = exit_.exit_code
    except (KeyboardInterrupt, typer.Abort, Interrupted):
        _report_interrupt()
        code = ExitCode.INTERRUPTED
    except OnboardError as err:
        code = _report_error(err)
    except typer.TyperException as err:
        # Usage errors (an unknown option, a missing argument) carry exit code 2 and print the usage line.
        err.show()
        code = getattr(err, "exit_code", ExitCode.USAGE)
    except Exception as err:  # noqa: BLE001 - the last resort, so the user sees a message and not a traceback
        path = _ensure_debug_log()
        log.debug("internal error\n%s", traceback.format_exc())
        console.print(f"[red]internal error:[/red] {escape(redact(f'{type(err).__name__}: {err}'))}", highlight=False)
        console.print(f"the traceback is in {path}; please attach it to a bug report", markup=False)
        code = ExitCode.FAILURE
    finally:
        stop_run_logs()
    sys.exit(code)
