"""The relayer balance check of the containers stage, against a real anvil node."""

from __future__ import annotations

import os

import pytest
from eth_account import Account

from onboard.errors import StageError
from onboard.sandbox.anvil import DEV_ACCOUNT, DEV_PRIVATE_KEY
from onboard.stages.containers import ContainersStage

# A fixed key with no funds on a fresh anvil chain; used only in these tests.
EMPTY_KEY = "0x" + "5a" * 32
EMPTY_ACCOUNT = Account.from_key(EMPTY_KEY).address

pytestmark = pytest.mark.node


def _env(anvil_url: str) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "SPHINX_RELAYER__PRIVATE_KEYS": f"{DEV_PRIVATE_KEY}, {EMPTY_KEY}",
        "UNICHAIN_MAINNET_URL": anvil_url,
    }


def test_relayer_shortfall_reported(platform_repo, containers_config, make_context, anvil_factory, capsys):
    node = anvil_factory(chain_id=130)
    data = {"platform": {"path": str(platform_repo)}, "containers": {**containers_config, "relayer_min_balance": "1.5"}}
    ctx = make_context(data, env=_env(node.url))

    outputs = ContainersStage().apply(ctx)

    relayer = outputs["relayer"]
    assert relayer["checked"] is True
    assert relayer["shortfall"] == [EMPTY_ACCOUNT]
    assert relayer["balances"][0] == {"address": DEV_ACCOUNT, "balance": "10000", "required": "1.5", "shortfall": "0"}
    assert relayer["balances"][1]["shortfall"] == "1.5"
    assert f"relayer {EMPTY_ACCOUNT} holds 0 ETH, needs 1.5: send at least 1.5" in " ".join(
        capsys.readouterr().err.split()
    )
    journal = ctx.journal.path.read_text(encoding="utf-8")
    assert DEV_PRIVATE_KEY[2:] not in journal
    assert EMPTY_KEY[2:] not in journal


def test_relayer_shortfall_fails_when_configured(platform_repo, containers_config, make_context, anvil_factory):
    node = anvil_factory(chain_id=130)
    containers = {**containers_config, "relayer_min_balance": "1", "relayer_shortfall": "fail"}
    ctx = make_context({"platform": {"path": str(platform_repo)}, "containers": containers}, env=_env(node.url))

    with pytest.raises(StageError) as caught:
        ContainersStage().apply(ctx)

    assert "1 relayer address(es) hold less than 1 ETH" in caught.value.message
    assert EMPTY_ACCOUNT in caught.value.cause
    assert EMPTY_KEY[2:] not in str(caught.value)


def test_invalid_relayer_key_named_by_position(platform_repo, containers_config, make_context):
    env = {"PATH": os.environ["PATH"], "SPHINX_RELAYER__PRIVATE_KEYS": f"{DEV_PRIVATE_KEY},0x1234zz"}
    env["UNICHAIN_MAINNET_URL"] = "http://127.0.0.1:9"
    ctx = make_context({"platform": {"path": str(platform_repo)}, "containers": containers_config}, env=env)

    with pytest.raises(StageError) as caught:
        ContainersStage().apply(ctx)

    assert caught.value.message == "stage containers: key #2 of SPHINX_RELAYER__PRIVATE_KEYS is not a valid private key"
    assert ctx.journal.outputs("containers") == {}
