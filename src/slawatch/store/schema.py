"""The database tables, as SQLAlchemy Core metadata.

Every instant is an integer: probe samples in UTC epoch milliseconds
(``ts_ms``), everything else in UTC epoch seconds. Epoch columns are
``BIGINT`` even where seconds would fit 32 bits today, because PostgreSQL's
``INTEGER`` ends on 2038-01-19 and contracts and maintenance windows are
declared years ahead.

Local dates (a renewable item's expiry, the day a renewal was made or a notice is
due) are ``DATE``: they are days in the contract's zone, not instants. Money is the
``Decimal``'s text, exact on every backend.

``samples`` and ``flips`` are keyed on ``(target, location, instant)`` and, in
SQLite, stored ``WITHOUT ROWID``: the primary key is the only index they need,
every read is a range of one target at one location, and no second b-tree slows
the imports. ``location`` is the probing agent's ``agent.location``; ``""`` is the
one unnamed location of an agent that sets none (SPEC section 2, "Locations").

The migrations in ``migrations/versions`` create exactly these tables; a test
compares the two, so a change here needs a new migration.
"""

from __future__ import annotations

import enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
)

from slawatch.sla.exclusions import ExclusionReason, MaintenanceKind
from slawatch.sla.renewals import Delivery, RenewalState
from slawatch.sla.support import EventKind, PauseReason
from slawatch.sla.support_assess import Outcome
from slawatch.sla.timeline import State

# Named constraints, so that migrations can refer to them on every backend.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _one_of(column: str, values: type[enum.StrEnum]) -> CheckConstraint:
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)


def _span_check() -> CheckConstraint:
    return CheckConstraint("end_ts > start_ts", name="span")


samples = Table(
    "samples",
    metadata,
    Column("target", Text, nullable=False),
    Column("ts_ms", BigInteger, nullable=False),  # UTC epoch milliseconds
    Column("ok", Boolean, nullable=False),  # the probe's outcome, before degraded-as-down
    Column("latency_ms", Float),
    Column("status", Integer),  # e.g. the HTTP status code
    Column("error", Text),
    Column("location", Text, nullable=False, server_default=""),  # last: see 0005's ALTER
    PrimaryKeyConstraint("target", "location", "ts_ms"),
    sqlite_with_rowid=False,
)

flips = Table(
    "flips",
    metadata,
    Column("target", Text, nullable=False),
    Column("ts", BigInteger, nullable=False),  # first second of the new state
    Column("state", Text, nullable=False),
    Column("location", Text, nullable=False, server_default=""),
    PrimaryKeyConstraint("target", "location", "ts"),
    _one_of("state", State),
    sqlite_with_rowid=False,
)

maintenance = Table(
    "maintenance",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract", Text, nullable=False),
    Column("start_ts", BigInteger, nullable=False),
    Column("end_ts", BigInteger, nullable=False),  # exclusive
    Column("kind", Text, nullable=False),
    Column("declared_at", BigInteger, nullable=False),  # when the customer was told
    Column("note", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("cancelled_at", BigInteger),
    Column("cancelled_by", Text),
    _one_of("kind", MaintenanceKind),
    _span_check(),
    Index(None, "contract", "start_ts"),
    sqlite_autoincrement=True,  # ids are quoted in reports and audit rows: never reuse one
)

exclusions = Table(
    "exclusions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract", Text, nullable=False),
    Column("start_ts", BigInteger, nullable=False),
    Column("end_ts", BigInteger, nullable=False),  # exclusive
    Column("reason", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger),
    Column("revoked_by", Text),
    _one_of("reason", ExclusionReason),
    _span_check(),
    Index(None, "contract", "start_ts"),
    sqlite_autoincrement=True,
)

claims = Table(
    "claims",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract", Text, nullable=False),
    Column("at", BigInteger, nullable=False),  # an instant inside the claimed outage
    Column("ticket", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index(None, "contract", "at"),
    sqlite_autoincrement=True,
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", BigInteger, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),  # e.g. maintenance.add, exclusion.revoke
    Column("entity", Text, nullable=False),  # what it changed: maintenance, exclusion, claim
    Column("entity_id", Integer, nullable=False),
    Column("contract", Text, nullable=False),
    Column("detail", Text, nullable=False),  # JSON object: the fields the action set
    Index(None, "contract", "id"),
    sqlite_autoincrement=True,
)

# Closed periods: every frozen version of a period's report, never updated nor
# deleted. Version 0 is the report as closed; each amendment adds the next one.
period_reports = Table(
    "period_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract", Text, nullable=False),
    Column("period", Text, nullable=False),  # the period's label: 2026-10, 2026
    Column("version", Integer, nullable=False),  # 0: as closed; n: the n-th amendment
    Column("report", Text, nullable=False),  # the canonical JSON report (reports/versions.py)
    Column("sha256", Text, nullable=False),  # of ``report``, as 64 hex digits
    Column("previous_sha256", Text),  # of the version this one replaced; NULL for version 0
    Column("changes", Text, nullable=False),  # JSON list: field by field, from the previous one
    Column("reason", Text, nullable=False),  # why it was amended ("" for version 0)
    Column("author", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    CheckConstraint("version >= 0", name="version"),
    # One row per version: two people closing or amending at once cannot both win.
    Index(None, "contract", "period", "version", unique=True),
    sqlite_autoincrement=True,
)

# Renewals recorded (SPEC section 6), never updated nor deleted. An item's renewals
# count from its configured expiry (``original_expiry``): a new purchase, configured
# with a new expiry, starts afresh. ``seq`` numbers them from 1 in date order; its
# unique index means two people recording at once cannot both win.
renewals = Table(
    "renewals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract", Text, nullable=False),
    Column("original_expiry", Date, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("renewed_on", Date, nullable=False),  # the local date it was made
    Column("years", Integer, nullable=False),
    Column("state", Text, nullable=False),  # the item's state that day
    Column("previous_expiry", Date, nullable=False),
    Column("expires", Date, nullable=False),  # the new expiry
    Column("price", Text, nullable=False),  # for ``years`` years, Decimal text
    Column("fee", Text, nullable=False),  # the reinstatement fee, Decimal text
    Column("currency", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    CheckConstraint("seq >= 1", name="seq"),
    CheckConstraint("years >= 1", name="years"),
    _one_of("state", RenewalState),
    Index(None, "contract", "original_expiry", "seq", unique=True),
    sqlite_autoincrement=True,
)

# Expiry notices, one row per notice and channel, written when it falls due and moved
# along ``status`` by the agent that sends it (agent/notices.py says why in that order).
renewal_notices = Table(
    "renewal_notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract", Text, nullable=False),
    Column("expires", Date, nullable=False),  # the expiry the notice is about
    Column("offset_days", Integer, nullable=False),  # -90 ... +29
    Column("channel", Text, nullable=False),  # smtp, webhook
    Column("due", Date, nullable=False),  # the local date it is due on
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False),  # failed attempts so far
    Column("retry_at", BigInteger, nullable=False),  # not sent before this instant
    Column("last_error", Text),
    Column("claimed_at", BigInteger),  # when the hand-over began
    Column("sent_at", BigInteger),
    Column("late", Boolean),  # set once sent: on a later local date than ``due``
    Column("created_at", BigInteger, nullable=False),
    _one_of("status", Delivery),
    Index(None, "contract", "expires", "offset_days", "channel", unique=True),
    Index(None, "status", "retry_at"),
    sqlite_autoincrement=True,
)

