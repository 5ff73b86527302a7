"""The register stage against a real PostgreSQL server with the platform's table shape."""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest

from onboard.errors import StageError
from onboard.sandbox.anvil import free_port
from onboard.stages.register import RegisterStage


@pytest.fixture
def database_url(postgres) -> str:
    return postgres.create_database(f"platform_{uuid.uuid4().hex[:10]}")


def _context(make_context, url: str, *, register: dict | None = None, network=None):
    env = {"PATH": os.environ["PATH"], "POSTGRES_PRISMA_URL": url}
    return make_context({"register": register or {}}, env=env, network=network)


def _rows(url: str) -> list[tuple]:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT id, name, display_name, deprecated, created, modified FROM networks ORDER BY id"
        ).fetchall()


def _insert(url: str, chain_id: int, name: str, *, deprecated: bool = False) -> None:
    with psycopg.connect(url) as connection:
        connection.execute(
            "INSERT INTO networks (id, name, display_name, deprecated, modified) VALUES (%s, %s, %s, %s, now())",
            (chain_id, name, name.title(), deprecated),
        )


def test_upsert_twice_changes_nothing(database_url, make_context):
    stage = RegisterStage()
    ctx = _context(make_context, database_url)
    assert stage.plan(ctx).summary == "insert network unichain (chain id 130)"

    first = stage.apply(ctx)
    rows = _rows(database_url)
    second = stage.apply(_context(make_context, database_url))

    assert first["action"] == "insert"
    assert len(rows) == 1
    assert rows[0][:4] == (130, "unichain", "Unichain", False)
    assert second["action"] == "unchanged"
    assert _rows(database_url) == rows
    assert stage.plan(ctx).changes is False
    stage.verify(ctx, second)


def test_display_name_updated(database_url, make_context, spec):
    stage = RegisterStage()
    stage.apply(_context(make_context, database_url))
    before = _rows(database_url)[0]
    renamed = spec.model_copy(update={"display_name": "Unichain Mainnet"})

    outputs = stage.apply(_context(make_context, database_url, network=renamed))

    after = _rows(database_url)[0]
    assert outputs["action"] == "update"
    assert after[2] == "Unichain Mainnet"
    assert after[4] == before[4]
    assert after[5] > before[5]


def test_name_of_another_chain_rejected(database_url, make_context):
    _insert(database_url, 999, "unichain")

    with pytest.raises(StageError) as caught:
        RegisterStage().apply(_context(make_context, database_url))

    assert caught.value.message == "stage register: network name 'unichain' already belongs to chain id 999, not 130"
    assert [row[:2] for row in _rows(database_url)] == [(999, "unichain")]


def test_chain_id_under_another_name_rejected(database_url, make_context):
    _insert(database_url, 130, "unichain_old")

    with pytest.raises(StageError) as caught:
        RegisterStage().apply(_context(make_context, database_url))

    assert "chain id 130 is already registered as 'unichain_old'" in caught.value.message
    assert [row[:2] for row in _rows(database_url)] == [(130, "unichain_old")]


def test_deprecated_row_kept_unless_reactivated(database_url, make_context):
    _insert(database_url, 130, "unichain", deprecated=True)

    with pytest.raises(StageError) as caught:
        RegisterStage().apply(_context(make_context, database_url))
    assert "is marked deprecated" in caught.value.message
    assert "reactivate = true" in caught.value.fix
    assert _rows(database_url)[0][3] is True

    outputs = RegisterStage().apply(_context(make_context, database_url, register={"reactivate": True}))
    assert outputs["action"] == "reactivate"
    assert _rows(database_url)[0][3] is False


def test_new_currency_stops_with_migration(database_url, make_context, spec, capsys):
    network = spec.model_copy(update={"currency": "UNI"})
    ctx = _context(make_context, database_url, network=network)
    expected_sql = "-- AlterEnum\nALTER TYPE \"Currency\" ADD VALUE 'UNI';\n"

    with pytest.raises(StageError) as caught:
        RegisterStage().apply(ctx)

    assert caught.value.message == "stage register: currency 'UNI' is not a label of the database's \"Currency\" enum"
    migration = ctx.state_dir / "register-currency-UNI.sql"
    assert migration.read_text(encoding="utf-8") == expected_sql
    assert "ALTER TYPE \"Currency\" ADD VALUE 'UNI';" in capsys.readouterr().err
    assert _rows(database_url) == []

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(migration.read_text(encoding="utf-8"))
    outputs = RegisterStage().apply(_context(make_context, database_url, network=network))
    assert outputs["action"] == "insert"
    with psycopg.connect(database_url) as connection:
        connection.execute(
            'INSERT INTO "TransactionCosts" (id, modified, "chainId", cost, currency, "txHash") '
            "VALUES ('c1', now(), 130, '1', 'UNI', '0x01')"
        )


def test_prisma_url_parameters_accepted(database_url, make_context):
    url = f"{database_url}?pgbouncer=true&schema=public&connection_limit=1&connect_timeout=5"

    outputs = RegisterStage().apply(_context(make_context, url))

    assert outputs["action"] == "insert"


def test_unreachable_database_hides_password(make_context):
    url = f"postgresql://platform:Sup3rSecretPw@127.0.0.1:{free_port()}/platform"

    with pytest.raises(StageError) as caught:
        RegisterStage().apply(_context(make_context, url))

    assert (
        caught.value.message == "stage register: cannot connect to the platform database named by POSTGRES_PRISMA_URL"
    )
    assert "Sup3rSecretPw" not in str(caught.value)


def test_missing_url_variable_named(make_context):
    ctx = make_context({"register": {"database_url_env": "PLATFORM_DB_URL"}}, env={"PATH": os.environ["PATH"]})

    with pytest.raises(StageError) as caught:
        RegisterStage().apply(ctx)

    assert "PLATFORM_DB_URL is missing or empty" in caught.value.message


def test_missing_table_reported(postgres, make_context):
    url = postgres.create_database(f"empty_{uuid.uuid4().hex[:10]}", platform_schema=False)
    with psycopg.connect(url) as connection:
        connection.execute("""CREATE TYPE "Currency" AS ENUM ('ETH')""")

    with pytest.raises(StageError) as caught:
        RegisterStage().apply(_context(make_context, url))

    assert caught.value.message == "stage register: database query failed while upserting the network"
    assert 'relation "networks" does not exist' in caught.value.cause


def test_database_without_currency_enum_rejected(postgres, make_context):
    url = postgres.create_database(f"empty_{uuid.uuid4().hex[:10]}", platform_schema=False)

    with pytest.raises(StageError) as caught:
        RegisterStage().apply(_context(make_context, url))

    assert caught.value.message == 'stage register: the database has no "Currency" enum'
