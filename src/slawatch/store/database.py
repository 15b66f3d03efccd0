"""The database connection under the store: URL checks, engine, transactions, migrations.

SQLite (default) or PostgreSQL, chosen by URL. ``Database.migrate`` brings the
schema to Alembic's head, once even when several processes start together; a
database that could not be migrated when it was opened is at its first transaction.

After a transaction fails with the database unavailable, the pooled connections
are dropped and the next one connects anew: a connection can stay broken after the
failure that revealed it (SQLite opens a file it may not write read-only, and keeps
it read-only once the file becomes writable; a PostgreSQL restart leaves the pool
with dead connections).

Errors (``StoreError`` never wraps a bug, only a database that cannot be used)::

    StoreError          bad URL, missing SQLite directory, not a database, schema
     |                  newer than this slawatch
     +-- Unavailable    server unreachable or hung up, database locked or read-only:
     |                  the same call may work later
     +-- NotFound       no such record, or no longer active (also a LookupError)
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Engine, Table, create_engine, event, func, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from slawatch.config.redact import mask_credentials
from slawatch.errors import SlawatchError

if TYPE_CHECKING:
    import psycopg
    from alembic.config import Config

_MIGRATIONS = Path(__file__).with_name("migrations")
# The last migration's revision: a database there needs no Alembic, which takes a
# tenth of a second to import (tests/store/test_store.py checks it is Alembic's head).
HEAD = "0008"
_SUPPORTED = {"sqlite", "sqlite+pysqlite", "postgresql+psycopg"}
_WRITE = "slawatch_write"  # execution option: this transaction writes (see _sqlite_begin)
_SQLITE_PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "busy_timeout=30000",
    "foreign_keys=ON",
)
_MIGRATION_LOCK = 0x736C6177  # PostgreSQL advisory lock key: concurrent first starts migrate once


class StoreError(SlawatchError):
    """The database cannot be used; the message names it (without password) and why."""


class Unavailable(StoreError):
    """The database did not answer, or would not take the work for now (down, hung up,
    locked, read-only): the same call may work later."""


class NotFound(StoreError, LookupError):
    """No record with that id, or it was already cancelled or revoked."""


def engine_for(text: str, existing: bool = False) -> Engine:
    """An engine for ``text``; raises ``StoreError`` for what no connection could fix.

    ``existing``: an SQLite file that is not there is an error, not a new database
    (a command that only reads would otherwise answer from an empty one)."""
    try:
        url = make_url(text)
    except ArgumentError:
        raise StoreError(
            f"invalid database URL {mask_credentials(text)!r} "
            "(expected e.g. sqlite:///var/lib/slawatch.db or postgresql+psycopg://user@host/db)"
        ) from None
    name = url.render_as_string(hide_password=True)
    if url.drivername not in _SUPPORTED:
        raise StoreError(
            f"database {name}: unsupported; use sqlite:///PATH or postgresql+psycopg://..."
        )
    if url.get_backend_name() == "sqlite":
        _check_sqlite_file(url, name, existing)
    engine = create_engine(url, connect_args=connect_args(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


class Database:
    """An engine's transactions, with the database's failures raised as ``StoreError``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**{_WRITE: True})
        self._driver_errors: type[Exception] = engine.dialect.loaded_dbapi.OperationalError
        self.name = engine.url.render_as_string(hide_password=True)  # for messages
        self._migrated = False
        self._migrating = threading.Lock()

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        """Close the connections."""
        self._engine.dispose()

    @contextlib.contextmanager
    def transaction(self, write: bool = False) -> Iterator[Connection]:
        """A transaction, committed on success, on a migrated schema; a database that
        fails raises ``StoreError`` (``Unavailable`` if it may work later).

        ``write`` says the transaction will write: on SQLite it takes the lock up front.
        """
        if not self._migrated:
            self.migrate()
        with self._begin(write) as conn:
            yield conn

    def migrate(self) -> None:
        """Bring the schema to head; when it is there already, this is one query."""
        with self._migrating:
            if not self._migrated:
                self._migrate()
                self._migrated = True

    @contextlib.contextmanager
    def _begin(self, write: bool) -> Iterator[Connection]:
        try:
            with (self._writer if write else self._engine).begin() as conn:
                yield conn
        except OperationalError as exc:
            self._engine.dispose()  # connect anew next time (module docstring)
            raise Unavailable(f"database {self.name}: {describe(exc.orig)}") from exc
        except self._driver_errors as exc:  # from the driver-level paths (COPY)
            self._engine.dispose()
            raise Unavailable(f"database {self.name}: {describe(exc)}") from exc

    def _migrate(self) -> None:
        try:
            with self._begin(write=False) as conn:
                if _revision(conn) == HEAD:
                    return
            with self._begin(write=True) as conn:
                advisory_lock(conn, _MIGRATION_LOCK)
                if _revision(conn) != HEAD:  # another process may have just done it
                    _upgrade(conn, self.name)
        except DBAPIError as exc:  # e.g. a file that is not an SQLite database
            raise StoreError(f"database {self.name}: {describe(exc.orig)}") from exc


