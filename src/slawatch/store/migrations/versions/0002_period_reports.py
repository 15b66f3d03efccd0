"""Closed periods: the frozen versions of a period's report.

Written by hand to match ``slawatch/store/schema.py``; the store's tests
compare the migrated database with that module.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "period_reports",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("contract", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("report", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("previous_sha256", sa.Text),
        sa.Column("changes", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_period_reports"),
        sa.CheckConstraint("version >= 0", name="ck_period_reports_version"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_period_reports_contract",
        "period_reports",
        ["contract", "period", "version"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_table("period_reports")
