"""Filling a draft spec with what the compatibility check measured on the chain's RPC.

`onboard spec new NAME --rpc URL` drafts from the chain registry file when one is given, or else from the name
and the chain id alone. It then replaces the derived fields with the check's suggestions, because a value
measured on the chain is more reliable than a guess from the registry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from onboard.spec.draft import toml_string, toml_value

# SPHINX_NETWORKS field the check derives -> spec key.
DERIVED_KEYS = {
    "legacyTx": "legacy_tx",
    "eip2028": "eip2028",
    "queryFilterBlockLimit": "query_filter_block_limit",
    "actionGasLimitBuffer": "action_gas_limit_buffer",
    "actionTransactionBatching": "action_transaction_batching",
}
MEASURED_NOTE = "  # measured by onboard check"
_ASSIGNMENT = re.compile(r"^(?P<key>[a-z0-9_]+) = ")


def _rollup_table(stack: Mapping[str, str]) -> str:
    return (
        "[rollup_stack]\n"
        f"provider = {toml_string(stack.get('provider') or 'None')}  # Conduit, Caldera or None: check the docs\n"
        f"type = {toml_string(stack['type'])}{MEASURED_NOTE}\n\n"
    )


def apply_measurements(draft: str, entry: Mapping[str, Any]) -> str:
    """Return `draft` with the top-level derived fields, and a detected rollup stack, taken from `entry`."""
    lines = draft.splitlines(keepends=True)
    first_table = next((index for index, line in enumerate(lines) if line.startswith("[")), len(lines))
    for index in range(first_table):
        match = _ASSIGNMENT.match(lines[index])
        ts_name = next((name for name, key in DERIVED_KEYS.items() if match and key == match["key"]), None)
        if ts_name is not None and ts_name in entry:
            lines[index] = f"{match['key']} = {toml_value(entry[ts_name])}{MEASURED_NOTE}\n"

    text = "".join(lines)
    stack = entry.get("rollupStack")
    if stack and "\n[rollup_stack]\n" not in f"\n{text}":
        text = text.replace("\n[deployer]\n", f"\n{_rollup_table(stack)}[deployer]\n", 1)
    return text
