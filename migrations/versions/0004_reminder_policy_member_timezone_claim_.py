"""Reminders: the organisation's policy, each member's timezone, the claim token.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 07:42:52.847360
"""

from collections.abc import Sequence

import sqlalchemy as sa

# Autogenerate writes sqlmodel.sql.sqltypes.AutoString() but never imports it (PLATFORM.md).
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )

    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminder_policy", sa.JSON(none_as_null=True), nullable=True))

    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claim_token", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_column("claim_token")

    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("reminder_policy")

    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("timezone")
