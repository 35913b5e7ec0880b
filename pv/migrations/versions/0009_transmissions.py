"""Submission evidence: one row per file sent to one recipient (SFDA, MAH), with its XML, date,
channel, reference, days late and the receiver's acknowledgement (issue 12).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transmissions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_pk", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(10), nullable=False),
        sa.Column("batch_id", sa.String(100), nullable=False),
        sa.Column("message_id", sa.String(100), nullable=False),
        sa.Column("xml", sa.LargeBinary(), nullable=False),
        sa.Column("prepared_at", sa.DateTime(), nullable=False),
        sa.Column("prepared_by", sa.String(100), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("channel", sa.String(10), nullable=True),
        sa.Column("reference", sa.String(300), nullable=True),
        sa.Column("recorded_by", sa.String(100), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=True),
        sa.Column("days_late", sa.Integer(), nullable=True),
        sa.Column("ack_code", sa.String(2), nullable=True),
        sa.Column("ack_at", sa.DateTime(), nullable=True),
        sa.Column("ack_id", sa.String(100), nullable=True),
        sa.Column("ack_local_id", sa.String(100), nullable=True),
        sa.Column("ack_text", sa.Text(), nullable=True),
        sa.Column("ack_xml", sa.LargeBinary(), nullable=True),
        sa.UniqueConstraint("batch_id", name="uq_transmissions_batch_id"),
    )
    op.create_index(
        "ix_transmissions_case_version", "transmissions", ["case_pk", "version", "recipient"]
    )
    op.create_index("ix_transmissions_message_id", "transmissions", ["message_id"])
    op.create_index("ix_transmissions_submitted_on", "transmissions", ["submitted_on"])


def downgrade() -> None:
    op.drop_table("transmissions")
