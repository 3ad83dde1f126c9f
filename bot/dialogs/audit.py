"""`audit`: the audit batches, and recording a booking with the certification body."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select

from bot.dialogs.common import managers_only, not_set_up
from bot.dialogs.context import DialogContext
from bot.dialogs.model import Button, Field, Form, Message, Option, Outcome, Section, Text
from bot.dialogs.validation import CleanValue
from bot.store.models import AuditBatch
from bot.store.plan_records import record_booking

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
        else:
            overdue = " — OVERDUE" if b.booking_deadline < ctx.today else ""
            state = f"not booked; book by {b.booking_deadline.isoformat()}{overdue}"
        window = f" (reserve until {b.window_end.isoformat()})" if b.window_end else ""
        sections.append(
            Section(heading=b.title, text=f"Planned {b.planned_date.isoformat()}{window}\n{state}")
        )
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
            Field("certification_body", "Certification body", "text"),
            Field("booking_reference", "Booking reference", "text", required=False),
        ),
        submit="Record",
    )


def submit_booking(ctx: DialogContext, clean: dict[str, CleanValue]) -> Outcome:
    if not ctx.is_manager:
        return Outcome(reply=managers_only("Audit bookings"))
    booked = clean["booked_date"]
    body = clean["certification_body"]
    reference = clean.get("booking_reference")
    assert isinstance(booked, dt.date) and isinstance(body, str)
    try:
        row = record_booking(
            ctx.session,
            ctx.organisation,
            str(clean["batch"]),
            booked,
            body,
            reference if isinstance(reference, str) else None,
        )
    except KeyError:
        return Outcome(errors={"batch": "This audit is no longer in the plan."})
    ctx.refresh_reminders()  # booked: its booking reminders are cancelled
    return Outcome(
        reply=Message(
            f"{row.title} booked for {booked.isoformat()}", text=f"With {body}.", tone="success"
        )
    )
