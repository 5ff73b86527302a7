"""Adding an entry to hand-written variants of networks.ts: every byte outside the new text stays the same."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onboard.errors import OnboardError
from onboard.monorepo import tsparse
from onboard.monorepo.entry import differences, expected_values
from onboard.monorepo.insert import MAX_LIVE_NETWORKS, add_entry
from onboard.monorepo.networks_file import LIVE_ARRAY, NetworksFile

HEADER = "type SupportedNetwork = any\n\n"

ENTRY_A = """  {
    name: 'alpha',
    displayName: 'Alpha',
    chainId: BigInt(7001),
    rpcUrl: () => process.env.ALPHA_MAINNET_URL!,
    rpcUrlId: 'ALPHA_MAINNET_URL',
    blockexplorers: {},
    currency: 'ETH',
    dripSize: '1',
    networkType: 'Mainnet',
    dripVersion: 0,
    decimals: 18,
    queryFilterBlockLimit: 2000,
    legacyTx: false,
    actionGasLimitBuffer: false,
    eip2028: true,
    actionTransactionBatching: true,
  }"""

STANDARD = HEADER + f"export const SPHINX_NETWORKS: Array<SupportedNetwork> = [\n{ENTRY_A},\n]\n"
COMMENTS = HEADER + (
    "export const SPHINX_NETWORKS: Array<SupportedNetwork> = [\n"
    "  // Mainnets first\n"
    f"{ENTRY_A}, // the only one\n"
    "  /* testnets go below */\n"
    "  // keep this comment last\n"
    "]\n"
)
NO_TRAILING_COMMA = HEADER + f"export const SPHINX_NETWORKS: Array<SupportedNetwork> = [\n{ENTRY_A}\n]\n"
NO_TRAILING_COMMA_COMMENT = HEADER + (
    f"export const SPHINX_NETWORKS: Array<SupportedNetwork> = [\n{ENTRY_A} // last one\n]\n"
)
CRLF = STANDARD.replace("\n", "\r\n")
NON_ASCII = HEADER + (
    "// Réseaux pris en charge, ünïcödé 🚀\n"
    "export const SPHINX_NETWORKS: Array<SupportedNetwork> = [\n"
    + ENTRY_A.replace("'Alpha'", "'Álpha ✓ 链'")
    + ",\n]\n"
)
TABS_DOUBLE_QUOTES = HEADER + (
    "export const SPHINX_NETWORKS: Array<SupportedNetwork> = [\n"
    + ENTRY_A.replace("    ", "\t\t").replace("  ", "\t").replace("'", '"')
    + ",\n]\n"
)
FOUR_SPACES = HEADER + (
    "export const SPHINX_NETWORKS: Array<SupportedNetwork> = [\n"
    + "\n".join(line.replace("  ", "    ") for line in ENTRY_A.splitlines())
    + ",\n]\n"
)
EMPTY = HEADER + "export const SPHINX_NETWORKS: Array<SupportedNetwork> = []\n"
AS_CONST = HEADER + f"export const SPHINX_NETWORKS = [\n{ENTRY_A},\n] as const\n"
CLOSING_ON_ELEMENT_LINE = HEADER + f"export const SPHINX_NETWORKS: Array<SupportedNetwork> = [\n{ENTRY_A}]\n"

VARIANTS = {
    "standard": STANDARD,
    "comments": COMMENTS,
    "no_trailing_comma": NO_TRAILING_COMMA,
    "no_trailing_comma_comment": NO_TRAILING_COMMA_COMMENT,
    "crlf": CRLF,
    "non_ascii": NON_ASCII,
    "tabs_double_quotes": TABS_DOUBLE_QUOTES,
    "four_spaces": FOUR_SPACES,
    "empty": EMPTY,
    "as_const": AS_CONST,
    "closing_on_element_line": CLOSING_ON_ELEMENT_LINE,
}


def only_insertions(before: bytes, after: bytes) -> bool:
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return all(tag in ("equal", "insert") for tag, *_ in matcher.get_opcodes())


def inserted_text(before: bytes, after: bytes) -> bytes:
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return b"".join(after[j1:j2] for tag, _, _, j1, j2 in matcher.get_opcodes() if tag == "insert")


def add(source: str, spec) -> bytes:  # type: ignore[no-untyped-def]
    result = add_entry(NetworksFile(source.encode("utf-8")), spec)
    assert result.source is not None
    return result.source


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_keeps_other_bytes(variant, unichain):
    before = VARIANTS[variant].encode("utf-8")
    after = add(VARIANTS[variant], unichain)

    assert only_insertions(before, after)
    assert not tsparse.syntax_problems(tsparse.parse(after))
    entries = NetworksFile(after).entries(LIVE_ARRAY)
    assert entries[-1].name == "unichain"
    assert differences(entries[-1].values, expected_values(unichain)) == []


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_second_add_is_noop(variant, unichain):
    after = add(VARIANTS[variant], unichain)

    again = add_entry(NetworksFile(after), unichain)

    assert again.source is None
    assert "SPHINX_NETWORKS entry 'unichain'" in (again.existing or "")


def test_crlf_entry_uses_crlf(unichain):
    after = add(CRLF, unichain)

    added = inserted_text(CRLF.encode(), after)
    assert b"\r\n" in added
    assert added.count(b"\n") == added.count(b"\r\n")


def test_comment_after_last_element_kept_before_new_entry(unichain):
    after = add(COMMENTS, unichain).decode()

    assert after.index("// keep this comment last") < after.index("name: 'unichain'")
    assert after.rstrip().endswith("},\n]")


def test_no_trailing_comma_habit_followed(unichain):
    after = add(NO_TRAILING_COMMA, unichain).decode()

    assert "  },\n  {\n    name: 'unichain'" in after
    assert after.endswith("    },\n  }\n]\n")


def test_comma_goes_before_line_comment(unichain):
    after = add(NO_TRAILING_COMMA_COMMENT, unichain).decode()

    assert "  }, // last one\n  {\n    name: 'unichain'" in after


def test_tabs_and_double_quotes_followed(unichain):
    after = add(TABS_DOUBLE_QUOTES, unichain).decode()

    assert '\t{\n\t\tname: "unichain",\n' in after
    assert '\t\t\tetherscan: {\n\t\t\t\tapiURL: "https://api.uniscan.xyz/api",' in after
    assert "'" not in inserted_text(TABS_DOUBLE_QUOTES.encode(), after.encode()).decode()


def test_four_space_indent_followed(unichain):
    after = add(FOUR_SPACES, unichain).decode()

    assert "    {\n        name: 'unichain',\n" in after


def test_empty_array_gets_default_layout(unichain):
    after = add(EMPTY, unichain).decode()

    assert "= [\n  {\n    name: 'unichain',\n" in after
    assert after.endswith("  },\n]\n")


def test_non_ascii_file_bytes_kept(unichain):
    before = NON_ASCII.encode("utf-8")
    after = add(NON_ASCII, unichain)

    assert after.startswith(before[: before.index(b"]\n", len(HEADER))])
    assert "'Álpha ✓ 链'" in after.decode("utf-8")


def test_invalid_file_rejected(unichain):
    broken = STANDARD.replace("chainId: BigInt(7001),", "chainId: BigInt(7001,")

    with pytest.raises(OnboardError, match=r"does not parse as TypeScript: line \d+, column \d+"):
        NetworksFile(broken.encode())


def test_missing_array_rejected():
    with pytest.raises(OnboardError, match="has no array named SPHINX_NETWORKS"):
        NetworksFile(b"export const OTHER = []\n")


def test_live_network_cap(unichain):
    entries = ",\n".join(
        ENTRY_A.replace("'alpha'", f"'net{i}'").replace("7001", str(10_000 + i)).replace("ALPHA", f"NET{i}")
        for i in range(MAX_LIVE_NETWORKS)
    )
    source = HEADER + f"export const SPHINX_NETWORKS: Array<SupportedNetwork> = [\n{entries},\n]\n"

    with pytest.raises(OnboardError, match="already has 254 networks") as caught:
        add(source, unichain)
    assert "DEPRECATED_SPHINX_NETWORKS" in str(caught.value)


def test_cap_leaves_room_for_last(unichain):
    entries = ",\n".join(
        ENTRY_A.replace("'alpha'", f"'net{i}'").replace("7001", str(10_000 + i)).replace("ALPHA", f"NET{i}")
        for i in range(MAX_LIVE_NETWORKS - 1)
    )
    source = HEADER + f"export const SPHINX_NETWORKS: Array<SupportedNetwork> = [\n{entries},\n]\n"

    after = add(source, unichain)

    assert len(NetworksFile(after).entries(LIVE_ARRAY)) == MAX_LIVE_NETWORKS


@settings(max_examples=60, deadline=None)
@given(
    indent=st.sampled_from(["  ", "    ", "\t"]),
    quote=st.sampled_from(["'", '"']),
    object_comma=st.booleans(),
    array_comma=st.booleans(),
    eol=st.sampled_from(["\n", "\r\n"]),
    count=st.integers(min_value=0, max_value=3),
    trailer=st.sampled_from(["", "  // after the last entry\n", "  /* block */\n"]),
)
def test_generated_layouts_followed(unichain, indent, quote, object_comma, array_comma, eol, count, trailer):
    source = _layout(indent, quote, object_comma, array_comma, count, trailer).replace("\n", eol).encode()

    after = add_entry(NetworksFile(source), unichain).source

    assert after is not None
    assert only_insertions(source, after)
    added = inserted_text(source, after).decode()
    assert added.count("\n") == added.count(eol)
    # An empty array gives no example, so the defaults apply: two spaces, single quotes, trailing commas.
    if count == 0:
        indent, quote, object_comma, array_comma = "  ", "'", True, True
    assert f"{indent}{{{eol}{indent * 2}name: {quote}unichain{quote}," in added
    assert added.rstrip().endswith(f"{indent}}}" + ("," if array_comma else ""))
    assert (f"{indent * 3}type: {quote}OP Stack{quote}," in added) == object_comma


def _layout(indent: str, quote: str, object_comma: bool, array_comma: bool, count: int, trailer: str) -> str:
    tail = "," if object_comma else ""
    entries = [
        f"{indent}{{\n{indent * 2}name: {quote}n{i}{quote},\n{indent * 2}chainId: BigInt({9000 + i}),\n"
        f"{indent * 2}rollupStack: {{\n{indent * 3}provider: {quote}None{quote},\n"
        f"{indent * 3}type: {quote}OP Stack{quote}{tail}\n{indent * 2}}}{tail}\n{indent}}}"
        for i in range(count)
    ]
    body = ",\n".join(entries)
    if entries:
        body += ",\n" if array_comma else "\n"
    return HEADER + f"export const SPHINX_NETWORKS: Array<SupportedNetwork> = [\n{body}{trailer}]\n"


@pytest.mark.parametrize(
    ("broken_entry", "problem"),
    [
        ("  {\n    name: 'unichain',\n", "missing '}'"),
        ("  {\n    name: 'unichain' chainId: 1,\n  }", "unexpected"),
    ],
)
def test_broken_render_rejected_after_reparse(unichain, monkeypatch, broken_entry, problem):
    monkeypatch.setattr("onboard.monorepo.insert.render_entry", lambda values, style: broken_entry)

    with pytest.raises(OnboardError, match="would produce an invalid file") as caught:
        add(STANDARD, unichain)

    assert problem in str(caught.value)


def test_render_mismatch_rejected_after_reparse(unichain, monkeypatch):
    wrong = ENTRY_A.replace("'alpha'", "'unichain'").replace("7001", "130")
    monkeypatch.setattr("onboard.monorepo.insert.render_entry", lambda values, style: wrong)

    with pytest.raises(OnboardError, match="would produce an invalid file") as caught:
        add(STANDARD, unichain)

    assert "displayName: found 'Alpha', expected 'Unichain'" in str(caught.value)
