"""The real CLI in a subprocess: exit codes, messages and the spec stage against a real anvil chain."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

CANARY = "canary-7f3a9c1e5b"


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("ONBOARD_") or k == "ONBOARD_NODE_CACHE"}
    child_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "onboard", *args], cwd=cwd, env=child_env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(REPO_ROOT / "network_specs", tmp_path / "network_specs")
    return tmp_path


def test_version(workdir: Path) -> None:
    result = run_cli("--version", cwd=workdir)
    assert result.returncode == 0
    assert result.stdout.startswith("onboard ")


def test_usage_error_exits_2(workdir: Path) -> None:
    result = run_cli("network", "--no-such-option", cwd=workdir)
    assert result.returncode == 2
    assert "No such option" in result.stderr


def test_unknown_network_suggests_close_names(workdir: Path) -> None:
    result = run_cli("network", "unichian", "--dry-run", cwd=workdir)
    assert result.returncode == 1
    assert "no spec for network 'unichian'" in result.stderr
    assert "did you mean unichain?" in result.stderr


def test_unknown_stage_exits_2(workdir: Path) -> None:
    result = run_cli("network", "unichain", "--only", "nope", cwd=workdir)
    assert result.returncode == 2
    assert "unknown stage 'nope'" in result.stderr


def test_spec_validate_lists_every_problem(workdir: Path) -> None:
    bad = workdir / "bad.toml"
    bad.write_text('name = "Bad"\nchain_id = 0\n')
    result = run_cli("spec", "validate", str(bad), cwd=workdir)
    assert result.returncode == 1
    assert "name = 'Bad'" in result.stderr
    assert "chain_id = 0" in result.stderr
    assert "currency" in result.stderr


def test_missing_rpc_variable_named(workdir: Path) -> None:
    result = run_cli("network", "unichain", "--only", "spec", cwd=workdir)
    assert result.returncode == 1
    assert "UNICHAIN_MAINNET_URL is missing" in result.stderr
    assert "export UNICHAIN_MAINNET_URL=" in result.stderr


def test_spec_stage_on_anvil_then_status(workdir: Path, anvil_factory) -> None:
    node = anvil_factory(chain_id=130)
    env = {"UNICHAIN_MAINNET_URL": node.url}
    result = run_cli("network", "unichain", "--only", "spec", "--json", cwd=workdir, env=env)
    assert result.returncode == 0, result.stderr
    stages = json.loads(result.stdout)["stages"]
    assert stages[0]["stage"] == "spec"
    assert stages[0]["status"] == "applied"

    status = run_cli("status", "unichain", "--json", cwd=workdir)
    assert status.returncode == 0
    entry = json.loads(status.stdout)["stages"][0]
    assert entry["status"] == "done"
    assert entry["outputs"]["chain_id"] == 130


def test_chain_id_mismatch_names_both_ids(workdir: Path, anvil_factory) -> None:
    node = anvil_factory(chain_id=999)
    result = run_cli("network", "unichain", "--only", "spec", cwd=workdir, env={"UNICHAIN_MAINNET_URL": node.url})
    assert result.returncode == 1
    assert "eth_chainId is 999, but the spec says chain_id = 130" in result.stderr


def test_canary_secret_in_rpc_url_appears_nowhere(workdir: Path, anvil_factory) -> None:
    node = anvil_factory(chain_id=130)
    url = f"{node.url}/?apikey={CANARY}"
    env = {"UNICHAIN_MAINNET_URL": url, "ONBOARD_SECRETS__TOKEN": CANARY}
    outputs = [
        run_cli("network", "unichain", "--only", "spec", "--json", cwd=workdir, env=env),
        run_cli("network", "unichain", "--dry-run", "--json", "--report-dir", "reports", cwd=workdir, env=env),
        run_cli("status", "unichain", "--json", cwd=workdir, env=env),
        run_cli("config", "show", cwd=workdir, env=env),
        run_cli("check", "unichain", "--format", "json", "--output", "check.json", cwd=workdir, env=env),
        run_cli("check", "--rpc", "env:UNICHAIN_MAINNET_URL", "--format", "markdown", cwd=workdir, env=env),
        run_cli("spec", "validate", "unichain", cwd=workdir, env=env),
        run_cli("spec", "new", "canary_net", "--rpc", "env:UNICHAIN_MAINNET_URL", cwd=workdir, env=env),
        run_cli("network", "unichain", "--only", "nope", cwd=workdir, env=env),
    ]
    # The dry run exits 1: without a configuration the stages after compat cannot plan.
    assert [result.returncode for result in outputs] == [0, 1, 0, 0, 0, 0, 0, 0, 2]
    for result in outputs:
        assert CANARY not in result.stdout + result.stderr
    for path in workdir.rglob("*"):
        if path.is_file() and "network_specs" not in path.parts:
            assert CANARY not in path.read_text(errors="replace"), path


def test_check_with_failing_finding_exits_3(workdir: Path, anvil_factory) -> None:
    node = anvil_factory(chain_id=5)
    result = run_cli("check", "--rpc", node.url, "--chain-id", "6", cwd=workdir)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "chain.id" in result.stdout


def test_dry_run_with_failing_check_exits_3(workdir: Path, anvil_factory) -> None:
    node = anvil_factory(chain_id=999)
    result = run_cli("network", "unichain", "--dry-run", cwd=workdir, env={"UNICHAIN_MAINNET_URL": node.url})
    assert result.returncode == 3, result.stdout + result.stderr
    assert "eth_chainId is 999" in result.stdout
    assert "[monorepo] section is missing" in result.stdout


def test_markup_in_messages_printed_literally(workdir: Path) -> None:
    bad = workdir / "bad.toml"
    bad.write_text('name = "[[waivers]]"\n')
    result = run_cli("spec", "validate", str(bad), cwd=workdir)
    assert "[[waivers]]" in result.stderr


def test_name_outside_specs_dir_rejected(workdir: Path) -> None:
    (workdir / "x.toml").write_text((workdir / "network_specs" / "unichain.toml").read_text())
    result = run_cli("network", "../x", "--dry-run", cwd=workdir)
    assert result.returncode == 1
    assert "invalid network name '../x'" in result.stderr


def test_spec_file_name_must_match_name(workdir: Path) -> None:
    text = (workdir / "network_specs" / "unichain.toml").read_text()
    (workdir / "network_specs" / "other.toml").write_text(text)
    result = run_cli("spec", "validate", "other", cwd=workdir)
    assert result.returncode == 1
    assert "differs from the file name other.toml" in result.stderr


def test_status_of_unknown_network_rejected(workdir: Path) -> None:
    result = run_cli("status", "nosuch", cwd=workdir)
    assert result.returncode == 1
    assert "unknown network 'nosuch'" in result.stderr


def test_unwritable_report_dir_rejected_before_stages(workdir: Path) -> None:
    (workdir / "file").write_text("")
    result = run_cli("network", "unichain", "--only", "spec", "--report-dir", "file/reports", cwd=workdir)
    assert result.returncode == 2
    assert "--report-dir file/reports cannot be created" in result.stderr
    assert not (workdir / ".onboard" / "unichain" / "journal.json").exists()


def test_config_error_prints_no_traceback(workdir: Path) -> None:
    result = run_cli("status", "unichain", cwd=workdir, env={"ONBOARD_FOO": "1"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "foo (set by ONBOARD_FOO)" in result.stderr
