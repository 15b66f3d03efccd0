"""Support clocks keep their request's text as the JSON report writes it (SPEC 6).

A report then joins the stored texts instead of writing each request's instants and
business days again. Rows stored before have none: they are written afresh (the
terms' fingerprint changed with ``CLOCKS_VERSION``), and a null text is written by
the report itself.

Written by hand to match ``slawatch/store/schema.py``; the store's tests
compare the migrated database with that module.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("support_clocks", sa.Column("json", sa.Text))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN on both databases (SQLite since 3.35): a batch copy
    # would lose the table's WITHOUT ROWID.
    op.drop_column("support_clocks", "json")
