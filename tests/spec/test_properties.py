"""Property tests: random and hostile specs and chain files raise nothing but SpecError and write no file."""

from __future__ import annotations

import copy
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onboard.errors import SpecError
from onboard.spec import NetworkSpec, load_spec, parse_spec
from onboard.spec.draft import draft_from_chainlist, draft_problems, toml_string, write_draft
from tests.spec.conftest import CHAIN_FILES, VALID_SPEC, load_chain

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE_TEXT = st.one_of(
    st.text(max_size=80),
    st.sampled_from([
        "", " ", '"', "'", "\\", "${HOME}", "`rm -rf /`", "FILL-ME: x", "\x00", "\n", "\r\n", "\x7f", "\u2028",
        "\ud800", "é", "链", "🚀", "a" * 10_000, "https://x/\x00", "http://localhost/", "Mainnet", "OP Stack",
        "abstract", "ETH", "0.025", "INK_MAINNET_URL",
    ]),
)  # fmt: skip
HOSTILE_SCALAR = st.one_of(
    HOSTILE_TEXT,
    st.integers(),
    st.sampled_from([0, -1, 2**31, 2**63, True, False]),
    # Built lazily: hypothesis prints the strategy, and repr() of an int above 4300 digits raises ValueError.
    st.builds(pow, st.just(10), st.just(5000)),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
)
JUNK = st.recursive(
    HOSTILE_SCALAR,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(HOSTILE_TEXT, children, max_size=4)),
    max_leaves=12,
)
# Paths in a spec where a hostile value is put, top-level keys and nested ones.
SPEC_PATHS = [
    *[(key,) for key in VALID_SPEC],
    ("unknown_key",),
    ("block_explorers", "etherscan", "api_url"),
    ("block_explorers", "blockscout", "self_hosted"),
    ("block_explorers", "other"),
    ("rollup_stack", "type"),
    ("deployer", "private_key_env"),
    ("waivers", 0, "id"),
    ("waivers", 0, "reason"),
]


def _has(target: Any, part: Any) -> bool:
    if isinstance(part, str):
        return isinstance(target, dict)
    return isinstance(target, list) and part < len(target)


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    """Put `value` at `path`, unless an earlier change replaced a parent of it with another type."""
    target: Any = data
    for part in path[:-1]:
        if not _has(target, part) or (isinstance(target, dict) and part not in target):
            return
        target = target[part]
    if _has(target, path[-1]):
        target[path[-1]] = value


def _parse_or_spec_error(data: Any) -> NetworkSpec | None:
    try:
        return parse_spec(data, source="hostile.toml")
    except SpecError as err:
        assert err.problems
        assert str(err)
        return None


@PROPERTY_SETTINGS
@given(st.dictionaries(HOSTILE_TEXT, JUNK, max_size=8))
def test_random_dict_raises_only_spec_error(data: dict[str, Any]) -> None:
    _parse_or_spec_error(data)


@PROPERTY_SETTINGS
@given(JUNK)
def test_random_value_raises_only_spec_error(data: Any) -> None:
    _parse_or_spec_error(data)


@PROPERTY_SETTINGS
@given(st.lists(st.tuples(st.sampled_from(SPEC_PATHS), JUNK), min_size=1, max_size=4))
def test_hostile_fields_raise_only_spec_error(changes: list[tuple[tuple[Any, ...], Any]]) -> None:
    data = copy.deepcopy(VALID_SPEC)
    for path, value in changes:
        _set(data, path, value)

    _parse_or_spec_error(data)


@PROPERTY_SETTINGS
@given(st.lists(st.tuples(st.sampled_from(SPEC_PATHS), JUNK), min_size=1, max_size=3))
def test_hostile_spec_file_writes_nothing(changes: list) -> None:
    data = copy.deepcopy(VALID_SPEC)
    for path, value in changes:
        _set(data, path, value)
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError, UnicodeEncodeError):
        return  # None, NaN keys, lone surrogates and the like cannot be written as TOML.

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hostile.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_spec(path)
        except SpecError as err:
            assert err.problems
        assert sorted(Path(folder).iterdir()) == [path]


@PROPERTY_SETTINGS
@given(st.text(max_size=120))
def test_display_name_valid_or_single_problem(name: str) -> None:
    data = copy.deepcopy(VALID_SPEC) | {"display_name": name}
    placeholder = name.startswith("FILL-ME")
    legal = 1 <= len(name) <= 100 and name.isprintable() and name == name.strip() and not placeholder

    spec = _parse_or_spec_error(data)

    assert (spec is not None) == legal
    if spec is not None:
        assert tomllib.loads(f"display_name = {toml_string(name)}")["display_name"] == name


@PROPERTY_SETTINGS
@given(st.text().filter(lambda text: not any(0xD800 <= ord(char) <= 0xDFFF for char in text)))
def test_toml_string_round_trips(text: str) -> None:
    assert tomllib.loads(f"value = {toml_string(text)}")["value"] == text


@PROPERTY_SETTINGS
@given(st.sampled_from(CHAIN_FILES), st.lists(st.tuples(st.sampled_from([
    "name", "chainId", "nativeCurrency", "explorers", "faucets", "features", "parent", "status", "testnet", "title",
    "shortName", "chain",
]), JUNK), min_size=1, max_size=4))  # fmt: skip
def test_hostile_chain_file_drafts_or_raises_spec_error(chain_file: Path, changes: list) -> None:
    chain = load_chain(int(chain_file.stem.removeprefix("eip155-")))
    for key, value in changes:
        chain[key] = value

    try:
        text = draft_from_chainlist("hostile", chain)
    except SpecError as err:
        assert [problem.path for problem in err.problems] == ["chainId"]
        return

    assert draft_problems(text) == []


@PROPERTY_SETTINGS
@given(st.dictionaries(HOSTILE_TEXT, JUNK, max_size=6))
def test_random_chain_dict_drafts_or_raises_spec_error(chain: dict[str, Any]) -> None:
    try:
        text = draft_from_chainlist("random", chain)
    except SpecError:
        return

    assert draft_problems(text) == []


@PROPERTY_SETTINGS
@given(HOSTILE_TEXT)
def test_hostile_name_never_writes_a_file(name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        specs_dir = Path(folder) / "specs"
        chain_file = Path(folder) / "chain.json"
        chain_file.write_text('{"name": "Ink", "chainId": 57073}')
        try:
            path = write_draft(name, chain_file, specs_dir)
        except SpecError as err:
            assert err.problems[0].path == "name"
            assert not specs_dir.exists()
            return

        assert sorted(specs_dir.iterdir()) == [path]
        assert path.name == f"{name}.toml"
