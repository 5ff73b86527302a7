"""The secrets stage against each backend: both kinds of secrets, idempotence, placeholders, value sources."""

from __future__ import annotations

import os
import stat

import pytest

from onboard.errors import StageError
from onboard.redact import redact
from onboard.secrets import dotenv
from tests.secrets.conftest import (
    BACKENDS,
    CANARY_BLOCKSCOUT,
    CANARY_ETHERSCAN,
    CANARY_RPC,
    Harness,
    spec_from,
)

PATHS = ("/RPC/UNICHAIN_MAINNET_URL", "/BlockExplorers/UNICHAIN_ETHERSCAN_API_KEY",
         "/BlockExplorers/UNICHAIN_BLOCKSCOUT_API_KEY")


def stored(harness: Harness, infisical, github, path: str) -> str | None:
    folder, name = path.rsplit("/", 1)
    backend = harness.secrets["backend"]
    if backend == "infisical":
        return infisical.value(folder, name)
    if backend == "github":
        return github.value(name)
    return dotenv.read_file(harness.dotenv_path).get(name)


def write_count(backend: str, infisical, github) -> int:
    if backend == "infisical":
        return len(infisical.requests_to("PATCH", "/api/v4/secrets")) + len(infisical.requests_to("POST", "/api/v2"))
    if backend == "github":
        return len(github.requests_to("PUT"))
    return 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_registers_rpc_url_and_explorer_keys(backend, make_harness, infisical, github):
    harness = make_harness(backend)

    plan, outputs = harness.run()

    assert plan.changes is True
    assert [row["action"] for row in plan.data["secrets"]] == ["create", "create", "create"]
    assert [row["path"] for row in plan.data["secrets"]] == list(PATHS)
    assert stored(harness, infisical, github, PATHS[0]) == CANARY_RPC
    assert stored(harness, infisical, github, PATHS[1]) == CANARY_ETHERSCAN
    assert stored(harness, infisical, github, PATHS[2]) == CANARY_BLOCKSCOUT
    assert sorted(outputs["changed"]) == sorted(PATHS)
    assert set(outputs["secrets"]) == set(PATHS)


@pytest.mark.parametrize("backend", BACKENDS)
def test_rerun_changes_nothing(backend, make_harness, infisical, github):
    harness = make_harness(backend)
    harness.run()
    writes = write_count(backend, infisical, github)
    mtime = harness.dotenv_path.stat().st_mtime_ns if backend == "dotenv" else None

    plan, outputs = harness.run()

    assert plan.changes is False
    assert plan.summary.startswith("all 3 secrets already match")
    assert outputs["changed"] == []
    assert write_count(backend, infisical, github) == writes
    if mtime is not None:
        assert harness.dotenv_path.stat().st_mtime_ns == mtime


@pytest.mark.parametrize("backend", BACKENDS)
def test_changed_value_updates_only_that_secret(backend, make_harness, infisical, github):
    harness = make_harness(backend)
    harness.run()
    harness.env["UNICHAIN_ETHERSCAN_API_KEY"] = "CANARYethKEYrotated"

    plan, outputs = harness.run()

    actions = {row["path"]: row["action"] for row in plan.data["secrets"]}
    assert actions == {PATHS[0]: "unchanged", PATHS[1]: "update", PATHS[2]: "unchanged"}
    assert outputs["changed"] == [PATHS[1]]
    assert stored(harness, infisical, github, PATHS[1]) == "CANARYethKEYrotated"


@pytest.mark.parametrize("backend", BACKENDS)
def test_plan_shows_fingerprints_not_values(backend, make_harness):
    harness = make_harness(backend)

    plan = harness.plan()

    fingerprints = [row["desired_fingerprint"] for row in plan.data["secrets"]]
    assert all(len(fp) == 12 and int(fp, 16) >= 0 for fp in fingerprints)
    assert len(set(fingerprints)) == 3
    assert any("create with fingerprint" in line for line in plan.details)
    assert any("needs a value even if blockscout requires no API key" in line for line in plan.details)


