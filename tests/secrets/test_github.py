"""GitHub Actions secrets: sealed boxes, environment scope, name rules, rate limits, changes made elsewhere."""

from __future__ import annotations

import pytest

from onboard.errors import StageError
from tests.secrets.conftest import CANARY_ETHERSCAN, CANARY_RPC, spec_from


def test_values_arrive_as_sealed_boxes(make_harness, github):
    harness = make_harness("github")

    harness.run()

    bodies = [request.json() for request in github.requests_to("PUT")]
    assert all(sorted(body) == ["encrypted_value", "key_id"] for body in bodies)
    assert all(CANARY_RPC not in request.body.decode() for request in github.requests_to("PUT"))
    assert github.value("UNICHAIN_MAINNET_URL") == CANARY_RPC


def test_requests_send_api_version_and_token(make_harness, github):
    harness = make_harness("github")

    harness.plan()

    request = github.server.requests[0]
    assert request.headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert request.headers["Accept"] == "application/vnd.github+json"
    assert request.headers["Authorization"] == f"Bearer {github.token}"


def test_environment_secrets(make_harness, github):
    harness = make_harness("github", table={"environment": "production"})

    plan, _ = harness.run()

    assert "environment production of acme/platform" in plan.summary
    assert github.value("UNICHAIN_ETHERSCAN_API_KEY", "production") == CANARY_ETHERSCAN
    assert github.value("UNICHAIN_ETHERSCAN_API_KEY") is None
    assert github.requests_to("PUT")[0].path.startswith("/repos/acme/platform/environments/production/secrets/")


def test_missing_environment_names_the_fix(make_harness):
    harness = make_harness("github", table={"environment": "staging"})

    with pytest.raises(StageError, match="HTTP 404: Not Found") as caught:
        harness.plan()

    assert "has the environment staging" in caught.value.fix


def test_bad_token_names_the_variable(make_harness):
    harness = make_harness("github")
    harness.env["GITHUB_TOKEN"] = "ghp_wrong_token_value"

    with pytest.raises(StageError, match="Bad credentials") as caught:
        harness.plan()

    assert "GITHUB_TOKEN" in caught.value.fix
    assert "ghp_wrong_token_value" not in str(caught.value)


def test_names_against_github_rules_are_rejected_before_writing(make_harness, github, tmp_path):
    spec = spec_from(tmp_path, UNICHAIN_ETHERSCAN_API_KEY="GITHUB_ETHERSCAN_KEY")
    harness = make_harness("github", spec=spec)

    with pytest.raises(StageError, match="cannot store 1 of the secret names") as caught:
        harness.run()

    assert "starts with GITHUB_, which GitHub reserves" in caught.value.cause
    assert github.requests_to("PUT") == []


@pytest.mark.parametrize("primary", [True, False], ids=["primary-403", "secondary-429"])
def test_rate_limit_waits_then_writes(primary, make_harness, github, waits):
    harness = make_harness("github")
    github.rate_limit("PUT", seconds=3, primary=primary)

    harness.run()

    assert len(waits) == 1
    assert 0 <= waits[0] <= 3
    assert github.value("UNICHAIN_MAINNET_URL") == CANARY_RPC


def test_value_changed_elsewhere_is_overwritten(make_harness, github):
    harness = make_harness("github")
    harness.run()
    github.set_outside("UNICHAIN_MAINNET_URL", "https://someone-else.example")

    plan, outputs = harness.run()

    actions = {row["name"]: row["action"] for row in plan.data["secrets"]}
    assert actions["UNICHAIN_MAINNET_URL"] == "overwrite"
    assert actions["UNICHAIN_ETHERSCAN_API_KEY"] == "unchanged"
    assert any("value unknown (not written by onboard)" in line for line in plan.details)
    assert outputs["changed"] == ["/RPC/UNICHAIN_MAINNET_URL"]
    assert github.value("UNICHAIN_MAINNET_URL") == CANARY_RPC


def test_verify_detects_a_change_made_after_apply(make_harness, github):
    harness = make_harness("github")
    ctx = harness.context()
    outputs = harness.stage.apply(ctx)
    github.set_outside("UNICHAIN_ETHERSCAN_API_KEY", "changed-by-someone")

    with pytest.raises(StageError, match="read-back of 1 secret") as caught:
        harness.stage.verify(ctx, outputs)

    assert "changed outside onboard" in caught.value.cause


def test_server_error_midway_then_resume_completes(make_harness, github):
    harness = make_harness("github")
    ctx = harness.context()
    harness.stage.plan(ctx)
    github.fail_next("PUT", 502, "Server Error", skip=1)

    with pytest.raises(StageError, match="HTTP 502"):
        harness.stage.apply(ctx)
    assert list(ctx.journal.outputs("secrets")["secrets"]) == ["/RPC/UNICHAIN_MAINNET_URL"]
    plan, outputs = harness.run()

    assert {row["name"]: row["action"] for row in plan.data["secrets"]}["UNICHAIN_MAINNET_URL"] == "unchanged"
    assert github.value("UNICHAIN_MAINNET_URL") == CANARY_RPC
    assert github.value("UNICHAIN_BLOCKSCOUT_API_KEY") is not None
    assert len(outputs["secrets"]) == 3
