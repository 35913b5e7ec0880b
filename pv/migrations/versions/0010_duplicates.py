"""Duplicate detection in the log: each case's fingerprint and blocking keys, and the candidate
pairs with their score, reasons and the officer's decision (issue 12, item 5).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_fingerprints",
        sa.Column("case_pk", sa.Integer(), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
    )
    op.create_table(
        "case_block_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_pk", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("term", sa.String(100), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=True),
    )
    op.create_index("ix_case_block_keys_case_pk", "case_block_keys", ["case_pk"])
    op.create_index("ix_case_block_keys_term_bucket", "case_block_keys", ["term", "bucket"])
    op.create_table(
        "duplicate_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_pk", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("other_pk", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("found_by", sa.String(100), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False, server_default="none"),
        sa.Column("duplicate_pk", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False, server_default="1"),
        sa.UniqueConstraint("case_pk", "other_pk", name="uq_duplicate_links_pair"),
    )
    op.create_index("ix_duplicate_links_other_pk", "duplicate_links", ["other_pk"])
    op.create_index("ix_duplicate_links_decision", "duplicate_links", ["decision"])


def downgrade() -> None:
    op.drop_index("ix_duplicate_links_decision", table_name="duplicate_links")
    op.drop_index("ix_duplicate_links_other_pk", table_name="duplicate_links")
    op.drop_table("duplicate_links")
    op.drop_index("ix_case_block_keys_term_bucket", table_name="case_block_keys")
    op.drop_index("ix_case_block_keys_case_pk", table_name="case_block_keys")
    op.drop_table("case_block_keys")
    op.drop_table("case_fingerprints")
