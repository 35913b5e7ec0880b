"""Officer follow-ups in the form: each version made by the form keeps the form's answers, and a
draft may be the follow-up of a case (issue 12, item 4).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("case_versions", sa.Column("form_answers", sa.Text(), nullable=True))
    op.add_column("drafts", sa.Column("follow_up_of", sa.String(100), nullable=True))
    op.add_column("drafts", sa.Column("follow_up_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE drafts DROP COLUMN follow_up_version")
        op.execute("ALTER TABLE drafts DROP COLUMN follow_up_of")
        op.execute("ALTER TABLE case_versions DROP COLUMN form_answers")
    else:
        op.drop_column("drafts", "follow_up_version")
        op.drop_column("drafts", "follow_up_of")
        op.drop_column("case_versions", "form_answers")
