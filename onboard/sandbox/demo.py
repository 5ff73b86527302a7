"""`make demo`: start a sandbox, onboard a network end to end through the real CLI, show where to look, stop.

Usage: python -m onboard.sandbox.demo [--dir FOLDER] [--network NAME] [--keep]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from onboard.errors import OnboardError
from onboard.sandbox.up import sandbox_down, sandbox_up

REPO_ROOT = Path(__file__).resolve().parents[2]


def _onboard(config: Path, *args: str) -> int:
    command = [sys.executable, "-m", "onboard", "--config", str(config), *args]
    print(f"\n$ onboard --config {config} {' '.join(args)}", flush=True)
    return subprocess.run(command, cwd=REPO_ROOT, check=False).returncode


def _where_to_look(folder: Path, network: str) -> str:
    return f"""
Where to look:
  dry-run report        {folder}/reports/{network}-dry-run.md
  run report            {folder}/reports/{network}-run.md
  journal               {folder}/state/{network}/journal.json   (onboard --config {folder}/onboard.toml status {network})
  compatibility report  {folder}/state/{network}/compat-report.md
  monorepo change       git -C {folder}/monorepo log --stat onboard/{network}
  platform bump         git -C {folder}/platform log -p -1 -- yarn.lock
  secrets (.env)        {folder}/deploy/.env
  rollout record        {folder}/rollout.log
  debug logs            {folder}/state/{network}/logs/
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=REPO_ROOT / "demo", help="Sandbox folder (replaced).")
    parser.add_argument("--network", default="unichain", help="Network spec from network_specs/.")
    parser.add_argument("--keep", action="store_true", help="Leave the servers running; stop with sandbox down.")
    options = parser.parse_args(argv)
    console = Console(stderr=True, soft_wrap=True)

    folder = options.dir.resolve()
    if (folder / "sandbox.json").exists():
        sandbox_down(folder)
    shutil.rmtree(folder, ignore_errors=True)
    console.print(f"starting the sandbox in {folder} (anvil, verdaccio, image registry, PostgreSQL)")
    try:
        config = sandbox_up(folder, options.network, specs_dir=REPO_ROOT / "network_specs", console=console)
    except OnboardError as err:
        console.print(f"error: {err.render()}", markup=False)
        return 1

    try:
        reports = str(folder / "reports")
        dry_run = _onboard(config, "network", options.network, "--dry-run", "--report-dir", reports)
        if dry_run != 0:
            console.print(f"the dry run exited {dry_run}; see the report above")
            return dry_run
        code = _onboard(config, "network", options.network, "--yes", "--report-dir", reports)
        _onboard(config, "status", options.network)
        print(_where_to_look(folder, options.network))
        return code
    finally:
        if options.keep:
            console.print(f"servers left running; stop them with: onboard sandbox down --dir {folder}")
        else:
            stopped = sandbox_down(folder)
            console.print(f"stopped {stopped} sandbox servers; the files stay in {folder}")


if __name__ == "__main__":
    sys.exit(main())
