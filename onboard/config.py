"""`onboard.toml`: where the repositories, registries and backends are. Every key can be overridden by an
`ONBOARD_*` environment variable, with `__` between nested keys (`ONBOARD_SECRETS__BACKEND=dotenv`).

Each stage validates its own section with its own model through `Config.section`, so a typo in a key is
reported by the stage that reads it, with the file and the key.
"""

from __future__ import annotations

import copy
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from onboard.errors import ConfigError

DEFAULT_CONFIG = Path("onboard.toml")
ENV_PREFIX = "ONBOARD_"
# Variables that configure onboard itself or its tests, not a key of onboard.toml.
_NOT_KEYS = {"ONBOARD_CONFIG", "ONBOARD_NODE_CACHE"}
_SECRET_WORDS = ("secret", "token", "password", "private_key", "api_key", "url")

Model = TypeVar("Model", bound=BaseModel)


class Section(BaseModel):
    """Base of every configuration section model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CoreSection(Section):
    state_dir: str = ".onboard"
    specs_dir: str = "network_specs"
    # A dotenv file whose variables are added to the run's environment; variables already set win.
    env_file: str | None = None


def _parse_env_value(raw: str) -> Any:
    """Read `true`, numbers and JSON lists as such; anything else stays a string."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def _env_overrides(env: Mapping[str, str]) -> dict[str, str]:
    """Return the dotted key each ONBOARD_* variable sets, mapped to the variable's name."""
    found = {}
    for variable in env:
        if not variable.startswith(ENV_PREFIX) or variable in _NOT_KEYS or variable.startswith("ONBOARD_TEST_"):
            continue
        keys = [part.lower() for part in variable[len(ENV_PREFIX) :].split("__") if part]
        if keys:
            found[".".join(keys)] = variable
    return found


def _apply_env(data: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    merged = copy.deepcopy(data)
    for variable, raw in sorted(env.items()):
        if not variable.startswith(ENV_PREFIX) or variable in _NOT_KEYS or variable.startswith("ONBOARD_TEST_"):
            continue
        keys = [part.lower() for part in variable[len(ENV_PREFIX) :].split("__") if part]
        if not keys:
            continue
        target = merged
        for key in keys[:-1]:
            existing = target.get(key)
            if not isinstance(existing, dict):
                existing = target[key] = {}
            target = existing
        target[keys[-1]] = _parse_env_value(raw)
    return merged


@dataclass(frozen=True)
class Config:
    """The merged configuration: file, then ONBOARD_* overrides. Relative paths resolve against `root`."""

    data: Mapping[str, Any]
    path: Path | None
    root: Path
    # Dotted key -> the ONBOARD_* variable that set it, so errors can name the variable.
    overrides: Mapping[str, str] = field(default_factory=dict)
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def section(self, name: str, model: type[Model]) -> Model:
        """Validate one section (or the top level when `name` is empty) with `model`."""
        key = f"{name}:{model.__qualname__}"
        if key not in self._cache:
            raw = self.data if not name else self.data.get(name, {})
            if not name:
                raw = {k: v for k, v in raw.items() if not isinstance(v, dict)}
            if name and name not in self.data and _has_required_fields(model):
                raise ConfigError(
                    f"the [{name}] section is missing from {self.path or 'the configuration'}",
                    fix=f"add [{name}] to onboard.toml (docs/configuration.md lists its keys), "
                    "or run `onboard sandbox up --dir DIR` for a complete example",
                )
            try:
                self._cache[key] = model.model_validate(raw)
            except ValidationError as err:
                raise ConfigError(
                    f"invalid [{name or 'top level'}] section in {self.path or 'the configuration'}",
                    cause="; ".join(self._describe(name, error) for error in err.errors(include_url=False)),
                    fix="correct the key in onboard.toml or its ONBOARD_* variable; `onboard config show` prints both",
                ) from err
        return self._cache[key]

    def _describe(self, section: str, error: Mapping[str, Any]) -> str:
        location = ".".join(str(part) for part in error["loc"])
        variable = self.overrides.get(f"{section}.{location}" if section else location)
        source = f" (set by {variable})" if variable else ""
        return f"{location}{source}: {error['msg']}"

    def resolve(self, value: str | Path) -> Path:
        path = Path(os.path.expanduser(str(value)))
        return path if path.is_absolute() else (self.root / path).resolve()

    @property
    def core(self) -> CoreSection:
        return self.section("", CoreSection)

    @property
    def state_dir(self) -> Path:
        return self.resolve(self.core.state_dir)

    @property
    def specs_dir(self) -> Path:
        return self.resolve(self.core.specs_dir)

    def run_env(self, environ: Mapping[str, str]) -> dict[str, str]:
        """Return the environment stages read: `env_file` values overlaid by `environ`, all registered as secrets."""
        from onboard.secrets.dotenv import read_file

        merged: dict[str, str] = {}
        if self.core.env_file:
            path = self.resolve(self.core.env_file)
            if not path.is_file():
                raise ConfigError(f"env_file {path} not found", fix="create it, or remove env_file from onboard.toml")
            merged.update(read_file(path))
        merged.update(environ)
        return merged

    def redacted(self) -> dict[str, Any]:
        """Return the data with values of secret-looking keys masked, for `onboard config show`."""
        return _mask(self.data)


def _has_required_fields(model: type[BaseModel]) -> bool:
    return any(field.is_required() for field in model.model_fields.values())


def _mask(data: Any, key: str = "") -> Any:
    if isinstance(data, Mapping):
        return {name: _mask(value, name) for name, value in data.items()}
    if isinstance(data, list):
        return [_mask(item, key) for item in data]
    lowered = key.lower()
    names_a_variable = lowered.endswith("_env") or lowered.endswith("env_key")
    if isinstance(data, str) and any(word in lowered for word in _SECRET_WORDS) and not names_a_variable:
        from onboard.redact import redact

        return redact(data) if lowered.endswith("url") else "***"
    return data


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read the configuration file (optional when it is the default) and apply ONBOARD_* overrides."""
    env = os.environ if env is None else env
    explicit = path is not None or "ONBOARD_CONFIG" in env
    path = Path(path or env.get("ONBOARD_CONFIG") or DEFAULT_CONFIG)

    data: dict[str, Any] = {}
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{path} is not valid TOML", cause=str(err), fix="fix the syntax at that line") from err
    elif explicit:
        raise ConfigError(
            f"configuration file not found: {path}",
            fix="pass an existing file with --config, or run `onboard sandbox up --dir DIR` to create one",
        )

    root = path.resolve().parent if path.is_file() else Path.cwd()
    return Config(
        data=_apply_env(data, env), path=path if path.is_file() else None, root=root, overrides=_env_overrides(env)
    )


class RepoSection(Section):
    """A git checkout onboard changes: the Sphinx monorepo or the platform repository."""

    path: str


def repo_path(config: Config, section: str) -> Path:
    """Return the configured checkout path of `monorepo` or `platform`, checked to be a git work tree."""
    repo = config.section(section, RepoSection)
    path = config.resolve(repo.path)
    if not (path / ".git").exists():
        raise ConfigError(
            f"[{section}] path {path} is not a git checkout",
            fix=f"set [{section}] path in onboard.toml (or ONBOARD_{section.upper()}__PATH) to your clone",
        )
    return path
