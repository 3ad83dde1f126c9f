"""Everything the app sends to Teams, run by a dialog worker after the web process answered.

The web process only verifies the token, reads the activity and hands a `Turn` over (bot/
teams/endpoint.py); here the worker keeps the conversation reference, runs the dialog step,
renders the outcome as Adaptive Cards and posts it to the Bot Connector.

Where answers go. In a personal chat, where the person asked. In a channel or a group chat
everyone reads the bot's replies, and Teams has no message only one person sees (Slack's
ephemeral replies), while costs and staffing are for managers only (README "Who sees what")
and a form's values are the person's own: so the answer goes to the person's 1:1 chat with
the bot, and the conversation gets a line saying so. A card submitted from a message is
updated in place with what follows (the next page, the same form with its errors, or the
result), not answered with a new card each time.

A person is their AAD object id; mentions of others (`<at>Name</at>` with an entity naming
their Teams user id) are looked up in the conversation's members before the step, so the
dialog sees `@<AAD object id>` and checks, as on Slack, that the person is of this tenant.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from cachetools import TTLCache
from microsoft_agents.activity import Activity
from sqlmodel import Session

from bot.dialogs.apologies import APOLOGY, NOT_SHOWN
from bot.dialogs.commands import help_message
from bot.dialogs.context import DirectoryError, Person
from bot.dialogs.model import MARK_END, MARK_START, Form, Message, Outcome, has_marks, mention
from bot.dialogs.worker import DialogRequest, WorkerState, perform_answer, translated
from bot.downloads import link, offer
from bot.settings import Settings
from bot.store.models import Organisation
from bot.store.transactions import REPLY_BUDGET, StoreUnavailable, in_transaction
from bot.teams.activity import Conversation, Mentioned, Turn
from bot.teams.cards import (
    FormSubmission,
    attachment,
    form_card,
    message_card,
    read_submission,
)
from bot.teams.connector import Connector, ConnectorError
from bot.teams.references import (
    account_of,
    keep_account,
    keep_conversation,
    names_of,
    organisation_of,
    personal_chat,
    remember_turn,
    shared_conversations,
)
from bot.teams.tokens import TokenUnavailable, tokens_from
from iso20k_core.language import N_, _, resolve, using

log = logging.getLogger(__name__)
SENDER = "teams"  # its key in WorkerState.extras
KEPT_FOR = 600.0  # seconds a stored conversation reference is taken as stored
_MENTIONED = re.compile(f"{MARK_START}@([^{MARK_START}{MARK_END}]{{1,255}}){MARK_END}")
NO_LINK = N_(
    "The file is ready, but this app has no public address to offer it from (PUBLIC_URL is "
    "not set); ask whoever runs iso20k to set it."
)


def elsewhere(person: str) -> Message:
    """The line left in a channel or group chat when the answer went to a 1:1 chat."""
    return Message(
        _("Answered in our chat"),
        text=_("{person}, I sent you the answer in our 1:1 chat.", person=mention(person)),
    )


@dataclass
class TeamsSender:
    connector: Connector
    public_url: str | None
    download_lifetime: dt.timedelta
    bot_id: str = ""  # 28:<app id>; a stored conversation knows its own
    # The references this process stored lately: the same one is not written again each
    # turn (a transaction, about 2 ms a turn: benchmarks/teams_latency.py); after `KEPT_FOR`
    # seconds it is checked again, so one deleted meanwhile comes back.
    _kept: TTLCache[tuple[object, ...], bool] = field(
        default_factory=lambda: TTLCache(maxsize=10_000, ttl=KEPT_FOR)
    )

    def close(self) -> None:
        self.connector.close()

    # -- what the worker does for a turn ----------------------------------------------------

    def answer(self, state: WorkerState, request: DialogRequest, turn: Turn) -> None:
        """Keep the conversation, run the step, deliver its outcome; on failure apologise
        (never a trace), saying whether the request was done."""
        reference = (turn.conversation, turn.user_aad_id, turn.user_teams_id, turn.user_name)
        if reference not in self._kept:
            try:
                in_transaction(state.engine, lambda s: remember_turn(s, turn), REPLY_BUDGET)
                self._kept[reference] = True
            except Exception:  # the answer matters more than the reference; it comes again
                log.exception("could not keep the conversation of %s", turn.activity_id)
        # The turn's own locale (Teams sends the client's), else the deployment's: what a
        # welcome or an apology is written in, before any organisation is read.
        first = resolve(turn.locale, state.locale)
        if turn.kind == "installed":  # a welcome; no one acted, so no dialog step runs
            with using(first):
                self.deliver(state, Outcome(reply=help_message()), turn, request.now)
            return
        people = TeamsDirectory(self.connector, turn)
        text = people.resolve(request.text, turn.mentions) if turn.mentions else request.text
        try:
            answered = perform_answer(state, dataclasses.replace(request, text=text), people)
        except StoreUnavailable as exc:
            log.warning("%s %r not done: %s", request.operation, request.name, exc)
            with using(first):
                self.apologise(state, turn, APOLOGY)
            return
        except Exception:
            log.exception("%s %r failed", request.operation, request.text or request.name)
            with using(first):
                self.apologise(state, turn, APOLOGY)
            return
        # The cards are rendered in the language the step wrote in.
        with using(answered.language):
            try:
                self.deliver(state, answered.outcome, turn, request.now, people.learned)
            except Exception:
                log.exception("answer to %s %r not delivered", request.operation, request.name)
                self.apologise(state, turn, NOT_SHOWN)

    def deliver(
        self,
        state: WorkerState,
        outcome: Outcome,
        turn: Turn,
        now: dt.datetime,
        learned: dict[str, tuple[Person, str]] | None = None,
    ) -> None:
        def render(session: Session) -> tuple[list[tuple[str, Activity]], Activity | None]:
            organisation = organisation_of(session, turn.tenant_id)
            assert organisation.id is not None
            for person, teams_id in (learned or {}).values():
                keep_account(
                    session,
                    organisation.id,
                    person.user_id,
                    teams_id,
                    person.display_name,
                    turn.conversation.service_url,
                )
            notices = [
                (n.user_id, self._activity(session, organisation, n.message, turn, now))
                for n in outcome.notices
            ]
            reply = outcome.reply
            if reply is None:
                return notices, None
            return notices, self._activity(session, organisation, reply, turn, now, outcome)

        notices, reply = in_transaction(state.engine, render, REPLY_BUDGET)
        for user_id, activity in notices:
            try:
                self._to_person(state, turn, user_id, activity)
            except (ConnectorError, TokenUnavailable) as exc:  # one person must not cost all
                log.warning("could not notify %s: %s", user_id, exc)
        if reply is not None:
            self._reply(state, turn, reply)

    def apologise(self, state: WorkerState, turn: Turn, message: Message) -> None:
        message = translated(message)
        try:
            self._reply(state, turn, card_activity(message_card(message), message))
        except Exception:  # best effort; the original error is already logged
            log.exception("could not apologise in %s", turn.conversation.id)

    # -- where an answer goes ---------------------------------------------------------------

    def _reply(self, state: WorkerState, turn: Turn, activity: Activity) -> None:
        conversation = turn.conversation
        if turn.kind == "installed":
            self.connector.send(conversation, activity)
        elif conversation.type == "personal":
            if turn.kind == "submission" and turn.reply_to_id:
                self.connector.update(conversation, turn.reply_to_id, activity)
            else:
                self.connector.send(conversation, activity, reply_to=turn.activity_id or None)
        else:
            # Shared: the answer in private (a button pressed on a channel's card included:
            # updating that card would show everyone the form), a pointer where they asked.
            self._to_person(state, turn, turn.user_aad_id, activity)
            pointer = elsewhere(turn.user_aad_id)
            names = {turn.user_aad_id: turn.user_name or ""}
            card = message_card(pointer, names=names)
            thread = turn.activity_id if turn.kind == "message" else turn.reply_to_id
            self.connector.send(conversation, card_activity(card, pointer), reply_to=thread)

    def _to_person(self, state: WorkerState, turn: Turn, user_id: str, activity: Activity) -> None:
        """A message in the 1:1 chat with a person of the turn's tenant, opened if new."""

        def find(session: Session) -> tuple[Conversation | None, str | None, str]:
            organisation = organisation_of(session, turn.tenant_id)
            assert organisation.id is not None
            account = account_of(session, organisation.id, user_id)
            aad = account.aad_object_id if account is not None else user_id
            chat = personal_chat(session, organisation.id, aad)
            if chat is not None:
                return _conversation(chat, turn.tenant_id), None, aad
            return None, account.teams_user_id if account is not None else None, aad

        chat, teams_id, aad = in_transaction(state.engine, find, REPLY_BUDGET)
        if chat is None:
            if teams_id is None:
                raise ConnectorError(404, "NoSuchPerson")
            bot = turn.conversation.bot_id or self.bot_id
            chat_id = self.connector.open_personal(
                turn.conversation.service_url, turn.tenant_id, bot, teams_id
            )
            chat = Conversation(
                chat_id, turn.conversation.service_url, turn.tenant_id, "personal", bot
            )

            def keep(session: Session) -> None:
                organisation = organisation_of(session, turn.tenant_id)
                assert organisation.id is not None and chat is not None
                keep_conversation(session, organisation.id, chat, aad)

            in_transaction(state.engine, keep, REPLY_BUDGET)
        self.connector.send(chat, activity)

    # -- rendering --------------------------------------------------------------------------

    def _activity(
        self,
        session: Session,
        organisation: Organisation,
        shown: Message | Form,
        turn: Turn,
        now: dt.datetime,
        outcome: Outcome | None = None,
    ) -> Activity:
        assert organisation.id is not None
        names = {
            aad: account.name or ""
            for aad, account in names_of(session, organisation.id, mentioned_ids(shown)).items()
        }
        if isinstance(shown, Form):
            channels = [
                (c.conversation_id, c.name or c.conversation_id)
                for c in shared_conversations(session, organisation.id)
            ]
            submitted = turn.value if outcome is not None and outcome.errors else None
            card = form_card(
                shown,
                _values(submitted),
                outcome.errors if outcome is not None else None,
                now.date(),
                channels=channels,
                names=names,
            )
            return card_activity(card, Message(shown.title))
        file_url = None
        if shown.file is not None:
            if self.public_url:
                token = offer(
                    session,
                    organisation.id,
                    shown.file.filename,
                    shown.file.mime,
                    shown.file.content,
                    now,
                    self.download_lifetime,
                )
                file_url = link(self.public_url, token)
            else:
                shown = dataclasses.replace(shown, text=f"{shown.text}\n\n{_(NO_LINK)}".strip())
        return card_activity(message_card(shown, names=names, file_url=file_url), shown)


