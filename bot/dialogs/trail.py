"""`log`: the audit trail of administrative actions, for admins, a page at a time.

Entries are written where each action is done (`DialogContext.record`, and the command line's
own in bot/cli.py); here each is told as a sentence in the reader's language, at the reader's
local time. The sentence is built from the entry's key and details when it is read, never
stored as text, so the trail reads in whichever language its reader has. An entry this
version cannot tell (a key it does not know, details of another shape) is still shown, as its
key and values: a trail must not hide what it holds.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from typing import Any

from babel.dates import get_month_names

from bot.dialogs.common import listed
from bot.dialogs.context import DialogContext
from bot.dialogs.model import (
    MARK_END,
    MARK_START,
    Button,
    Message,
    Outcome,
    Section,
    channel,
    command,
    mention,
)
from bot.dialogs.remind import OFFSET_FIELDS, weekday_name
from bot.dialogs.setup import COMPLEXITY_LABELS, FIELD_LABELS, ITIL_LABELS, RATE_LABELS
from bot.dialogs.team import ROLE_NAMES
from bot.store import audit
from bot.store.models import AuditEntry
from bot.store.personal import stands_in
from iso20k_core import figures as fig
from iso20k_core.language import N_, _, active, languages
from iso20k_core.plan import AUDIT_TITLES

# 20 entries are 41 Block Kit blocks (a divider and a section each, and the header), within
# Slack's 50 per message with the text and the paging buttons (PLATFORM.md "Block Kit limits").
PAGE = 20
VALUE_LIMIT = 80  # a value longer than this (a name) is cut: the sentence must stay readable
# A list of changes is cut here, so an entry stays one Block Kit section (3000 characters,
# with its heading) and a page of 20 stays within the message's 50 blocks.
CHANGES_LIMIT = 2400

# Each action's sentence, by key (the keys are what `record` writes).
SENTENCES: dict[str, str] = {
    "role.granted": N_("Role of {person}: {old} → {new}"),
    "assignment.made": N_("Asked {person} to answer {section}, due {day}"),
    "profile.created": N_("Set up the organisation profile: {changes}"),
    "profile.changed": N_("Changed the organisation profile: {changes}"),
    "rates.changed": N_("Changed the rates: {changes}"),
    "reminders.channel_set": N_("Reminder channel: {old} → {new}"),
    "reminders.paused": N_("Paused the reminders"),
    "reminders.resumed": N_("Resumed the reminders"),
    "reminders.changed": N_("Changed the reminder settings: {changes}"),
    "booking.recorded": N_("Recorded a booking: {audit} on {day} with {body}"),
    "booking.changed": N_("Changed the booking of {audit}: {changes}"),
    "report.exported": N_("Took a copy of the feasibility report ({format})"),
    "plan.exported": N_("Took a copy of the plan ({format})"),
    "org.exported": N_("Exported all of the organisation's data"),
    "org.deleted": N_("Deleted all of the organisation's data"),
    "person.exported": N_("Exported one person's data"),
    "person.erased": N_("Erased one person's data: their answers stay, anonymous"),
}
# Who an erased person (bot/store/personal.py) was is not known any more.
ERASED_PERSON = N_("an erased person")
# Variants of a sentence for details that leave a part out.
NO_DUE_DATE = N_("Asked {person} to answer {section}, no due date")
WITH_REFERENCE = N_("Recorded a booking: {audit} on {day} with {body}, reference {reference}")
UNKNOWN = N_("{action}: {details}")
PROFILE_LABELS = {**FIELD_LABELS, **RATE_LABELS}
REMINDER_LABELS = {
    **{key: label for key, (label, _hint) in OFFSET_FIELDS.items()},
    "digest_weekday": N_("Weekly digest on"),
    "work_start": N_("Working day starts"),
    "work_end": N_("Working day ends"),
}
BOOKING_LABELS = {
    "date": N_("Confirmed audit date"),
    "body": N_("Certification body"),
    "reference": N_("Booking reference"),
}
DATE_FIELDS = frozenset({"start_date", "target_certification_date", "date", "due"})
CHOICE_LABELS = {"itil_adoption": ITIL_LABELS, "complexity": COMPLEXITY_LABELS}


def log(ctx: DialogContext, args: list[str]) -> Outcome:
    if not ctx.is_admin:
        return Outcome(
            reply=Message(
                _("Only admins can see the audit trail"),
                tone="warning",
                text=_("Ask an admin of this organisation."),
            )
        )
    page = _page(args)
    if page is None:
        return Outcome(
            reply=Message(
                _("Which page?"),
                text=_("Usage: {command}", command=command("log [page]")),
                tone="error",
            )
        )
    return Outcome(reply=trail(ctx, page))


def _page(args: list[str]) -> int | None:
    """The page asked for (1: the newest entries), or None for anything but a page number."""
    if not args:
        return 1
    if len(args) == 1 and args[0].isdigit() and args[0].isascii() and int(args[0]) >= 1:
        return int(args[0])
    return None


def trail(ctx: DialogContext, page: int = 1) -> Message:
    """A page of the organisation's trail, newest first."""
    assert ctx.organisation.id is not None
    total = audit.count(ctx.session, ctx.organisation.id)
    if total == 0:
        return Message(
            _("Audit trail"),
            text=_(
                "Nothing has been recorded yet. Roles granted, changes to the profile, the "
                "rates and the reminders, bookings and copies of the data taken appear here."
            ),
        )
    pages = -(-total // PAGE)
    if page > pages:
        return Message(
            _("There is no page {page}", page=page),
            text=_(
                "The trail has {total} entries, on pages 1 to {pages}: {command}",
                total=total,
                pages=pages,
                command=command("log 1"),
            ),
            tone="warning",
        )
    first = (page - 1) * PAGE
    rows = audit.entries(ctx.session, ctx.organisation.id, PAGE, first)
    zone = _reader_zone(ctx)
    buttons: list[Button] = []
    if page < pages:
        buttons.append(Button(_("Older entries"), "log", str(page + 1)))
    if page > 1:
        buttons.append(Button(_("Newer entries"), "log", str(page - 1)))
    return Message(
        _("Audit trail"),
        text=_(
            "Entries {first}–{last} of {total}, newest first. Times in {timezone}.",
            first=first + 1,
            last=first + len(rows),
            total=total,
            timezone=zone.key,
        ),
        sections=tuple(
            Section(heading=_heading(row, zone), text=describe(ctx, row)) for row in rows
        ),
        buttons=tuple(buttons),
    )


def _reader_zone(ctx: DialogContext) -> zoneinfo.ZoneInfo:
    """The reader's own timezone, else the organisation's, else UTC."""
    for name in (ctx.member.timezone, ctx.organisation.timezone):
        if name:
            try:
                return zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return zoneinfo.ZoneInfo("UTC")


def _heading(row: AuditEntry, zone: zoneinfo.ZoneInfo) -> str:
    at = row.at if row.at.tzinfo is not None else row.at.replace(tzinfo=dt.UTC)
    local = at.astimezone(zone)
    if row.actor == audit.CLI:
        who = _("the command line")
    elif stands_in(row.actor):
        who = _(ERASED_PERSON)
    else:
        who = row.actor_name or row.actor
    # A heading holds no mention; a name is the platform's, so nothing checked it for marks.
    who = who.replace(MARK_START, "").replace(MARK_END, "")
    return _(
        "{day} {time} · {who}",
        day=fig.date(local.date()),
        time=local.strftime("%H:%M"),
        who=_cut(who),
    )


def describe(ctx: DialogContext, row: AuditEntry) -> str:
    """What the entry says was done, as a sentence in the active language."""
    details: Mapping[str, Any] = row.details or {}
    try:
        template, params = _sentence(ctx, row.action, details)
    except (KeyError, TypeError, ValueError, AttributeError):
        template, params = None, {}
    if template is None:
        return _(UNKNOWN, action=_cut(row.action), details=_raw(details))
    return _(template, **params)


def _sentence(
    ctx: DialogContext, action: str, d: Mapping[str, Any]
) -> tuple[str | None, dict[str, Any]]:
    """The template for `action` and its parameters from the details `d` (None: unknown)."""
    match action:
        case "role.granted":
            return SENTENCES[action], {
                "person": _person(d["user"]),
                "old": _role(d.get("from")),
                "new": _role(d["to"]),
            }
        case "assignment.made":
            params = {"person": _person(d["user"]), "section": _section(ctx, d["section"])}
            if not d.get("due"):
                return NO_DUE_DATE, params
            return SENTENCES[action], {**params, "day": _value("due", d["due"])}
        case "profile.created":
            return SENTENCES[action], {"changes": _set(d["changes"], PROFILE_LABELS)}
        case "profile.changed" | "rates.changed":
            return SENTENCES[action], {"changes": _changes(d["changes"], PROFILE_LABELS)}
        case "reminders.changed":
            return SENTENCES[action], {"changes": _changes(d["changes"], REMINDER_LABELS)}
        case "reminders.channel_set":
            return SENTENCES[action], {
                "old": _channel(d.get("from")),
                "new": _channel(d.get("to")),
            }
        case (
            "reminders.paused"
            | "reminders.resumed"
            | "org.exported"
            | "org.deleted"
            | "person.exported"
            | "person.erased"
        ):
            return SENTENCES[action], {}
        case "booking.recorded":
            params = {
                "audit": _audit(d["batch"]),
                "day": _value("date", d["date"]),
                "body": _cut(str(d["body"])),
            }
            if d.get("reference"):
                return WITH_REFERENCE, {**params, "reference": _cut(str(d["reference"]))}
            return SENTENCES[action], params
        case "booking.changed":
            return SENTENCES[action], {
                "audit": _audit(d["batch"]),
                "changes": _changes(d["changes"], BOOKING_LABELS),
            }
        case "report.exported" | "plan.exported":
            return SENTENCES[action], {"format": str(d["format"]).upper()}
    return None, {}


def _person(user: str) -> str:
    """A mention of the person acted on, or what stands for one erased."""
    return _(ERASED_PERSON) if stands_in(user) else mention(user)


def _changes(changed: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """`field: old → new` for each field changed (`audit.changes`), in the form's order."""
    return _cut(
        listed(
            _(
                "{field}: {old} → {new}",
                field=_label(labels, key),
                old=_value(key, old),
                new=_value(key, new),
            )
            for key, (old, new) in _in_order(changed, labels)
        ),
        CHANGES_LIMIT,
    )


def _set(changed: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """`field: value` for each field given (a first setup: every old value is none)."""
    return _cut(
        listed(
            _("{field}: {value}", field=_label(labels, key), value=_value(key, new))
            for key, (_old, new) in _in_order(changed, labels)
        ),
        CHANGES_LIMIT,
    )


def _in_order(changed: Mapping[str, Any], labels: Mapping[str, str]) -> list[tuple[str, Any]]:
    """The fields as the form shows them (a field it does not know, after them)."""
    order = {key: n for n, key in enumerate(labels)}
    return sorted(changed.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def _label(labels: Mapping[str, str], key: str) -> str:
    known = labels.get(key)
    return _(known) if known else _cut(key)


def _value(key: str, value: Any) -> str:
    """A stored value as the reader reads it: choices by their label, dates and months as
    the language writes them; none is `—`."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return listed(_value(key, v) for v in value)
    if key in CHOICE_LABELS and value in CHOICE_LABELS[key]:
        return _(CHOICE_LABELS[key][value])
    if key in DATE_FIELDS and isinstance(value, str):
        return fig.date(dt.date.fromisoformat(value))
    if key == "fiscal_year_start_month" and isinstance(value, int) and 1 <= value <= 12:
        return str(get_month_names("wide", locale=active().locale)[value])
    if key == "digest_weekday" and isinstance(value, int) and 0 <= value <= 6:
        return weekday_name(value)
    if key in ("work_start", "work_end") and isinstance(value, str):
        return value[:5]  # 09:00:00 → 09:00
    if key == "language" and isinstance(value, str) and value in languages():
        return languages()[value].name
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _cut(str(value))


def _role(role: Any) -> str:
    if role is None:
        return "—"
    known = ROLE_NAMES.get(str(role))
    return _(known) if known else _cut(str(role))


def _channel(channel_id: Any) -> str:
    return channel(str(channel_id)) if channel_id else _("none")


def _section(ctx: DialogContext, section_id: Any) -> str:
    found = next((s for s in ctx.bank.sections if s.id == section_id), None)
    return found.title if found is not None else _cut(str(section_id))


def _audit(key: Any) -> str:
    known = AUDIT_TITLES.get(str(key))
    return _(known) if known else _cut(str(key))


def _raw(details: Mapping[str, Any]) -> str:
    """Details of an entry no sentence tells, as `key=value`."""
    told = listed(f"{_cut(str(key))}={_cut(str(value))}" for key, value in details.items())
    return _cut(told, CHANGES_LIMIT) or "—"


def _cut(text: str, limit: int = VALUE_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
