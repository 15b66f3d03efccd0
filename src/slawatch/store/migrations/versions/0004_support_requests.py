"""Support requests and their events (SPEC section 6).

Written by hand to match ``slawatch/store/schema.py``; the store's tests
compare the migrated database with that module.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENTS = ("opened", "responded", "qualified", "resolved", "closed", "paused", "resumed", "reopened")
REASONS = ("waiting_client", "client_unavailable", "postponed_by_client")


def _quoted(values: Sequence[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def upgrade() -> None:
    op.create_table(
        "support_requests",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("contract", sa.Text, nullable=False),
        sa.Column("ticket", sa.Text, nullable=False),
        sa.Column("priority", sa.Text, nullable=False),
        sa.Column("opened_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_support_requests"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_support_requests_ticket", "support_requests", ["contract", "ticket"], unique=True
    )
    op.create_index("ix_support_requests_opened_at", "support_requests", ["contract", "opened_at"])
    op.create_table(
        "support_events",
        sa.Column("request_id", sa.Integer, nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("note", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("request_id", "at", "event", name="pk_support_events"),
        sa.ForeignKeyConstraint(["request_id"], ["support_requests.id"]),
        sa.CheckConstraint(f"event IN ({_quoted(EVENTS)})", name="ck_support_events_event"),
        sa.CheckConstraint(
            f"reason IS NULL OR reason IN ({_quoted(REASONS)})", name="ck_support_events_reason"
        ),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("support_events")
    op.drop_table("support_requests")
