"""A block gas limit below the largest system deployment fails gas.block_limit, the cause, not only its effects."""

from onboard.evm.findings import Status

from tests.evm.conftest import finding


def test_low_block_gas_limit_fails_block_limit(anvil_factory, check) -> None:
    node = anvil_factory(chain_id=31337, args=["--gas-limit", "4000000"])
    report = check(node.url)
    block_limit = finding(report, "gas.block_limit")
    assert block_limit.status is Status.FAIL
    assert "4,000,000" in block_limit.title
