"""`remind`: see and change the reminder offsets, pause or resume reminders (managers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import get_day_names
from pydantic import ValidationError
from sqlmodel import col, func, select

from bot.dialogs.common import managers_only
from bot.dialogs.context import DialogContext
from bot.dialogs.model import (
    Button,
    Fact,
    Field,
    Form,
    Message,
    Option,
    Outcome,
    Text,
    channel,
)
from bot.dialogs.validation import CleanValue
from bot.reminders.policy import ReminderPolicy, policy_of
from bot.store.audit import changes
from bot.store.models import Reminder
from iso20k_core.language import N_, _, _p, active

KIND = "remind"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Labels and hints, marked here and read in the reader's language where they are shown.
OFFSET_FIELDS = {
    "milestone_days": (N_("Before each milestone (business days)"), N_("To the managers.")),
    "booking_days": (
        N_("Before each booking deadline (business days)"),
        N_("To the managers, until the audit is recorded as booked."),
    ),
    "audit_days": (N_("Before each audit (calendar days)"), N_("To the team channel.")),
    "nudge_repeats": (
        N_("Nudges after a due date (working days)"),
        N_("Besides the due day itself; only to people who have not finished."),
    ),
}


def weekday_name(number: int) -> str:
    """Monday (0) to Sunday (6), as the reader's language names them (CLDR, through Babel)."""
    return str(get_day_names("wide", locale=active().locale)[number])


def _days(values: tuple[int, ...]) -> str:
    return ", ".join(str(v) for v in values) or _("none")


def _counts(ctx: DialogContext) -> dict[str, int]:
    rows = ctx.session.exec(
        select(Reminder.state, func.count())
        .where(Reminder.organisation_id == ctx.organisation.id)
        .group_by(col(Reminder.state))
    ).all()
    return {state: count for state, count in rows}


def remind_message(ctx: DialogContext) -> Message:
    p = policy_of(ctx.organisation.reminder_policy)
    counts = _counts(ctx)
    facts = [
        Fact(_(label), _days(getattr(p, key))) for key, (label, _hint) in OFFSET_FIELDS.items()
    ]
    facts += [
        Fact(
            _("Weekly digest"),
            _(
                "{weekday} {time}",
                weekday=weekday_name(p.digest_weekday),
                time=p.work_start.strftime("%H:%M"),
            ),
        ),
        Fact(
            _("Working hours"),
            _(
                "{start}–{end}, recipient's time",
                start=p.work_start.strftime("%H:%M"),
                end=p.work_end.strftime("%H:%M"),
            ),
        ),
        Fact(
            _("Team channel"),
            channel(ctx.organisation.reminder_channel)
            if ctx.organisation.reminder_channel
            else _("none: managers get team reminders"),
        ),
        Fact(
            _("Waiting / sent / failed"),
            f"{counts.get('pending', 0)} / {counts.get('sent', 0)} / {counts.get('failed', 0)}",
        ),
    ]
    buttons: tuple[Button, ...] = ()
    if ctx.is_manager:
        toggle = (
            Button(_("Resume reminders"), "remind", "resume", "primary")
            if p.paused
            else Button(_("Pause reminders"), "remind", "pause", "danger")
        )
        buttons = (Button(_p("button", "Change"), "remind", "change"), toggle)
    return Message(
        heading=_("Reminders are paused") if p.paused else _("Reminders"),
        text=_(
            "Reminders go out in working hours, on business days of the organisation's "
            "country, in each person's own timezone."
        ),
        facts=tuple(facts),
        buttons=buttons,
        tone="warning" if p.paused or counts.get("failed") else "info",
    )


def remind(ctx: DialogContext, args: list[str]) -> Outcome:
    action = args[0].lower() if args else ""
    if action in ("pause", "resume", "change") and not ctx.is_manager:
        return Outcome(reply=managers_only(_("Reminder settings are visible to managers only")))
    if action == "change":
        return Outcome(reply=remind_form(ctx))
    if action in ("pause", "resume"):
        current = policy_of(ctx.organisation.reminder_policy)
        if current.paused != (action == "pause"):  # pausing paused reminders changes nothing
            _save(ctx, current.model_copy(update={"paused": action == "pause"}))
            ctx.record("reminders.paused" if action == "pause" else "reminders.resumed")
    return Outcome(reply=remind_message(ctx))


