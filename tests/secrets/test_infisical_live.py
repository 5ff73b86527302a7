"""Opt-in: the secrets stage against a real Infisical, when ONBOARD_TEST_INFISICAL_* variables are set.

Variables: ONBOARD_TEST_INFISICAL_URL, _PROJECT_ID, _ENVIRONMENT, _CLIENT_ID and _CLIENT_SECRET. The test
writes secrets with unique names under /RPC and /BlockExplorers and deletes them afterwards.
"""

from __future__ import annotations

import os
import secrets as random

import pytest

from onboard.secrets.infisical import InfisicalClient
from onboard.secrets.settings import InfisicalSettings
from tests.secrets.conftest import spec_from

# Read at import: the suite's autouse fixture removes ONBOARD_* variables before each test runs.
_PREFIX = "ONBOARD_TEST_INFISICAL_"
_KEYS = ("URL", "PROJECT_ID", "ENVIRONMENT", "CLIENT_ID", "CLIENT_SECRET")
LIVE = {key: os.environ.get(_PREFIX + key, "") for key in _KEYS}
MISSING = [_PREFIX + key for key, value in LIVE.items() if not value]

pytestmark = [
    pytest.mark.opt_in,
    pytest.mark.skipif(bool(MISSING), reason=f"no real Infisical configured: set {', '.join(MISSING)}"),
]


def test_real_infisical_registers_and_rereads(make_harness, tmp_path):
    suffix = random.token_hex(4).upper()
    names = {"UNICHAIN_MAINNET_URL": f"ONBOARD_TEST_{suffix}_URL",
             "UNICHAIN_ETHERSCAN_API_KEY": f"ONBOARD_TEST_{suffix}_ETHERSCAN",
             "UNICHAIN_BLOCKSCOUT_API_KEY": f"ONBOARD_TEST_{suffix}_BLOCKSCOUT"}
    spec = spec_from(tmp_path, **names)
    table = {"url": LIVE["URL"], "project_id": LIVE["PROJECT_ID"], "environment": LIVE["ENVIRONMENT"]}
    harness = make_harness("infisical", spec=spec, table=table)
    harness.env = {
        names["UNICHAIN_MAINNET_URL"]: f"https://rpc.example.org/{random.token_hex(8)}",
        names["UNICHAIN_ETHERSCAN_API_KEY"]: random.token_hex(12),
        names["UNICHAIN_BLOCKSCOUT_API_KEY"]: random.token_hex(12),
        "INFISICAL_CLIENT_ID": LIVE["CLIENT_ID"],
        "INFISICAL_CLIENT_SECRET": LIVE["CLIENT_SECRET"],
    }
    try:
        first_plan, _ = harness.run()
        second_plan, second_outputs = harness.run()

        assert first_plan.changes is True
        assert second_plan.changes is False
        assert second_outputs["changed"] == []
    finally:
        _delete(table, names.values())


def _delete(table: dict[str, str], names) -> None:
    client = InfisicalClient(InfisicalSettings(**table), client_id=LIVE["CLIENT_ID"],
                             client_secret=LIVE["CLIENT_SECRET"])
    scope = {"projectId": table["project_id"], "environment": table["environment"]}
    for folder, keys in (("/RPC", [n for n in names if n.endswith("_URL")]),
                         ("/BlockExplorers", [n for n in names if not n.endswith("_URL")])):
        client.call("DELETE", "/v4/secrets/batch",
                    body={**scope, "secretPath": folder, "secrets": [{"secretKey": key} for key in keys]})
    client.close()
