"""Infisical faults: expired tokens, rate limits, missing folders, approvals, timeouts and failures midway."""

from __future__ import annotations

import pytest

from onboard.errors import PendingApproval, StageError
from tests.secrets.conftest import CANARY_BLOCKSCOUT, CANARY_RPC

RPC = ("/RPC", "UNICHAIN_MAINNET_URL")
BLOCKSCOUT = ("/BlockExplorers", "UNICHAIN_BLOCKSCOUT_API_KEY")


def batch_writes(infisical) -> list[dict]:
    return [request.json() for request in infisical.requests_to("PATCH", "/api/v4/secrets/batch")]


def test_missing_folders_are_created_then_written(make_harness, infisical):
    harness = make_harness("infisical")

    plan, outputs = harness.run()

    assert plan.data["folders_to_create"] == ["/BlockExplorers", "/RPC"]
    assert "create folder /BlockExplorers, /RPC" in plan.summary
    assert {"/RPC", "/BlockExplorers"} <= infisical.folders
    assert outputs["folders_created"] == ["/BlockExplorers", "/RPC"]
    assert [body["secretPath"] for body in batch_writes(infisical)] == ["/RPC", "/BlockExplorers"]
    assert all(body["mode"] == "upsert" for body in batch_writes(infisical))


def test_existing_folder_is_not_created_again(make_harness, infisical):
    infisical.folders.add("/RPC")
    harness = make_harness("infisical")

    plan, _ = harness.run()

    assert plan.data["folders_to_create"] == ["/BlockExplorers"]
    assert len(infisical.requests_to("POST", "/api/v2/folders")) == 1


def test_secret_missing_in_existing_folder_reads_as_missing(make_harness, infisical):
    infisical.folders.update({"/RPC", "/BlockExplorers"})
    infisical.secrets[RPC] = {"id": "s", "version": 1, "value": "https://old.example", "createdAt": "", "updatedAt": ""}
    harness = make_harness("infisical")

    plan = harness.plan()

    actions = {row["name"]: (row["exists"], row["action"]) for row in plan.data["secrets"]}
    assert actions["UNICHAIN_MAINNET_URL"] == (True, "update")
    assert actions["UNICHAIN_BLOCKSCOUT_API_KEY"] == (False, "create")
    assert plan.data["folders_to_create"] == []


def test_expired_token_logs_in_again_once(make_harness, infisical):
    harness = make_harness("infisical")
    ctx = harness.context()
    stage = harness.stage
    stage.plan(ctx)
    infisical.expire_tokens()

    stage.apply(ctx)

    assert infisical.logins == 2
    assert infisical.value(*RPC) == CANARY_RPC


def test_token_rejected_after_fresh_login_is_an_error(make_harness, infisical):
    harness = make_harness("infisical")
    infisical.inject("GET", "/api/v2/folders", status=403, error="TokenError", times=2,
                     message="Your token has expired. Please re-authenticate.")

    with pytest.raises(StageError, match=r"HTTP 403 \(TokenError\)"):
        harness.plan()

    assert infisical.logins == 2


def test_failed_login_is_not_retried(make_harness, infisical):
    harness = make_harness("infisical")
    harness.env["INFISICAL_CLIENT_SECRET"] = "wrong-client-secret"

    with pytest.raises(StageError) as caught:
        harness.plan()

    assert infisical.failed_logins == 1
    assert "login failed for client id client-1" in caught.value.message
    assert "locks an identity after repeated failed logins" in caught.value.cause
    assert "wrong-client-secret" not in str(caught.value)


def test_missing_client_secret_names_the_variable(make_harness, infisical):
    harness = make_harness("infisical")
    del harness.env["INFISICAL_CLIENT_SECRET"]

    with pytest.raises(StageError, match="INFISICAL_CLIENT_SECRET is missing or empty"):
        harness.plan()

    assert infisical.server.requests == []


@pytest.mark.parametrize("header", [True, False], ids=["retry-after", "message-only"])
def test_rate_limit_waits_the_seconds_the_server_names(header, make_harness, infisical, waits):
    harness = make_harness("infisical")
    infisical.rate_limit("PATCH", "/api/v4/secrets/batch", seconds=7, header=header)

    harness.run()

    assert waits == [7.0]
    assert infisical.value(*BLOCKSCOUT) == CANARY_BLOCKSCOUT


def test_rate_limit_longer_than_allowed_stops(make_harness, infisical, waits):
    harness = make_harness("infisical", table={"max_rate_limit_wait_seconds": 5})
    infisical.rate_limit("GET", "/api/v2/folders", seconds=30)

    with pytest.raises(StageError, match="asks to wait 30 s") as caught:
        harness.plan()

    assert waits == []
    assert "max_rate_limit_wait_seconds" in caught.value.fix


def test_rate_limit_gives_up_after_three_waits(make_harness, infisical, waits):
    harness = make_harness("infisical")
    infisical.rate_limit("GET", "/api/v2/folders", seconds=2, times=10)

    with pytest.raises(StageError, match="rate-limited GET /v2/folders"):
        harness.plan()

    assert waits == [2.0, 2.0, 2.0]


def test_approval_stops_with_pending_and_is_not_resubmitted(make_harness, infisical):
    infisical.approval_paths.add("/BlockExplorers")
    harness = make_harness("infisical")

    with pytest.raises(PendingApproval, match="approval request request-") as first:
        harness.run()
    with pytest.raises(PendingApproval, match="still waiting; no new request was sent"):
        harness.run()

    assert "approve and merge" in first.value.fix
    assert len(infisical.approvals) == 1
    assert infisical.value(*RPC) == CANARY_RPC
    assert infisical.value(*BLOCKSCOUT) is None


