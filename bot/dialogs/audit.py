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
from bot.store.models import AuditBatch
from bot.store.plan_records import record_booking
from iso20k_core.calendar import calendar_for
from iso20k_core.dates import DateError, check_horizon
from iso20k_core.plan import AUDIT_KEYS
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


def audits(ctx: DialogContext) -> Message:
    batches = _batches(ctx)
    if not batches:
        return not_set_up()
    sections = []
    for b in batches:
        if b.booked:
            state = f"booked with {b.certification_body} for {b.booked_date}" + (
                f", reference {b.booking_reference}" if b.booking_reference else ""
            )
            window = f" (on site until {b.window_end.isoformat()})" if b.window_end else ""
            when = f"Confirmed {b.planned_date.isoformat()}{window}"
        else:
            overdue = " — OVERDUE" if b.booking_deadline < ctx.today else ""
            state = f"not booked; book by {b.booking_deadline.isoformat()}{overdue}"
            window = f" (reserve until {b.window_end.isoformat()})" if b.window_end else ""
            when = f"Planned {b.planned_date.isoformat()}{window}"
        sections.append(Section(heading=b.title, text=f"{when}\n{state}"))
    buttons = (Button("Record a booking", "book", style="primary"),) if ctx.is_manager else ()
    return Message(
        heading="Audits with the certification body", sections=tuple(sections), buttons=buttons
    )


def booking_form(ctx: DialogContext, key: str | None = None) -> Form | Message:
    if not ctx.is_manager:
        return managers_only("Audit bookings")
    batches = _batches(ctx)
    if not batches:
        return not_set_up()
    pending = next((b for b in batches if not b.booked), batches[0])
    return Form(
        kind=KIND,
        title="Record a booking",
        items=(
            Text(
                "Record the date the certification body confirmed. Reminders about booking "
                "this audit stop once it is recorded."
            ),
            Field(
                "batch",
                "Audit",
                "choice",
                initial=key or pending.key,
                options=tuple(
                    Option(b.key, f"{b.title} ({b.planned_date.isoformat()})") for b in batches
                ),
            ),
            Field("booked_date", "Confirmed audit date", "date", not_before=ctx.today),
            Field("certification_body", "Certification body", "text", max_length=NAME_LIMIT),
            Field(
                "booking_reference",
                "Booking reference",
                "text",
                required=False,
                max_length=NAME_LIMIT,
            ),
        ),
        submit="Record",
    )


def submit_booking(ctx: DialogContext, clean: dict[str, CleanValue]) -> Outcome:
    if not ctx.is_manager:
        return Outcome(reply=managers_only("Audit bookings"))
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
        return Outcome(errors={"batch": "This audit is no longer in the plan."})
    result = ctx.replan()  # the plan moves around the booking; its reminders follow
    lines = [f"With {body}."]
    profile = ctx.profile()
    closed = calendar_for(profile).closed_because(booked)
    if closed is not None:
        lines.append(
            f"Note: {booked.isoformat()} is {closed}, not a business day. It is recorded as "
            "confirmed; if that was a slip, record the booking again with the right date."
        )
    if result is not None:
        lines.append(
            f"The certification decision is now expected on "
            f"{result.plan.certification_date.isoformat()}."
        )
    return Outcome(
        reply=Message(
            f"{row.title} booked for {booked.isoformat()}",
            text="\n".join(lines),
            tone="warning" if closed else "success",
        )
    )


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
    index = AUDIT_KEYS.index(key)
    before = rows.get(AUDIT_KEYS[index - 1]) if index > 0 else None
    after = rows.get(AUDIT_KEYS[index + 1]) if index + 1 < len(AUDIT_KEYS) else None
    if before is not None and booked <= before.planned_date:
        state = "booked for" if before.booked else "planned for"
        return (
            f"Choose a date after the {before.title.lower()} "
            f"({state} {before.planned_date.isoformat()})."
        )
    if after is not None and after.booked and booked >= after.planned_date:
        return (
            f"Choose a date before the {after.title.lower()} "
            f"(booked for {after.planned_date.isoformat()})."
        )
    return None
