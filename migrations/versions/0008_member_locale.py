"""Each member's locale, as the chat platform last reported it.

Teams gives a person's locale only on the activities they send; a reminder is sent later,
when no activity is at hand, so the member row keeps it (as it keeps their timezone) and
reminders are written in it. Slack's `users.info` is still asked at send time.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 03:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

# Autogenerate writes sqlmodel.sql.sqltypes.AutoString() but never imports it (PLATFORM.md).
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("locale")
