"""Organisation: the channel that receives reminders and the weekly digest.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 07:03:42.076523
"""

from collections.abc import Sequence

import sqlalchemy as sa

# Autogenerate writes sqlmodel.sql.sqltypes.AutoString() but never imports it (PLATFORM.md).
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminder_channel", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("reminder_channel")
