"""Drafts kept server-side, reopened by a private link, with their attached files (issue 11).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("answers_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("case_id", sa.String(100), nullable=True),
    )
    # Purging expired drafts reads this index only.
    op.create_index("ix_drafts_expires_at", "drafts", ["expires_at"])
    op.create_table(
        "draft_files",
        sa.Column(
            "draft_id",
            sa.String(64),
            sa.ForeignKey("drafts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("draft_files")
    op.drop_index("ix_drafts_expires_at", table_name="drafts")
    op.drop_table("drafts")
