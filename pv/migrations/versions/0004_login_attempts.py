"""Login attempts (atomic per-name and per-client limits) and users.password_changed_at.

Revision ID: 0004
Revises: 0003

`login_attempts` replaces `login_failures`: a check is reserved as 'pending' before the password
is hashed, so the limits hold under concurrency. Recent failures carry over (client 'unknown'),
so an upgrade does not lift a lock. `password_changed_at` starts as the account's creation time.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_users = sa.table(
    "users", sa.column("created_at", sa.DateTime()), sa.column("password_changed_at", sa.DateTime())
)
_failures = sa.table(
    "login_failures",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String(100)),
    sa.column("at", sa.DateTime()),
)
_attempts = sa.table(
    "login_attempts",
    sa.column("name", sa.String(100)),
    sa.column("client", sa.String(200)),
    sa.column("at", sa.DateTime()),
    sa.column("outcome", sa.String(10)),
)


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("client", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_attempts_name_at", "login_attempts", ["name", "at"])
    op.create_index("ix_login_attempts_client_at", "login_attempts", ["client", "at"])
    op.execute(
        sa.insert(_attempts).from_select(
            ["name", "client", "at", "outcome"],
            sa.select(
                _failures.c.name,
                sa.literal("unknown", sa.String(200)),
                _failures.c.at,
                sa.literal("failed", sa.String(10)),
            ),
        )
    )
    op.drop_index("ix_login_failures_name_at", table_name="login_failures")
    op.drop_table("login_failures")

    # Added nullable, filled, then made NOT NULL; on SQLite the last step recreates the table.
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("password_changed_at", sa.DateTime(), nullable=True))
    op.execute(sa.update(_users).values(password_changed_at=_users.c.created_at))
    with op.batch_alter_table("users") as batch:
        batch.alter_column("password_changed_at", existing_type=sa.DateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_changed_at")

    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_failures_name_at", "login_failures", ["name", "at"])
    op.execute(
        sa.insert(_failures).from_select(
            ["name", "at"],
            sa.select(_attempts.c.name, _attempts.c.at).where(_attempts.c.outcome != "ok"),
        )
    )
    op.drop_index("ix_login_attempts_client_at", table_name="login_attempts")
    op.drop_index("ix_login_attempts_name_at", table_name="login_attempts")
    op.drop_table("login_attempts")
