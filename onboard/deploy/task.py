"""Running the monorepo's `npx hardhat deploy-system` task and parsing its output."""

from __future__ import annotations

import logging
import re
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from onboard import proc
from onboard.redact import redact

log = logging.getLogger("onboard.deploy")

OUTPUT_TAIL_LINES = 15
_DEPLOYED = re.compile(r"Deployed (?P<name>\w+), (?P<address>0x[0-9a-fA-F]{40})")
_FINISHED = "Finished deploying Sphinx contracts"
_UNSUPPORTED = re.compile(r"Unsupported network id (?P<chain_id>\d+)")
_SKIPPED = re.compile(r"skipped verifying sphinx contracts\. reason: (?P<reason>[^\n]+)")
_ERROR = re.compile(r"^\s*(?:Error(?:HH\d+)?|\w*Error): .+", re.MULTILINE)


@dataclass(frozen=True)
class TaskRun:
    """The outcome of one deploy-system run as its exit code and output report it. Only the chain is proof."""

    returncode: int | None
    timed_out: bool
    deployed: tuple[str, ...]
    finished: bool
    unsupported_chain_id: int | None
    error: str | None
    tail: str

    @property
    def explorer_verification(self) -> str:
        """What the task did about explorer verification, which its exit code does not reflect."""
        skipped = _SKIPPED.search(self.tail)
        if skipped:
            return f"skipped by deploy-system: {skipped['reason'].strip()}"
        if "Verification unsupported on this network" in self.tail:
            return "not supported: the installed @sphinx-labs/core lists no explorer for this chain"
        if self.unsupported_chain_id is not None:
            return "not attempted: the installed @sphinx-labs/core does not list this chain id"
        if "attempting to verify" in self.tail:
            return "attempted by deploy-system; check the explorer, failures still exit 0"
        return "not attempted"

    def summary(self) -> str:
        if self.timed_out:
            return f"deploy-system timed out after reporting {len(self.deployed)} contracts"
        if self.returncode == 0:
            return f"deploy-system exited 0 and reported {len(self.deployed)} contracts"
        if self.finished and self.unsupported_chain_id is not None:
            return (
                f"deploy-system deployed the system, then exited {self.returncode} because the installed "
                f"@sphinx-labs/core does not list chain id {self.unsupported_chain_id} (its verification step)"
            )
        return f"deploy-system exited {self.returncode}: {self.error or 'no error message'}"


def task_command(network: str) -> list[str]:
    return ["npx", "hardhat", "deploy-system", "--network", network]


def task_env(*, private_key: str, rpc_url_id: str, rpc_url: str) -> dict[str, str]:
    """Return the child's environment additions. The key and the URL travel only here, never in argv."""
    return {
        "PRIVATE_KEY": private_key,
        rpc_url_id: rpc_url,
        "CI": "true",
        "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true",
        "DISABLE_ANALYTICS": "true",
    }


def run_task(core_dir: Path, *, network: str, env: Mapping[str, str], timeout: float) -> TaskRun:
    """Run deploy-system in `core_dir` and stop its whole process group when `timeout` seconds pass.

    The task runs through proc.start rather than proc.run because npx starts hardhat as a grandchild:
    a timeout in proc.run kills only npx, which would leave hardhat sending transactions.
    """
    with tempfile.TemporaryDirectory(prefix="onboard-deploy-") as folder:
        output_file = Path(folder) / "deploy-system.log"
        child = proc.start(task_command(network), cwd=core_dir, env=env, log_file=output_file)
        timed_out = False
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            proc.stop(child)
        output = redact(output_file.read_text(errors="replace"))
    log.debug("deploy-system output (exit %s):\n%s", child.returncode, output)
    return parse_output(output, returncode=None if timed_out else child.returncode, timed_out=timed_out)


def parse_output(output: str, *, returncode: int | None, timed_out: bool) -> TaskRun:
    unsupported = _UNSUPPORTED.search(output)
    error = _ERROR.search(output)
    return TaskRun(
        returncode=returncode,
        timed_out=timed_out,
        deployed=tuple(match["name"] for match in _DEPLOYED.finditer(output)),
        finished=_FINISHED in output,
        unsupported_chain_id=int(unsupported["chain_id"]) if unsupported else None,
        error=error.group(0).strip() if error else None,
        tail="\n".join(output.splitlines()[-OUTPUT_TAIL_LINES:]),
    )
