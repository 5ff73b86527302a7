"""Hand-written EVM bytecode for the probes: PUSH encoding and the usual prologues and epilogues.

Every probe runs as a creation `eth_call` (a call without `to`): the node executes the data as initcode and
returns what the initcode returns, so no contract has to exist on the chain.
"""

from __future__ import annotations

from typing import Any

import rlp
from eth_utils import keccak, to_checksum_address

# PUSH1 0x00 MSTORE PUSH1 0x20 PUSH1 0x00 RETURN: return the top of the stack as one 32-byte word.
RETURN_TOP_WORD = bytes.fromhex("6000526020" "6000f3")

# The deterministic deployment proxy (github.com/Arachnid/deterministic-deployment-proxy): its address, its
# runtime code, and the keyless sender of its pre-EIP-155 deployment transaction (gas price 100 gwei, gas
# limit 100000).
CREATE2_PROXY = "0x4e59b44847b379578588920ca78fbf26c0b4956c"
CREATE2_PROXY_RUNTIME = bytes.fromhex(
    "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe0"
    "3601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3"
)
KEYLESS_SENDER = "0x3fab184622dc19b6109349b94811493bf2a45362"
KEYLESS_GAS_PRICE_WEI = 100 * 10**9
KEYLESS_GAS_LIMIT = 100_000
KEYLESS_FUNDING_WEI = KEYLESS_GAS_PRICE_WEI * KEYLESS_GAS_LIMIT


def push(value: int | bytes) -> bytes:
    """Encode the smallest PUSHn of `value` (PUSH1 for zero, so that probes need no PUSH0)."""
    data = value if isinstance(value, bytes) else value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    if not 1 <= len(data) <= 32:
        raise ValueError(f"cannot PUSH {len(data)} bytes")
    return bytes([0x5F + len(data)]) + data


def returning_word(body: bytes) -> bytes:
    """Initcode that runs `body` (which leaves one value on the stack) and returns that value as a word."""
    return body + RETURN_TOP_WORD


def returning_zeros(size: int) -> bytes:
    """Initcode that deploys `size` zero bytes: RETURN of fresh memory."""
    return push(size) + push(0) + bytes([0xF3])


def hex_data(code: bytes) -> str:
    return "0x" + code.hex()


def creation_call(code: bytes, **fields: Any) -> dict[str, Any]:
    """Build the transaction object of a creation eth_call or eth_estimateGas."""
    return {"data": hex_data(code), **fields}


def create_address(sender: str, nonce: int) -> str:
    """Compute the CREATE address: keccak256(rlp([sender, nonce]))[12:]."""
    encoded = rlp.encode([bytes.fromhex(sender[2:]), nonce])
    return to_checksum_address(keccak(encoded)[12:])


def create2_address(deployer: str, salt: bytes, initcode: bytes) -> str:
    """Compute the CREATE2 address (EIP-1014): keccak256(0xff ++ deployer ++ salt ++ keccak256(initcode))[12:]."""
    digest = keccak(b"\xff" + bytes.fromhex(deployer[2:]) + salt + keccak(initcode))
    return to_checksum_address(digest[12:])


def word_to_address(word: bytes) -> str:
    return to_checksum_address(word[-20:])
