"""Time a full sandbox onboarding of `unichain`, stage by stage, and the cost of resuming a finished pipeline.

Each repetition builds a fresh sandbox (`onboard sandbox up`), runs
`python -m onboard --config DIR/onboard.toml network unichain --yes --json` through the real CLI, then runs the
same command again, which only verifies the finished stages. Per-stage times come from the `seconds` (apply and
verify) and `verify_seconds` fields that the runner writes to the journal. Two peak RSS figures: the onboard
process's own (its VmHWM, sampled every 0.1 s) and the largest in its process tree (the rusage that `wait4`
returns, which covers hardhat, yarn and buildah).

Usage: .venv/bin/python benchmarks/bench_pipeline.py [--runs N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from onboard.sandbox.up import sandbox_down, sandbox_up

REPO = Path(__file__).resolve().parent.parent
NETWORK = "unichain"


@dataclass(frozen=True)
class Measurement:
    """One repetition: sandbox build, full run and resume, all in seconds; peak RSS in MiB."""

    sandbox: float
    full: float
    resume: float
    stages: dict[str, float]
    verify: dict[str, float]
    own_peak_mib: float
    tree_peak_mib: float


@dataclass(frozen=True)
class CliRun:
    """One CLI run: wall time in seconds, the JSON result, and peak RSS in MiB."""

    seconds: float
    result: dict
    own_peak_mib: float
    tree_peak_mib: float


def _high_water_mark(pid: int, last: int) -> int:
    """Return VmHWM of `pid` in KiB (the kernel's peak RSS of that process), or `last` once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return last
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return max(last, int(line.split()[1]))
    return last


def run_cli(config: Path) -> CliRun:
    """Run the full pipeline through the CLI, sampling the onboard process's peak RSS every 0.1 s."""
    command = [sys.executable, "-m", "onboard", "--config", str(config), "network", NETWORK, "--yes", "--json"]
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        started = time.perf_counter()
        # The benchmark measures the CLI as an operator runs it, so it starts a real process, not proc.run.
        child = subprocess.Popen(command, stdout=stdout, stderr=stderr, text=True, cwd=REPO)
        own_peak = 0
        while True:
            own_peak = _high_water_mark(child.pid, own_peak)
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        if child.returncode != 0:
            sys.stderr.write(stderr.read()[-4000:])
            raise SystemExit(f"onboard exited with {child.returncode}")
        result = json.loads(stdout.read())
    # ru_maxrss is in KiB on Linux: the largest RSS in the process tree whose children were waited for.
    return CliRun(elapsed, result, own_peak / 1024, usage.ru_maxrss / 1024)


def read_journal(folder: Path) -> dict[str, dict]:
    path = folder / "state" / NETWORK / "journal.json"
    return json.loads(path.read_text(encoding="utf-8"))["stages"]


def measure_once(folder: Path) -> Measurement:
    console = Console(stderr=True, quiet=True)
    started = time.perf_counter()
    config = sandbox_up(folder, NETWORK, specs_dir=REPO / "network_specs", console=console)
    sandbox_seconds = time.perf_counter() - started
    try:
        full = run_cli(config)
        applied = [stage["stage"] for stage in full.result["stages"] if stage["status"] == "applied"]
        resume = run_cli(config)
        journal = read_journal(folder)
    finally:
        sandbox_down(folder)

    stages = {name: journal[name]["seconds"] for name in applied}
    verify = {name: journal[name].get("verify_seconds", 0.0) for name in applied}
    own_peak = max(full.own_peak_mib, resume.own_peak_mib)
    tree_peak = max(full.tree_peak_mib, resume.tree_peak_mib)
    return Measurement(sandbox_seconds, full.seconds, resume.seconds, stages, verify, own_peak, tree_peak)


def median_of(values: list[float]) -> float:
    return statistics.median(values)


def print_summary(results: list[Measurement]) -> None:
    print(f"runs: {len(results)} (medians)")
    print(f"{'stage':<12} {'apply+verify':>13} {'verify on resume':>17}")
    for name in results[0].stages:
        applied = median_of([item.stages[name] for item in results])
        verified = median_of([item.verify[name] for item in results])
        print(f"{name:<12} {applied:>12.2f}s {verified:>16.2f}s")
    full = median_of([item.full for item in results])
    resume = median_of([item.resume for item in results])
    print(f"sum of stages: {median_of([sum(item.stages.values()) for item in results]):.2f} s")
    print(f"full run (process wall time): {full:.2f} s")
    print(f"resume of the finished pipeline: {resume:.2f} s ({resume / full:.3f} of the full run)")
    print(f"sandbox build: {median_of([item.sandbox for item in results]):.2f} s")
    print(f"peak RSS of the onboard process: {max(item.own_peak_mib for item in results):.0f} MiB")
    print(f"peak RSS of any process it started (hardhat, yarn, buildah): {max(item.tree_peak_mib for item in results):.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="Repetitions, each with a new sandbox. Default: 1.")
    parser.add_argument("--keep", type=Path, help="Build the sandboxes under this folder and keep them.")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")

    results = []
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as scratch:
        base = args.keep or Path(scratch)
        for index in range(args.runs):
            measurement = measure_once(base / f"run-{index}")
            print(f"run {index + 1}: full {measurement.full:.2f} s, resume {measurement.resume:.2f} s", flush=True)
            results.append(measurement)
    print_summary(results)


if __name__ == "__main__":
    main()
