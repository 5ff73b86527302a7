"""The pydantic model of a network spec and the mapping of its TOML keys to `SPHINX_NETWORKS` fields."""

from __future__ import annotations

import difflib

from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from onboard.spec.finding_ids import FINDING_IDS
from onboard.spec.rules import (
    CHAIN_ID_MAX,
    CURRENCIES,
    CURRENCY_PATTERN,
    DRIP_SIZE_PATTERN,
    ENV_NAME_PATTERN,
    FINDING_ID_PATTERN,
    NAME_MAX_LENGTH,
    NAME_PATTERN,
    check_env_name,
    check_secret_source,
    check_explorer_url,
    check_network_name,
)

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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Etherscan(_Strict):
    """An Etherscan-compatible explorer: where to verify contracts and which secret contains its API key."""

    api_url: str = Field(
        description="Contract verification API, https (http only for loopback), e.g. https://api.etherscan.io/api.",
        json_schema_extra={"format": "uri"},
    )
    browser_url: str = Field(
        description="Explorer web address, https (http only for loopback), e.g. https://etherscan.io.",
        json_schema_extra={"format": "uri"},
    )
    env_key: str = Field(
        description="Secret name under /BlockExplorers, also the entry's envKey, e.g. INK_ETHERSCAN_API_KEY.",
        json_schema_extra={"pattern": ENV_NAME_PATTERN.pattern},
    )
    key_env: str | None = Field(
        default=None,
        description="Environment variable holding the API key value. Defaults to env_key.",
        json_schema_extra={"pattern": ENV_NAME_PATTERN.pattern},
    )

    _api_url = field_validator("api_url", "browser_url")(check_explorer_url)

    @field_validator("env_key", "key_env")
    @classmethod
    def _env_names(cls, value: str | None) -> str | None:
        return None if value is None else check_secret_source(value)

    @property
    def key_source(self) -> str:
        return self.key_env or self.env_key


class Blockscout(Etherscan):
    """A Blockscout explorer, hosted by Blockscout or by the chain's team."""

    self_hosted: bool = Field(
        description="True when the chain's team runs the instance, false when Blockscout hosts it (selfHosted)."
    )


class Explorers(_Strict):
    """The explorers of a network. None at all means contracts are not verified."""

    etherscan: Etherscan | None = Field(default=None, description="An Etherscan-family explorer.")
    blockscout: Blockscout | None = Field(default=None, description="A Blockscout explorer.")

    def listed(self) -> list[tuple[str, Etherscan]]:
        return [(kind, explorer) for kind in ("etherscan", "blockscout") if (explorer := getattr(self, kind))]


class RollupStack(_Strict):
    """Which rollup framework the network runs and who operates it."""

    provider: Literal["Conduit", "Caldera", "None"] = Field(
        description="Rollup-as-a-service operator; \"None\" when the chain's team or another operator runs it."
    )
    type: Literal["OP Stack", "Arbitrum", "Polygon CDK"] = Field(description="Rollup framework.")


class Deployer(_Strict):
    """Settings of the account that deploys the Sphinx system contracts."""

    private_key_env: str = Field(
        default="PRIVATE_KEY",
        description="Environment variable holding the deployer's private key.",
        json_schema_extra={"pattern": ENV_NAME_PATTERN.pattern},
    )
    balance_margin_percent: int = Field(
        default=20, ge=0, le=1000, description="Extra balance required above the estimated cost, in percent."
    )

    _env = field_validator("private_key_env")(check_env_name)


