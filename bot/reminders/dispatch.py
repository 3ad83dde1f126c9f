"""One tick of the reminder worker: claim what is due, send it in working hours, mark it.

Channels are adapters (Slack, the console log); the dispatcher only knows that a channel
sends a message to a target, may ask us to wait (`RateLimited`), and may know a user's
timezone and locale.

Each reminder is written, and rendered, in its recipient's language: a member's own locale
as the platform tells it at send time (`locale_of`, which a channel caches: Slack answers
`users.info` once per person per ten minutes), else the organisation's language, else the
deployment's (ISO20K_LOCALE), else English; a channel message in the organisation's
language. Nothing of it is taken as finished text from the outbox (bot/reminders/messages.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot import logs
from bot.dialogs.context import DialogContext, Person, bank_for, reader_language
from bot.dialogs.model import Message
from bot.dialogs.worker import local_date
from bot.reminders.messages import reminder_message
from bot.reminders.outbox import claim_due, mark_sent, record_failure, renew_claim, reschedule
from bot.reminders.policy import policy_of
from bot.reminders.timing import next_working_moment
from bot.store.models import Member, Organisation, Reminder
from bot.store.transactions import OUTBOX_BUDGET, committed
from iso20k_core.calendar import calendar_of_stored
from iso20k_core.language import Language, using
from iso20k_core.standard import Bank

log = logging.getLogger(__name__)


class RateLimited(Exception):
    """The channel asks us to wait before sending to this target again."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:g} s")
        self.retry_after = retry_after


class ReminderChannel(Protocol):
    def send(self, target: str, message: Message) -> str | None:
        """Send; return the platform's message reference. Raise RateLimited or any error."""
        ...

    def timezone_of(self, user_id: str) -> str | None: ...

    # A channel may also have `locale_of(user_id) -> str | None`: the person's language tag
    # as the platform tells it (looked up with getattr: it is optional).


@runtime_checkable
class WorkspaceChannels(Protocol):
    """A platform whose organisations each have a channel of their own (Slack: each
    workspace's token), or None where the app is not installed."""

    def for_workspace(self, workspace: str) -> ReminderChannel | None: ...


Channels = ReminderChannel | WorkspaceChannels


@dataclass
class TickResult:
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    retried: int = 0
    lost: int = 0  # claims taken over by another worker before we sent


def tick(
    engine: Engine,
    bank: Bank,
    channels: Mapping[str, Channels],
    clock: Callable[[], dt.datetime],
    limit: int = 100,
    *,
    locale: str | None = None,
) -> TickResult:
    """Claim up to `limit` due reminders and deliver each through its platform's channel;
    `locale` is the deployment's language (ISO20K_LOCALE)."""
    result = TickResult()
    with Session(engine, expire_on_commit=False) as session:
        token, claimed = claim_due(session, clock(), limit)
        result.claimed = len(claimed)
        # One evaluation per organisation, language and tick (it holds text in a language).
        contexts: dict[tuple[int, str], DialogContext] = {}
        for reminder in claimed:
            # Every line about this reminder names it, its organisation and platform.
            with logs.bound(request_id=f"reminder-{reminder.id}"):
                _deliver(session, bank, channels, clock, token, reminder, result, contexts, locale)
    return result


