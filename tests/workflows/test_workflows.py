"""The GitHub Actions workflows: linted with zizmor and GitHub's workflow schema, and checked for their gates."""

import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.conftest import REPO_ROOT

WORKFLOWS = sorted((REPO_ROOT / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def load_workflow(path: Path) -> dict:
    # YAML 1.2, as GitHub reads it: the key `on` stays a string instead of becoming true.
    return YAML(typ="safe").load(path.read_text())


def test_workflows_exist() -> None:
    assert [path.name for path in WORKFLOWS] == ["network-specs-check.yml", "onboard-network.yml"]


def test_zizmor_reports_nothing() -> None:
    result = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--persona", "pedantic", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_github_workflow_schema_accepts(path: Path) -> None:
    result = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_onboard_workflow_triggers_and_gates() -> None:
    workflow = load_workflow(REPO_ROOT / "workflows" / "onboard-network.yml")
    triggers = workflow["on"]
    assert set(triggers) == {"workflow_dispatch", "workflow_call"}
    assert workflow["permissions"] == {}

    dry_run, apply = workflow["jobs"]["dry-run"], workflow["jobs"]["apply"]
    assert dry_run["strategy"]["matrix"]["network"] == "${{ fromJSON(inputs.networks) }}"
    assert "matrix.network" in dry_run["concurrency"]["group"]
    assert "matrix.network" in apply["concurrency"]["group"]
    assert apply["environment"] == "${{ inputs.environment }}"
    assert apply["needs"] == "dry-run"
    assert dry_run["permissions"] == {"contents": "read"}


def test_specs_workflow_runs_on_spec_changes_only() -> None:
    workflow = load_workflow(REPO_ROOT / "workflows" / "network-specs-check.yml")
    assert workflow["on"]["pull_request"]["paths"] == ["network_specs/**"]
    assert workflow["jobs"]["check"]["permissions"]["pull-requests"] == "write"


def test_no_secret_is_interpolated_into_a_script() -> None:
    for path in WORKFLOWS:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            stripped = line.strip()
            if "${{ secrets." in stripped:
                assert ":" in stripped, f"{path.name}:{number}"
                assert not stripped.startswith("run:"), f"{path.name}:{number}"
