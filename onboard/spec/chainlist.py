"""Facts read from an ethereum-lists/chains file (`_data/chains/eip155-<id>.json`), each with where it came from."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from onboard.errors import Problem, SpecError
from onboard.spec.load import value_for_message
from onboard.spec.rules import CHAIN_ID_MAX, CURRENCIES, CURRENCY_PATTERN, check_explorer_url

# Hosts of explorers that Etherscan runs. Each serves its API at `api.<host>` and each subdomain `<sub>.<host>`
# at `api-<sub>.<host>`, as upstream's entries show (sepolia.etherscan.io -> api-sepolia.etherscan.io).
# Snowtrace and FTMScan are left out: Routescan runs Snowtrace now and FTMScan is shut down.
ETHERSCAN_HOSTS = (
    "etherscan.io", "arbiscan.io", "basescan.org", "bscscan.com", "polygonscan.com", "lineascan.build",
    "scrollscan.com", "celoscan.io", "gnosisscan.io", "moonscan.io", "blastscan.io", "uniscan.xyz",
    "sonicscan.org", "berascan.com", "abscan.org",
)  # fmt: skip

_TESTNET_WORD = re.compile(r"testnet|sepolia|goerli|holesky|hoodi|devnet|ropsten|rinkeby|kovan", re.IGNORECASE)
_MAINNET_WORD = re.compile(r"mainnet", re.IGNORECASE)
# Parents of layer 2 chains that are testnets themselves: Sepolia, Holesky, Goerli and Hoodi.
_TESTNET_PARENTS = frozenset({"eip155-11155111", "eip155-17000", "eip155-5", "eip155-560048"})
DECIMALS_RANGE = range(1, 37)
DISPLAY_NAME_MAX = 100


@dataclass(frozen=True)
class Fact:
    """A value for one spec field, or None when the chain file cannot give it, with a note of the source or reason."""

    value: Any
    note: str = ""


@dataclass(frozen=True)
class ExplorerFact:
    """An explorer recognised as Etherscan or Blockscout. None marks a value the file cannot give for certain."""

    kind: Literal["etherscan", "blockscout"]
    name: str
    browser_url: str
    api_url: str | None
    self_hosted: bool | None


@dataclass(frozen=True)
class ChainFacts:
    display_name: Fact
    chain_id: Fact
    currency: Fact
    decimals: Fact
    network_type: Fact
    legacy_tx: Fact
    explorers: tuple[ExplorerFact, ...]
    other_explorers: tuple[tuple[str, str], ...]
    layer2: bool
    status: str | None


def quote(value: Any, limit: int = 80) -> str:
    """Return the repr of a value from the chain file, cut to `limit` characters, for notes and messages."""
    text = repr(value_for_message(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _text(chain: Mapping[str, Any], key: str) -> str | None:
    value = chain.get(key)
    return value if isinstance(value, str) else None


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return None


def read_chain_id(chain: Mapping[str, Any], *, source: str) -> Fact:
    """Read chainId. Raise SpecError when it is a number outside what the platform can store."""
    chain_id = _whole_number(chain.get("chainId"))
    if chain_id is None:
        return Fact(None, "The chain file has no whole-number chainId.")
    if not 1 <= chain_id <= CHAIN_ID_MAX:
        problem = Problem(
            "chainId",
            value_for_message(chain_id),
            f"is outside 1..{CHAIN_ID_MAX}, the range of the platform's Postgres INTEGER column",
            "this network cannot be onboarded; check that the file is the right chain",
        )
        raise SpecError(source, [problem])
    return Fact(chain_id)


def _display_name(chain: Mapping[str, Any]) -> Fact:
    name = _text(chain, "name")
    if name is None:
        return Fact(None, "The chain file has no name.")
    name = name.strip()
    if not 1 <= len(name) <= DISPLAY_NAME_MAX or not name.isprintable():
        limit = DISPLAY_NAME_MAX
        return Fact(None, f"The chain file's name {quote(name)} is not printable text of 1 to {limit} characters.")
    return Fact(name, "From the chain file's name. Upstream display names are short, such as Optimism Sepolia.")


def _currency(chain: Mapping[str, Any]) -> tuple[Fact, Fact]:
    native = chain.get("nativeCurrency")
    native = native if isinstance(native, Mapping) else {}
    symbol = native.get("symbol")
    if isinstance(symbol, str) and CURRENCY_PATTERN.fullmatch(symbol):
        note = "" if symbol in CURRENCIES else (
            f"{symbol} is not in the platform's Currency enum, so the register stage stops and prints the migration."
        )
        currency = Fact(symbol, note)
    else:
        currency = Fact(None, f"The chain file's symbol {quote(symbol)} is not 1 to 16 letters and digits.")
    decimals = _whole_number(native.get("decimals"))
    if decimals is not None and decimals in DECIMALS_RANGE:
        return currency, Fact(decimals)
    shown = native.get("decimals")
    return currency, Fact(None, f"The chain file's decimals {quote(shown)} is not a whole number from 1 to 36.")


def _network_type(chain: Mapping[str, Any]) -> Fact:
    flag = chain.get("testnet")
    if isinstance(flag, bool):
        return Fact("Testnet" if flag else "Mainnet", "From the chain file's testnet flag.")
    native = chain.get("nativeCurrency")
    texts = [_text(chain, key) for key in ("name", "title", "shortName", "chain")]
    texts.append(_text(native, "name") if isinstance(native, Mapping) else None)
    words = [text for text in texts if text]
    hint = next((match.group(0) for text in words if (match := _TESTNET_WORD.search(text))), None)
    if hint:
        return Fact("Testnet", f"The chain file calls it {hint}.")
    parent = chain.get("parent")
    parent_chain = _text(parent, "chain") if isinstance(parent, Mapping) else None
    if parent_chain in _TESTNET_PARENTS:
        return Fact("Testnet", f"Its parent chain {parent_chain} is a testnet.")
    if any(_MAINNET_WORD.search(text) for text in words):
        return Fact("Mainnet", "The chain file calls it mainnet.")
    faucets = chain.get("faucets")
    if isinstance(faucets, list) and faucets:
        note = "The chain file lists a faucet, as testnets and some mainnets do, and names neither Mainnet nor Testnet."
        return Fact(None, note)
    return Fact("Mainnet", "The chain file names no testnet and lists no faucet.")


def _legacy_tx(chain: Mapping[str, Any]) -> Fact:
    features = chain.get("features")
    names = [item.get("name") for item in features if isinstance(item, Mapping)] if isinstance(features, list) else []
    if "EIP1559" in names:
        return Fact(False, "The chain file lists EIP1559.")
    return Fact(None, "True when the chain has no EIP-1559 fee market. The chain file does not list EIP1559.")


def _etherscan_api(host: str) -> str | None:
    for known in ETHERSCAN_HOSTS:
        if host in (known, f"www.{known}"):
            return f"https://api.{known}/api"
        sub = host.removesuffix(f".{known}")
        if sub != host and "." not in sub:
            return f"https://api-{sub}.{known}/api"
    return None


def classify_explorer(name: str, url: str) -> ExplorerFact | None:
    """Recognise an Etherscan or Blockscout explorer by its host or name; None for any other explorer."""
    try:
        check_explorer_url(url)
    except ValueError:
        return None
    browser_url = url.rstrip("/")
    host = (urllib.parse.urlsplit(browser_url).hostname or "").lower()
    etherscan_host = any(host == known or host.endswith(f".{known}") for known in ETHERSCAN_HOSTS)
    if etherscan_host or "etherscan" in name.lower():
        return ExplorerFact("etherscan", name, browser_url, _etherscan_api(host), None)
    if "blockscout" in name.lower() or "blockscout" in browser_url.lower():
        # Every Blockscout instance serves its Etherscan-compatible API at /api. Instances under blockscout.com
        # are hosted by Blockscout; elsewhere the file cannot tell who runs it.
        self_hosted = False if host.endswith(".blockscout.com") else None
        return ExplorerFact("blockscout", name, browser_url, f"{browser_url}/api", self_hosted)
    return None


def _explorers(chain: Mapping[str, Any]) -> tuple[tuple[ExplorerFact, ...], tuple[tuple[str, str], ...]]:
    found: dict[str, ExplorerFact] = {}
    others: list[tuple[str, str]] = []
    items = chain.get("explorers")
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        name, url = _text(item, "name") or "", _text(item, "url") or ""
        explorer = classify_explorer(name, url)
        if explorer is None or explorer.kind in found:
            others.append((name, url))
        else:
            found[explorer.kind] = explorer
    ordered = tuple(found[kind] for kind in ("etherscan", "blockscout") if kind in found)
    return ordered, tuple(others)


def read_chain(chain: Mapping[str, Any], *, source: str) -> ChainFacts:
    """Read every spec fact an ethereum-lists/chains entry gives."""
    currency, decimals = _currency(chain)
    explorers, others = _explorers(chain)
    parent = chain.get("parent")
    return ChainFacts(
        display_name=_display_name(chain),
        chain_id=read_chain_id(chain, source=source),
        currency=currency,
        decimals=decimals,
        network_type=_network_type(chain),
        legacy_tx=_legacy_tx(chain),
        explorers=explorers,
        other_explorers=others,
        layer2=isinstance(parent, Mapping) and parent.get("type") == "L2",
        status=_text(chain, "status"),
    )
