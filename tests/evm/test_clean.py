"""A clean anvil on each hardfork: no fail, and warnings only for the opcodes the hardfork lacks."""

from __future__ import annotations

import pytest

from tests.evm.conftest import finding, statuses

MISSING = {
    "london": {"push0", "tload", "tstore", "mcopy", "blobhash", "blobbasefee"},
    "shanghai": {"tload", "tstore", "mcopy", "blobhash", "blobbasefee"},
    "cancun": set(),
}


@pytest.mark.node
@pytest.mark.parametrize("hardfork", ["london", "shanghai", "cancun"])
def test_clean_hardfork_has_no_fail(anvil_nodes, check, hardfork):
    report = check(anvil_nodes(hardfork).url)

    found = statuses(report)
    assert [key for key, value in found.items() if value == "fail"] == []
    warned = {key.removeprefix("opcode.") for key, value in found.items() if value == "warn"}
    assert warned == MISSING[hardfork]
    assert report.evm_version == hardfork
    assert finding(report, "opcode.clz").status == "pass"
    assert finding(report, "sphinx.system").status == "pass"
    assert report.rpc["round_trips"] <= 4


@pytest.mark.node
def test_latest_anvil_passes_everything(chain, check):
    report = check(chain.url, chain_id=31337)

    not_passed = {key: value for key, value in statuses(report).items() if value != "pass"}
    assert not_passed == {"proxy.keyless": "skip", "gas.receipt": "skip"}
    assert report.evm_version == "osaka"
    assert finding(report, "logs.range_limit").data["max_range"] == 5501
    assert finding(report, "sphinx.system").data["contracts"] == 13
    assert report.suggested_entry["chainId"] == 31337
    assert report.suggested_entry["legacyTx"] is False
    assert report.suggested_entry["eip2028"] is True
    assert report.rpc["round_trips"] == 2
