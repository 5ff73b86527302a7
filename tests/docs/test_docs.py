"""Check that docs/configuration.md matches the section models (keys, defaults, variable names), and the guide's example."""

from __future__ import annotations

import importlib
import pkgutil
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

import onboard
from onboard.config import CoreSection, RepoSection, Section
from onboard.deploy.settings import DeploySection
from onboard.evm.settings import CompatSection
from onboard.images.settings import ContainersSection
from onboard.images.settings import GitHubSection as ContainersGitHub
from onboard.release.settings import BumpSection, GithubSection, ReleaseSection
from onboard.secrets.settings import DotenvSettings, GitHubSettings, InfisicalSettings, SecretsSection
from onboard.stages.networks import NetworksSection
from onboard.stages.register import RegisterSection

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
TOP_LEVEL = ""

# Table name in onboard.toml ("" for the top level) -> the model that validates it.
MODELS: dict[str, type[Section]] = {
    TOP_LEVEL: CoreSection,
    "monorepo": RepoSection,
    "platform": RepoSection,
    "compat": CompatSection,
    "networks": NetworksSection,
    "secrets": SecretsSection,
    "secrets.infisical": InfisicalSettings,
    "secrets.dotenv": DotenvSettings,
    "secrets.github": GitHubSettings,
    "deploy": DeploySection,
    "release": ReleaseSection,
    "release.github": GithubSection,
    "bump": BumpSection,
    "bump.github": GithubSection,
    "containers": ContainersSection,
    "containers.github": ContainersGitHub,
    "register": RegisterSection,
}

_HEADING = re.compile(r"^## (?:`\[(?P<table>[a-z_.]+)\]`|(?P<top>Top-level keys))\s*$")
_ROW = re.compile(r"^\| `(?P<key>[a-z_0-9]+)` \|(?P<rest>.*)\|\s*$")


def documented_tables() -> dict[str, dict[str, list[str]]]:
    """Parse the page: table name -> key -> the cells after the key (type, default, variable, meaning)."""
    tables: dict[str, dict[str, list[str]]] = {}
    current: str | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = _HEADING.match(line)
        if heading:
            current = TOP_LEVEL if heading["top"] else heading["table"]
            tables[current] = {}
            continue
        row = _ROW.match(line)
        if row and current is not None:
            tables[current][row["key"]] = [cell.strip() for cell in row["rest"].split("|")]
    return tables


def all_section_models() -> set[type[Section]]:
    """Import every onboard module and return every Section subclass, so a new section cannot go unnoticed."""
    for module in pkgutil.walk_packages(onboard.__path__, prefix="onboard."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: set[type[Section]] = set()
    pending = [Section]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            # Test modules define their own sections; only the package's sections are configuration.
            if subclass.__module__.startswith("onboard."):
                found.add(subclass)
    return found


def expected_variable(table: str, key: str) -> str:
    path = [*table.split("."), key] if table else [key]
    return "ONBOARD_" + "__".join(part.upper() for part in path)


def model_default(model: type[BaseModel], key: str) -> Any:
    field = model.model_fields[key]
    if field.is_required():
        return "required"
    value = field.default if field.default is not PydanticUndefined else field.default_factory()
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def documented_default(cell: str) -> Any:
    """Read a default cell: `required`, `none`, or a TOML value in backticks."""
    if cell in ("required", "none"):
        return None if cell == "none" else "required"
    match = re.fullmatch(r"`(.*)`", cell)
    assert match, f"default {cell!r} is neither required, none, nor a TOML value in backticks"
    return tomllib.loads(f"value = {match[1]}")["value"]


@pytest.fixture(scope="module")
def tables() -> dict[str, dict[str, list[str]]]:
    return documented_tables()


def test_every_model_has_a_table(tables: dict[str, dict[str, list[str]]]) -> None:
    assert set(tables) == set(MODELS)


def test_every_section_model_is_mapped() -> None:
    unmapped = {model.__qualname__ for model in all_section_models()} - {m.__qualname__ for m in MODELS.values()}
    assert unmapped == set(), f"add these models to MODELS and document them: {sorted(unmapped)}"


@pytest.mark.parametrize("table", sorted(MODELS))
def test_documented_keys_match_model(table: str, tables: dict[str, dict[str, list[str]]]) -> None:
    documented = set(tables.get(table, {}))
    keys = set(MODELS[table].model_fields)
    assert documented - keys == set(), f"[{table}] documents keys the model does not have"
    assert keys - documented == set(), f"[{table}] keys missing from docs/configuration.md"


@pytest.mark.parametrize("table", sorted(MODELS))
def test_documented_defaults_match_model(table: str, tables: dict[str, dict[str, list[str]]]) -> None:
    model = MODELS[table]
    for key, cells in tables.get(table, {}).items():
        if key not in model.model_fields:
            continue
        assert documented_default(cells[1]) == model_default(model, key), f"[{table}] {key}"


@pytest.mark.parametrize("table", sorted(MODELS))
def test_documented_variables_match_keys(table: str, tables: dict[str, dict[str, list[str]]]) -> None:
    for key, cells in tables.get(table, {}).items():
        assert cells[2] == f"`{expected_variable(table, key)}`", f"[{table}] {key}"


def test_nested_tables_are_documented(tables: dict[str, dict[str, list[str]]]) -> None:
    for table, model in MODELS.items():
        for key, field in model.model_fields.items():
            annotation = str(field.annotation)
            if "Section" in annotation or "Settings" in annotation:
                child = f"{table}.{key}" if table else key
                assert child in tables, f"[{table}] {key} is a table, so [{child}] needs its own heading"


def test_parser_reads_rows() -> None:
    # Guards against a heading or row format change that would leave every table empty and the checks vacuous.
    tables = documented_tables()
    assert tables[TOP_LEVEL]["state_dir"][2] == "`ONBOARD_STATE_DIR`"
    assert documented_default("`[\"yarn\", \"build\"]`") == ["yarn", "build"]
    assert documented_default("none") is None


GUIDE = DOC.parent / "operator-guide.md"


def guide_example() -> dict[str, Any]:
    """Return the onboard.toml example of the operator's guide: the TOML block whose first line is `# onboard.toml`."""
    blocks = re.findall(r"```toml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    examples = [block for block in blocks if block.startswith("# onboard.toml\n")]
    assert len(examples) == 1, "the guide needs exactly one TOML block starting with `# onboard.toml`"
    return tomllib.loads(examples[0])


@pytest.mark.parametrize("table", sorted(MODELS))
def test_guide_example_is_valid(table: str) -> None:
    data: Any = guide_example()
    for part in table.split(".") if table else []:
        data = data.get(part)
        if data is None:
            pytest.skip(f"the example has no [{table}]")
    if not table:
        data = {key: value for key, value in data.items() if not isinstance(value, dict)}
    MODELS[table].model_validate(data)


def test_guide_example_covers_every_section() -> None:
    example = guide_example()
    top_sections = {table.split(".")[0] for table in MODELS if table}
    assert top_sections - set(example) == set()
