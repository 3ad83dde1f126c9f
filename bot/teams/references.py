"""Where the bot may write in Teams, kept from the activities: conversation references and the
people behind AAD object ids (bot.store.models `TeamsConversation`, `TeamsAccount`).

Every function takes the session first; the caller owns the transaction.
"""

from __future__ import annotations

from sqlmodel import Session, col, or_, select

from bot.store.columns import utc_now
from bot.store.crud import get_or_create_organisation
from bot.store.models import Organisation, TeamsAccount, TeamsConversation
from bot.teams.activity import Conversation, Turn

# How a tenant is named before its setup gives it a name.
UNNAMED = "Teams organisation"


def organisation_of(session: Session, tenant_id: str) -> Organisation:
    """The tenant's organisation, created on first contact."""
    return get_or_create_organisation(session, "teams", tenant_id, UNNAMED)


def remember_turn(session: Session, turn: Turn) -> Organisation:
    """The tenant's organisation (created on first contact), with the turn's conversation and
    the person who spoke kept for later (replies, 1:1 messages, reminders)."""
    organisation = organisation_of(session, turn.tenant_id)
    assert organisation.id is not None
    personal = turn.conversation.type == "personal"
    keep_conversation(
        session, organisation.id, turn.conversation, turn.user_aad_id if personal else None
    )
    if turn.user_aad_id:
        keep_account(
            session,
            organisation.id,
            turn.user_aad_id,
            turn.user_teams_id,
            turn.user_name,
            turn.conversation.service_url,
        )
    return organisation


def keep_conversation(
    session: Session, organisation_id: int, conversation: Conversation, user_aad_id: str | None
) -> TeamsConversation:
    row = session.exec(
        select(TeamsConversation).where(
            TeamsConversation.organisation_id == organisation_id,
            TeamsConversation.conversation_id == conversation.id,
        )
    ).first()
    if row is None:
        row = TeamsConversation(
            organisation_id=organisation_id,
            conversation_id=conversation.id,
            service_url=conversation.service_url,
        )
    changed = (
        row.id is None
        or row.service_url != conversation.service_url
        or row.bot_id != conversation.bot_id
        or (conversation.name is not None and row.name != conversation.name)
        or (user_aad_id is not None and row.user_aad_id != user_aad_id)
    )
    if changed:
        row.service_url = conversation.service_url
        row.conversation_type = conversation.type
        row.bot_id = conversation.bot_id or row.bot_id
        row.name = conversation.name or row.name
        row.user_aad_id = user_aad_id or row.user_aad_id
        row.updated_at = utc_now()
        session.add(row)
        session.flush()
    return row


def keep_account(
    session: Session,
    organisation_id: int,
    aad_object_id: str,
    teams_user_id: str,
    name: str | None,
    service_url: str | None,
) -> TeamsAccount:
    row = session.exec(
        select(TeamsAccount).where(
            TeamsAccount.organisation_id == organisation_id,
            TeamsAccount.aad_object_id == aad_object_id,
        )
    ).first()
    if row is None:
        row = TeamsAccount(
            organisation_id=organisation_id, aad_object_id=aad_object_id, teams_user_id=""
        )
    if (row.teams_user_id, row.name, row.service_url) != (
        teams_user_id,
        name or row.name,
        service_url or row.service_url,
    ) or row.id is None:
        row.teams_user_id = teams_user_id
        row.name = name or row.name
        row.service_url = service_url or row.service_url
        row.updated_at = utc_now()
        session.add(row)
        session.flush()
    return row


def account_of(session: Session, organisation_id: int, user_id: str) -> TeamsAccount | None:
    """A person of the tenant by their AAD object id or their Teams user id."""
    return session.exec(
        select(TeamsAccount).where(
            TeamsAccount.organisation_id == organisation_id,
            or_(TeamsAccount.aad_object_id == user_id, TeamsAccount.teams_user_id == user_id),
        )
    ).first()


def personal_chat(
    session: Session, organisation_id: int, aad_object_id: str
) -> TeamsConversation | None:
    return session.exec(
        select(TeamsConversation).where(
            TeamsConversation.organisation_id == organisation_id,
            TeamsConversation.user_aad_id == aad_object_id,
            TeamsConversation.conversation_type == "personal",
        )
    ).first()


def conversation_of(
    session: Session, organisation_id: int, conversation_id: str
) -> TeamsConversation | None:
    return session.exec(
        select(TeamsConversation).where(
            TeamsConversation.organisation_id == organisation_id,
            TeamsConversation.conversation_id == conversation_id,
        )
    ).first()


def shared_conversations(session: Session, organisation_id: int) -> list[TeamsConversation]:
    """Channels and group chats the bot is in: where the team's reminders may go."""
    return list(
        session.exec(
            select(TeamsConversation)
            .where(
                TeamsConversation.organisation_id == organisation_id,
                col(TeamsConversation.conversation_type).in_(("channel", "groupChat")),
            )
            .order_by(col(TeamsConversation.name), col(TeamsConversation.id))
        )
    )


def names_of(session: Session, organisation_id: int, ids: set[str]) -> dict[str, TeamsAccount]:
    """The accounts behind the AAD object ids `ids` (for mentions), by AAD object id."""
    if not ids:
        return {}
    rows = session.exec(
        select(TeamsAccount).where(
            TeamsAccount.organisation_id == organisation_id,
            col(TeamsAccount.aad_object_id).in_(sorted(ids)),
        )
    )
    return {row.aad_object_id: row for row in rows}
