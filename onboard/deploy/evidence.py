"""Evidence of a deployment, read from the node rather than from the task's output: the code at every system
address and the transactions that put it there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils import keccak

from onboard.deploy.preflight import KEYLESS_SENDER
from onboard.deploy.rpc import Rpc
from onboard.deploy.system import PROXY_ADDRESS, SystemContract, code_matches, create2_address


@dataclass(frozen=True)
class CodeCheck:
    """The code found at one system address. `matches` is False when it differs from the artifact."""

    name: str
    address: str
    code_hash: str | None
    matches: bool

    @property
    def present(self) -> bool:
        return self.code_hash is not None


def check_code(rpc: Rpc, contracts: Sequence[SystemContract]) -> tuple[CodeCheck, ...]:
    """Read eth_getCode at every system address and compare it with the artifact's runtime code."""
    checks = []
    for contract in contracts:
        code = rpc.code(contract.address)
        checks.append(
            CodeCheck(
                name=contract.name,
                address=contract.address,
                code_hash="0x" + keccak(code).hex() if code else None,
                matches=bool(code) and code_matches(code, contract.runtime_code),
            )
        )
    return tuple(checks)


def deployment_transactions(
    rpc: Rpc, contracts: Sequence[SystemContract], *, deployer: str, first_block: int
) -> dict[str, Any]:
    """Find the proxy's keyless deployment, the keyless sender's funding and every system deployment sent by
    `deployer` in blocks `first_block` to latest. Returns JSON-ready records keyed by contract name."""
    by_address = {contract.address.lower(): contract.name for contract in contracts}
    found: dict[str, Any] = {"contracts": {}, "other": []}
    for number in range(first_block, rpc.block_number() + 1):
        block = rpc.block(number, full=True)
        for tx in block["transactions"]:
            record = _classify(tx, deployer=deployer.lower(), by_address=by_address)
            if record is None:
                continue
            receipt = rpc.receipt(tx["hash"])
            record.update(_costs(receipt, number))
            name = record.pop("contract", None)
            if name and record["status"] == 1 and name not in found["contracts"]:
                found["contracts"][name] = record
            else:
                found["other"].append({"contract": name, **record} if name else record)
    return found


def _classify(tx: dict[str, Any], *, deployer: str, by_address: dict[str, str]) -> dict[str, Any] | None:
    sender = tx["from"].lower()
    to = (tx.get("to") or "").lower()
    if sender == KEYLESS_SENDER and not to:
        return {"kind": "proxy deployment", "tx_hash": tx["hash"]}
    if sender != deployer:
        return None
    if to == KEYLESS_SENDER:
        return {"kind": "keyless sender funding", "tx_hash": tx["hash"], "value_wei": int(tx["value"], 16)}
    if to != PROXY_ADDRESS:
        return None
    data = bytes.fromhex(tx["input"][2:])
    address = create2_address(PROXY_ADDRESS, data[:32], data[32:])
    name = by_address.get(address.lower())
    return {"kind": "system deployment", "contract": name, "address": address, "tx_hash": tx["hash"]}


def _costs(receipt: dict[str, Any], block_number: int) -> dict[str, int]:
    gas_used = int(receipt["gasUsed"], 16)
    price = int(receipt.get("effectiveGasPrice") or "0x0", 16)
    # NOTE: on rollups the L1 data fee comes on top of gasUsed * effectiveGasPrice and is not counted here.
    return {
        "block": block_number,
        "status": int(receipt["status"], 16),
        "gas_used": gas_used,
        "cost_wei": gas_used * price,
    }
