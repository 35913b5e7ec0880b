"""Imported E2B(R3) files kept byte for byte, the identifiers a case is known by elsewhere, and
per version its C.1.5, whether it is stale, and the message it was imported from (issue 12).

Revision ID: 0008
Revises: 0007

Columns are added in place (SQLite's ALTER TABLE ADD COLUMN), so the FTS5 triggers of 0003 stay.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VERSION_COLUMNS = ("file_id", "source_sha256", "stale", "most_recent")


def upgrade() -> None:
    op.create_table(
        "imported_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "case_identifiers",
        sa.Column("case_pk", sa.Integer(), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("value", sa.String(100), primary_key=True),
    )
    op.create_index("ix_case_identifiers_value", "case_identifiers", ["value"])
    op.add_column("case_versions", sa.Column("most_recent", sa.String(40), nullable=True))
    op.add_column(
        "case_versions",
        sa.Column("stale", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("case_versions", sa.Column("source_sha256", sa.String(64), nullable=True))
    op.create_index("ix_case_versions_source_sha256", "case_versions", ["source_sha256"])
    if op.get_bind().dialect.name == "sqlite":  # Alembic cannot add a constraint there
        op.execute(
            "ALTER TABLE case_versions ADD COLUMN file_id INTEGER REFERENCES imported_files (id)"
        )
    else:
        op.add_column(
            "case_versions",
            sa.Column("file_id", sa.Integer(), sa.ForeignKey("imported_files.id"), nullable=True),
        )


def downgrade() -> None:
    op.drop_index("ix_case_versions_source_sha256", table_name="case_versions")
    for column in _VERSION_COLUMNS:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE case_versions DROP COLUMN {column}")
        else:
            op.drop_column("case_versions", column)
    op.drop_index("ix_case_identifiers_value", table_name="case_identifiers")
    op.drop_table("case_identifiers")
    op.drop_table("imported_files")
