"""Locations: samples and flips keyed on (target, location, instant) (SPEC section 2).

Existing rows move to the unnamed location ``""``. ``location`` is the last column
on both backends, so that PostgreSQL only adds it (no table rewrite: the default
is a constant) and the import's ``INSERT .. SELECT *`` sees one column order;
SQLite cannot change a primary key, so there the tables are rebuilt.

Written by hand to match ``slawatch/store/schema.py``; the store's tests
compare the migrated database with that module.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> its instant column, then its columns before ``location``
_TABLES = {
    "samples": ("ts_ms", "target, ts_ms, ok, latency_ms, status, error"),
    "flips": ("ts", "target, ts, state"),
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_samples()
        _rebuild_flips()
        return
    for table, (instant, _) in _TABLES.items():
        op.add_column(
            table, sa.Column("location", sa.Text, nullable=False, server_default=sa.text("''"))
        )
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, ["target", "location", instant])


def _rebuild_samples() -> None:
    op.rename_table("samples", "samples_0004")
    op.create_table(
        "samples",
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("ts_ms", sa.BigInteger, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("latency_ms", sa.Float),
        sa.Column("status", sa.Integer),
        sa.Column("error", sa.Text),
        sa.Column("location", sa.Text, nullable=False, server_default=sa.text("''")),
        sa.PrimaryKeyConstraint("target", "location", "ts_ms", name="pk_samples"),
        sqlite_with_rowid=False,
    )
    _copy("samples")


def _rebuild_flips() -> None:
    op.rename_table("flips", "flips_0004")
    op.create_table(
        "flips",
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("ts", sa.BigInteger, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("location", sa.Text, nullable=False, server_default=sa.text("''")),
        sa.PrimaryKeyConstraint("target", "location", "ts", name="pk_flips"),
        sa.CheckConstraint("state IN ('up', 'down', 'unknown')", name="ck_flips_state"),
        sqlite_with_rowid=False,
    )
    _copy("flips")


def _copy(table: str) -> None:
    columns = _TABLES[table][1]
    op.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}_0004")
    op.drop_table(f"{table}_0004")
