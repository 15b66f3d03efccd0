"""Renewals recorded and the expiry notices sent (SPEC section 6).

Written by hand to match ``slawatch/store/schema.py``; the store's tests
compare the migrated database with that module.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATES = "'active', 'notice', 'grace', 'reinstatement', 'lapsed'"
_DELIVERIES = "'due', 'sending', 'sent', 'in_doubt'"


def upgrade() -> None:
    op.create_table(
        "renewals",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("contract", sa.Text, nullable=False),
        sa.Column("original_expiry", sa.Date, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("renewed_on", sa.Date, nullable=False),
        sa.Column("years", sa.Integer, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("previous_expiry", sa.Date, nullable=False),
        sa.Column("expires", sa.Date, nullable=False),
        sa.Column("price", sa.Text, nullable=False),
        sa.Column("fee", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_renewals"),
        sa.CheckConstraint("seq >= 1", name="ck_renewals_seq"),
        sa.CheckConstraint("years >= 1", name="ck_renewals_years"),
        sa.CheckConstraint(f"state IN ({_STATES})", name="ck_renewals_state"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_renewals_contract", "renewals", ["contract", "original_expiry", "seq"], unique=True
    )
    op.create_table(
        "renewal_notices",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("contract", sa.Text, nullable=False),
        sa.Column("expires", sa.Date, nullable=False),
        sa.Column("offset_days", sa.Integer, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("retry_at", sa.BigInteger, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("claimed_at", sa.BigInteger),
        sa.Column("sent_at", sa.BigInteger),
        sa.Column("late", sa.Boolean),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_renewal_notices"),
        sa.CheckConstraint(f"status IN ({_DELIVERIES})", name="ck_renewal_notices_status"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_renewal_notices_contract",
        "renewal_notices",
        ["contract", "expires", "offset_days", "channel"],
        unique=True,
    )
    op.create_index("ix_renewal_notices_status", "renewal_notices", ["status", "retry_at"])


def downgrade() -> None:
    op.drop_table("renewal_notices")
    op.drop_table("renewals")
