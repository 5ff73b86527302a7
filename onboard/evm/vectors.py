"""Known input and output vectors for the precompiles 0x01 to 0x0a and P-256 verification at 0x100.

Vectors are computed here from their definitions (hashlib, eth-keys, the curve equations) rather than copied,
so each one can be checked by reading this file.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

from eth_keys import keys
from eth_utils import keccak


@dataclass(frozen=True)
class Vector:
    address: int
    name: str
    # The oldest hardfork that has the precompile; None for optional ones (P-256, RIP-7212 and EIP-7951).
    fork: str | None
    data: bytes
    output: bytes


def _word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _ecrecover() -> Vector:
    key = keys.PrivateKey(keccak(b"onboard ecrecover vector"))
    digest = keccak(b"onboard")
    signature = key.sign_msg_hash(digest)
    data = digest + _word(27 + signature.v) + _word(signature.r) + _word(signature.s)
    return Vector(0x01, "ecrecover", "frontier", data, bytes(12) + key.public_key.to_canonical_address())


_RIPEMD160_ABC = "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"

# alt_bn128 (EIP-196): 2 * (1, 2), the generator doubled.
_BN_G = _word(1) + _word(2)
_BN_2G = bytes.fromhex(
    "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
    "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4"
)


def _blake2f() -> Vector:
    """Build one BLAKE2b-512 compression over "abc" (EIP-152), whose output is hashlib's digest of "abc"."""
    iv = (
        0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
        0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
    )  # fmt: skip
    # Parameter block: digest length 64, key length 0, fanout 1, depth 1.
    state = (iv[0] ^ 0x01010040,) + iv[1:]
    data = (
        struct.pack(">I", 12)
        + struct.pack("<8Q", *state)
        + b"abc".ljust(128, b"\0")
        + struct.pack("<2Q", 3, 0)
        + b"\x01"
    )
    return Vector(0x09, "blake2f", "istanbul", data, hashlib.blake2b(b"abc").digest())


def _point_evaluation() -> Vector:
    """KZG proof of the zero polynomial (EIP-4844): commitment and proof are the point at infinity."""
    infinity = b"\xc0" + bytes(47)
    versioned_hash = b"\x01" + hashlib.sha256(infinity).digest()[1:]
    data = versioned_hash + _word(0) + _word(0) + infinity + infinity
    bls_modulus = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
    return Vector(0x0A, "point evaluation", "cancun", data, _word(4096) + _word(bls_modulus))


# NIST P-256 (secp256r1) domain parameters, FIPS 186-4 D.1.2.3.
_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_A = _P - 3
_G = (
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
)


def _p256_add(left: tuple[int, int] | None, right: tuple[int, int] | None) -> tuple[int, int] | None:
    if left is None:
        return right
    if right is None:
        return left
    if left[0] == right[0] and (left[1] + right[1]) % _P == 0:
        return None
    if left == right:
        slope = (3 * left[0] * left[0] + _A) * pow(2 * left[1], -1, _P) % _P
    else:
        slope = (right[1] - left[1]) * pow(right[0] - left[0], -1, _P) % _P
    x = (slope * slope - left[0] - right[0]) % _P
    return x, (slope * (left[0] - x) - left[1]) % _P


def _p256_multiply(scalar: int, point: tuple[int, int]) -> tuple[int, int]:
    result: tuple[int, int] | None = None
    addend: tuple[int, int] | None = point
    while scalar:
        if scalar & 1:
            result = _p256_add(result, addend)
        addend = _p256_add(addend, addend)
        scalar >>= 1
    assert result is not None
    return result


def _p256() -> Vector:
    """An ECDSA P-256 signature made with fixed private key and nonce; 0x100 returns 1 for a valid one."""
    private_key = int.from_bytes(hashlib.sha256(b"onboard p256 key").digest(), "big") % _N
    nonce = int.from_bytes(hashlib.sha256(b"onboard p256 nonce").digest(), "big") % _N
    digest = hashlib.sha256(b"onboard").digest()
    public = _p256_multiply(private_key, _G)
    r = _p256_multiply(nonce, _G)[0] % _N
    s = pow(nonce, -1, _N) * (int.from_bytes(digest, "big") + r * private_key) % _N
    data = digest + _word(r) + _word(s) + _word(public[0]) + _word(public[1])
    return Vector(0x100, "P-256 verify", None, data, _word(1))


VECTORS = (
    _ecrecover(),
    Vector(0x02, "sha256", "frontier", b"abc", hashlib.sha256(b"abc").digest()),
    # RIPEMD-160("abc") from the algorithm's published test vectors; hashlib lacks RIPEMD-160 on OpenSSL 3
    # builds without the legacy provider.
    Vector(0x03, "ripemd160", "frontier", b"abc", bytes(12) + bytes.fromhex(_RIPEMD160_ABC)),
    Vector(0x04, "identity", "frontier", b"onboard", b"onboard"),
    # 3 ** 5 % 7 == 5, with base, exponent and modulus one byte each (EIP-198).
    Vector(0x05, "modexp", "byzantium", _word(1) * 3 + bytes([3, 5, 7]), bytes([5])),
    Vector(0x06, "bn256 add", "byzantium", _BN_G + _BN_G, _BN_2G),
    Vector(0x07, "bn256 scalar mul", "byzantium", _BN_G + _word(2), _BN_2G),
    # An empty pairing check is true (EIP-197).
    Vector(0x08, "bn256 pairing", "byzantium", b"", _word(1)),
    _blake2f(),
    _point_evaluation(),
    _p256(),
)
