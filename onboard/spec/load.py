"""Reading and validating spec files. Every problem is reported at once, each with its path, value and fix."""

from __future__ import annotations

import difflib
import reprlib
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from onboard.errors import OnboardError, Problem, SpecError
from onboard.spec.model import NAME_PATTERN, NetworkSpec

# Drafts mark every value the chain registry cannot give with this prefix; validation rejects it until replaced.
PLACEHOLDER_PREFIX = "FILL-ME"

_FIXES = {
    "name": "use snake_case such as `ink_sepolia`, not a reserved word",
    "display_name": "use printable text such as 'Ink Sepolia'",
    "chain_id": "use the chain id that eth_chainId returns, between 1 and 2147483647",
    "rpc_url_id": "use upper case such as INK_MAINNET_URL",
    "rpc_url_env": "use upper case such as INK_MAINNET_URL",
    "currency": "use the native token symbol such as ETH",
    "drip_size": "write a positive decimal string such as \"0.15\"",
    "network_type": "use \"Mainnet\" or \"Testnet\"",
    "api_url": "use the explorer's https API URL such as https://api.etherscan.io/api",
    "browser_url": "use the explorer's https address such as https://etherscan.io",
    "env_key": "use upper case such as INK_ETHERSCAN_API_KEY",
    "key_env": "use upper case such as INK_ETHERSCAN_API_KEY",
    "provider": "use \"Conduit\", \"Caldera\" or \"None\"",
    "type": "use \"OP Stack\", \"Arbitrum\" or \"Polygon CDK\"",
    "waivers": "give each finding id once, with a reason of at least 10 characters",
}


# Values are cut in messages, so a hostile spec cannot flood the console or the journal.
_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 200
_REPR.maxlong = 60
_REPR.maxlevel = 3


@dataclass(frozen=True)
class _ValueText:
    """A value as messages show it: its repr, cut by _REPR."""

    text: str

    def __repr__(self) -> str:
        return self.text


