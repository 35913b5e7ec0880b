"""Indexes for every sort key of the log and for the overdue filter; trigram search on PostgreSQL.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRGM_INDEX = "ix_cases_search_text_trgm"


def upgrade() -> None:
    op.create_index("ix_cases_reporter", "cases", ["reporter"])
    op.create_index("ix_cases_updated_at", "cases", ["updated_at"])
    op.create_index("ix_cases_current_version", "cases", ["current_version"])
    op.create_index("ix_cases_status_due_date", "cases", ["status", "due_date"])
    if op.get_bind().dialect.name == "postgresql":
        _trigram_index()


def _trigram_index() -> None:
    """A GIN trigram index lets `search_text LIKE '%x%'` skip the table scan.

    Optional: pg_trgm ships with PostgreSQL and is a trusted extension, but the role may lack
    the right to create it in `public`; then the search scans, which is fast enough.
    """
    bind = op.get_bind()
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return
    savepoint.commit()
    schema = bind.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'pg_trgm'"
        )
    ).scalar_one()
    opclass = f'"{schema}".gin_trgm_ops'
    bind.execute(sa.text(f"CREATE INDEX {TRGM_INDEX} ON cases USING gin (search_text {opclass})"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")
    op.drop_index("ix_cases_status_due_date", table_name="cases")
    op.drop_index("ix_cases_current_version", table_name="cases")
    op.drop_index("ix_cases_updated_at", table_name="cases")
    op.drop_index("ix_cases_reporter", table_name="cases")
