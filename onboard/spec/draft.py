"""Draft specs from ethereum-lists/chains files: every fact the file gives, a FILL-ME placeholder for the rest."""

from __future__ import annotations

import json
import textwrap
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from onboard.errors import OnboardError, Problem, SpecError
from onboard.fsutil import atomic_write
from onboard.spec.chainlist import ChainFacts, ExplorerFact, Fact, quote, read_chain
from onboard.spec.load import PLACEHOLDER_PREFIX, parse_spec, placeholder_paths, value_for_message
from onboard.spec.rules import check_network_name, check_secret_source

# Editors with a TOML language server (taplo, Even Better TOML) read this line and complete keys from the schema.
SCHEMA_HINT = "#:schema ./schema.json"
_COMMENT_WIDTH = 110

_UNKNOWN = {
    "drip_size": (
        "a positive decimal string such as 0.025",
        "Native tokens the drip sends. Upstream uses 0.025 on ETH layer 2 mainnets, 0.15 on testnets, "
        "1 on most chains with their own token.",
    ),
    "drip_version": ("a whole number such as 0", "Drip version (dripVersion). Upstream's latest additions use 0."),
    "query_filter_block_limit": (
        "a whole number of blocks such as 2000",
        "Widest eth_getLogs range the RPC accepts, in blocks. Upstream uses 2000, and 500 on Moonbeam.",
    ),
    "action_gas_limit_buffer": (
        "true or false",
        "True adds a heuristic floor to execution gas limits. Upstream sets it only on Rootstock.",
    ),
    "eip2028": ("true or false", "True when calldata costs 16 gas per non-zero byte (EIP-2028), false for 68."),
    "action_transaction_batching": (
        "true or false",
        "False sends each action in its own transaction. Upstream sets false where gas estimation misbehaves "
        "on batches (Arbitrum, Linea, Scroll, Mantle and others).",
    ),
}


def toml_string(value: str) -> str:
    """Return `value` as a TOML basic string, escaping quotes, backslashes and control characters."""
    escapes = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
    out = []
    for char in value:
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        elif 0xD800 <= ord(char) <= 0xDFFF:
            raise ValueError(f"lone surrogate U+{ord(char):04X} cannot be written to TOML")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _comment(text: str) -> str:
    """Return `text` as comment lines of at most about 110 characters."""
    # TOML comments may not hold control characters, so anything unprintable is shown as an escape.
    escaped = "".join(char if char.isprintable() else f"\\u{ord(char):04X}" for char in text)
    wrapped = textwrap.wrap(escaped, width=_COMMENT_WIDTH, break_long_words=False, break_on_hyphens=False)
    return "\n".join(f"# {line}" for line in wrapped or [""])


def toml_value(value: Any) -> str:
    """Render a bool, an int or a string as a TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return toml_string(str(value))


def _entry(key: str, value: Any, *, note: str = "", fill: str = "") -> list[str]:
    """Render `key = value`, or a FILL-ME placeholder when value is None, below an optional comment."""
    lines = [_comment(note)] if note else []
    if value is None:
        lines.append(f"{key} = {toml_string(f'{PLACEHOLDER_PREFIX}: {fill}')}")
    else:
        lines.append(f"{key} = {toml_value(value)}")
    return lines


def _fact(key: str, fact: Fact, fill: str) -> list[str]:
    return _entry(key, fact.value, note=fact.note, fill=fill)


def _usable_source(variable: str) -> str | None:
    """Return `variable`, or None (a placeholder) when the spec rules reject it as a secret's source."""
    try:
        return check_secret_source(variable)
    except ValueError:
        return None


def explorer_env_key(name: str, network_type: str | None, kind: str) -> str | None:
    """Return upstream's explorer key name: a testnet's Etherscan key is its mainnet's (ink_sepolia -> INK_...).

    Returns None for a name whose variable is reserved, such as ONBOARD_* for a network named onboard.
    """
    base = name.removesuffix("_mainnet")
    if kind == "etherscan" and network_type == "Testnet" and "_" in base:
        base = base.rsplit("_", 1)[0]
    return _usable_source(f"{base.upper()}_{kind.upper()}_API_KEY")


