"""Support requests' stored clocks, and the hash of each request's events (SPEC 6).

The hash of the requests already stored is computed here from their events, as
every import keeps it from now on (``slawatch.store.tickets.events_hash``).

Written by hand to match ``slawatch/store/schema.py``; the store's tests
compare the migrated database with that module.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from collections.abc import Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from alembic import op

from slawatch.sla.support import Event, EventKind, PauseReason
from slawatch.store.tickets import events_hash

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOMES = ("met", "breached", "pending")


def upgrade() -> None:
    op.add_column(
        "support_requests",
        sa.Column("events_hash", sa.Text, nullable=False, server_default=sa.text("''")),
    )
    _hash_stored_events()
    op.create_table(
        "support_clocks",
        sa.Column("request_id", sa.Integer, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("terms_hash", sa.Text, nullable=False),
        sa.Column("events_hash", sa.Text, nullable=False),
        sa.Column("last_at", sa.BigInteger, nullable=False),
        sa.Column("started", sa.BigInteger),
        sa.Column("clock_start", sa.BigInteger),
        sa.Column("allowance_seconds", sa.BigInteger),
        sa.Column("deadline", sa.BigInteger),
        sa.Column("stopped_at", sa.BigInteger),
        sa.Column("outcome", sa.Text),
        sa.Column("business_seconds", sa.BigInteger),
        sa.Column("used_seconds", sa.BigInteger),
        sa.Column("paused_seconds", sa.BigInteger),
        sa.Column("pauses", sa.Text),
        sa.Column("business_days", sa.Text),
        sa.PrimaryKeyConstraint("request_id", "target", name="pk_support_clocks"),
        sa.ForeignKeyConstraint(["request_id"], ["support_requests.id"]),
        sa.CheckConstraint(
            "outcome IN ({})".format(", ".join(f"'{o}'" for o in OUTCOMES)),
            name="ck_support_clocks_outcome",
        ),
        sqlite_with_rowid=False,
    )


def _hash_stored_events() -> None:
    """Each stored request's events hash, from its events in (instant, arrival) order."""
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT r.id, r.priority, e.event, e.at, e.reason FROM support_requests r "
            "JOIN support_events e ON e.request_id = r.id ORDER BY r.id, e.at, e.seq"
        )
    ).all()
    hashes = [
        {"hash": events_hash(group[0][1], [_event(row) for row in group]), "id": request_id}
        for request_id, found in groupby(rows, itemgetter(0))
        for group in [list(found)]
    ]
    if hashes:
        conn.execute(
            sa.text("UPDATE support_requests SET events_hash = :hash WHERE id = :id"), hashes
        )


def _event(row: Sequence[Any]) -> Event:
    _, _, kind, at, reason = row
    return Event(EventKind(kind), at, None if reason is None else PauseReason(reason))


def downgrade() -> None:
    op.drop_table("support_clocks")
    with op.batch_alter_table("support_requests") as batch:
        batch.drop_column("events_hash")