def test_missing_values_are_listed_with_the_explorer_note(make_harness):
    harness = make_harness("dotenv")
    del harness.env["UNICHAIN_BLOCKSCOUT_API_KEY"]
    del harness.env["UNICHAIN_MAINNET_URL"]

    with pytest.raises(StageError) as caught:
        harness.plan()

    error = caught.value
    assert "2 secret value(s) missing" in error.message
    assert "/RPC/UNICHAIN_MAINNET_URL" in error.message
    assert "needs a value even if blockscout requires no API key" in error.cause
    assert "add UNICHAIN_BLOCKSCOUT_API_KEY with an explicit placeholder" in error.fix
    assert "[secrets.placeholders]" in error.fix
    assert "never read from the command line" in error.fix
    assert redact(error.fix) == error.fix
    assert redact(error.cause) == error.cause
    assert not harness.dotenv_path.exists()


def test_placeholder_for_keyless_explorer(make_harness):
    harness = make_harness("dotenv", placeholders={"UNICHAIN_BLOCKSCOUT_API_KEY": "no-key-required"})
    del harness.env["UNICHAIN_BLOCKSCOUT_API_KEY"]

    plan, _ = harness.run()

    origins = {row["name"]: row["origin"] for row in plan.data["secrets"]}
    assert origins["UNICHAIN_BLOCKSCOUT_API_KEY"] == "placeholder in [secrets.placeholders]"
    assert dotenv.read_file(harness.dotenv_path)["UNICHAIN_BLOCKSCOUT_API_KEY"] == "no-key-required"


def test_placeholder_never_replaces_an_rpc_url(make_harness):
    harness = make_harness("dotenv", placeholders={"UNICHAIN_MAINNET_URL": "none"})
    del harness.env["UNICHAIN_MAINNET_URL"]

    with pytest.raises(StageError, match="1 secret value"):
        harness.plan()


def test_values_file_supplies_values(make_harness):
    harness = make_harness("dotenv", values_file="values.env")
    values = harness.root / "values.env"
    values.write_text(f"# operator's values\nUNICHAIN_MAINNET_URL='{CANARY_RPC}'\nUNICHAIN_ETHERSCAN_API_KEY=fromFILEkey1\n")
    del harness.env["UNICHAIN_MAINNET_URL"]
    del harness.env["UNICHAIN_ETHERSCAN_API_KEY"]

    plan, _ = harness.run()

    origins = {row["name"]: row["origin"] for row in plan.data["secrets"]}
    assert origins["UNICHAIN_MAINNET_URL"] == f"values file {values}"
    assert origins["UNICHAIN_BLOCKSCOUT_API_KEY"] == "environment variable UNICHAIN_BLOCKSCOUT_API_KEY"
    assert dotenv.read_file(harness.dotenv_path)["UNICHAIN_ETHERSCAN_API_KEY"] == "fromFILEkey1"


def test_missing_values_file_is_an_error(make_harness):
    harness = make_harness("dotenv", values_file="absent.env")

    with pytest.raises(StageError, match="values file .*absent.env does not exist"):
        harness.plan()


def test_surrounding_whitespace_is_trimmed(make_harness, infisical):
    harness = make_harness("infisical")
    harness.env["UNICHAIN_ETHERSCAN_API_KEY"] = f"  {CANARY_ETHERSCAN}\n"

    harness.run()
    plan = harness.plan()

    assert infisical.value("/BlockExplorers", "UNICHAIN_ETHERSCAN_API_KEY") == CANARY_ETHERSCAN
    assert plan.changes is False


def test_fingerprint_key_is_private_and_stable(make_harness):
    harness = make_harness("dotenv")
    first = harness.plan().data["secrets"][0]["desired_fingerprint"]

    second = harness.plan().data["secrets"][0]["desired_fingerprint"]

    key = harness.root / "state" / "secrets-fingerprint.key"
    assert first == second
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600


def test_flat_backend_rejects_colliding_names(make_harness, tmp_path):
    spec = spec_from(tmp_path, UNICHAIN_BLOCKSCOUT_API_KEY="UNICHAIN_MAINNET_URL")
    harness = make_harness("dotenv", spec=spec)

    with pytest.raises(StageError, match="cannot store 1 of the secret names") as caught:
        harness.plan()

    assert "would be the same name UNICHAIN_MAINNET_URL" in caught.value.cause


def test_unknown_backend_is_a_config_error(make_harness):
    harness = make_harness("dotenv")
    harness.secrets["backend"] = "vault"

    with pytest.raises(Exception, match="invalid \\[secrets\\] section"):
        harness.plan()


def test_backend_without_its_table_is_a_config_error(make_harness):
    harness = make_harness("dotenv")
    del harness.secrets["dotenv"]

    with pytest.raises(Exception, match=r"needs a \[secrets.dotenv\] table"):
        harness.plan()
