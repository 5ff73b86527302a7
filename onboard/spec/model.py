"""The pydantic model of a network spec and the mapping of its TOML keys to `SPHINX_NETWORKS` fields."""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from onboard.spec.reserved import RESERVED

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
ENV_NAME_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]*$")
FINDING_ID_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
NAME_MAX_LENGTH = 64
# The platform stores the chain id in a Postgres INTEGER column.
CHAIN_ID_MAX = 2_147_483_647

# Native currencies the platform's Postgres enum "Currency" knows. A symbol outside it is a valid spec, but the
# register stage stops and prints the migration the operator must apply.
CURRENCIES = (
    "ETH", "BNB", "MATIC", "xDAI", "USDC", "FTM", "AVAX", "CELO", "MOVR", "GLMR", "FUSE", "EVMOS", "KAVA", "OKT",
    "RBTC", "RING", "CRAB", "MNT",
)  # fmt: skip
CURRENCY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,15}$")

# TOML key -> TypeScript field of a SPHINX_NETWORKS entry, in upstream's most common order.
TS_FIELDS = {
    "name": "name",
    "display_name": "displayName",
    "chain_id": "chainId",
    "rpc_url_id": "rpcUrlId",
    "block_explorers": "blockexplorers",
    "currency": "currency",
    "drip_size": "dripSize",
    "network_type": "networkType",
    "drip_version": "dripVersion",
    "decimals": "decimals",
    "query_filter_block_limit": "queryFilterBlockLimit",
    "legacy_tx": "legacyTx",
    "action_gas_limit_buffer": "actionGasLimitBuffer",
    "eip2028": "eip2028",
    "action_transaction_batching": "actionTransactionBatching",
    "rollup_stack": "rollupStack",
    "hardcoded_merkle_leaf_gas": "hardcodedMerkleLeafGas",
}
EXPLORER_TS_FIELDS = {
    "api_url": "apiURL",
    "browser_url": "browserURL",
    "env_key": "envKey",
    "self_hosted": "selfHosted",
}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_explorer_url(value: str) -> str:
    parsed = urllib.parse.urlsplit(value)
    if parsed.scheme == "http" and parsed.hostname and _is_loopback(parsed.hostname):
        return value
    if parsed.scheme != "https" or not parsed.hostname:
        raise ValueError("must be an https:// URL (http:// only for loopback hosts)")
    if any(char.isspace() for char in value) or "'" in value or "\\" in value:
        raise ValueError("must not contain whitespace, quotes or backslashes")
    return value


def check_env_name(value: str) -> str:
    if not ENV_NAME_PATTERN.fullmatch(value):
        raise ValueError("must match ^[A-Z][A-Z0-9_]*$ (upper case letters, digits and underscores)")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Etherscan(_Strict):
    """An Etherscan-compatible explorer: where to verify contracts and which secret holds its API key."""

    api_url: str
    browser_url: str
    env_key: str = Field(description="Secret name under /BlockExplorers, also the entry's envKey.")
    key_env: str | None = Field(
        default=None, description="Environment variable holding the API key value. Defaults to env_key."
    )

    _api_url = field_validator("api_url", "browser_url")(check_explorer_url)

    @field_validator("env_key", "key_env")
    @classmethod
    def _env_names(cls, value: str | None) -> str | None:
        return None if value is None else check_env_name(value)

    @property
    def key_source(self) -> str:
        return self.key_env or self.env_key


class Blockscout(Etherscan):
    """A Blockscout explorer, hosted by Blockscout or by the chain's team."""

    self_hosted: bool


class Explorers(_Strict):
    """The explorers of a network. None at all means contracts are not verified."""

    etherscan: Etherscan | None = None
    blockscout: Blockscout | None = None

    def listed(self) -> list[tuple[str, Etherscan]]:
        return [(kind, explorer) for kind in ("etherscan", "blockscout") if (explorer := getattr(self, kind))]


class RollupStack(_Strict):
    """Which rollup framework the network runs and who operates it."""

    provider: Literal["Conduit", "Caldera", "None"]
    type: Literal["OP Stack", "Arbitrum", "Polygon CDK"]


class Deployer(_Strict):
    """Settings of the account that deploys the Sphinx system contracts."""

    private_key_env: str = Field(default="PRIVATE_KEY", description="Environment variable holding the key.")
    balance_margin_percent: int = Field(
        default=20, ge=0, le=1000, description="Extra balance required above the estimated cost, in percent."
    )

    _env = field_validator("private_key_env")(check_env_name)


