from pathlib import Path

import pytest

from onboard.config import ConfigError, Section, load_config


class Sample(Section):
    backend: str = "dotenv"
    parallel: int = 2


def test_env_overrides_nested_keys(tmp_path: Path) -> None:
    path = tmp_path / "onboard.toml"
    path.write_text('[secrets]\nbackend = "infisical"\n')
    config = load_config(path, env={"ONBOARD_SECRETS__BACKEND": "dotenv", "ONBOARD_SECRETS__PARALLEL": "4"})
    section = config.section("secrets", Sample)
    assert section.backend == "dotenv"
    assert section.parallel == 4


def test_unknown_key_names_the_section(tmp_path: Path) -> None:
    path = tmp_path / "onboard.toml"
    path.write_text('[secrets]\nbakend = "x"\n')
    with pytest.raises(ConfigError) as raised:
        load_config(path, env={}).section("secrets", Sample)
    assert "[secrets]" in raised.value.message
    assert "bakend" in (raised.value.cause or "")


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml", env={})


def test_default_file_is_optional(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(None, env={})
    assert config.path is None
    assert config.state_dir == tmp_path / ".onboard"


def test_relative_paths_resolve_against_the_file(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "onboard.toml"
    path.parent.mkdir()
    path.write_text('state_dir = "state"\n')
    assert load_config(path, env={}).state_dir == tmp_path / "conf" / "state"


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "onboard.toml"
    path.write_text("[broken\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path, env={})


def test_redacted_masks_secret_values_but_not_variable_names(tmp_path: Path) -> None:
    path = tmp_path / "onboard.toml"
    path.write_text('[npm]\ntoken = "abc"\ntoken_env = "NPM_TOKEN"\n[database]\nurl = "postgres://u:pw@h/db"\n')
    shown = load_config(path, env={}).redacted()
    assert shown["npm"] == {"token": "***", "token_env": "NPM_TOKEN"}
    assert "pw" not in shown["database"]["url"]


def test_env_file_values_under_process_environment(tmp_path: Path) -> None:
    (tmp_path / "run.env").write_text("RPC_URL=http://127.0.0.1:8545\nPRIVATE_KEY=0xabc123abc123\n")
    path = tmp_path / "onboard.toml"
    path.write_text('env_file = "run.env"\n')
    env = load_config(path, env={}).run_env({"RPC_URL": "http://127.0.0.1:9999"})
    assert env["RPC_URL"] == "http://127.0.0.1:9999"
    assert env["PRIVATE_KEY"] == "0xabc123abc123"


def test_missing_env_file_named(tmp_path: Path) -> None:
    path = tmp_path / "onboard.toml"
    path.write_text('env_file = "missing.env"\n')
    with pytest.raises(ConfigError, match="missing.env not found"):
        load_config(path, env={}).run_env({})
