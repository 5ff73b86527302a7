"""Rendering a SPHINX_NETWORKS entry as TypeScript source in the file's own style."""

from __future__ import annotations

from typing import Any

from onboard.monorepo.style import Style, order_keys
from onboard.monorepo.tsparse import EnvRef, encode_string


def render_entry(values: dict[str, Any], style: Style) -> str:
    """Return the object literal for `values` (from `entry.expected_values`), indented as an array element.

    The text starts with the element indentation and ends with the closing brace, without a comma or line end.
    """
    keys = order_keys(list(values), style.entry_orders)
    return style.element_indent + _render_object([(key, values[key]) for key in keys], style, 1, ())


def _render_object(items: list[tuple[str, Any]], style: Style, depth: int, path: tuple[str, ...]) -> str:
    if not items:
        return "{}"
    indent = style.element_indent + style.indent_unit * depth
    lines = ["{"]
    for index, (key, value) in enumerate(items):
        last = index == len(items) - 1
        comma = "," if not last or style.object_trailing_comma else ""
        lines.append(f"{indent}{key}: {_render_value(value, style, depth, (*path, key))}{comma}")
    lines.append(style.element_indent + style.indent_unit * (depth - 1) + "}")
    return style.eol.join(lines)


def _render_value(value: Any, style: Style, depth: int, path: tuple[str, ...]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, EnvRef):
        return f"() => process.env.{value.variable}!"
    if path == ("chainId",):
        return f"BigInt({value})"
    if path == ("hardcodedMerkleLeafGas",):
        number = f"{int(value):_}" if style.numeric_separators else str(int(value))
        return f"({number}).toString()"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return encode_string(value, quote=style.quote)
    if isinstance(value, dict):
        keys = order_keys(list(value), _samples(style, path))
        return _render_object([(key, value[key]) for key in keys], style, depth + 1, path)
    raise TypeError(f"cannot render {value!r} at {'.'.join(path)}")


def _samples(style: Style, path: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    samples = {
        ("blockexplorers",): style.explorer_kind_orders,
        ("blockexplorers", "etherscan"): style.etherscan_orders,
        ("blockexplorers", "blockscout"): style.blockscout_orders,
        ("rollupStack",): style.rollup_orders,
    }
    return samples.get(path, ())
