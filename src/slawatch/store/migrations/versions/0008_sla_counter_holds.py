"""The SLA counters a leader held above the data, kept for the next leader.

Written by hand to match ``slawatch/store/schema.py``; the store's tests
compare the migrated database with that module.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sla_counter_holds",
        sa.Column("contract", sa.Text, nullable=False),
        sa.Column("period_start", sa.BigInteger, nullable=False),
        sa.Column("reference_seconds", sa.BigInteger, nullable=False),
        sa.Column("downtime_seconds", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("contract", name="pk_sla_counter_holds"),
    )


def downgrade() -> None:
    op.drop_table("sla_counter_holds")
