"""rollup.stack on anvil made to look like each rollup stack: predeploys by anvil_setCode, namespaces by proxy."""

from __future__ import annotations

import pytest

from onboard.evm.probes.rollup import ARB_SYS, OP_GAS_PRICE_ORACLE, OP_L1_BLOCK
from tests.evm import rpcproxy
from tests.evm.conftest import finding

pytestmark = pytest.mark.node
# CHAINID PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN: returns the chain id to any call, as arbChainID() does.
CHAIN_ID_RUNTIME = "0x4660005260206000f3"


def test_op_stack_predeploys(anvil_factory, check, unichain_on_anvil):
    node = anvil_factory()
    for address in (OP_GAS_PRICE_ORACLE, OP_L1_BLOCK):
        node.rpc("anvil_setCode", [address, "0x00"])
    op_spec = unichain_on_anvil.model_copy(update={"rollup_stack": None})

    without_spec = finding(check(node.url), "rollup.stack")
    with_other_spec = finding(check(node.url, spec=op_spec), "rollup.stack")

    assert without_spec.status == "warn"
    assert without_spec.suggest == {"rollupStack": {"provider": "None", "type": "OP Stack"}}
    assert with_other_spec.title == "OP Stack detected; the spec says no rollup stack"


def test_arbitrum_precompile(anvil_factory, check):
    node = anvil_factory()
    node.rpc("anvil_setCode", [ARB_SYS, CHAIN_ID_RUNTIME])

    stack = finding(check(node.url), "rollup.stack")

    assert stack.suggest == {"rollupStack": {"provider": "None", "type": "Arbitrum"}}


def test_zksync_namespace_fails(chain, check):
    stack = finding(check(chain.url, rpcproxy.ExtraMethod("zks_L1ChainId", "0x1")), "rollup.stack")

    assert stack.status == "fail"
    assert "zkSync" in stack.title


def test_polygon_cdk_namespace(chain, check):
    stack = finding(check(chain.url, rpcproxy.ExtraMethod("zkevm_batchNumber", "0x10")), "rollup.stack")

    assert stack.suggest == {"rollupStack": {"provider": "None", "type": "Polygon CDK"}}


def test_expected_chain_id_differs(chain, check):
    chain_id = finding(check(chain.url, chain_id=1), "chain.id")

    assert chain_id.status == "fail"
    assert chain_id.title == "eth_chainId is 31337, --chain-id says 1"
    assert chain_id.fix == "set --chain-id 31337, or use the RPC URL of chain 1"
