"""The ids of the compatibility check's findings, so that a waiver with a mistyped id is rejected.

A test compares this list with the findings of a real check and with the pages in docs/findings.
"""

OPCODES = (
    "returndatasize", "returndatacopy", "staticcall", "revert", "shl", "shr", "sar", "create2", "extcodehash",
    "chainid", "selfbalance", "basefee", "push0", "tload", "tstore", "mcopy", "blobhash", "blobbasefee", "clz",
)  # fmt: skip
PRECOMPILES = ("0x01", "0x02", "0x03", "0x04", "0x05", "0x06", "0x07", "0x08", "0x09", "0x0a", "0x100")

FINDING_IDS = frozenset(
    {
        "chain.id", "rpc.batch", "rpc.client", "evm.version", "create.derivation", "create2.derivation",
        "create2.proxy", "proxy.keyless", "tx.unprotected", "sphinx.system", "fees.eip1559", "calldata.eip2028",
        "gas.estimate", "gas.receipt", "gas.block_limit", "logs.range_limit", "rollup.stack", "code.size_limit",
        *(f"opcode.{name}" for name in OPCODES),
        *(f"precompile.{address}" for address in PRECOMPILES),
    }
)  # fmt: skip
