"""The rules a spec value must follow, shared by the spec model and the draft writer."""

from __future__ import annotations

import re
import urllib.parse

from onboard.hosts import is_loopback
from onboard.spec.reserved import RESERVED

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
ENV_NAME_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]*$")
FINDING_ID_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
NAME_MAX_LENGTH = 64
# The platform stores the chain id in a Postgres INTEGER column.
CHAIN_ID_MAX = 2_147_483_647

# Native currencies the platform's Postgres enum "Currency" lists. A symbol outside it is a valid spec, but the
# register stage stops and prints the migration the operator must apply.
CURRENCIES = (
    "ETH", "BNB", "MATIC", "xDAI", "USDC", "FTM", "AVAX", "CELO", "MOVR", "GLMR", "FUSE", "EVMOS", "KAVA", "OKT",
    "RBTC", "RING", "CRAB", "MNT",
)  # fmt: skip
CURRENCY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,15}$")
DRIP_SIZE_PATTERN = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def check_explorer_url(value: str) -> str:
    # The URL is later written into TypeScript string literals and TOML, so characters that need escaping there
    # are rejected here, for loopback URLs too.
    if any(char.isspace() or not char.isprintable() for char in value) or any(c in value for c in "'\"\\`"):
        raise ValueError("must not contain whitespace, control characters, quotes, backticks or backslashes")
    try:
        parsed = urllib.parse.urlsplit(value)
        host = parsed.hostname
    except ValueError as err:
        raise ValueError(f"is not a valid URL ({err})") from None
    if parsed.scheme == "http" and host and is_loopback(host):
        return value
    if parsed.scheme != "https" or not host:
        raise ValueError("must be an https:// URL (http:// only for loopback hosts)")
    return value


def check_network_name(value: str) -> str:
    if len(value) > NAME_MAX_LENGTH:
        raise ValueError(f"must be at most {NAME_MAX_LENGTH} characters")
    if not NAME_PATTERN.fullmatch(value):
        raise ValueError("must match ^[a-z][a-z0-9_]*$ (snake_case, starting with a letter)")
    if value in RESERVED:
        raise ValueError("is a Solidity or TypeScript reserved word, so it cannot be an enum member")
    return value


# Variables of the system and of onboard's own credentials. A spec that named one as an RPC URL or explorer key
# would have the secrets stage copy it into the secrets store (the deployer's key under /BlockExplorers, say).
RESERVED_ENV_NAMES = frozenset(
    {
        "PATH", "HOME", "USER", "SHELL", "PWD", "LANG", "TMPDIR", "CI",
        "NPM_TOKEN", "GITHUB_TOKEN", "GH_TOKEN", "POSTGRES_PRISMA_URL", "INFISICAL_CLIENT_ID",
        "INFISICAL_CLIENT_SECRET", "SPHINX_RELAYER__PRIVATE_KEYS",
    }
)  # fmt: skip


def check_env_name(value: str) -> str:
    if not ENV_NAME_PATTERN.fullmatch(value):
        raise ValueError("must match ^[A-Z][A-Z0-9_]*$ (upper case letters, digits and underscores)")
    return value


def check_secret_source(value: str) -> str:
    """Check the name of a variable the secrets stage copies into the secrets store."""
    check_env_name(value)
    if value in RESERVED_ENV_NAMES or "PRIVATE_KEY" in value or value.startswith("ONBOARD_"):
        raise ValueError(
            "names a system variable or a credential of onboard itself, which must never be copied into the "
            "secrets store"
        )
    return value
