"""The one transaction onboard itself sends: the deployer funding the proxy's keyless sender."""

from __future__ import annotations

import time

from eth_account import Account
from eth_utils import to_checksum_address

from onboard.deploy.rpc import Rpc
from onboard.deploy.preflight import DEFAULT_PRIORITY_FEE, TRANSFER_GAS
from onboard.errors import RpcError, StageError

RECEIPT_TIMEOUT_SECONDS = 300.0
RECEIPT_POLL_SECONDS = 0.5


def send_native(rpc: Rpc, *, private_key: str, to: str, amount: int, chain_id: int) -> dict[str, object]:
    """Send `amount` of the native token from the key's account to `to`; return the mined receipt."""
    account = Account.from_key(private_key)
    block = rpc.block("latest")
    tx: dict[str, object] = {
        "to": to_checksum_address(to),
        "value": amount,
        "gas": TRANSFER_GAS,
        "nonce": rpc.nonce(account.address),
        "chainId": chain_id,
    }
    if block.get("baseFeePerGas") is not None:
        try:
            priority = rpc.quantity("eth_maxPriorityFeePerGas")
        except RpcError:
            priority = DEFAULT_PRIORITY_FEE
        tx["maxPriorityFeePerGas"] = priority
        tx["maxFeePerGas"] = 2 * int(block["baseFeePerGas"], 16) + priority
    else:
        tx["gasPrice"] = rpc.quantity("eth_gasPrice")
    signed = account.sign_transaction(tx)
    tx_hash = rpc.call("eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex().removeprefix("0x")])
    return wait_for_receipt(rpc, tx_hash)


def wait_for_receipt(rpc: Rpc, tx_hash: str, *, timeout: float = RECEIPT_TIMEOUT_SECONDS) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        receipt = rpc.receipt(tx_hash)
        if receipt is not None:
            if int(receipt["status"], 16) != 1:
                raise StageError("deploy", f"transaction {tx_hash} was mined but reverted")
            return receipt
        time.sleep(RECEIPT_POLL_SECONDS)
    raise StageError(
        "deploy",
        f"transaction {tx_hash} was not mined within {timeout:.0f} s",
        fix="check the transaction on an explorer; run again once it is mined or dropped",
    )
