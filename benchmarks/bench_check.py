"""Benchmark of the compatibility check against anvil behind a proxy that adds latency to every HTTP request.

Compares the batched check with a baseline that sends one request per probe, one after the other (as
per-opcode probing tools do), then 10 networks checked at once with one network. Prints figures, asserts
nothing. Run from the repository root:

    .venv/bin/python benchmarks/bench_check.py [--latency 0.05] [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from onboard import proc  # noqa: E402
from onboard.commands.check import system_contracts  # noqa: E402
from onboard.evm.check import run_check, run_checks  # noqa: E402
from onboard.evm.report import Report  # noqa: E402
from onboard.evm.rpc import RpcClient  # noqa: E402
from onboard.evm.target import Target  # noqa: E402
from onboard.sandbox.anvil import start_anvil  # noqa: E402


def timed_check(target: Target, client: RpcClient) -> tuple[float, Report]:
    started = time.monotonic()
    report = run_check(target, client=client)
    return time.monotonic() - started, report


def compare_modes(url: str, system: tuple, runs: int) -> None:
    target = Target(label="bench", url=url, system=system)
    modes = {
        "batched": lambda: RpcClient(url),
        "one request per probe": lambda: RpcClient(url, batch=False, single_concurrency=1),
    }
    results = {}
    for mode, make_client in modes.items():
        seconds, report = [], None
        for _ in range(runs):
            client = make_client()
            elapsed, report = timed_check(target, client)
            client.close()
            seconds.append(elapsed)
        assert report is not None
        results[mode] = (statistics.median(seconds), report.rpc["round_trips"], report.rpc["requests"])
        print(f"{mode:24} {results[mode][0]:7.2f} s  {results[mode][1]:4} round trips  {results[mode][2]:4} requests")
    batched, baseline = results["batched"], results["one request per probe"]
    time_ratio, trip_ratio = baseline[0] / batched[0], baseline[1] / batched[1]
    print(f"{'baseline / batched':24} {time_ratio:7.1f}x time  {trip_ratio:5.1f}x round trips")


def compare_networks(urls: list[str], system: tuple, runs: int) -> None:
    def wall(count: int) -> float:
        seconds = []
        for _ in range(runs):
            targets = [Target(label=f"net{index}", url=url, system=system) for index, url in enumerate(urls[:count])]
            started = time.monotonic()
            outcomes = run_checks(targets)
            seconds.append(time.monotonic() - started)
            assert all(isinstance(outcome, Report) for outcome in outcomes)
        return statistics.median(seconds)

    one, ten = wall(1), wall(len(urls))
    print(f"{'1 network':24} {one:7.2f} s")
    print(f"{f'{len(urls)} networks at once':24} {ten:7.2f} s")
    print(f"{'ratio':24} {ten / one:7.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to each HTTP request")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is printed")
    parser.add_argument("--networks", type=int, default=10)
    arguments = parser.parse_args()

    system = system_contracts(None)
    node = start_anvil()
    folder = Path(tempfile.mkdtemp(prefix="bench-check."))
    # The proxies run in their own process, so their JSON work does not compete with the check for the GIL.
    # Each network gets its own proxy endpoint.
    server = proc.start([sys.executable, "-m", "tests.evm.rpcproxy", node.url, "--latency", str(arguments.latency),
                         "--count", str(arguments.networks)], cwd=REPO, log_file=folder / "proxies.log")  # fmt: skip
    try:
        urls = wait_for_urls(folder / "proxies.log", arguments.networks)
        print(f"latency {arguments.latency * 1000:.0f} ms per HTTP request, median of {arguments.runs} runs")
        compare_modes(urls[0], system, arguments.runs)
        compare_networks(urls, system, arguments.runs)
    finally:
        proc.stop(server)
        node.stop()
        shutil.rmtree(folder, ignore_errors=True)


def wait_for_urls(log_file: Path, count: int) -> list[str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        lines = log_file.read_text().split() if log_file.exists() else []
        if len(lines) >= count:
            return lines[:count]
        time.sleep(0.1)
    raise RuntimeError(f"the proxies did not start; see {log_file}")


if __name__ == "__main__":
    main()