def test_merged_approval_completes_the_stage(make_harness, infisical):
    infisical.approval_paths.add("/BlockExplorers")
    harness = make_harness("infisical")
    with pytest.raises(PendingApproval):
        harness.run()
    infisical.merge_approvals()

    plan, outputs = harness.run()

    assert plan.changes is False
    assert outputs["pending_approvals"] == {}
    assert infisical.value(*BLOCKSCOUT) == CANARY_BLOCKSCOUT


def test_rejected_approval_can_be_resubmitted(make_harness, infisical):
    infisical.approval_paths.add("/BlockExplorers")
    harness = make_harness("infisical")
    with pytest.raises(PendingApproval):
        harness.run()

    with pytest.raises(PendingApproval, match="approval request request-"):
        harness.run(resubmit_approval=True)

    assert len(infisical.approvals) == 2


def test_server_error_midway_then_resume_completes(make_harness, infisical):
    harness = make_harness("infisical")
    infisical.inject("PATCH", "/api/v4/secrets/batch", skip=1, status=500, error="InternalServerError",
                     message="Something went wrong")
    ctx = harness.context()

    with pytest.raises(StageError, match="writing UNICHAIN_ETHERSCAN_API_KEY, UNICHAIN_BLOCKSCOUT_API_KEY") as caught:
        harness.stage.apply(ctx)

    assert "HTTP 500 (InternalServerError): Something went wrong (reqId" in caught.value.cause
    assert list(ctx.journal.outputs("secrets")["secrets"]) == ["/RPC/UNICHAIN_MAINNET_URL"]
    assert infisical.value(*BLOCKSCOUT) is None

    plan, outputs = harness.run()

    assert {row["name"]: row["action"] for row in plan.data["secrets"]}["UNICHAIN_MAINNET_URL"] == "unchanged"
    assert outputs["changed"] == ["/BlockExplorers/UNICHAIN_ETHERSCAN_API_KEY",
                                  "/BlockExplorers/UNICHAIN_BLOCKSCOUT_API_KEY"]
    assert infisical.value(*BLOCKSCOUT) == CANARY_BLOCKSCOUT
    assert infisical.value(*RPC) == CANARY_RPC


def test_landed_write_is_not_resent(make_harness, infisical):
    harness = make_harness("infisical", table={"timeout_seconds": 0.3})
    infisical.inject("PATCH", "/api/v4/secrets/batch", delay=0.6, apply_first=True)

    harness.run()

    assert len(batch_writes(infisical)) == 2  # one per folder; the timed-out one was not sent again
    assert infisical.value(*RPC) == CANARY_RPC


def test_lost_write_is_resent_after_reading(make_harness, infisical):
    harness = make_harness("infisical", table={"timeout_seconds": 0.3})
    infisical.inject("PATCH", "/api/v4/secrets/batch", delay=0.6, status=504, error="GatewayTimeoutError",
                     message="Timeout error")

    harness.run()

    paths = [body["secretPath"] for body in batch_writes(infisical)]
    assert paths == ["/RPC", "/RPC", "/BlockExplorers"]
    reads_between = [r for r in infisical.requests_to("GET", "/api/v4/secrets/UNICHAIN_MAINNET_URL")]
    assert reads_between
    assert infisical.value(*RPC) == CANARY_RPC


def test_read_timeout_is_an_error_naming_the_request(make_harness, infisical):
    harness = make_harness("infisical", table={"timeout_seconds": 0.3})
    infisical.inject("GET", "/api/v2/folders", delay=0.6)

    with pytest.raises(StageError, match="Infisical did not respond to GET /v2/folders within 0.3 s"):
        harness.plan()


@pytest.mark.parametrize("suffix", ["/api", "/api/", "/"])
def test_base_url_with_or_without_api(suffix, make_harness, infisical):
    harness = make_harness("infisical", table={"url": infisical.url + suffix})

    harness.run()

    assert infisical.value(*RPC) == CANARY_RPC


def test_wrong_environment_names_the_fix(make_harness, infisical):
    harness = make_harness("infisical", table={"environment": "staging"})

    with pytest.raises(StageError, match="Environment with slug 'staging'") as caught:
        harness.plan()

    assert "project_id and environment" in caught.value.fix


def test_requests_carry_scope_and_trimmed_paths(make_harness, infisical):
    harness = make_harness("infisical")

    harness.run()

    body = batch_writes(infisical)[0]
    assert body["projectId"] == infisical.project_id
    assert body["environment"] == "prod"
    assert sorted(body) == ["environment", "mode", "projectId", "secretPath", "secrets"]
    assert body["secrets"] == [{"secretKey": "UNICHAIN_MAINNET_URL", "secretValue": CANARY_RPC}]


def test_approval_in_one_folder_does_not_hold_back_another(make_harness, infisical):
    infisical.approval_paths.add("/RPC")
    harness = make_harness("infisical")

    with pytest.raises(PendingApproval, match="approval request request-"):
        harness.run()

    assert infisical.value(*RPC) is None
    assert infisical.value(*BLOCKSCOUT) == CANARY_BLOCKSCOUT


def test_approvals_in_both_folders_are_reported_together(make_harness, infisical):
    infisical.approval_paths.update({"/RPC", "/BlockExplorers"})
    harness = make_harness("infisical")

    with pytest.raises(PendingApproval) as caught:
        harness.run()

    assert "in /RPC" in caught.value.message
    assert "in /BlockExplorers" in caught.value.message
    assert len(infisical.approvals) == 2
