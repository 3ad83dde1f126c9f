"""Reminders to Teams, sent proactively through the stored conversation references.

A reminder's target is a person (their AAD object id: the 1:1 chat with the bot, opened if
there is none yet) or a conversation id (the team's reminder channel). Teams gives nothing to
send to without a reference, so a target the bot has never been in touch with fails visibly
in the outbox (`iso20k reminders list`) rather than disappearing. A 429 is first waited out
by the connector (`Retry-After`, twice); if Teams still refuses, the reminder is handed back
to the outbox with that wait, as on Slack (bot/slack/reminder_channel.py).

Targets are looked up across Teams tenants: an AAD object id and a conversation id each
belong to one tenant.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from bot.dialogs.model import Message
from bot.reminders.dispatch import RateLimited
from bot.settings import Settings
from bot.store.models import Organisation, TeamsAccount, TeamsConversation
from bot.teams.activity import Conversation
from bot.teams.cards import message_card
from bot.teams.connector import Connector, ConnectorError, Throttled
from bot.teams.references import keep_conversation, names_of
from bot.teams.sender import card_activity, mentioned_ids
from bot.teams.tokens import tokens_from


class NoConversation(ConnectorError):
    def __init__(self, target: str) -> None:
        super().__init__(404, "the bot has no conversation with this target yet")
        self.target = target


class TeamsReminderChannel:
    def __init__(self, connector: Connector, engine: Engine, bot_id: str = "") -> None:
        self.connector = connector
        self.engine = engine
        self.bot_id = bot_id

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine) -> TeamsReminderChannel:
        bot = f"28:{settings.teams_app_id}" if settings.teams_app_id else ""
        return cls(Connector(tokens_from(settings)), engine, bot)

    def send(self, target: str, message: Message) -> str | None:
        conversation, names = self._where(target, message)
        activity = card_activity(message_card(message, names=names), message)
        try:
            return self.connector.send(conversation, activity) or None
        except Throttled as exc:
            raise RateLimited(exc.retry_after) from exc

    def close(self) -> None:
        self.connector.close()

    def timezone_of(self, user_id: str) -> str | None:
        return None  # Teams tells a person's timezone only in their own activities

    def _where(self, target: str, message: Message) -> tuple[Conversation, dict[str, str]]:
        with Session(self.engine) as session:
            row = session.exec(
                select(TeamsConversation).where(
                    or_(
                        col(TeamsConversation.conversation_id) == target,
                        (col(TeamsConversation.user_aad_id) == target)
                        & (col(TeamsConversation.conversation_type) == "personal"),
                    )
                )
            ).first()
            account = None
            if row is None:
                account = session.exec(
                    select(TeamsAccount).where(TeamsAccount.aad_object_id == target)
                ).first()
                if account is None or not account.service_url:
                    raise NoConversation(target)
                organisation_id = account.organisation_id
            else:
                organisation_id = row.organisation_id
            organisation = session.get(Organisation, organisation_id)
            assert organisation is not None
            names = {
                aad: a.name or ""
                for aad, a in names_of(session, organisation_id, mentioned_ids(message)).items()
            }
            if row is not None:
                return (
                    Conversation(
                        row.conversation_id,
                        row.service_url,
                        organisation.external_id,
                        row.conversation_type,
                        row.bot_id,
                        row.name,
                    ),
                    names,
                )
            assert account is not None and account.service_url is not None
            service_url, teams_id = account.service_url, account.teams_user_id
        tenant = organisation.external_id
        chat_id = self.connector.open_personal(service_url, tenant, self.bot_id, teams_id)
        chat = Conversation(chat_id, service_url, tenant, "personal", self.bot_id)
        with Session(self.engine) as session:
            keep_conversation(session, organisation_id, chat, target)
            session.commit()
        return chat, names
