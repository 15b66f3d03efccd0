"""Which of the agents on one database is the leader: the one holding a PostgreSQL
advisory lock, and the notices of changed timelines that every agent listens to.

Several agents may share a PostgreSQL database (locations, shards, pairs for high
availability). Each probes and writes, but only one must export the per-contract
series and send renewal notices, or dashboards would double count and customers get
each notice twice. The leader is the agent whose dedicated session holds the
session-level advisory lock ``(LOCK_CLASS, hashtext(current_schema()))``: one per
schema, so deployments in different schemas of one database do not share a leader.
A session-level lock lasts as long as its connection: when the holder dies (even by
kill -9), its socket closes and the server frees the lock at once; when the holder's
network is cut, the session's server-side keepalives (set below) free it within
about ``SERVER_GIVES_UP`` seconds. The holder's own checks fail as fast (a client
``tcp_user_timeout``), so it steps down by then.

The same session LISTENs on the schema's channel, where every sample import
NOTIFYs the targets whose timelines it changed or revived (``notify_changed``): an
agent learns of what the others wrote, and its forecasts stay current whether it
leads or not.

SQLite has no other agent to agree with: there, the agent always leads.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from slawatch.store.database import Unavailable, connect_args, describe
from slawatch.store.flips import TimelineNews

if TYPE_CHECKING:
    import psycopg

LOCK_CLASS = 0x736C6178  # the first key of the two-key advisory lock: the leader's
CHANNEL_PREFIX = "slawatch:"  # + the schema (or its digest): NOTIFY's channel
NAME_BYTES = 63  # PostgreSQL's identifiers, channel names included
REVIVED = "~"  # a revived target's mark in a notice (a name starts with a letter or digit)
PAYLOAD_BYTES = 7900  # NOTIFY takes at most 8,000 bytes a payload
SERVER_GIVES_UP = 11  # seconds: keepalives 5 s idle, then 3 probes 2 s apart
_SESSION_SETTINGS = (
    "SET tcp_keepalives_idle = 5",
    "SET tcp_keepalives_interval = 2",
    "SET tcp_keepalives_count = 3",
    "SET tcp_user_timeout = 10000",
)
_CLIENT_DEADLINES = {"tcp_user_timeout": 5000, "connect_timeout": 5}


def channel(conn: Connection) -> str:
    """The schema's channel (a deployment's agents share a schema); a schema name too
    long for a channel's is replaced by its digest."""
    schema = str(conn.exec_driver_sql("SELECT current_schema()").scalar())
    name = CHANNEL_PREFIX + schema
    if len(name.encode()) > NAME_BYTES:
        name = CHANNEL_PREFIX + hashlib.sha256(schema.encode()).hexdigest()[:32]
    return name


def notify_changed(conn: Connection, news: TimelineNews) -> None:
    """Tell the agents listening what ``news`` says (on PostgreSQL; sent when the
    transaction commits, never for one that rolls back): a changed target's name, a
    revived one's after ``REVIVED`` (no name starts with it)."""
    names = sorted(news.changed) + sorted(REVIVED + name for name in news.revived)
    if conn.dialect.name != "postgresql" or not names:
        return
    name = channel(conn)
    for payload in _payloads(names):
        conn.exec_driver_sql("SELECT pg_notify(%(c)s, %(p)s)", {"c": name, "p": payload})


def _payloads(names: list[str]) -> Iterator[str]:
    """Names one per line, in payloads under NOTIFY's limit."""
    batch: list[str] = []
    size = 0
    for name in names:
        length = len(name.encode()) + 1
        if batch and size + length > PAYLOAD_BYTES:
            yield "\n".join(batch)
            batch, size = [], 0
        batch.append(name)
        size += length
    if batch:
        yield "\n".join(batch)


class LeaderLock:
    """The leader lock and the change notices, on a session of their own.

    ``check`` (every few seconds, from one thread) takes the lock if it is free,
    or confirms the session holding it is alive; a failing database makes this
    agent a follower until a check finds it again."""

    def __init__(self, engine: Engine) -> None:
        self._always = engine.dialect.name != "postgresql"
        self._engine = None if self._always else _dedicated(engine)
        self._conn: Connection | None = None
        self._held = self._always
        self._news = TimelineNews()
        self.lost_notices = False  # a new session may have missed some: rebuild everything

    @property
    def held(self) -> bool:
        return self._held

    def check(self) -> bool:
        """Whether this agent leads now. Raises ``Unavailable`` when the database
        failed; the agent is a follower until a check succeeds."""
        if self._always:
            return True
        try:
            conn = self._session()
            if not self._held:
                found = conn.exec_driver_sql(
                    f"SELECT pg_try_advisory_lock({LOCK_CLASS}, hashtext(current_schema()))"
                )
                self._held = bool(found.scalar())
            else:
                conn.exec_driver_sql("SELECT 1")  # alive: the lock is still ours
            self._collect(conn)
        except DBAPIError as exc:
            self._drop()
            raise Unavailable(f"leader lock: {describe(exc.orig)}") from exc
        return self._held

    def news(self) -> TimelineNews:
        """What the writes of every agent said since the last call."""
        news, self._news = self._news, TimelineNews()
        return news

    def close(self) -> None:
        """Close the session (which frees the lock); the engine too."""
        self._drop()
        if self._engine is not None:
            self._engine.dispose()

    def _session(self) -> Connection:
        if self._conn is None:
            assert self._engine is not None
            conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            for setting in _SESSION_SETTINGS:
                conn.exec_driver_sql(setting)
            conn.exec_driver_sql(f'LISTEN "{channel(conn)}"')
            self._conn = conn
            self.lost_notices = True
        return self._conn

    def _collect(self, conn: Connection) -> None:
        driver = cast("psycopg.Connection[Any]", conn.connection.driver_connection)
        for notice in driver.notifies(timeout=0):
            names = notice.payload.split("\n")
            changed = frozenset(n for n in names if not n.startswith(REVIVED))
            revived = frozenset(n[len(REVIVED) :] for n in names if n.startswith(REVIVED))
            self._news |= TimelineNews(changed, revived)

    def _drop(self) -> None:
        self._held = self._always
        if self._conn is not None:
            with contextlib.suppress(DBAPIError):
                self._conn.close()
            self._conn = None


def _dedicated(engine: Engine) -> Engine:
    """An engine for the lock's session alone: no pool (the session is the lock),
    and client deadlines short enough that a holder cut off steps down quickly."""
    url = engine.url
    return create_engine(
        url, poolclass=NullPool, connect_args=connect_args(url) | _CLIENT_DEADLINES
    )
