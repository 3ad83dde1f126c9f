"""`audit`: the audit batches, and recording a booking with the certification body.

A recorded booking moves the plan: the engine lays the audit out on the confirmed date and
moves what follows (stage 2, the decision, surveillance), so the reply says where the
certification decision now lands. A confirmed date on a weekend or public holiday is taken
as confirmed (certification bodies do audit then, rarely) with a warning, since it is more
often a slip.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select

from bot.dialogs.common import managers_only, not_set_up
from bot.dialogs.context import DialogContext
from bot.dialogs.model import Button, Field, Form, Message, Option, Outcome, Section, Text
from bot.dialogs.validation import CleanValue
from bot.store.audit import changes
from bot.store.models import AuditBatch
from bot.store.plan_records import record_booking
from iso20k_core import figures as fig
from iso20k_core.calendar import calendar_for
from iso20k_core.dates import DateError, check_horizon
from iso20k_core.language import _, _p
from iso20k_core.plan import AUDIT_KEYS
from iso20k_core.results import Evaluation
from iso20k_core.text import NAME_LIMIT

KIND = "booking"


def _batches(ctx: DialogContext) -> list[AuditBatch]:
    if ctx.profile() is None:
        return []
    query = (
        select(AuditBatch)
        .where(AuditBatch.organisation_id == ctx.organisation.id)
        .order_by(col(AuditBatch.planned_date))
    )
    rows = list(ctx.session.exec(query))
    if not rows:  # set up before plans were stored: store it now
        ctx.replan()
        rows = list(ctx.session.exec(query))
    return rows


def _titles(ctx: DialogContext, evaluation: Evaluation | None = None) -> dict[str, str]:
    """Each audit's title in the reader's language, by key: a stored row keeps the words of
    whoever planned last (the plan is evaluated again, in the active language)."""
    e = evaluation or ctx.evaluation()
    return {} if e is None else {b.key: b.title for b in e.plan.audit_batches}


def audits(ctx: DialogContext) -> Message:
    batches = _batches(ctx)
    if not batches:
        return not_set_up()
    titles = _titles(ctx)
    sections = []
    for b in batches:
        sections.append(
            Section(
                heading=titles.get(b.key, b.title),
                text=f"{_when(b)}\n{_state(b, ctx.today)}",
            )
        )
    buttons = (Button(_("Record a booking"), "book", style="primary"),) if ctx.is_manager else ()
    return Message(
        heading=_("Audits with the certification body"), sections=tuple(sections), buttons=buttons
    )


def _when(b: AuditBatch) -> str:
    """When the audit takes place, and until when it is on site or reserved."""
    planned, end = fig.date(b.planned_date), fig.date(b.window_end)
    if b.booked:
        if b.window_end:
            return _("Confirmed {day} (on site until {end})", day=planned, end=end)
        return _("Confirmed {day}", day=planned)
    if b.window_end:
        return _("Planned {day} (reserve until {end})", day=planned, end=end)
    return _("Planned {day}", day=planned)


def _state(b: AuditBatch, today: dt.date) -> str:
    """Whether it is booked, with whom; or by when it must be, and whether that is past."""
    if b.booked:
        booked = fig.date(b.booked_date)
        if b.booking_reference:
            return _(
                "booked with {body} for {day}, reference {reference}",
                body=b.certification_body,
                day=booked,
                reference=b.booking_reference,
            )
        return _("booked with {body} for {day}", body=b.certification_body, day=booked)
    deadline = fig.date(b.booking_deadline)
    if b.booking_deadline < today:
        return _("not booked; book by {day} — OVERDUE", day=deadline)
    return _("not booked; book by {day}", day=deadline)


def booking_form(ctx: DialogContext, key: str | None = None) -> Form | Message:
    if not ctx.is_manager:
        return managers_only(_("Audit bookings are visible to managers only"))
    batches = _batches(ctx)
    if not batches:
        return not_set_up()
    pending = next((b for b in batches if not b.booked), batches[0])
    titles = _titles(ctx)
    return Form(
        kind=KIND,
        title=_("Record a booking"),
        items=(
            Text(
                _(
                    "Record the date the certification body confirmed. Reminders about "
                    "booking this audit stop once it is recorded."
                )
            ),
            Field(
                "batch",
                _("Audit"),
                "choice",
                initial=key or pending.key,
                options=tuple(
                    Option(
                        b.key,
                        _(
                            "{audit} ({day})",
                            audit=titles.get(b.key, b.title),
                            day=fig.date(b.planned_date),
                        ),
                    )
                    for b in batches
                ),
            ),
            Field("booked_date", _("Confirmed audit date"), "date", not_before=ctx.today),
            Field("certification_body", _("Certification body"), "text", max_length=NAME_LIMIT),
            Field(
                "booking_reference",
                _("Booking reference"),
                "text",
                required=False,
                max_length=NAME_LIMIT,
            ),
        ),
        submit=_p("button", "Record"),
    )


def submit_booking(ctx: DialogContext, clean: dict[str, CleanValue]) -> Outcome:
    if not ctx.is_manager:
        return Outcome(reply=managers_only(_("Audit bookings are visible to managers only")))
    booked = clean["booked_date"]
    body = clean["certification_body"]
    reference = clean.get("booking_reference")
    key = str(clean["batch"])
    assert isinstance(booked, dt.date) and isinstance(body, str)
    try:
        check_horizon(booked, ctx.today)
    except DateError as exc:
        return Outcome(errors={"booked_date": str(exc)})
    out_of_order = _out_of_order(ctx, key, booked)
    if out_of_order:
        return Outcome(errors={"booked_date": out_of_order})
    before = _booking(ctx, key)
    try:
        row = record_booking(
            ctx.session,
            ctx.organisation,
            key,
            booked,
            body,
            reference if isinstance(reference, str) else None,
        )
    except KeyError:
        return Outcome(errors={"batch": _("This audit is no longer in the plan.")})
    _record(ctx, key, before, _booking(ctx, key))
    result = ctx.replan()  # the plan moves around the booking; its reminders follow
    lines = [_("With {body}.", body=body)]
    profile = ctx.profile()
    closed = calendar_for(profile).closed_because(booked)
    if closed is not None:
        lines.append(
            _(
                "Note: {day} is {closed}, not a business day. It is recorded as confirmed; if "
                "that was a slip, record the booking again with the right date.",
                day=fig.date(booked),
                closed=closed,
            )
        )
    if result is not None:
        lines.append(
            _(
                "The certification decision is now expected on {day}.",
                day=fig.date(result.plan.certification_date),
            )
        )
    return Outcome(
        reply=Message(
            _(
                "{audit} booked for {day}",
                audit=_titles(ctx, result).get(row.key, row.title),
                day=fig.date(booked),
            ),
            text="\n".join(lines),
            tone="warning" if closed else "success",
        )
    )


def _booking(ctx: DialogContext, key: str) -> dict[str, str | None] | None:
    """What the trail keeps of an audit's booking: None while it is not booked."""
    row = ctx.session.exec(
        select(AuditBatch).where(
            AuditBatch.organisation_id == ctx.organisation.id, AuditBatch.key == key
        )
    ).first()
    if row is None or not row.booked:
        return None
    return {
        "date": row.booked_date.isoformat() if row.booked_date else None,
        "body": row.certification_body,
        "reference": row.booking_reference,
    }


