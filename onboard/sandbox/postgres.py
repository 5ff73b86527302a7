"""A real PostgreSQL server (Debian's postgresql package) on 127.0.0.1 and a free port, in a temporary folder.

PostgreSQL exits at start when run as root. So when this process is root, the folder is handed to the `postgres`
system user (created by the Debian package), and `initdb` and `postgres` run as that user through `setpriv`.
`setpriv` changes the user and then executes the program in its own process, so the PID we hold is the server's
own PID, and the server is stopped by that PID.
`platform_schema_sql()` creates the platform's tables the onboard stages touch, in the upstream shape.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from onboard import proc
from onboard.errors import CommandError
from onboard.sandbox.anvil import free_port
from onboard.spec import CURRENCIES

SERVER_USER = "postgres"
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 15.0
PACKAGE_BIN_ROOT = Path("/usr/lib/postgresql")


def platform_schema_sql() -> str:
    """Return the DDL of the platform tables onboard reads and writes, as Prisma's migrations create them.

    `networks` is the table the register stage upserts into. `"TransactionCosts"` is the platform table whose
    `currency` column uses the `"Currency"` enum, which is why a network with a new native currency needs a
    migration of that enum first.
    """
    labels = ", ".join(f"'{currency}'" for currency in CURRENCIES)
    return f"""
CREATE TYPE "Currency" AS ENUM ({labels});

CREATE TABLE networks (
    id INTEGER NOT NULL PRIMARY KEY,
    created TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    modified TIMESTAMP(3) NOT NULL,
    name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    deprecated BOOLEAN NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX networks_name_key ON networks (name);

CREATE TABLE "TransactionCosts" (
    id TEXT NOT NULL PRIMARY KEY,
    created TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    modified TIMESTAMP(3) NOT NULL,
    "chainId" INTEGER NOT NULL REFERENCES networks (id),
    cost TEXT NOT NULL,
    currency "Currency" NOT NULL,
    "txHash" TEXT NOT NULL
);
"""


@dataclass
class Postgres:
    """A running server; `url(database)` is a libpq URL for the trusted `postgres` role over TCP."""

    port: int
    folder: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, *, platform_schema: bool = True) -> str:
        """Create a database, with the platform tables when `platform_schema` is true, and return its URL."""
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        if platform_schema:
            with psycopg.connect(self.url(name)) as connection:
                connection.execute(platform_schema_sql())
        return self.url(name)

    def stop(self) -> None:
        """Stop the server by PID with a fast shutdown (SIGINT), which does not wait for clients."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                proc.stop(self.process)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Postgres:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def find_bin_dir() -> Path:
    """Return the newest `/usr/lib/postgresql/<major>/bin` folder that has `initdb`."""
    candidates = sorted(
        (path for path in PACKAGE_BIN_ROOT.glob("*/bin") if (path / "initdb").exists()),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    if not candidates:
        raise CommandError(
            f"PostgreSQL server binaries not found under {PACKAGE_BIN_ROOT}",
            fix="apt-get install -y postgresql",
        )
    return candidates[-1]


def _as_server_user(args: Sequence[str]) -> list[str]:
    """Prefix `args` so they run as the `postgres` user when we are root; PostgreSQL refuses root."""
    if os.geteuid() != 0:
        return list(args)
    return ["setpriv", f"--reuid={SERVER_USER}", f"--regid={SERVER_USER}", "--init-groups", "--", *args]


def _make_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="onboard-postgres-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam(SERVER_USER)
        os.chown(folder, account.pw_uid, account.pw_gid)
    return folder


def start_postgres(*, port: int | None = None) -> Postgres:
    """Initialise a cluster in a new temporary folder and start it on 127.0.0.1; wait until it accepts queries."""
    bin_dir = find_bin_dir()
    folder = _make_folder()
    data = folder / "data"
    port = port or free_port()
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", SERVER_USER, "--auth=trust", "-E", "UTF8", "--no-sync"]
    proc.run(_as_server_user(initdb), cwd=folder, timeout=120)

    server = [
        str(bin_dir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(folder),
        "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off",
    ]  # fmt: skip
    process = proc.start(_as_server_user(server), cwd=folder, log_file=folder / "server.log")
    postgres = Postgres(port=port, folder=folder, process=process)
    _wait_until_ready(postgres)
    return postgres


def _wait_until_ready(postgres: Postgres) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    last_error = "no attempt"
    while time.monotonic() < deadline:
        if postgres.process.poll() is not None:
            log = (postgres.folder / "server.log").read_text(errors="replace")[-2000:]
            postgres.stop()
            raise CommandError(
                f"postgres exited with code {postgres.process.returncode} at start",
                cause=log,
                fix=f"check that port {postgres.port} is free and that the user {SERVER_USER} exists",
            )
        try:
            with psycopg.connect(postgres.url(), connect_timeout=2) as connection:
                connection.execute("SELECT 1")
            return
        except psycopg.OperationalError as err:
            last_error = str(err)
            time.sleep(0.1)
    postgres.stop()
    raise CommandError(f"postgres did not accept connections on port {postgres.port}", cause=last_error)