# Support requests (SPEC section 6): one row per ticket of a contract, and its events.
# An event is kept once per (request, instant, event): re-importing adds nothing.
# ``seq`` keeps the order events arrived in, for two at the same second (a ``resumed``
# and the next ``paused``). Events are never updated nor deleted.
support_requests = Table(
    "support_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contract", Text, nullable=False),
    Column("ticket", Text, nullable=False),  # the helpdesk's reference
    Column("priority", Text, nullable=False),  # in the contract's words
    Column("opened_at", BigInteger, nullable=False),  # its opened event
    # A hash of its priority and events (store/tickets.py, ``events_hash``), kept by every
    # import: clocks computed from other events are stale.
    Column("events_hash", Text, nullable=False, server_default=""),
    Index("ix_support_requests_ticket", "contract", "ticket", unique=True),
    Index("ix_support_requests_opened_at", "contract", "opened_at"),
    sqlite_autoincrement=True,
)

support_events = Table(
    "support_events",
    metadata,
    Column("request_id", Integer, ForeignKey("support_requests.id"), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("event", Text, nullable=False),
    Column("seq", Integer, nullable=False),  # arrival order within the request
    Column("reason", Text),  # paused and resumed only
    Column("note", Text, nullable=False),
    PrimaryKeyConstraint("request_id", "at", "event"),
    _one_of("event", EventKind),
    CheckConstraint(
        "reason IS NULL OR reason IN ({})".format(", ".join(f"'{r.value}'" for r in PauseReason)),
        name="reason",
    ),
    sqlite_with_rowid=False,
)

# Each request's clocks, one row per clock that has started, as computed from the events
# hashed in ``events_hash`` under the terms hashed in ``terms_hash`` (``SupportTerms.
# fingerprint``), when every clock that had started had stopped: such clocks no later
# instant changes, so a report reads them instead of computing them (store/clocks.py).
# A request none of whose clocks has started has one row of target "" and nulls.
# ``last_at`` is the request's last event then: a report as of an earlier instant
# computes its own.
support_clocks = Table(
    "support_clocks",
    metadata,
    Column("request_id", Integer, ForeignKey("support_requests.id"), nullable=False),
    Column("target", Text, nullable=False),
    Column("terms_hash", Text, nullable=False),
    Column("events_hash", Text, nullable=False),
    Column("last_at", BigInteger, nullable=False),
    Column("started", BigInteger),
    Column("clock_start", BigInteger),
    Column("allowance_seconds", BigInteger),
    Column("deadline", BigInteger),  # null while a pause had not ended
    Column("stopped_at", BigInteger),
    Column("outcome", Text),
    Column("business_seconds", BigInteger),
    Column("used_seconds", BigInteger),
    Column("paused_seconds", BigInteger),
    Column("pauses", Text),  # "start-end start-end", UTC seconds
    Column("business_days", Text),  # ``days_text``: "2026-10-02=600;2026-10-05=23400"
    Column("json", Text),  # the request as the JSON report writes it (on each of its rows)
    PrimaryKeyConstraint("request_id", "target"),
    _one_of("outcome", Outcome),
    sqlite_with_rowid=False,
)

# The SLA counters the leading agent exported above what the data give, per contract (a
# correction downwards holds them: exporters/sla_metrics.py), for the period starting at
# ``period_start``: the agent that leads next, or the same one restarted, carries on from
# them, so that Prometheus never sees a counter go back (a reset, which ``increase`` reads
# as a jump of the whole counter).
sla_counter_holds = Table(
    "sla_counter_holds",
    metadata,
    Column("contract", Text, nullable=False),
    Column("period_start", BigInteger, nullable=False),
    Column("reference_seconds", BigInteger, nullable=False),
    Column("downtime_seconds", BigInteger, nullable=False),
    PrimaryKeyConstraint("contract"),
)