def rpc_url_id(name: str, network_type: str | None) -> str | None:
    """Return upstream's RPC variable name: <CHAIN>_MAINNET_URL, or <CHAIN>_<TESTNET>_URL for a testnet.

    Returns None for a name whose variable is reserved, such as ONBOARD_* for a network named onboard.
    """
    upper = name.upper()
    if network_type == "Testnet" or upper.endswith("_MAINNET"):
        return _usable_source(f"{upper}_URL")
    return _usable_source(f"{upper}_MAINNET_URL")


def _header(name: str, facts: ChainFacts, source: str | None) -> list[str]:
    chain_id = facts.chain_id.value if facts.chain_id.value is not None else "unknown"
    origin = f" from {source}" if source else ""
    lines = [
        SCHEMA_HINT,
        _comment(f"Draft spec of network {name}, chain id {chain_id}, written by `onboard spec new`{origin}."),
        _comment(f"Replace every {PLACEHOLDER_PREFIX} value, then run `onboard spec validate {name}`."),
    ]
    if facts.status and facts.status != "active":
        lines.append(_comment(f"The chain file marks this chain {quote(facts.status)}."))
    return lines


def _top_level(name: str, facts: ChainFacts) -> list[str]:
    network_type = facts.network_type.value
    rpc_note = "Environment variable and /RPC secret name of the RPC URL."
    if network_type is None:
        rpc_note += " Upstream names a testnet's variable <CHAIN>_<TESTNET>_URL, such as INK_SEPOLIA_URL."
    lines = [f"name = {toml_string(name)}"]
    lines += _fact("display_name", facts.display_name, "the name shown to users, such as Ink")
    lines += _fact("chain_id", facts.chain_id, "the chain id that eth_chainId returns")
    fill = "a variable name such as INK_MAINNET_URL"
    lines += _entry("rpc_url_id", rpc_url_id(name, network_type), note=rpc_note, fill=fill)
    lines.append(_comment('rpc_url_env = "MY_RPC_URL"  (optional: read the URL from another variable)'))
    lines += _fact("currency", facts.currency, "the native token symbol, such as ETH")
    lines += _fact("decimals", facts.decimals, "the native token's decimals, such as 18")
    lines += _fact("network_type", facts.network_type, "Mainnet or Testnet")
    lines += _fact("legacy_tx", facts.legacy_tx, "true or false")
    for key, (fill, note) in _UNKNOWN.items():
        lines += _entry(key, None, note=note, fill=fill)
    lines.append(_comment("hardcoded_merkle_leaf_gas = 10500000  (optional: gas that replaces estimates)"))
    return lines


def _rollup_stack(facts: ChainFacts) -> list[str]:
    if not facts.layer2:
        return [
            _comment("The chain file names no layer 1 parent. If the chain is a rollup, add:"),
            _comment("[rollup_stack]"),
            _comment('provider = "None"  (Conduit, Caldera or None)'),
            _comment('type = "OP Stack"  (OP Stack, Arbitrum or Polygon CDK)'),
        ]
    return [
        _comment("The chain file says this is a layer 2. Delete this table if its stack is none of the types below."),
        "[rollup_stack]",
        *_entry("provider", None, fill="Conduit, Caldera or None"),
        *_entry("type", None, fill="OP Stack, Arbitrum or Polygon CDK"),
    ]


def _explorer(name: str, network_type: str | None, explorer: ExplorerFact) -> list[str]:
    env_key = explorer_env_key(name, network_type, explorer.kind)
    lines = [_comment(f"From the chain file's explorer {quote(explorer.name)}."), f"[block_explorers.{explorer.kind}]"]
    lines += _entry("api_url", explorer.api_url, fill="the explorer's API URL, such as https://api.HOST/api")
    lines += _entry("browser_url", explorer.browser_url)
    lines += _entry("env_key", env_key, note="Secret name under /BlockExplorers. The platform needs a key even "
                    "where the explorer requires none.", fill="a variable name such as INK_ETHERSCAN_API_KEY")
    if explorer.kind == "blockscout":
        note = "True when the chain's team runs the instance, false when Blockscout hosts it."
        lines += _entry("self_hosted", explorer.self_hosted, note=note, fill="true or false")
    return lines