@dataclass
class TeamsDirectory:
    """Who Teams users are, as far as this turn can tell: the person speaking from the
    activity itself, anyone else from the conversation's members (Bot Connector)."""

    connector: Connector
    turn: Turn
    # People found in the members, by AAD object id, with their Teams user id; and ids the
    # conversation has no member for (asked once per turn).
    learned: dict[str, tuple[Person, str]] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)

    def person(self, user_id: str) -> Person | None:
        turn = self.turn
        if user_id == turn.user_aad_id:
            return Person(
                user_id,
                frozenset({turn.tenant_id}),
                display_name=turn.user_name,
                timezone=turn.timezone,
                locale=turn.locale,
            )
        if user_id in self.learned:
            return self.learned[user_id][0]
        if user_id in self.unknown:
            return None
        try:
            account = self.connector.member(turn.conversation, user_id)
        except (ConnectorError, TokenUnavailable) as exc:
            raise DirectoryError(f"members: {exc}") from exc
        if account is None or not account.aad_object_id:
            self.unknown.add(user_id)
            return None
        tenant = account.tenant_id or turn.tenant_id
        found = Person(account.aad_object_id, frozenset({tenant}), display_name=account.name)
        self.learned[account.aad_object_id] = (found, account.id or user_id)
        return found

    def resolve(self, text: str, mentions: tuple[Mentioned, ...]) -> str:
        """The command text with each `<at>Name</at>` as `@<AAD object id>` when the member
        is found; else `@<Teams user id>`, which the dialog's own check then refuses (not of
        this tenant) or reports (Teams could not be asked)."""
        for m in mentions:
            try:
                person = self.person(m.teams_id)
            except DirectoryError:
                person = None
            text = text.replace(m.text, f"@{person.user_id if person else m.teams_id}", 1)
        return text


