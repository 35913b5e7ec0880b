"""Server-side officer sessions, a per-case revision for optimistic concurrency, and indexes
for reading the audit trail by user, action and time.

Revision ID: 0006
Revises: 0005

`cases.revision` is added in place (SQLite's ALTER TABLE ADD COLUMN with a default), so the FTS5
triggers of 0003 on `cases` stay as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "officer_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("client", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(30), nullable=True),
    )
    op.create_index("ix_officer_sessions_user", "officer_sessions", ["user"])
    op.add_column("cases", sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
    # The audit view and `python -m pv audit list` filter the trail by who, what and when.
    op.create_index("ix_audit_log_user", "audit_log", ["user"])
    op.create_index("ix_audit_log_action", "audit_log", ["action"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    for name in ("ix_audit_log_at", "ix_audit_log_action", "ix_audit_log_user"):
        op.drop_index(name, table_name="audit_log")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE cases DROP COLUMN revision")
    else:
        op.drop_column("cases", "revision")
    op.drop_index("ix_officer_sessions_user", table_name="officer_sessions")
    op.drop_table("officer_sessions")
