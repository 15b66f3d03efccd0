"""Initial schema: samples, flips, maintenance, exclusions, claims, audit.

Written by hand to match ``slawatch/store/schema.py``; the store's tests
compare the migrated database with that module.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "samples",
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("ts_ms", sa.BigInteger, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("latency_ms", sa.Float),
        sa.Column("status", sa.Integer),
        sa.Column("error", sa.Text),
        sa.PrimaryKeyConstraint("target", "ts_ms", name="pk_samples"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "flips",
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("ts", sa.BigInteger, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("target", "ts", name="pk_flips"),
        sa.CheckConstraint("state IN ('up', 'down', 'unknown')", name="ck_flips_state"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "maintenance",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("contract", sa.Text, nullable=False),
        sa.Column("start_ts", sa.BigInteger, nullable=False),
        sa.Column("end_ts", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("declared_at", sa.BigInteger, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("cancelled_at", sa.BigInteger),
        sa.Column("cancelled_by", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_maintenance"),
        sa.CheckConstraint("kind IN ('planned', 'emergency')", name="ck_maintenance_kind"),
        sa.CheckConstraint("end_ts > start_ts", name="ck_maintenance_span"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_maintenance_contract", "maintenance", ["contract", "start_ts"])
    op.create_table(
        "exclusions",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("contract", sa.Text, nullable=False),
        sa.Column("start_ts", sa.BigInteger, nullable=False),
        sa.Column("end_ts", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("revoked_at", sa.BigInteger),
        sa.Column("revoked_by", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_exclusions"),
        sa.CheckConstraint(
            "reason IN ('force_majeure', 'customer', 'third_party', 'other')",
            name="ck_exclusions_reason",
        ),
        sa.CheckConstraint("end_ts > start_ts", name="ck_exclusions_span"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_exclusions_contract", "exclusions", ["contract", "start_ts"])
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("contract", sa.Text, nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("ticket", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_claims"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_claims_contract", "claims", ["contract", "at"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("entity", sa.Text, nullable=False),
        sa.Column("entity_id", sa.Integer, nullable=False),
        sa.Column("contract", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_audit_contract", "audit", ["contract", "id"])


def downgrade() -> None:
    for name in ("audit", "claims", "exclusions", "maintenance", "flips", "samples"):
        op.drop_table(name)
