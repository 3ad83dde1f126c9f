"""Which reminders the current plan calls for: pure, from plain values and `now`.

Kinds, to whom, when (offsets come from the organisation's `ReminderPolicy`):
- milestone: business days before each open milestone, to the managers;
- booking_deadline: business days before each unbooked audit's booking deadline, to the
  managers (a booked audit needs none: its pending reminders are cancelled);
- audit_batch: calendar days before each audit, to the team channel (managers if none);
- assignment_nudge: on the due day and a capped number of working days after, to the assignee
  while the section is open;
- overdue_summary: the next working morning, to the managers, while assignments are overdue;
- digest: the next weekly digest, to the team channel.
Each reminder's dedupe key is (kind, subject, offset, target): generating again yields the same
keys, so the outbox can move, keep or cancel rows without ever sending one twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bot.dialogs.model import mention
from bot.reminders.policy import ReminderPolicy
from bot.reminders.timing import at_work_start, zone
from iso20k_core.calendar import BusinessCalendar

# A reminder whose moment passed longer ago than this when generated is not sent late.
STALE_AFTER = dt.timedelta(hours=12)


@dataclass(frozen=True)
class MilestoneInfo:
    key: str
    title: str
    date: dt.date
    done: bool = False


@dataclass(frozen=True)
class BatchInfo:
    key: str
    title: str
    planned_date: dt.date
    booking_deadline: dt.date
    booked: bool = False


@dataclass(frozen=True)
class AssignmentInfo:
    section_id: str
    section_title: str
    user_id: str
    due_date: dt.date | None
    open: bool = True


@dataclass(frozen=True)
class ReminderInputs:
    timezone: str
    country: str | None
    channel: str | None
    policy: ReminderPolicy
    managers: tuple[str, ...]
    milestones: tuple[MilestoneInfo, ...] = ()
    batches: tuple[BatchInfo, ...] = ()
    assignments: tuple[AssignmentInfo, ...] = ()
    # The organisation's own days off and working days (profile), beside its country's.
    days_off: tuple[dt.date, ...] = ()
    working_days: tuple[dt.date, ...] = ()


@dataclass(frozen=True)
class ReminderSpec:
    kind: str
    subject: str
    offset: int
    target: str
    due_at: dt.datetime
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def dedupe_key(self) -> str:
        return f"{self.kind}:{self.subject}:{self.offset}:{self.target}"


def reminders_for(inputs: ReminderInputs, now: dt.datetime) -> list[ReminderSpec]:
    if inputs.policy.paused:
        return []
    cal = BusinessCalendar(inputs.country, inputs.days_off, inputs.working_days)
    p = inputs.policy
    today = now.astimezone(zone(inputs.timezone)).date()
    specs: list[ReminderSpec] = []

    def at(day: dt.date) -> dt.datetime:
        return at_work_start(day, p.work_start, inputs.timezone)

    def add(
        kind: str,
        subject: str,
        offset: int,
        targets: tuple[str, ...],
        day: dt.date,
        payload: dict[str, Any],
    ) -> None:
        due = at(day)
        if due < now - STALE_AFTER:
            return
        specs.extend(ReminderSpec(kind, subject, offset, t, due, payload) for t in targets)

    team = (inputs.channel,) if inputs.channel else inputs.managers
    for m in inputs.milestones:
        if m.done or m.date < today:
            continue
        for days in p.milestone_days:
            add(
                "milestone",
                m.key,
                days,
                inputs.managers,
                cal.add(cal.on_or_before(m.date), -days),
                {"title": m.title, "date": m.date.isoformat()},
            )
    for b in inputs.batches:
        if b.planned_date < today:
            continue
        if not b.booked:
            for days in p.booking_days:
                day = cal.add(cal.on_or_before(b.booking_deadline), -days)
                add(
                    "booking_deadline",
                    b.key,
                    days,
                    inputs.managers,
                    day,
                    {
                        "title": b.title,
                        "deadline": b.booking_deadline.isoformat(),
                        "planned": b.planned_date.isoformat(),
                    },
                )
        for days in p.audit_days:
            day = cal.on_or_before(b.planned_date - dt.timedelta(days=days))
            add(
                "audit_batch",
                b.key,
                days,
                team,
                day,
                {"title": b.title, "planned": b.planned_date.isoformat()},
            )
    overdue = []
    for a in inputs.assignments:
        if not a.open or a.due_date is None:
            continue
        if a.due_date < today:
            overdue.append(a)
        first = cal.on_or_after(a.due_date)
        for repeat in (0, *p.nudge_repeats):
            add(
                "assignment_nudge",
                a.section_id,
                repeat,
                (a.user_id,),
                cal.add(first, repeat),
                {"section": a.section_id, "title": a.section_title, "due": a.due_date.isoformat()},
            )
    if overdue:
        add(
            "overdue_summary",
            today.isoformat(),
            0,
            inputs.managers,
            cal.next_after(today),
            {
                # Plain English, as it always was (older readers of the outbox read it) ...
                "sections": sorted(
                    f"{a.section_title} ({mention(a.user_id)}, due {a.due_date})" for a in overdue
                ),
                # ... and the parts, which the message is written from at send time, in the
                # recipient's language (bot/reminders/messages.py).
                "overdue": [
                    {
                        "section": a.section_id,
                        "title": a.section_title,
                        "user": a.user_id,
                        "due": a.due_date.isoformat() if a.due_date else None,
                    }
                    for a in sorted(
                        overdue, key=lambda a: (a.section_title, a.user_id, str(a.due_date))
                    )
                ],
            },
        )
    # This week's digest (dropped by `add` once stale) and next week's: a digest due an hour
    # ago but not yet sent keeps its row when the plan is regenerated.
    latest = today - dt.timedelta(days=(today.weekday() - p.digest_weekday) % 7)
    for digest_day in (latest, latest + dt.timedelta(days=7)):
        year, week, _ = digest_day.isocalendar()
        add("digest", f"{year}-W{week:02d}", 0, team, digest_day, {})
    return specs