def mentioned_ids(shown: Message | Form) -> set[str]:
    text = json.dumps(dataclasses.asdict(shown), default=str, ensure_ascii=False)
    return set(_MENTIONED.findall(text))


def _values(submitted: dict[str, Any] | None) -> dict[str, Any] | None:
    if not submitted:
        return None
    read = read_submission(submitted)
    return dict(read.values) if isinstance(read, FormSubmission) else None


def card_activity(card: dict[str, Any], message: Message) -> Activity:
    """A message activity carrying one card; `summary` is what a notification shows."""
    summary = message.heading if not has_marks(message.heading) else "iso20k"
    return Activity.model_validate(
        {"type": "message", "summary": summary, "attachments": [attachment(card)]}
    )


def _conversation(row: Any, tenant_id: str) -> Conversation:
    return Conversation(
        row.conversation_id, row.service_url, tenant_id, row.conversation_type, row.bot_id, row.name
    )


def install_teams(settings: Settings, state: WorkerState) -> None:
    """Worker setup: the connector (and its token source) each worker uses."""
    quiet_sdk_logs()
    state.extras[SENDER] = TeamsSender(
        Connector(tokens_from(settings)),
        settings.public_url,
        dt.timedelta(minutes=settings.download_minutes),
        f"28:{settings.teams_app_id}" if settings.teams_app_id else "",
    )


def quiet_sdk_logs() -> None:
    """The SDK's connector client logs every message at INFO and every 4xx at ERROR, a 404
    for a member who is simply not in the conversation included; bot/teams/connector.py
    raises what went wrong and its callers log what matters, once."""
    logging.getLogger("microsoft_agents.hosting.core.connector").setLevel(logging.CRITICAL)


def answer(state: WorkerState, request: DialogRequest, turn: Turn) -> None:
    """What the web process hands a worker for each turn (a module-level function: it is
    sent to worker processes by name)."""
    sender: TeamsSender = state.extras[SENDER]
    sender.answer(state, request, turn)


def deliver(state: WorkerState, outcome: Outcome, turn: Turn, now: dt.datetime) -> None:
    """Deliver an outcome computed in the web process (an apology for a busy lane), in the
    turn's language (the web process wrote it in the same)."""
    sender: TeamsSender = state.extras[SENDER]
    try:
        with using(resolve(turn.locale, state.locale)):
            sender.deliver(state, outcome, turn, now)
    except Exception:
        log.exception("delivery in %s failed", turn.conversation.id)