def _safe_repr(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 600:
        # repr() of an int above 4300 digits raises ValueError, so huge ints are described by size.
        return f"<integer of about {int(value.bit_length() * 0.30103)} digits>"
    try:
        return _REPR.repr(value)
    except ValueError:
        return f"<{type(value).__name__} holding an integer too large to show>"


def value_for_message(value: Any) -> Any:
    """Return `value` itself when it is a short scalar, else a _ValueText stand-in with a cut repr."""
    if isinstance(value, bool) or value is None:
        return value
    text = _safe_repr(value)
    scalar = isinstance(value, (str, float)) or (isinstance(value, int) and value.bit_length() <= 600)
    if scalar and text == repr(value):
        return value
    return _ValueText(text)


@dataclass(frozen=True)
class KnownNetwork:
    """An entry already in the target monorepo's SPHINX_NETWORKS or DEPRECATED_SPHINX_NETWORKS."""

    name: str
    chain_id: int
    rpc_url_id: str | None
    array: str


def _fix_for(loc: tuple[Any, ...]) -> str:
    for part in reversed(loc):
        if isinstance(part, str) and part in _FIXES:
            return _FIXES[part]
    return "see `onboard spec schema` for the allowed values"


def _path(loc: Iterable[Any]) -> str:
    return ".".join(str(part) for part in loc if part not in ("function-after", "function-before")) or "(file)"


def _placeholders(data: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    found: list[tuple[tuple[str, ...], str]] = []
    if isinstance(data, str) and data.startswith(PLACEHOLDER_PREFIX):
        found.append((prefix, data))
    elif isinstance(data, Mapping):
        for key, value in data.items():
            found.extend(_placeholders(value, (*prefix, str(key))))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_placeholders(value, (*prefix, str(index))))
    return found


def _input_value(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        if isinstance(data, Mapping) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return _ValueText("(missing)")
    return data


def _duplicate_problems(spec: NetworkSpec, known: Iterable[KnownNetwork]) -> list[Problem]:
    problems = []
    for entry in known:
        same_name = entry.name == spec.name
        same_chain = entry.chain_id == spec.chain_id
        same_rpc = entry.rpc_url_id is not None and entry.rpc_url_id == spec.rpc_url_id
        if same_name and same_chain and entry.array == "SPHINX_NETWORKS":
            continue  # The network is already onboarded: a re-run, which the networks stage reports.
        where = f"{entry.array} entry '{entry.name}' (chain id {entry.chain_id})"
        if same_name:
            problems.append(Problem("name", spec.name, f"is already used by {where}", "choose another name"))
        if same_chain:
            problems.append(
                Problem("chain_id", spec.chain_id, f"is already used by {where}", "check the chain id; it is taken")
            )
        if same_rpc and not same_name:
            problems.append(
                Problem("rpc_url_id", spec.rpc_url_id, f"is already used by {where}", "choose another variable name")
            )
    return problems


def placeholder_paths(data: Any) -> set[str]:
    """Return the dotted paths of every FILL-ME placeholder in a decoded spec."""
    return {_path(loc) for loc, _ in _placeholders(data)}


def parse_spec(data: Mapping[str, Any], *, source: str, known: Iterable[KnownNetwork] = ()) -> NetworkSpec:
    """Validate a decoded spec and return it, or raise SpecError listing every problem."""
    if not isinstance(data, Mapping):
        kind = type(data).__name__
        fix = "write the spec as TOML keys"
        problem = Problem("(file)", value_for_message(data), f"is a {kind}, not a table of keys", fix)
        raise SpecError(source, [problem])
    problems = [
        Problem(_path(loc), value_for_message(value), "is a placeholder of a draft", "replace it with the real value")
        for loc, value in _placeholders(data)
    ]
    placeholder_paths = {problem.path for problem in problems}

    spec = None
    try:
        spec = NetworkSpec.model_validate(dict(data))
    except ValidationError as err:
        for error in err.errors(include_url=False):
            loc = tuple(error["loc"])
            path = _path(loc)
            if path in placeholder_paths:
                continue
            message = error["msg"].removeprefix("Value error, ")
            problems.append(Problem(path, value_for_message(_input_value(data, loc)), message, _fix_for(loc)))

    if spec is not None:
        problems.extend(_duplicate_problems(spec, known))
    if problems:
        raise SpecError(source, problems)
    assert spec is not None
    return spec


def find_spec_file(name_or_path: str, specs_dir: Path) -> Path:
    """Resolve a network name or a file path to a spec file, suggesting close names when none matches."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.is_file():
        if not candidate.is_file():
            raise OnboardError(f"spec file not found: {candidate}", fix="check the path")
        return candidate

    if not NAME_PATTERN.fullmatch(name_or_path):
        raise OnboardError(
            f"invalid network name {name_or_path!r}",
            cause="a network name is snake_case: lower case letters, digits and underscores, starting with a letter",
            fix="pass the name of a file in network_specs/ without .toml, such as unichain, or a path to a .toml file",
        )
    path = specs_dir / f"{name_or_path}.toml"
    if path.is_file():
        return path
    names = sorted(file.stem for file in specs_dir.glob("*.toml") if file.is_file()) if specs_dir.is_dir() else []
    close = difflib.get_close_matches(name_or_path, names, n=3)
    hint = f"did you mean {', '.join(close)}?" if close else f"known networks: {', '.join(names) or 'none'}"
    raise OnboardError(
        f"no spec for network '{name_or_path}' in {specs_dir}",
        cause=hint,
        fix=f"run `onboard spec new {name_or_path} --from-chainlist FILE` to draft one",
    )


def load_network_spec(name_or_path: str, specs_dir: Path, *, known: Iterable[KnownNetwork] = ()) -> tuple[Path, NetworkSpec]:
    """Find and load the spec of a network, checking that a file named NAME.toml describes network NAME."""
    path = find_spec_file(name_or_path, specs_dir)
    spec = load_spec(path, known=known)
    if path.stem != spec.name and path.parent.resolve() == specs_dir.resolve():
        raise SpecError(
            str(path),
            [Problem("name", spec.name, f"differs from the file name {path.name}", f"rename the file to {spec.name}.toml")],
        )
    return path, spec


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except ValueError as err:
        # TOMLDecodeError, UnicodeDecodeError, and the ValueError int() raises for integers above 4300 digits.
        problem = Problem("(file)", _ValueText(path.name), f"is not valid TOML: {err}", "fix the syntax at that line")
        raise SpecError(str(path), [problem]) from err
    except OSError as err:
        raise OnboardError(f"cannot read {path}", cause=err.strerror, fix="check the path and its permissions") from err


def load_spec(path: Path, *, known: Iterable[KnownNetwork] = ()) -> NetworkSpec:
    """Read and validate one spec file."""
    return parse_spec(read_toml(path), source=str(path), known=known)