# -- engine ----------------------------------------------------------------------------------


def _check_sqlite_file(url: URL, name: str, existing: bool) -> None:
    """SQLite would fail later with "unable to open database file"; say which directory.
    When ``existing``, the file itself must be there (SQLite would create it)."""
    database = url.database or ""
    if database in ("", ":memory:") or url.query.get("uri") or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        raise StoreError(f"database {name}: directory {path.parent} does not exist")
    if existing and not path.exists():
        raise StoreError(
            f"database {name}: no such file {path.absolute()}; this command only reads "
            "(slawatch import or the agent creates it; check -c, --db or SLAWATCH_DB)"
        )


# A server that does not answer must fail the command (or the agent's write, which
# then waits in the buffer), not hang it: a bounded connect, TCP keepalives that notice a
# server gone mid-connection within ~25 s, and a statement deadline. The URL may set any
# of them (libpq parameter names); ``options`` are added to, not replaced.
_POSTGRES_DEADLINES: dict[str, Any] = {
    "connect_timeout": 10,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}
STATEMENT_TIMEOUT_MS = 300_000  # longer than any batch of an import; a hang ends here


def connect_args(url: URL) -> dict[str, Any]:
    if url.get_backend_name() != "postgresql":
        return {}
    found = {k: v for k, v in _POSTGRES_DEADLINES.items() if k not in url.query}
    options = str(url.query.get("options", ""))
    if "statement_timeout" not in options:
        found["options"] = f"{options} -c statement_timeout={STATEMENT_TIMEOUT_MS}".strip()
    return found


def _sqlite_connect(dbapi_connection: Any, _record: object) -> None:
    # WAL lets reports read while the agent writes; NORMAL is durable enough with WAL.
    # isolation_level=None stops sqlite3 from starting transactions behind our back:
    # _sqlite_begin starts them, so that DDL and reads are transactional too.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in _SQLITE_PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # A deferred transaction that reads, then writes, fails at once (no busy wait)
    # when another writer committed in between; writers take the lock up front.
    write = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


# -- migrations ------------------------------------------------------------------------------


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def _revision(conn: Connection) -> str | None:
    """The schema's revision, as Alembic records it (None before the first migration)."""
    if not conn.dialect.has_table(conn, "alembic_version"):
        return None
    return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def advisory_lock(conn: Connection, key: int) -> None:
    """Serialise the write transactions that take ``key`` until they end (on SQLite,
    BEGIN IMMEDIATE already serialises every writer)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({key})")


def schema_lock(conn: Connection, lock_class: int) -> None:
    """Like ``advisory_lock``, for the write transactions of this schema only (several
    deployments may share a database, a schema each)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            f"SELECT pg_advisory_xact_lock({lock_class}, hashtext(current_schema()))"
        )


def _upgrade(conn: Connection, name: str) -> None:
    from alembic import command
    from alembic.util.exc import CommandError

    config = _alembic_config()
    config.attributes["connection"] = conn
    try:
        command.upgrade(config, "head")
    except CommandError as exc:
        raise StoreError(f"database {name}: cannot migrate the schema: {exc}") from exc


# -- bulk reads and writes -------------------------------------------------------------------


def driver_rows(conn: Connection, query: Any, **params: Any) -> Sequence[Any]:
    """The rows of ``query`` as the driver returns them, plain tuples.

    SQLAlchemy's row objects cost about 1 µs each: as much as the timeline
    computation itself when a million samples are recomputed.
    """
    with conn.execute(query, params) as result:
        return result.cursor.fetchall()


def upsert(conn: Connection, table: Table) -> Any:
    """The dialect's ``insert`` into ``table``, which has ``on_conflict_do_nothing`` and
    ``_do_update``; imported here, as an agent on SQLite need not load the PostgreSQL
    dialect at start (50 ms)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


def greatest(conn: Connection, *values: Any) -> Any:
    """The greatest of ``values``, in SQL: SQLite's ``max`` of several arguments is
    PostgreSQL's ``greatest`` (its ``max`` is the aggregate only)."""
    return (func.greatest if conn.dialect.name == "postgresql" else func.max)(*values)


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], rows: list[Any]) -> None:
    """Insert plain tuples of ``columns`` the fastest way each database offers:
    executemany on SQLite, COPY on PostgreSQL (several times psycopg's executemany)."""
    if not rows:
        return
    names = ", ".join(columns)
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" * len(columns))
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
        return
    driver = cast("psycopg.Connection[Any]", conn.connection.driver_connection)
    with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# -- messages --------------------------------------------------------------------------------


def describe(error: object) -> str:
    """The driver's message on one line (psycopg spreads it over several), passwords
    masked (a driver may quote the connection string)."""
    text = " ".join(line.strip() for line in str(error).splitlines() if line.strip())
    return mask_credentials(text)