def _deliver(
    session: Session,
    bank: Bank,
    channels: Mapping[str, Channels],
    clock: Callable[[], dt.datetime],
    token: str,
    reminder: Reminder,
    result: TickResult,
    contexts: dict[tuple[int, str], DialogContext],
    locale: str | None = None,
) -> None:
    assert reminder.id is not None
    organisation = session.get(Organisation, reminder.organisation_id)
    if organisation is not None:
        logs.bind(organisation=organisation.external_id, platform=organisation.platform)
    found = channels.get(organisation.platform) if organisation else None
    if organisation is None or found is None:
        record_failure(session, reminder, token, clock(), "no channel for this platform")
        result.retried += 1
        return
    channel: ReminderChannel | None
    if isinstance(found, WorkspaceChannels):
        channel = found.for_workspace(organisation.external_id)
        if channel is None:  # no token to send with: no call, one line, tried again later
            log.warning("reminder %s not sent: the app is not installed there", reminder.id)
            record_failure(session, reminder, token, clock(), "not installed in this workspace")
            result.retried += 1
            return
    else:
        channel = found
    policy = policy_of(organisation.reminder_policy)
    calendar = calendar_of_stored(organisation.profile)
    tz = _timezone(session, organisation, channel, reminder.target)
    now = clock()
    moment = next_working_moment(now, tz, calendar, policy.work_start, policy.work_end)
    if moment > now:
        reschedule(session, reminder.id, token, moment)
        result.deferred += 1
        return
    language = _language(session, organisation, channel, reminder.target, locale)
    try:
        key = (reminder.organisation_id, language.tag)
        ctx = contexts.get(key) or _context(session, organisation, bank, now, language, locale)
        contexts[key] = ctx
        with using(language):
            message = reminder_message(reminder, ctx)
    except Exception as exc:  # a reminder we cannot even write: retry, then fail visibly
        log.exception("reminder %s could not be written", reminder.id)
        session.rollback()
        record_failure(session, reminder, token, clock(), f"{type(exc).__name__}: {exc}")
        result.retried += 1
        return
    # Renewing also ends the read transaction, so no lock is held while we talk to Slack.
    if not renew_claim(session, reminder.id, token, clock()):
        result.lost += 1  # another worker took it over after our lease: it sends, we don't
        return
    try:
        with using(language):  # rendered (Block Kit, a card) in the language it is written in
            reference = channel.send(reminder.target, message)
    except RateLimited as exc:
        reschedule(session, reminder.id, token, clock() + dt.timedelta(seconds=exc.retry_after))
        result.deferred += 1
        return
    except Exception as exc:  # any other error: retry with backoff, then fail visibly
        log.warning("reminder %s failed: %s", reminder.id, exc)
        if record_failure(session, reminder, token, clock(), f"{type(exc).__name__}: {exc}"):
            result.retried += 1
        return
    # The only window for a duplicate: killed between the send above and this mark.
    try:
        if mark_sent(session, reminder.id, token, clock(), reference):
            result.sent += 1
    except Exception:  # the message is out; the lease will expire and it may be re-sent
        log.exception("reminder %s sent but not marked", reminder.id)
        session.rollback()


def _member(session: Session, organisation: Organisation, target: str) -> Member | None:
    return session.exec(
        select(Member).where(
            Member.organisation_id == organisation.id, Member.platform_user_id == target
        )
    ).first()


def _language(
    session: Session,
    organisation: Organisation,
    channel: ReminderChannel,
    target: str,
    locale: str | None,
) -> Language:
    """The recipient's language: a member's own locale (asked of the platform at send time
    where it can tell, the channel caching it; else as their member row keeps it from their
    last turn: Teams), else the organisation's, else the deployment's; a channel (or anyone
    who is no member) reads the organisation's."""
    own: str | None = None
    member = _member(session, organisation, target)
    locale_of = getattr(channel, "locale_of", None)
    if callable(locale_of) and member is not None:
        try:
            found = locale_of(target)
            own = found if isinstance(found, str) else None
        except Exception as exc:  # not knowing a language is no reason to miss a reminder
            log.info("no locale for %s: %s", target, exc)
    if own is None and member is not None:
        own = member.locale
    person = Person(target, frozenset(), locale=own) if own else None
    return reader_language(person, organisation, locale)


def _timezone(
    session: Session, organisation: Organisation, channel: ReminderChannel, target: str
) -> str:
    """The recipient's timezone: a member's own (asked of the platform once), else the
    organisation's (channels and unknown people)."""
    member = _member(session, organisation, target)
    if member is None:
        return organisation.timezone
    if member.timezone is None:
        try:
            found = channel.timezone_of(target)
        except Exception as exc:  # not knowing a timezone is no reason to miss a reminder
            log.info("no timezone for %s: %s", target, exc)
            found = None
        if found:
            # Set inside the transaction: a retry after a rollback must set it again.
            committed(session, lambda: _remember_timezone(session, member, found), OUTBOX_BUDGET)
            return found
    return member.timezone or organisation.timezone


def _remember_timezone(session: Session, member: Member, timezone: str) -> None:
    member.timezone = timezone
    session.add(member)


def _context(
    session: Session,
    organisation: Organisation,
    bank: Bank,
    now: dt.datetime,
    language: Language,
    locale: str | None,
) -> DialogContext:
    # Everyone in the channel reads a reminder: it is written as any member sees the plan
    # (the README's one visibility rule), never with the rights of whoever joined first.
    member = Member(organisation_id=organisation.id or 0, platform_user_id="", role="member")
    today = local_date(now, organisation.timezone)
    return DialogContext(
        session,
        organisation,
        member,
        today,
        bank_for(bank, language),
        now,
        cache_evaluation=True,
        language=language,
        default_locale=locale,
    )