def _explorers(name: str, facts: ChainFacts) -> list[str]:
    lines: list[str] = []
    for explorer in facts.explorers:
        lines += [*_explorer(name, facts.network_type.value, explorer), ""]
    if facts.other_explorers:
        lines.append(_comment("Explorers in the chain file that are not recognised as Etherscan or Blockscout. "
                              "If one is, add it as [block_explorers.etherscan] or [block_explorers.blockscout]:"))
        lines += [_comment(f"- {quote(label)}: {quote(url)}") for label, url in facts.other_explorers]
        lines.append("")
    if not facts.explorers:
        lines.append(_comment("Without [block_explorers.*] tables, contracts are not verified on this network."))
        lines.append("")
    return lines


def draft_from_chainlist(name: str, chain: Mapping[str, Any], *, source: str | None = None) -> str:
    """Return the TOML text of a draft spec for network `name` from an ethereum-lists/chains entry.

    Raises SpecError when the name breaks the naming rules or the chain id cannot be stored by the platform.
    """
    _check_name(name)
    if not isinstance(chain, Mapping):
        fix = "use an eip155-<id>.json chain file"
        problem = Problem("(file)", value_for_message(chain), "is not a JSON object", fix)
        raise SpecError(source or "chain file", [problem])
    facts = read_chain(chain, source=source or "chain file")

    lines = _header(name, facts, source) + _top_level(name, facts) + [""]
    lines += _rollup_stack(facts) + [""]
    lines += _explorers(name, facts)
    lines += [
        "[deployer]",
        'private_key_env = "PRIVATE_KEY"',
        _comment("Extra balance required above the estimated deployment cost, in percent."),
        "balance_margin_percent = 20",
        "",
        _comment("Accept a failing compatibility finding on purpose:"),
        _comment("[[waivers]]"),
        _comment('id = "opcode.push0"'),
        _comment('reason = "why the finding does not matter on this network"'),
    ]
    return "\n".join(lines) + "\n"


def _check_name(name: str) -> None:
    try:
        check_network_name(name)
    except ValueError as err:
        problem = Problem("name", value_for_message(name), str(err), "use snake_case such as ink_sepolia")
        error = SpecError(f"name {quote(name)}", [problem])
        error.fix = "choose another name, such as <chain>_mainnet for a reserved word"
        raise error from None


def draft_problems(text: str) -> list[Problem]:
    """Return the problems of a draft other than its placeholders; a correct draft has none."""
    data = tomllib.loads(text)
    try:
        parse_spec(data, source="draft")
    except SpecError as err:
        placeholders = placeholder_paths(data)
        return [problem for problem in err.problems if problem.path not in placeholders]
    return []


def read_chain_file(chain_file: Path) -> Any:
    try:
        return json.loads(chain_file.read_bytes())
    except OSError as err:
        raise OnboardError(f"cannot read {chain_file}", cause=err.strerror, fix="check the path") from err
    except ValueError as err:
        raise OnboardError(
            f"{chain_file} is not valid JSON", cause=str(err), fix="use a file from ethereum-lists/chains _data/chains"
        ) from err


def write_draft(
    name: str,
    chain_file: Path | None,
    specs_dir: Path,
    force: bool = False,
    *,
    chain_id: int | None = None,
    measured: Mapping[str, Any] | None = None,
) -> Path:
    """Write `specs_dir/NAME.toml` and return its path. Never overwrites without force.

    The draft comes from `chain_file`, or from the name and `chain_id` alone. `measured`, the fields the
    compatibility check derived from the chain, then replaces those fields.
    """
    _check_name(name)
    target = specs_dir / f"{name}.toml"
    if target.exists() and not force:
        raise OnboardError(
            f"network spec {target} already exists",
            cause="a draft would replace the values filled in by hand",
            fix=f"edit {target}, or pass --force to replace it with a new draft",
        )

    if chain_file is not None:
        chain, source = read_chain_file(chain_file), chain_file.name
    else:
        chain, source = {"name": name.replace("_", " ").title(), "chainId": chain_id}, None
    text = draft_from_chainlist(name, chain, source=source)
    if measured is not None:
        from onboard.spec.measured import apply_measurements

        text = apply_measurements(text, measured)
    problems = draft_problems(text)
    if problems:
        raise OnboardError(
            f"the draft of {name} from {chain_file or 'the RPC'} is invalid beyond its placeholders",
            cause="; ".join(problem.render() for problem in problems),
            fix="report this as a bug in onboard, with the chain file",
        )
    try:
        atomic_write(target, text)
    except OSError as err:
        fix = "check the folder and its permissions"
        raise OnboardError(f"cannot write {target}", cause=err.strerror, fix=fix) from err
    return target
