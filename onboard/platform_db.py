"""The parts of the platform's Postgres database the register stage reads and writes: the `networks` table and
the `"Currency"` enum.

The table is `networks(id INTEGER primary key = chain id, created, modified, name TEXT unique, display_name TEXT,
deprecated BOOLEAN default false)`, created by the platform's Prisma schema. Prisma sets `modified` itself
(`@updatedAt`), so plain SQL must set it too.
"""

from __future__ import annotations

import contextlib
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import psycopg.sql

from onboard.errors import StageError
from onboard.redact import redact

STAGE = "register"
INSERT, UPDATE, REACTIVATE, UNCHANGED = "insert", "update", "reactivate", "unchanged"

# Query parameters of Prisma connection URLs that libpq does not know and rejects.
_PRISMA_ONLY_PARAMETERS = {
    "pgbouncer", "connection_limit", "pool_timeout", "statement_cache_size", "socket_timeout", "schema",
}  # fmt: skip


def libpq_url(url: str) -> str:
    """Turn a Prisma connection URL into one libpq accepts: Prisma's `schema=` becomes a search_path option."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    libpq_query = [(key, value) for key, value in query if key not in _PRISMA_ONLY_PARAMETERS]
    schema = next((value for key, value in query if key == "schema"), None)
    if schema:
        libpq_query.append(("options", f"-csearch_path={schema}"))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(libpq_query)))


def connect(url: str, *, variable: str, timeout: int) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(libpq_url(url), connect_timeout=timeout)
    except psycopg.Error as err:
        raise StageError(
            STAGE,
            f"cannot connect to the platform database named by {variable}",
            cause=redact(str(err)).strip(),
            fix=f"check that the database runs and that {variable} holds its URL, then run again",
        ) from err


@contextlib.contextmanager
def query_errors(action: str) -> Iterator[None]:
    """Turn a psycopg error raised inside the block into a StageError; the transaction has been rolled back."""
    try:
        yield
    except psycopg.Error as err:
        raise StageError(
            STAGE,
            f"database query failed while {action}",
            cause=redact(str(err)).strip(),
            fix="check that the URL names the platform database and that its user may read and write `networks`",
        ) from err


def currency_labels(connection: psycopg.Connection[Any]) -> list[str]:
    """Return the labels of the `"Currency"` enum in declaration order; raise when the type is missing."""
    found = connection.execute("""SELECT to_regtype('"Currency"') IS NOT NULL""").fetchone()
    if not found or not found[0]:
        raise StageError(
            STAGE,
            'the database has no "Currency" enum',
            cause="the URL may name another database, or the platform's migrations have not run",
            fix="point the URL at the platform database and run `prisma migrate deploy` in website/server",
        )
    rows = connection.execute("""SELECT unnest(enum_range(NULL::"Currency"))::text""").fetchall()
    return [row[0] for row in rows]


def currency_migration_sql(currency: str) -> str:
    """Return the migration that adds `currency` to the enum, in the form Prisma migrate writes it.

    The spec model restricts currency symbols to letters and digits, so the literal needs no escaping.
    """
    return f"-- AlterEnum\nALTER TYPE \"Currency\" ADD VALUE '{currency}';\n"


@dataclass(frozen=True)
class NetworkRow:
    id: int
    name: str
    display_name: str
    deprecated: bool


@dataclass(frozen=True)
class Decision:
    """The upsert's action on the network's row, and the row found before it."""

    action: str
    existing: NetworkRow | None


def rows_for(connection: psycopg.Connection[Any], *, chain_id: int, name: str, lock: bool) -> list[NetworkRow]:
    """Return the rows that have the chain id or the name, locked for update when `lock`."""
    query = "SELECT id, name, display_name, deprecated FROM networks WHERE id = %s OR name = %s"
    rows = connection.execute(query + (" FOR UPDATE" if lock else ""), (chain_id, name)).fetchall()
    return [NetworkRow(*row) for row in rows]


def decide(rows: list[NetworkRow], *, chain_id: int, name: str, display_name: str, reactivate: bool) -> Decision:
    """Choose insert, update, reactivate or nothing; raise on a conflicting name or a deprecated row."""
    for row in rows:
        if row.name == name and row.id != chain_id:
            raise StageError(
                STAGE,
                f"network name {name!r} already belongs to chain id {row.id}, not {chain_id}",
                cause="names are unique in the networks table and the platform resolves networks by name",
                fix="check chain_id in the spec; if the row is stale, fix it in the database by hand",
            )
        if row.id == chain_id and row.name != name:
            raise StageError(
                STAGE,
                f"chain id {chain_id} is already registered as {row.name!r}, not {name!r}",
                cause="renaming a network would break every deployment recorded under the old name",
                fix=f"use name = {row.name!r} in the spec, or rename the row by hand if that is intended",
            )
    existing = next((row for row in rows if row.id == chain_id), None)
    if existing is None:
        return Decision(INSERT, None)
    if existing.deprecated:
        if not reactivate:
            raise StageError(
                STAGE,
                f"network {name!r} (chain id {chain_id}) is marked deprecated in the platform database",
                cause="someone retired it on purpose; onboard does not clear the flag on its own",
                fix="set [register] reactivate = true in onboard.toml to clear it, then run again",
            )
        return Decision(REACTIVATE, existing)
    if existing.display_name != display_name:
        return Decision(UPDATE, existing)
    return Decision(UNCHANGED, existing)


_INSERT_SQL = (
    "INSERT INTO networks (id, name, display_name, deprecated, created, modified) "
    "VALUES (%s, %s, %s, false, now(), now())"
)
_UPDATE_SQL = "UPDATE networks SET display_name = %s, deprecated = false, modified = now() WHERE id = %s"


def _statement(decision: Decision, *, chain_id: int, name: str, display_name: str) -> tuple[str, tuple[Any, ...]] | None:
    if decision.action == INSERT:
        return _INSERT_SQL, (chain_id, name, display_name)
    if decision.action in (UPDATE, REACTIVATE):
        return _UPDATE_SQL, (display_name, chain_id)
    return None


def write(
    connection: psycopg.Connection[Any], decision: Decision, *, chain_id: int, name: str, display_name: str
) -> None:
    statement = _statement(decision, chain_id=chain_id, name=name, display_name=display_name)
    if statement is not None:
        connection.execute(*statement)


def planned_sql(
    connection: psycopg.Connection[Any], decision: Decision, *, chain_id: int, name: str, display_name: str
) -> str | None:
    """Return the statement `write` would run, with its values quoted by the server's rules, for a dry run."""
    statement = _statement(decision, chain_id=chain_id, name=name, display_name=display_name)
    if statement is None:
        return None
    query, values = statement
    composed = psycopg.sql.SQL(query.replace("%s", "{}")).format(*map(psycopg.sql.Literal, values))
    return composed.as_string(connection) + ";"


def read_row(connection: psycopg.Connection[Any], chain_id: int) -> dict[str, Any] | None:
    row = connection.execute(
        "SELECT id, name, display_name, deprecated, created, modified FROM networks WHERE id = %s", (chain_id,)
    ).fetchone()
    if row is None:
        return None
    keys = ("id", "name", "display_name", "deprecated", "created", "modified")
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in zip(keys, row, strict=True)
    }
