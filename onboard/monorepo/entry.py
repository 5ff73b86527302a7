"""The SPHINX_NETWORKS entry a spec stands for, as values, and its field-by-field comparison with an entry."""

from __future__ import annotations

from typing import Any

from onboard.monorepo.tsparse import UNDEFINED, EnvRef
from onboard.spec import NetworkSpec

MISSING = "(missing)"


def expected_values(spec: NetworkSpec) -> dict[str, Any]:
    """Return the entry's fields in upstream's usual order, with values as the parser reads them back."""
    fields = spec.sphinx_entry()
    values: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "hardcodedMerkleLeafGas":
            value = str(value)
        values[key] = value
        if key == "chainId":
            values["rpcUrl"] = EnvRef(spec.rpc_url_id)
    return values


def _normalized(value: Any) -> Any:
    """Drop fields set to `undefined`, which TypeScript treats like absent optional fields."""
    if isinstance(value, dict):
        return {key: _normalized(item) for key, item in value.items() if item is not UNDEFINED}
    return value


def differences(found: dict[str, Any], expected: dict[str, Any], prefix: str = "") -> list[str]:
    """Return one line per field whose value in `found` differs from `expected`, with both values."""
    found = _normalized(found)
    lines = []
    for key in [*expected, *(key for key in found if key not in expected)]:
        path = f"{prefix}{key}"
        have = found.get(key, MISSING)
        want = expected.get(key, MISSING)
        if isinstance(have, dict) and isinstance(want, dict):
            lines.extend(differences(have, want, prefix=f"{path}."))
        elif have != want or type(have) is not type(want):
            lines.append(f"{path}: found {_show(have)}, expected {_show(want)}")
    return lines


def _show(value: Any) -> str:
    if isinstance(value, EnvRef):
        return f"() => process.env.{value.variable}!"
    return repr(value)