def _record(
    ctx: DialogContext,
    key: str,
    before: dict[str, str | None] | None,
    after: dict[str, str | None] | None,
) -> None:
    """A first booking is recorded whole; a booking recorded again, with what changed (and
    not at all when nothing did)."""
    if after is None:
        return
    if before is None:
        ctx.record("booking.recorded", {"batch": key, **after})
        return
    changed = changes(before, after)
    if changed:
        ctx.record("booking.changed", {"batch": key, "changes": changed})


def _out_of_order(ctx: DialogContext, key: str, booked: dt.date) -> str | None:
    """The cycle's audits come in order: each after the one before it (as planned or
    booked), and before the next one if that is booked already."""
    if key not in AUDIT_KEYS:
        return None
    rows = {
        row.key: row
        for row in ctx.session.exec(
            select(AuditBatch).where(AuditBatch.organisation_id == ctx.organisation.id)
        )
    }
    titles = _titles(ctx)
    index = AUDIT_KEYS.index(key)
    before = rows.get(AUDIT_KEYS[index - 1]) if index > 0 else None
    after = rows.get(AUDIT_KEYS[index + 1]) if index + 1 < len(AUDIT_KEYS) else None
    if before is not None and booked <= before.planned_date:
        day = fig.date(before.planned_date)
        if before.booked:
            return _(
                "Choose a date after the {audit} (booked for {day}).",
                audit=titles.get(before.key, before.title).lower(),
                day=day,
            )
        return _(
            "Choose a date after the {audit} (planned for {day}).",
            audit=titles.get(before.key, before.title).lower(),
            day=day,
        )
    if after is not None and after.booked and booked >= after.planned_date:
        return _(
            "Choose a date before the {audit} (booked for {day}).",
            audit=titles.get(after.key, after.title).lower(),
            day=fig.date(after.planned_date),
        )
    return None