def remind_form(ctx: DialogContext) -> Form:
    p = policy_of(ctx.organisation.reminder_policy)
    items: list[Field | Text] = [
        Text(
            _(
                "Offsets as whole numbers separated by commas, e.g. 20, 10, 3. Leave one "
                "empty to send none of that kind."
            )
        ),
    ]
    for key, (label, hint) in OFFSET_FIELDS.items():
        items.append(
            Field(
                key,
                _(label),
                "text",
                hint=_(hint),
                required=False,
                initial=", ".join(str(v) for v in getattr(p, key)),
            )
        )
    items += [
        Field(
            "digest_weekday",
            _("Weekly digest on"),
            "choice",
            initial=str(p.digest_weekday),
            options=tuple(Option(str(n), weekday_name(n)) for n in range(len(WEEKDAYS))),
        ),
        Field(
            "work_start",
            _("Working day starts"),
            "text",
            initial=f"{p.work_start:%H:%M}",
            placeholder="09:00",
        ),
        Field(
            "work_end",
            _("Working day ends"),
            "text",
            initial=f"{p.work_end:%H:%M}",
            placeholder="17:00",
        ),
    ]
    return Form(
        kind=KIND,
        title=_("Reminder settings"),
        items=tuple(items),
        submit=_p("button", "Save"),
    )


def submit_remind(ctx: DialogContext, clean: dict[str, CleanValue]) -> Outcome:
    if not ctx.is_manager:
        return Outcome(reply=managers_only(_("Reminder settings are visible to managers only")))
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"paused": policy_of(ctx.organisation.reminder_policy).paused}
    for key in OFFSET_FIELDS:
        raw = str(clean.get(key) or "")
        try:
            values[key] = tuple(
                sorted(
                    {int(part) for part in _separated(raw) if part.strip()},
                    reverse=True,
                )
            )
        except ValueError:
            errors[key] = _("Whole numbers separated by commas, e.g. 20, 10, 3.")
    for key in ("work_start", "work_end"):
        try:
            values[key] = dt.time.fromisoformat(str(clean.get(key) or ""))
        except ValueError:
            errors[key] = _("A time as HH:MM, e.g. 09:00.")
    values["digest_weekday"] = int(str(clean.get("digest_weekday") or 0))
    if errors:
        return Outcome(errors=errors)
    try:
        policy = ReminderPolicy.model_validate(values)
    except ValidationError as exc:
        # Each error names its field (the policy's validators are per field); the words
        # are the policy's own, written for people.
        return Outcome(
            errors={
                str(e["loc"][0]): str(e["msg"]).removeprefix("Value error, ")
                for e in exc.errors()
                if e["loc"] and str(e["loc"][0]) in values
            }
            or {"work_end": _("These settings cannot be saved; check each field.")}
        )
    before = _audited(policy_of(ctx.organisation.reminder_policy))
    _save(ctx, policy)
    changed = changes(before, _audited(policy))
    if changed:
        ctx.record("reminders.changed", {"changes": changed})
    reply = remind_message(ctx)
    return Outcome(
        reply=Message(heading=_("Reminder settings saved"), facts=reply.facts, tone="success")
    )


def _separated(raw: str) -> list[str]:
    """The parts of a list of offsets: commas (a full-width one is already a comma, by NFKC),
    semicolons, and the ideographic comma a Chinese input method writes between items."""
    return raw.replace(";", ",").replace("\u3001", ",").split(",")


def _audited(policy: ReminderPolicy) -> dict[str, Any]:
    """The policy as the trail compares it: offsets in one order (the form sorts them, the
    defaults need not be), so a save that changed nothing records nothing."""
    dumped = policy.model_dump(mode="json")
    return {
        key: sorted(value, reverse=True) if key in OFFSET_FIELDS else value
        for key, value in dumped.items()
    }


def _save(ctx: DialogContext, policy: ReminderPolicy) -> None:
    ctx.organisation.reminder_policy = policy.model_dump(mode="json")
    ctx.session.add(ctx.organisation)
    ctx.session.flush()
    ctx.refresh_reminders()
