"""Stage `register`: add the network to the platform database, so the platform accepts proposals on the chain.

The platform rejects proposals with 409 "Unsupported network" for a chain without a non-deprecated row in
`networks`. The stage upserts that row in one transaction. It first checks that the spec's native currency is a
label of the `"Currency"` enum. When it is not, the stage stops and writes the migration the operator must apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field

from onboard import platform_db
from onboard.config import Section
from onboard.errors import StageError
from onboard.fsutil import atomic_write
from onboard.stages.base import Context, Plan, Stage

NAME = "register"


class RegisterSection(Section):
    database_url_env: str = Field(default="POSTGRES_PRISMA_URL", description="Variable holding the database URL.")
    connect_timeout: int = Field(default=10, ge=1, le=300, description="Seconds.")
    reactivate: bool = Field(default=False, description="Clear `deprecated` on an existing row of the network.")


class RegisterStage(Stage):
    name = NAME
    description = "Upsert the network into the platform database's networks table"

    def inputs(self, ctx: Context) -> Mapping[str, Any]:
        spec = ctx.spec
        return {
            "chain_id": spec.chain_id,
            "name": spec.name,
            "display_name": spec.display_name,
            "currency": spec.currency,
        }

    def _connect(self, ctx: Context):  # noqa: ANN202 - psycopg.Connection
        settings = ctx.config.section(NAME, RegisterSection)
        url = ctx.secret(settings.database_url_env, purpose="the platform database URL", stage=NAME)
        return platform_db.connect(url, variable=settings.database_url_env, timeout=settings.connect_timeout)

    def _decide(self, ctx: Context, connection: Any, *, lock: bool) -> platform_db.Decision:
        settings = ctx.config.section(NAME, RegisterSection)
        self._check_currency(ctx, platform_db.currency_labels(connection))
        spec = ctx.spec
        rows = platform_db.rows_for(connection, chain_id=spec.chain_id, name=spec.name, lock=lock)
        return platform_db.decide(
            rows, chain_id=spec.chain_id, name=spec.name, display_name=spec.display_name, reactivate=settings.reactivate
        )

    def _check_currency(self, ctx: Context, labels: list[str]) -> None:
        currency = ctx.spec.currency
        if currency in labels:
            return
        sql = platform_db.currency_migration_sql(currency)
        path = self.migration_path(ctx)
        # A dry run writes nothing: the migration is in the error message either way.
        where = "the migration below"
        if not ctx.dry_run:
            atomic_write(path, sql)
            where = str(path)
        ctx.console.print(f"register: the database needs this migration before {ctx.spec.name} can be added:\n{sql}")
        raise StageError(
            NAME,
            f'currency {currency!r} is not a label of the database\'s "Currency" enum',
            cause=f"the enum has {', '.join(labels)}; apply this migration first:\n{sql.rstrip()}",
            fix=f"add {currency} to `enum Currency` in the platform's schema.prisma and apply {where} "
            "(prisma migrate, or psql -f), then run again",
        )

    def migration_path(self, ctx: Context) -> Path:
        return ctx.state_dir / f"register-currency-{ctx.spec.currency}.sql"

    def summarize(self, outputs: Mapping[str, Any]) -> str:
        row = outputs.get("row") or {}
        return f"{outputs.get('action')}: networks row {row.get('id')} '{row.get('name')}'"

    def plan(self, ctx: Context) -> Plan:
        spec = ctx.spec
        with platform_db.query_errors("planning"), self._connect(ctx) as connection:
            decision = self._decide(ctx, connection, lock=False)
            sql = platform_db.planned_sql(
                connection, decision, chain_id=spec.chain_id, name=spec.name, display_name=spec.display_name
            )
            connection.rollback()
        summaries = {
            platform_db.INSERT: f"insert network {spec.name} (chain id {spec.chain_id})",
            platform_db.UPDATE: f"update the display name of {spec.name} to {spec.display_name!r}",
            platform_db.REACTIVATE: f"clear `deprecated` on {spec.name} (reactivate = true)",
            platform_db.UNCHANGED: f"network {spec.name} is already registered",
        }
        changes = decision.action != platform_db.UNCHANGED
        details = (f"SQL (one transaction): {sql}",) if sql else ()
        return Plan(NAME, summaries[decision.action], changes, details=details, data={"action": decision.action, "sql": sql})

    def apply(self, ctx: Context) -> dict[str, Any]:
        spec = ctx.spec
        with platform_db.query_errors("upserting the network"), self._connect(ctx) as connection:
            with connection.transaction():
                decision = self._decide(ctx, connection, lock=True)
                platform_db.write(
                    connection, decision, chain_id=spec.chain_id, name=spec.name, display_name=spec.display_name
                )
                row = platform_db.read_row(connection, spec.chain_id)
        if decision.action == platform_db.UNCHANGED:
            ctx.console.print(f"register: network {spec.name} (chain id {spec.chain_id}) is already registered")
        else:
            ctx.console.print(f"register: {decision.action} network {spec.name} (chain id {spec.chain_id})")
        return {"action": decision.action, "row": row}

    def verify(self, ctx: Context, outputs: Mapping[str, Any]) -> None:
        spec = ctx.spec
        with platform_db.query_errors("verifying the row"), self._connect(ctx) as connection:
            row = platform_db.read_row(connection, spec.chain_id)
        expected = {"id": spec.chain_id, "name": spec.name, "display_name": spec.display_name, "deprecated": False}
        found = {key: row[key] for key in expected} if row else None
        if found != expected:
            raise StageError(
                NAME,
                f"the networks row of chain id {spec.chain_id} is {found}, expected {expected}",
                fix="run the register stage again",
            )
