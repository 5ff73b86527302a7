"""Parsing networks.ts with tree-sitter: find an array by its declarator name and read object literals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import tree_sitter_typescript
from tree_sitter import Language, Node, Parser, Tree

from onboard.errors import OnboardError

# Wrappers that may sit between a declarator and its array: `[...] as const`, `[...] satisfies T`, `([...])`.
_WRAPPERS = {"as_expression", "satisfies_expression", "parenthesized_expression"}
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_ESCAPED_CONTROLS = {value: f"\\{key}" for key, value in _SIMPLE_ESCAPES.items() if key != "0"}


@dataclass(frozen=True)
class EnvRef:
    """An `rpcUrl` arrow function that returns `process.env.<variable>`."""

    variable: str


@dataclass(frozen=True)
class Unreadable:
    """An expression that is not a literal onboard understands, kept as its source text."""

    text: str


class Undefined:
    """The `undefined` literal. An explorer set to it counts as absent."""

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = Undefined()


@cache
def _parser() -> Parser:
    return Parser(Language(tree_sitter_typescript.language_typescript()))


def parse(source: bytes) -> Tree:
    return _parser().parse(source)


def syntax_problems(tree: Tree, *, limit: int = 5) -> list[str]:
    """Return the positions of ERROR and MISSING nodes, as `line L, column C: ...` strings."""
    found: list[str] = []
    stack = [tree.root_node]
    while stack and len(found) < limit:
        node = stack.pop()
        if not node.has_error and not node.is_missing:
            continue
        where = f"line {node.start_point.row + 1}, column {node.start_point.column + 1}"
        if node.is_missing:
            found.append(f"{where}: missing {node.type!r}")
        elif node.is_error:
            found.append(f"{where}: unexpected {_snippet(node)!r}")
        stack.extend(reversed(node.children))
    return found


def _snippet(node: Node) -> str:
    text = node.text.decode("utf-8", "replace") if node.text else ""
    return text if len(text) <= 40 else text[:37] + "..."


def find_array(tree: Tree, declarator: str) -> Node | None:
    """Return the array literal assigned to the variable `declarator`, or None when there is none."""
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "variable_declarator":
            name = node.child_by_field_name("name")
            value = node.child_by_field_name("value")
            if name is not None and name.text == declarator.encode() and value is not None:
                while value.type in _WRAPPERS and value.named_children:
                    value = value.named_children[0]
                return value if value.type == "array" else None
        stack.extend(reversed(node.children))
    return None


def elements(array: Node) -> list[Node]:
    """Return the array's elements, without comments."""
    return [child for child in array.named_children if child.type != "comment"]


def pairs(obj: Node) -> list[tuple[str, Node]]:
    """Return an object literal's `key: value` pairs in source order (spreads and methods are skipped)."""
    found = []
    for child in obj.named_children:
        if child.type != "pair":
            continue
        key = child.child_by_field_name("key")
        value = child.child_by_field_name("value")
        if key is None or value is None:
            continue
        found.append((key_name(key), value))
    return found


def key_name(key: Node) -> str:
    if key.type == "string":
        return decode_string(key)
    return key.text.decode() if key.text else ""


def evaluate(node: Node) -> Any:
    """Return the Python value of a literal: str, int, bool, dict, EnvRef, UNDEFINED or Unreadable."""
    kind = node.type
    if kind == "string":
        return decode_string(node)
    if kind == "number":
        return _number(node)
    if kind in ("true", "false"):
        return kind == "true"
    if kind == "undefined":
        return UNDEFINED
    if kind == "object":
        return {key: evaluate(value) for key, value in pairs(node)}
    if kind == "call_expression":
        return _call(node)
    if kind == "arrow_function":
        return _arrow(node)
    if kind == "template_string" and not any(c.type == "template_substitution" for c in node.named_children):
        return "".join(_template_text(node))
    return Unreadable(node.text.decode("utf-8", "replace") if node.text else "")


def _number(node: Node) -> Any:
    text = node.text.decode().replace("_", "") if node.text else ""
    try:
        return int(text, 0)
    except ValueError:
        return Unreadable(text)


