"""Processed events: Slack retries deliveries, so each event id is handled once.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 07:08:03.690819
"""

from collections.abc import Sequence

import sqlalchemy as sa

# Autogenerate writes sqlmodel.sql.sqltypes.AutoString() but never imports it (PLATFORM.md).
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "processed_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("workspace_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processed_event")),
        sa.UniqueConstraint(
            "platform", "event_id", name=op.f("uq_processed_event_platform_event_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("processed_event")
