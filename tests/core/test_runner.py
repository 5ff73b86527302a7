import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from onboard.config import load_config
from onboard.errors import OnboardError, StageError
from onboard.journal import DONE, FAILED, INTERRUPTED, Journal
from onboard.runner import dry_run, run_pipeline, select_stages
from onboard.spec import load_spec
from onboard.stages.base import Context

from tests.conftest import REPO_ROOT
from tests.core.stages_for_tests import LineStage

SPEC = REPO_ROOT / "network_specs" / "unichain.toml"


def make_context(tmp_path: Path) -> Context:
    config = load_config(None, env={})
    return Context(spec=load_spec(SPEC), config=config, journal=Journal(tmp_path / "state", "unichain"))


def test_stages_run_in_order_and_are_recorded(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    stages = [LineStage("one", target), LineStage("two", target)]
    result = run_pipeline(make_context(tmp_path), stages)
    assert target.read_text() == "one\ntwo\n"
    assert [outcome.status for outcome in result.outcomes] == ["applied", "applied"]
    journal = Journal(tmp_path / "state", "unichain")
    assert journal.status("one") == DONE
    assert journal.outputs("two")["line"] == "two"


def test_second_run_verifies_without_applying(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    stages = [LineStage("one", target), LineStage("two", target)]
    run_pipeline(make_context(tmp_path), stages)
    result = run_pipeline(make_context(tmp_path), stages)
    assert [stage.applied for stage in stages] == [1, 1]
    assert [outcome.status for outcome in result.outcomes] == ["verified", "verified"]


def test_failed_stage_resumes_on_next_run(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    first, second = LineStage("one", target), LineStage("two", target, fail_times=1)
    with pytest.raises(StageError):
        run_pipeline(make_context(tmp_path), [first, second])
    journal = Journal(tmp_path / "state", "unichain")
    assert journal.status("two") == FAILED
    assert "failed on purpose" in journal.entry("two")["error"]

    run_pipeline(make_context(tmp_path), [first, second])
    assert first.applied == 1
    assert second.applied == 2
    assert target.read_text() == "one\ntwo\n"


def test_verify_failure_of_done_stage_stops_the_run(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    run_pipeline(make_context(tmp_path), [LineStage("one", target)])
    target.write_text("")
    with pytest.raises(StageError, match="missing"):
        run_pipeline(make_context(tmp_path), [LineStage("one", target), LineStage("two", target)])


def test_forced_stage_is_applied_again(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    stage = LineStage("one", target)
    run_pipeline(make_context(tmp_path), [stage])
    run_pipeline(make_context(tmp_path), [stage], forced=["one"])
    assert stage.applied == 2
    assert target.read_text() == "one\n"


def test_keyboard_interrupt_recorded(tmp_path: Path) -> None:
    class Interrupting(LineStage):
        def apply(self, ctx):  # type: ignore[override]
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_pipeline(make_context(tmp_path), [Interrupting("one", tmp_path / "x")])
    assert Journal(tmp_path / "state", "unichain").status("one") == INTERRUPTED


def test_dry_run_writes_nothing_and_plans_every_stage(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    stages = [LineStage("one", target), LineStage("two", target)]
    result = dry_run(make_context(tmp_path), stages)
    assert not target.exists()
    assert [outcome.plan.summary for outcome in result.outcomes] == ["append one", "append two"]
    assert not (tmp_path / "state" / "unichain" / "journal.json").exists()


def test_select_stages_rejects_unknown_names() -> None:
    with pytest.raises(OnboardError) as raised:
        select_stages(["spec", "compat"], from_stage="compta", only=())
    assert "unknown stage 'compta'" in raised.value.message


def test_select_stages_from_and_only() -> None:
    names = ["spec", "compat", "networks", "secrets"]
    assert select_stages(names, from_stage="networks", only=()) == ["networks", "secrets"]
    assert select_stages(names, from_stage=None, only=["secrets", "spec"]) == ["spec", "secrets"]


SIGTERM_SCRIPT = """
import sys
from pathlib import Path
from tests.core.test_runner import make_context
from tests.core.stages_for_tests import LineStage
from onboard.runner import run_pipeline, Interrupted
tmp = Path(sys.argv[1])
try:
    run_pipeline(make_context(tmp), [LineStage("one", tmp / "out"), LineStage("slow", tmp / "out", sleep=30)])
except Interrupted:
    sys.exit(130)
"""


def test_sigterm_leaves_consistent_journal(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", SIGTERM_SCRIPT, str(tmp_path)], cwd=REPO_ROOT)
    journal_path = tmp_path / "state" / "unichain" / "journal.json"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if journal_path.exists() and '"slow"' in journal_path.read_text():
            break
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGTERM)
    assert child.wait(20) == 130
    stages = json.loads(journal_path.read_text())["stages"]
    assert stages["one"]["status"] == DONE
    assert stages["slow"]["status"] == INTERRUPTED
