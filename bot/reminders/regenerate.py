"""Regenerate an organisation's reminders from what the database holds now.

Called after anything that changes what should be reminded: the profile, answers (they move
the plan), assignments, bookings, roles, the reminder policy.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from bot.reminders.generate import (
    AssignmentInfo,
    BatchInfo,
    MilestoneInfo,
    ReminderInputs,
    reminders_for,
)
from bot.reminders.outbox import SyncResult, sync_reminders
from bot.reminders.policy import policy_of
from bot.store.models import Assignment, AuditBatch, Member, Milestone, Organisation
from iso20k_core.calendar import calendar_of_stored
from iso20k_core.standard import Bank


def inputs_of(session: Session, organisation: Organisation, bank: Bank) -> ReminderInputs:
    org_id = organisation.id
    members = list(session.exec(select(Member).where(Member.organisation_id == org_id)))
    by_id = {m.id: m for m in members}
    titles = {s.id: s.title for s in bank.assessed_sections}
    profile = organisation.profile or {}
    own = calendar_of_stored(profile)
    return ReminderInputs(
        timezone=organisation.timezone,
        country=profile.get("country"),
        days_off=tuple(sorted(own.days_off)),
        working_days=tuple(sorted(own.working_days)),
        channel=organisation.reminder_channel,
        policy=policy_of(organisation.reminder_policy),
        managers=tuple(
            sorted(m.platform_user_id for m in members if m.role in ("admin", "manager"))
        ),
        milestones=tuple(
            MilestoneInfo(m.key, m.title, m.planned_date, m.done)
            for m in session.exec(select(Milestone).where(Milestone.organisation_id == org_id))
        ),
        batches=tuple(
            BatchInfo(b.key, b.title, b.planned_date, b.booking_deadline, b.booked)
            for b in session.exec(select(AuditBatch).where(AuditBatch.organisation_id == org_id))
        ),
        assignments=tuple(
            AssignmentInfo(
                a.section_id,
                titles.get(a.section_id, a.section_id),
                by_id[a.member_id].platform_user_id,
                a.due_date,
                a.state == "open",
            )
            for a in session.exec(
                select(Assignment).where(
                    Assignment.organisation_id == org_id, col(Assignment.state) != "cancelled"
                )
            )
            if a.member_id in by_id
        ),
    )


def regenerate(
    session: Session, organisation: Organisation, bank: Bank, now: dt.datetime
) -> SyncResult:
    assert organisation.id is not None
    specs = reminders_for(inputs_of(session, organisation, bank), now)
    return sync_reminders(session, organisation.id, specs)
