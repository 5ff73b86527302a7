"""TypeScript string literals: hostile display names written by the renderer read back exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onboard.monorepo import tsparse
from onboard.monorepo.insert import add_entry
from onboard.monorepo.networks_file import LIVE_ARRAY, NetworksFile
from onboard.sandbox.monorepo import _template

HOSTILE_NAMES = [
    "It's",
    'Say "hi"',
    "Back\\slash\\",
    "${process.env.PRIVATE_KEY}",
    "`template` ${x}",
    "Zürich Ünïcode 链 🚀",
    "</script>'; DROP TABLE networks; --",
    "Trailing backslash \\",
    "Ω mid·dot ‘curly’ “quotes”",
    "quote at end'",
]


def parse_literal(literal: str) -> str:
    tree = tsparse.parse(f"const x = {literal}\n".encode())
    assert not tsparse.syntax_problems(tree)
    declarator = tree.root_node.named_children[0].named_children[0]
    value = declarator.child_by_field_name("value")
    assert value is not None and value.type == "string"
    return tsparse.decode_string(value)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
@pytest.mark.parametrize("quote", ["'", '"'])
def test_hostile_literal_round_trips(name, quote):
    assert parse_literal(tsparse.encode_string(name, quote=quote)) == name


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_display_name_in_file(name, make_spec):
    spec = make_spec(display_name=name)
    source = _template("networks.ts").encode()

    result = add_entry(NetworksFile(source), spec)

    assert result.source is not None
    added = NetworksFile(result.source).entries(LIVE_ARRAY)[-1]
    assert added.values["displayName"] == name


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc", "Cf", "Zl", "Zp"]), min_size=1, max_size=30))
def test_any_display_name_round_trips_in_file(unichain, name):
    spec = unichain.model_copy(update={"display_name": name})
    source = _template("networks.ts").encode()

    result = add_entry(NetworksFile(source), spec)

    assert result.source is not None
    assert NetworksFile(result.source).entries(LIVE_ARRAY)[-1].values["displayName"] == name


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40), st.sampled_from(["'", '"']))
def test_any_text_round_trips(value, quote):
    literal = tsparse.encode_string(value, quote=quote)

    assert parse_literal(literal) == value
    assert "\n" not in literal
    assert "\r" not in literal


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        (r"'\x41\u0042\u{1F680}'", "AB🚀"),
        (r"'\uD83D\uDE80'", "🚀"),
        ("'a\\\nb'", "ab"),
        (r"'\q\0'", "q\0"),
        (r'"it\'s"', "it's"),
    ],
)
def test_escape_sequences_decoded(literal, value):
    assert parse_literal(literal) == value


def test_values_evaluated():
    source = b"""const X = [{
      a: BigInt(1_000), b: (10_500_000).toString(), c: () => process.env.C_URL!,
      d: () => `${process.env.D_URL}`, e: undefined, f: {}, 'g-h': true, i: someCall(),
    }]"""
    tree = tsparse.parse(source)
    array = tsparse.find_array(tree, "X")
    assert array is not None

    values = tsparse.evaluate(tsparse.elements(array)[0])

    assert values["a"] == 1000
    assert values["b"] == "10500000"
    assert values["c"] == tsparse.EnvRef("C_URL")
    assert values["d"] == tsparse.EnvRef("D_URL")
    assert values["e"] is tsparse.UNDEFINED
    assert values["f"] == {}
    assert values["g-h"] is True
    assert values["i"] == tsparse.Unreadable("someCall()")
