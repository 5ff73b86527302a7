"""No secret value reaches any output: plans, outputs, journal, logs, console or exception text."""

from __future__ import annotations

import json

import pytest

from onboard.errors import OnboardError
from onboard.redact import redact
from onboard.secrets.values import resolve, targets_for
from onboard.secrets.base import Fingerprinter
from tests.secrets.conftest import BACKENDS, CANARIES, CANARY_ETHERSCAN, CANARY_RPC


def assert_no_canary(text: str, where: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"{canary} leaked into {where}"


def state_files(harness) -> str:
    texts = []
    for path in (harness.root / "state").rglob("*"):
        if path.is_file() and path.suffix != ".key":
            texts.append(path.read_text())
    return "\n".join(texts)


@pytest.mark.parametrize("backend", BACKENDS)
def test_successful_runs_leak_no_value(backend, make_harness, debug_logs):
    harness = make_harness(backend)

    first_plan, first_outputs = harness.run()
    second_plan, second_outputs = harness.run()

    assert_no_canary(json.dumps(first_plan.to_json()) + json.dumps(second_plan.to_json()), "the plans")
    assert_no_canary(json.dumps(first_outputs) + json.dumps(second_outputs), "the outputs")
    assert_no_canary(harness.journal_text(), "the journal")
    assert_no_canary(state_files(harness), "the state directory")
    assert_no_canary(debug_logs.text, "the log")
    assert_no_canary(harness.console_output.getvalue(), "the console")


def test_error_echoing_a_value_is_redacted(make_harness, infisical, debug_logs):
    harness = make_harness("infisical")
    infisical.inject("PATCH", "/api/v4/secrets/batch", status=422, error="ValidationFailure",
                     message=[{"path": ["secretValue"], "message": f"Invalid value {CANARY_RPC}"}])

    with pytest.raises(OnboardError) as caught:
        harness.run()

    assert "Invalid value" in str(caught.value)
    assert_no_canary(str(caught.value), "the exception")
    assert_no_canary(repr(caught.value.__cause__), "the chained exception")
    assert_no_canary(debug_logs.text, "the log")
    assert_no_canary(harness.journal_text(), "the journal")


@pytest.mark.parametrize("backend", ["infisical", "github"])
def test_timeouts_and_server_errors_leak_no_value(backend, make_harness, infisical, github, debug_logs):
    harness = make_harness(backend, table={"timeout_seconds": 0.3})
    if backend == "infisical":
        infisical.inject("PATCH", "/api/v4/secrets/batch", delay=0.6, times=2)
    else:
        github.fail_next("PUT", 500, "Server Error")

    with pytest.raises(OnboardError) as caught:
        harness.run()

    assert_no_canary(str(caught.value), "the exception")
    assert_no_canary(debug_logs.text, "the log")
    assert_no_canary(harness.journal_text(), "the journal")


def test_desired_value_stays_out_of_repr(unichain, tmp_path):
    env = {"UNICHAIN_MAINNET_URL": CANARY_RPC, "UNICHAIN_ETHERSCAN_API_KEY": CANARY_ETHERSCAN,
           "UNICHAIN_BLOCKSCOUT_API_KEY": "CANARYbsKEYvut"}

    desired = resolve(targets_for(unichain), env=env, values_file=None, placeholders={},
                      fingerprint=Fingerprinter(b"x" * 32), stage="secrets")

    assert_no_canary(repr(desired), "repr")


@pytest.mark.parametrize("backend", BACKENDS)
def test_plan_lines_survive_redaction_unchanged(backend, make_harness):
    harness = make_harness(backend)
    harness.run()
    harness.env["UNICHAIN_ETHERSCAN_API_KEY"] = "CANARYethKEYrotated"

    plan = harness.plan()

    for line in (plan.summary, *plan.details):
        assert redact(line) == line


def test_verify_problems_survive_redaction_unchanged(make_harness, infisical):
    harness = make_harness("infisical")
    _, outputs = harness.run()
    infisical.secrets[("/BlockExplorers", "UNICHAIN_ETHERSCAN_API_KEY")]["value"] = "changed-by-someone"

    with pytest.raises(OnboardError) as caught:
        harness.stage.verify(harness.context(), outputs)

    assert redact(caught.value.cause) == caught.value.cause
    assert "UNICHAIN_ETHERSCAN_API_KEY (environment prod) has fingerprint" in caught.value.cause