class Waiver(_Strict):
    """Accepts one failing compatibility finding, by id, with the reason it does not matter for this network."""

    id: str = Field(
        description="Id of the compatibility finding, e.g. opcode.push0.",
        json_schema_extra={"pattern": FINDING_ID_PATTERN.pattern},
    )
    reason: str = Field(min_length=10, description="Why the finding does not matter on this network.")

    @field_validator("id")
    @classmethod
    def _finding_id(cls, value: str) -> str:
        if not FINDING_ID_PATTERN.fullmatch(value):
            raise ValueError("must be a finding id such as opcode.push0 or logs.range_limit")
        if value not in FINDING_IDS:
            close = difflib.get_close_matches(value, sorted(FINDING_IDS), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; docs/findings lists every id"
            raise ValueError(f"is not a finding of the compatibility check{hint}")
        return value


class NetworkSpec(_Strict):
    """Everything onboard needs to add one network: the SPHINX_NETWORKS fields and the pipeline's settings."""

    name: str = Field(
        description="snake_case network name, not a reserved word; also the hardhat network and Solidity enum member.",
        json_schema_extra={"pattern": NAME_PATTERN.pattern, "maxLength": NAME_MAX_LENGTH},
    )
    display_name: str = Field(
        min_length=1, max_length=100, description="Name shown to users (displayName), printable text."
    )
    chain_id: int = Field(ge=1, le=CHAIN_ID_MAX, description="The chain id that eth_chainId returns (chainId).")
    rpc_url_id: str = Field(
        description="Environment variable and /RPC secret name of the RPC URL (rpcUrlId), e.g. INK_MAINNET_URL.",
        json_schema_extra={"pattern": ENV_NAME_PATTERN.pattern},
    )
    rpc_url_env: str | None = Field(
        default=None,
        description="Environment variable holding the RPC URL value. Defaults to rpc_url_id.",
        json_schema_extra={"pattern": ENV_NAME_PATTERN.pattern},
    )
    block_explorers: Explorers = Field(
        default_factory=Explorers,
        description="Explorers that verify contracts (blockexplorers). Without any, contracts are not verified.",
    )
    currency: str = Field(
        description="Native token symbol (currency). Symbols outside the platform's Currency enum need a migration.",
        json_schema_extra={"pattern": CURRENCY_PATTERN.pattern, "examples": list(CURRENCIES)},
    )
    drip_size: str = Field(
        description="Native tokens the drip sends (dripSize), a positive decimal string such as '0.15'.",
        json_schema_extra={"pattern": DRIP_SIZE_PATTERN.pattern},
    )
    network_type: Literal["Mainnet", "Testnet"] = Field(description="networkType.")
    drip_version: int = Field(ge=0, le=255, description="Version of the drip the platform uses (dripVersion).")
    decimals: int = Field(ge=1, le=36, description="Decimals of the native token.")
    query_filter_block_limit: int = Field(
        ge=1, le=10_000_000, description="Widest eth_getLogs range the RPC accepts, in blocks (queryFilterBlockLimit)."
    )
    legacy_tx: bool = Field(description="True sends legacy transactions, for chains without EIP-1559 (legacyTx).")
    action_gas_limit_buffer: bool = Field(
        description="True adds a heuristic floor to execution gas limits (actionGasLimitBuffer)."
    )
    eip2028: bool = Field(description="True when calldata costs 16 gas per non-zero byte, false for 68 (eip2028).")
    action_transaction_batching: bool = Field(
        description="False sends each action in its own transaction (actionTransactionBatching)."
    )
    rollup_stack: RollupStack | None = Field(default=None, description="Rollup framework and operator (rollupStack).")
    hardcoded_merkle_leaf_gas: int | None = Field(
        default=None, ge=21_000, le=1_000_000_000, description="Gas that replaces estimates (hardcodedMerkleLeafGas)."
    )
    deployer: Deployer = Field(default_factory=Deployer, description="The account that deploys the system.")
    # Lax for this field only, so the TOML array (a list) becomes a tuple; each Waiver stays strict.
    waivers: tuple[Waiver, ...] = Field(
        default=(), strict=False, description="Failing compatibility findings accepted on purpose."
    )

    _name = field_validator("name")(check_network_name)

    @field_validator("display_name")
    @classmethod
    def _display_name(cls, value: str) -> str:
        if any(not char.isprintable() for char in value):
            raise ValueError("must be printable text without control characters or line breaks")
        if value != value.strip():
            raise ValueError("must not start or end with whitespace")
        return value

    _env_names = field_validator("rpc_url_id")(check_secret_source)

    @field_validator("rpc_url_env")
    @classmethod
    def _rpc_url_env(cls, value: str | None) -> str | None:
        return None if value is None else check_secret_source(value)

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
        if not DRIP_SIZE_PATTERN.fullmatch(value) or amount <= 0:
            raise ValueError("must be a positive decimal number without sign or exponent, such as '0.15'")
        return value

    @model_validator(mode="after")
    def _deployer_key_not_a_secret_source(self) -> NetworkSpec:
        sources = [self.rpc_url_id, self.rpc_source]
        sources += [name for _, explorer in self.block_explorers.listed() for name in (explorer.env_key, explorer.key_source)]
        if self.deployer.private_key_env in sources:
            raise ValueError(
                f"deployer.private_key_env {self.deployer.private_key_env} is also an RPC or explorer variable, "
                "so the secrets stage would copy the deployer's key into the secrets store"
            )
        return self

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
