"""Keep the milestone and audit batch rows in step with the current plan.

The plan is recomputed whenever answers or the profile change; these rows are what
reminders and bookings hang on, so they are updated in place by their stable `key`: a moved
date moves the row, a vanished milestone goes, and a booking recorded by a person is never
overwritten by a re-plan. A booked audit's planned date is its booked date (the engine lays
the plan out around bookings); it has no booking deadline of its own any more, so the row
keeps the one it had.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from bot.store.models import AuditBatch, Milestone, Organisation
from iso20k_core.results import Plan


def sync_plan(session: Session, organisation: Organisation, plan: Plan) -> None:
    """Upsert the plan's milestones and audit batches for `organisation`; flushes."""
    org_id = organisation.id
    assert org_id is not None, "organisation must be flushed first"

    milestones = {
        m.key: m for m in session.exec(select(Milestone).where(Milestone.organisation_id == org_id))
    }
    wanted = {m.key for m in plan.milestones}
    for key, row in milestones.items():
        if key not in wanted:
            session.delete(row)
    for m in plan.milestones:
        row = milestones.get(m.key) or Milestone(
            organisation_id=org_id, key=m.key, title=m.title, planned_date=m.date
        )
        row.title, row.planned_date, row.owner_role = m.title, m.date, m.owner_role
        session.add(row)

    batches = {
        b.key: b
        for b in session.exec(select(AuditBatch).where(AuditBatch.organisation_id == org_id))
    }
    for b in plan.audit_batches:
        batch = batches.get(b.key) or AuditBatch(
            organisation_id=org_id,
            key=b.key,
            title=b.title,
            planned_date=b.planned_date,
            booking_deadline=b.booking_deadline or b.planned_date,
        )
        batch.title = b.title
        batch.planned_date = b.planned_date
        batch.window_end = b.window_end
        if b.booking_deadline is not None:
            batch.booking_deadline = b.booking_deadline
        session.add(batch)
    session.flush()


def record_booking(
    session: Session,
    organisation: Organisation,
    key: str,
    booked_date: dt.date,
    certification_body: str,
    booking_reference: str | None = None,
) -> AuditBatch:
    """Mark an audit batch as booked with the certification body; flushes."""
    row = session.exec(
        select(AuditBatch).where(
            AuditBatch.organisation_id == organisation.id, AuditBatch.key == key
        )
    ).first()
    if row is None:
        raise KeyError(f"no audit batch {key!r} in this organisation's plan")
    row.booked = True
    row.booked_date = booked_date
    row.certification_body = certification_body
    row.booking_reference = booking_reference
    session.add(row)
    session.flush()
    return row
