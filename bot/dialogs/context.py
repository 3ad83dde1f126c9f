"""Who is acting, in which organisation, on which day: what every dialog step receives."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlmodel import Session, col, select

from bot.reminders.regenerate import regenerate
from bot.store import audit
from bot.store.crud import answers_of, current_assessment, get_or_create_organisation, upsert_member
from bot.store.lifecycle import in_use
from bot.store.models import Assessment, AuditBatch, Member, Organisation, Platform
from bot.store.plan_records import sync_plan
from iso20k_core.errors import InputError
from iso20k_core.evaluate import evaluate
from iso20k_core.inputs import parse_profile
from iso20k_core.language import Language, active, english, resolve, using
from iso20k_core.plan import AUDIT_KEYS
from iso20k_core.profile import Profile
from iso20k_core.results import Evaluation
from iso20k_core.standard import Bank, in_active_language

MANAGING_ROLES = ("admin", "manager")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Person:
    """Someone the chat platform knows, as far as the dialogs need to know them."""

    user_id: str
    # The organisations (workspaces, tenants) they belong to, spelled as
    # `Organisation.external_id` is, so a dialog can tell whether they are one of its own.
    workspaces: frozenset[str]
    display_name: str | None = None
    timezone: str | None = None  # IANA name
    locale: str | None = None  # e.g. "zh-CN"


class DirectoryError(Exception):
    """The directory could not be asked just now (the platform did not answer)."""


class Directory(Protocol):
    """Who a platform user id is: the port each channel implements (Slack: `users.info`)."""

    def person(self, user_id: str) -> Person | None:
        """The person, or None when the platform knows no such person (or not a person:
        a bot, a deactivated account). Raises `DirectoryError` when it cannot tell."""
        ...


@dataclass(frozen=True)
class NoDirectory:
    """Knows nobody: the safe default where no channel says who people are."""

    def person(self, user_id: str) -> Person | None:
        return None


@dataclass(frozen=True)
class OpenDirectory:
    """Everyone named is a person of `workspace`: the console, where people are just names
    typed by whoever sits at the terminal, and read the terminal's language (`locale`:
    ISO20K_LOCALE)."""

    workspace: str
    locale: str | None = None

    def person(self, user_id: str) -> Person | None:
        return Person(
            user_id, frozenset({self.workspace}), display_name=user_id, locale=self.locale
        )


NOBODY = NoDirectory()


@dataclass
class DialogContext:
    session: Session
    organisation: Organisation
    member: Member
    today: dt.date
    bank: Bank
    now: dt.datetime | None = None  # the moment of the request (UTC); reminders are timed by it
    # Read-only users (the reminder worker) may keep one evaluation; dialogs that write don't.
    cache_evaluation: bool = False
    directory: Directory = NOBODY  # who platform users are (the channel's, passed in)
    # The language the person acting reads (`reader_language`); the step runs in it.
    language: Language = field(default_factory=english)
    # The deployment's language (ISO20K_LOCALE), for anyone who names none of their own.
    default_locale: str | None = None
    _evaluation: Evaluation | None = field(default=None, repr=False)
    _evaluation_tag: str = field(default="", repr=False)

    @property
    def is_manager(self) -> bool:
        return self.member.role in MANAGING_ROLES

    @property
    def is_admin(self) -> bool:
        return self.member.role == "admin"

    def record(self, action: str, details: Mapping[str, Any] | None = None) -> None:
        """Put what the person acting just did on the audit trail (`bot.store.audit`): in
        this step's transaction, so a step that is refused or rolled back leaves no entry."""
        assert self.organisation.id is not None
        audit.record(
            self.session,
            self.organisation.id,
            self.member.platform_user_id,
            action,
            details,
            actor_name=self.member.display_name,
            at=self.now,
        )

    def person(self) -> Person | None:
        """What the platform says of the person acting (timezone, locale), if it can say."""
        return _person_or_none(self.directory, self.member.platform_user_id)

    def organisation_language(self) -> Language:
        """What the organisation reads (its channel, people who name no language)."""
        return organisation_language(self.organisation, self.default_locale)

    def language_of(self, person: Person | None) -> Language:
        """What `person` reads (a notice to a colleague is written in it: build it within
        `using(ctx.language_of(colleague))`)."""
        return reader_language(person, self.organisation, self.default_locale)

    def colleague(self, user_id: str) -> Person | None:
        """The person behind `user_id` if they belong to this organisation's own workspace,
        else None: a manager may only involve people of their own workspace. Raises
        `DirectoryError` when the platform cannot be asked."""
        person = self.directory.person(user_id)
        if person is None or self.organisation.external_id not in person.workspaces:
            return None
        return person

    def member_for(self, person: Person) -> Member:
        """The member row of a colleague, created if new, with what the platform says of them."""
        member = _member_of(self.session, self.organisation, person.user_id) or upsert_member(
            self.session, self.organisation, person.user_id, role="member"
        )
        remember(self.session, member, person)
        return member

    def assessment(self) -> Assessment:
        return current_assessment(self.session, self.organisation, self.bank.version)

    def answers(self) -> dict[str, object]:
        return answers_of(self.session, self.assessment())

    def profile(self) -> Profile | None:
        raw = self.organisation.profile
        if raw is None:
            return None
        try:
            return parse_profile(raw)
        except InputError:
            return None  # a profile from an older version that no longer validates: set up again

    def evaluation(self) -> Evaluation | None:
        # An evaluation holds text (risk titles, milestone names) written in the language
        # that was active when it was made: one kept is only reused in that language.
        if self._evaluation is not None and self._evaluation_tag == active().tag:
            return self._evaluation
        profile = self.profile()
        if profile is None:
            return None
        # A recorded booking moves the plan: its audit is laid out on the confirmed date.
        booked = self.session.exec(
            select(AuditBatch).where(
                AuditBatch.organisation_id == self.organisation.id,
                col(AuditBatch.booked),
                col(AuditBatch.booked_date).is_not(None),
                col(AuditBatch.key).in_(AUDIT_KEYS),
            )
        )
        bookings = {row.key: row.booked_date for row in booked}
        result = evaluate(profile, self.answers(), self.today, self.bank, bookings)
        if self.cache_evaluation:  # its texts are in the language active now: keep it so
            self._evaluation, self._evaluation_tag = result, active().tag
        return result

    def replan(self) -> Evaluation | None:
        """Evaluate, store the plan's milestones and audit batches, and regenerate the
        reminders that hang on them (after any change)."""
        result = self.evaluation()
        if result is not None:
            sync_plan(self.session, self.organisation, result.plan)
        self.refresh_reminders()
        return result

    def refresh_reminders(self) -> None:
        if self.organisation.profile is not None:
            # Generated from the English bank, whoever acts: the outbox keeps no text in the
            # language of the person who happened to change the plan (bot/reminders/messages).
            regenerate(
                self.session,
                self.organisation,
                bank_for(self.bank, english()),
                self.now or dt.datetime.now(dt.UTC),
            )

    def lock_organisation(self) -> None:
        """Hold the organisation's row until this step commits: steps that decide from what
        they read (is there an admin yet?) then take turns. PostgreSQL locks the row
        (FOR UPDATE); SQLite has one writer, and a step that read before another wrote is
        run again (bot.store.transactions)."""
        self.session.exec(
            select(Organisation)
            .where(Organisation.id == self.organisation.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()

    def admins_exist(self) -> bool:
        found = self.session.exec(
            select(Member).where(
                Member.organisation_id == self.organisation.id, Member.role == "admin"
            )
        ).first()
        return found is not None


def enter(
    session: Session,
    platform: Platform,
    workspace_id: str,
    workspace_name: str,
    user_id: str,
    today: dt.date,
    bank: Bank,
    display_name: str | None = None,
    directory: Directory = NOBODY,
    default_locale: str | None = None,
) -> DialogContext:
    """The context for one request: the tenant and the member, created on first contact.

    Members join as plain members; whoever first runs setup in a workspace becomes its admin.
    What the directory says of the person (their timezone: reminders are timed by it) is
    kept on their member row. The context's `language` is the one they read
    (`reader_language`); the caller makes it active for the step and its rendering.
    """
    # Asked before the first write, so no database lock is held while the platform answers.
    person = _person_or_none(directory, user_id)
    organisation = get_or_create_organisation(session, platform, workspace_id, workspace_name)
    in_use(session, organisation)  # someone there uses it: installed again (reminders resume)
    existing = _member_of(session, organisation, user_id)
    member = existing or upsert_member(
        session, organisation, user_id, role="member", display_name=display_name
    )
    if person is not None:
        remember(session, member, person)
    language = reader_language(person, organisation, default_locale)
    return DialogContext(
        session,
        organisation,
        member,
        today,
        bank_for(bank, language),
        directory=directory,
        language=language,
        default_locale=default_locale,
    )


def bank_for(bank: Bank, language: Language) -> Bank:
    """The shipped bank of `bank`'s version as `language` reads it (its texts translated;
    the same ids, weights and order). A bank that is not a shipped one (a test's) is kept
    as it is."""
    with using(language):
        return in_active_language(bank)


def organisation_language(organisation: Organisation, default_locale: str | None) -> Language:
    """The organisation's language (its profile's `language`, stored only when not the
    default), else the deployment's (ISO20K_LOCALE), else English."""
    profile = organisation.profile or {}
    tag = profile.get("language")
    return resolve(tag if isinstance(tag, str) else None, default_locale)


def reader_language(
    person: Person | None, organisation: Organisation | None, default_locale: str | None
) -> Language:
    """What a person reads: their own locale where the platform gives one (Slack
    `users.info`, the Teams activity), else their organisation's language, else the
    deployment's (ISO20K_LOCALE), else English."""
    profile = (organisation.profile if organisation is not None else None) or {}
    tag = profile.get("language")
    return resolve(
        person.locale if person is not None else None,
        tag if isinstance(tag, str) else None,
        default_locale,
    )


def _person_or_none(directory: Directory, user_id: str) -> Person | None:
    try:
        return directory.person(user_id)
    except DirectoryError as exc:  # not knowing a timezone is no reason to refuse a request
        log.info("no directory entry for %s: %s", user_id, exc)
        return None


def _member_of(session: Session, organisation: Organisation, user_id: str) -> Member | None:
    return session.exec(
        select(Member).where(
            Member.organisation_id == organisation.id, Member.platform_user_id == user_id
        )
    ).first()


LOCALE_LIMIT = 35  # BCP 47 tags in practice (RFC 5646 4.4.1 asks for at least 35)


def remember(session: Session, member: Member, person: Person) -> None:
    """Keep the person's timezone, locale and name on their member row (written only on
    change)."""
    timezone = person.timezone if _real_zone(person.timezone) else None
    changed = False
    if person.locale and len(person.locale) <= LOCALE_LIMIT and member.locale != person.locale:
        member.locale, changed = person.locale, True
    if timezone is not None and member.timezone != timezone:
        member.timezone, changed = timezone, True
    if person.display_name and member.display_name != person.display_name:
        member.display_name, changed = person.display_name, True
    if changed:
        session.add(member)
        session.flush()


@functools.cache
def _zones() -> frozenset[str]:
    # "Factory" and "localtime" are files of the zone database, not places anyone lives.
    return frozenset(zoneinfo.available_timezones() - {"Factory", "localtime"})


def _real_zone(name: str | None) -> bool:
    return name is not None and name in _zones()