class Waiver(_Strict):
    """Accepts one failing compatibility finding, by id, with the reason it does not matter for this network."""

    id: str
    reason: str = Field(min_length=10)

    @field_validator("id")
    @classmethod
    def _finding_id(cls, value: str) -> str:
        if not FINDING_ID_PATTERN.fullmatch(value):
            raise ValueError("must be a finding id such as opcode.push0 or logs.range_limit")
        return value


class NetworkSpec(_Strict):
    """Everything onboard needs to add one network: the SPHINX_NETWORKS fields and the pipeline's settings."""

    name: str = Field(description="snake_case network name; also the hardhat network and Solidity enum member.")
    display_name: str = Field(min_length=1, max_length=100)
    chain_id: int = Field(ge=1, le=CHAIN_ID_MAX)
    rpc_url_id: str = Field(description="Environment variable and /RPC secret name of the RPC URL.")
    rpc_url_env: str | None = Field(
        default=None, description="Environment variable holding the RPC URL value. Defaults to rpc_url_id."
    )
    block_explorers: Explorers = Field(default_factory=Explorers)
    currency: str
    drip_size: str = Field(description="Native tokens sent by the drip, a positive decimal string such as '0.15'.")
    network_type: Literal["Mainnet", "Testnet"]
    drip_version: int = Field(ge=0, le=255)
    decimals: int = Field(ge=1, le=36)
    query_filter_block_limit: int = Field(ge=1, le=10_000_000, description="eth_getLogs range in blocks.")
    legacy_tx: bool
    action_gas_limit_buffer: bool
    eip2028: bool
    action_transaction_batching: bool
    rollup_stack: RollupStack | None = None
    hardcoded_merkle_leaf_gas: int | None = Field(default=None, ge=21_000, le=1_000_000_000, description="Gas.")
    deployer: Deployer = Field(default_factory=Deployer)
    waivers: tuple[Waiver, ...] = ()

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if len(value) > NAME_MAX_LENGTH:
            raise ValueError(f"must be at most {NAME_MAX_LENGTH} characters")
        if not NAME_PATTERN.fullmatch(value):
            raise ValueError("must match ^[a-z][a-z0-9_]*$ (snake_case, starting with a letter)")
        if value in RESERVED:
            raise ValueError("is a Solidity or TypeScript reserved word, so it cannot be an enum member")
        return value

    @field_validator("display_name")
    @classmethod
    def _display_name(cls, value: str) -> str:
        if any(not char.isprintable() for char in value):
            raise ValueError("must be printable text without control characters or line breaks")
        if value != value.strip():
            raise ValueError("must not start or end with whitespace")
        return value

    _env_names = field_validator("rpc_url_id")(check_env_name)

    @field_validator("rpc_url_env")
    @classmethod
    def _rpc_url_env(cls, value: str | None) -> str | None:
        return None if value is None else check_env_name(value)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if not CURRENCY_PATTERN.fullmatch(value):
            raise ValueError("must be a currency symbol of 1 to 16 letters and digits, such as ETH")
        return value

    @field_validator("drip_size")
    @classmethod
    def _drip_size(cls, value: str) -> str:
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise ValueError("must be a decimal number written as a string, such as '0.15'") from None
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", value) or amount <= 0:
            raise ValueError("must be a positive decimal number without sign or exponent, such as '0.15'")
        return value

    @model_validator(mode="after")
    def _unique_waivers(self) -> NetworkSpec:
        ids = [waiver.id for waiver in self.waivers]
        duplicates = sorted({finding for finding in ids if ids.count(finding) > 1})
        if duplicates:
            raise ValueError(f"waivers list {', '.join(duplicates)} more than once")
        return self

    @property
    def rpc_source(self) -> str:
        """The environment variable the RPC URL is read from."""
        return self.rpc_url_env or self.rpc_url_id

    def waiver_for(self, finding_id: str) -> Waiver | None:
        return next((waiver for waiver in self.waivers if waiver.id == finding_id), None)

    def sphinx_entry(self) -> dict[str, object]:
        """Return the SPHINX_NETWORKS fields with their TypeScript names, optional ones only when set."""
        entry: dict[str, object] = {}
        for key, ts_name in TS_FIELDS.items():
            value = getattr(self, key)
            if value is None:
                continue
            if key == "block_explorers":
                value = {
                    kind: {
                        EXPLORER_TS_FIELDS[field]: item
                        for field, item in explorer.model_dump(exclude={"key_env"}).items()
                    }
                    for kind, explorer in self.block_explorers.listed()
                }
            elif isinstance(value, BaseModel):
                value = value.model_dump()
            entry[ts_name] = value
        return entry
