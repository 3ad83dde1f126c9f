"""Teams: the conversations the bot may post to, the people it addresses, and files offered
by link.

`teamsconversation` keeps conversation references for proactive messages, `teamsaccount` the
Teams user id (29:…) behind each AAD object id, `download` the files behind short-lived links
(reports and exports on Teams). New tables only: nothing existing changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 20:17:12.294154
"""

from collections.abc import Sequence

import sqlalchemy as sa

# Autogenerate writes sqlmodel.sql.sqltypes.AutoString() but never imports it (PLATFORM.md).
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "download",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("mime", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_download_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_download")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_download_token_digest")),
    )
    with op.batch_alter_table("download", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_download_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "teamsaccount",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("aad_object_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("teams_user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("service_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_teamsaccount_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teamsaccount")),
        sa.UniqueConstraint(
            "organisation_id",
            "aad_object_id",
            name=op.f("uq_teamsaccount_organisation_id_aad_object_id"),
        ),
    )
    op.create_table(
        "teamsconversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("service_url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("conversation_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("user_aad_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("bot_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_teamsconversation_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teamsconversation")),
        sa.UniqueConstraint(
            "organisation_id",
            "conversation_id",
            name=op.f("uq_teamsconversation_organisation_id_conversation_id"),
        ),
    )
    with op.batch_alter_table("teamsconversation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_teamsconversation_user_aad_id"), ["user_aad_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("teamsconversation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teamsconversation_user_aad_id"))

    op.drop_table("teamsconversation")
    op.drop_table("teamsaccount")
    with op.batch_alter_table("download", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_download_expires_at"))

    op.drop_table("download")