def _call(node: Node) -> Any:
    """Read `BigInt(n)` as the integer n and `(n).toString()` as the string of n."""
    function = node.child_by_field_name("function")
    arguments = node.child_by_field_name("arguments")
    text = node.text.decode("utf-8", "replace") if node.text else ""
    if function is None or arguments is None:
        return Unreadable(text)
    args = arguments.named_children
    if function.type == "identifier" and function.text == b"BigInt" and len(args) == 1:
        value = evaluate(args[0])
        readable = isinstance(value, int) or (isinstance(value, str) and value.isdigit())
        return int(value) if readable else Unreadable(text)
    if function.type == "member_expression" and not args:
        target = function.child_by_field_name("object")
        member = function.child_by_field_name("property")
        if member is not None and member.text == b"toString" and target is not None:
            while target.type == "parenthesized_expression" and target.named_children:
                target = target.named_children[0]
            value = evaluate(target)
            if isinstance(value, int) and not isinstance(value, bool):
                return str(value)
    return Unreadable(text)


_ENV_MEMBER = re.compile(r"^process\.env\.([A-Za-z_][A-Za-z0-9_]*)$")


def _arrow(node: Node) -> Any:
    """Read `() => process.env.X!` and `() => `${process.env.X}`` as EnvRef("X")."""
    body = node.child_by_field_name("body")
    text = node.text.decode("utf-8", "replace") if node.text else ""
    if body is None:
        return Unreadable(text)
    if body.type == "non_null_expression" and body.named_children:
        body = body.named_children[0]
    if body.type == "template_string":
        parts = body.named_children
        if len(parts) == 1 and parts[0].type == "template_substitution" and parts[0].named_children:
            body = parts[0].named_children[0]
    match = _ENV_MEMBER.match(body.text.decode() if body.text else "")
    return EnvRef(match.group(1)) if match else Unreadable(text)


def _template_text(node: Node) -> list[str]:
    raw = node.text.decode("utf-8") if node.text else "``"
    return [_unescape(raw[1:-1])]


def decode_string(node: Node) -> str:
    """Return the value of a string literal node, with every escape sequence applied."""
    raw = node.text.decode("utf-8") if node.text else "''"
    return _unescape(raw[1:-1])


_ESCAPE = re.compile(
    r"\\(?:u\{([0-9A-Fa-f]+)\}|u([0-9A-Fa-f]{4})|x([0-9A-Fa-f]{2})|(\r\n|[\n\r\u2028\u2029])|(.))", re.DOTALL
)


def _unescape(body: str) -> str:
    def replace(match: re.Match[str]) -> str:
        braced, unit, byte, continuation, other = match.groups()
        if braced is not None:
            return chr(int(braced, 16))
        if unit is not None:
            return chr(int(unit, 16))
        if byte is not None:
            return chr(int(byte, 16))
        if continuation is not None:
            return ""
        return _SIMPLE_ESCAPES.get(other, other)

    text = _ESCAPE.sub(replace, body)
    # `\uD83D\uDE00` names one character as two UTF-16 code units; join such pairs, keep lone ones.
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def encode_string(value: str, *, quote: str) -> str:
    """Return `value` as a TypeScript string literal in `quote` quotes that evaluates back to `value`."""
    out = [quote]
    for char in value:
        if char == "\\" or char == quote:
            out.append("\\" + char)
        elif char in _ESCAPED_CONTROLS:
            out.append(_ESCAPED_CONTROLS[char])
        elif char.isprintable() or char == " ":
            out.append(char)
        else:
            out.append(_unicode_escape(char))
    out.append(quote)
    return "".join(out)


def _unicode_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04X}"
    return f"\\u{{{code:X}}}"


def require_readable(source: bytes, *, path: str) -> Tree:
    """Parse `source` and raise when it has syntax errors, naming the first ones."""
    tree = parse(source)
    problems = syntax_problems(tree)
    if problems:
        raise OnboardError(
            f"{path} does not parse as TypeScript: {'; '.join(problems)}",
            cause="onboard edits the file through its syntax tree and needs it to be valid",
            fix=f"fix the syntax of {path} (run tsc on it), then run again",
        )
    return tree
