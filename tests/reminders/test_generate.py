"""Which reminders a plan calls for, when, and to whom (pure: plain values and `now`)."""

from __future__ import annotations

import datetime as dt

from bot.dialogs.model import mention
from bot.reminders.generate import (
    AssignmentInfo,
    BatchInfo,
    MilestoneInfo,
    ReminderInputs,
    reminders_for,
)
from bot.reminders.policy import ReminderPolicy

NOW = dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)  # a Monday
BERLIN = "Europe/Berlin"


def inputs(**changes: object) -> ReminderInputs:
    base: dict[str, object] = {
        "timezone": BERLIN,
        "country": "DE",
        "channel": "C-TEAM",
        "policy": ReminderPolicy(),
        "managers": ("U-BOSS",),
        "milestones": (
            MilestoneInfo("gap_report", "Gap analysis report accepted", dt.date(2027, 4, 16)),
        ),
        "batches": (
            BatchInfo("stage1", "Stage 1 audit", dt.date(2027, 9, 13), dt.date(2027, 7, 19)),
        ),
        "assignments": (
            AssignmentInfo(
                "resolution", "Resolution and fulfilment", "U-BOB", dt.date(2027, 3, 10)
            ),
        ),
    }
    base.update(changes)
    return ReminderInputs(**base)  # type: ignore[arg-type]


def by_kind(specs: list, kind: str) -> list:  # type: ignore[type-arg]
    return sorted((s for s in specs if s.kind == kind), key=lambda s: s.due_at)


def test_every_kind_is_generated_for_the_right_people() -> None:
    specs = reminders_for(inputs(), NOW)
    kinds = {s.kind for s in specs}
    assert kinds == {"milestone", "booking_deadline", "audit_batch", "assignment_nudge", "digest"}
    assert {s.target for s in by_kind(specs, "milestone")} == {"U-BOSS"}
    assert {s.target for s in by_kind(specs, "booking_deadline")} == {"U-BOSS"}
    assert {s.target for s in by_kind(specs, "audit_batch")} == {"C-TEAM"}
    assert {s.target for s in by_kind(specs, "assignment_nudge")} == {"U-BOB"}
    assert [s.offset for s in by_kind(specs, "booking_deadline")] == [20, 10, 3]
    assert [s.offset for s in by_kind(specs, "audit_batch")] == [14, 7, 1]
    assert [s.offset for s in by_kind(specs, "assignment_nudge")] == [0, 1, 3]


def test_times_are_nine_in_the_morning_local_on_business_days() -> None:
    specs = reminders_for(inputs(), NOW)
    milestone = by_kind(specs, "milestone")[0]
    # 3 business days before Friday 16 April 2027: Tuesday 13 April, 09:00 in Berlin (CEST)
    assert milestone.due_at == dt.datetime(2027, 4, 13, 7, 0, tzinfo=dt.UTC)
    for spec in specs:
        local = spec.due_at.astimezone(dt.timezone(dt.timedelta(hours=1)))
        assert local.weekday() < 5
    nudges = by_kind(specs, "assignment_nudge")
    # due Wednesday 10 March; repeats +1 and +3 working days: Thursday 11, Monday 15
    assert [n.due_at.date() for n in nudges] == [
        dt.date(2027, 3, 10),
        dt.date(2027, 3, 11),
        dt.date(2027, 3, 15),
    ]


def test_daylight_saving_keeps_nine_oclock_local() -> None:
    # Berlin moves to summer time on 28 March 2027: 09:00 is 08:00 UTC before, 07:00 after
    milestones = (
        MilestoneInfo("before", "Before", dt.date(2027, 3, 26)),
        MilestoneInfo("after", "After", dt.date(2027, 4, 1)),
    )
    specs = reminders_for(
        inputs(
            milestones=milestones,
            batches=(),
            assignments=(),
            policy=ReminderPolicy(milestone_days=(0,)),
        ),
        NOW,
    )
    times = {s.subject: s.due_at for s in by_kind(specs, "milestone")}
    assert times["before"].hour == 8 and times["after"].hour == 7


def test_booked_audits_and_done_sections_are_not_reminded() -> None:
    booked = (
        BatchInfo(
            "stage1", "Stage 1 audit", dt.date(2027, 9, 13), dt.date(2027, 7, 19), booked=True
        ),
    )
    done = (AssignmentInfo("resolution", "Resolution", "U-BOB", dt.date(2027, 3, 10), open=False),)
    specs = reminders_for(inputs(batches=booked, assignments=done), NOW)
    assert by_kind(specs, "booking_deadline") == []
    assert by_kind(specs, "assignment_nudge") == []
    assert by_kind(specs, "audit_batch")  # the audit itself is still announced


def test_overdue_assignments_are_summarised_for_the_managers() -> None:
    late = (AssignmentInfo("resolution", "Resolution", "U-BOB", dt.date(2027, 2, 24)),)
    specs = reminders_for(inputs(assignments=late), NOW)
    summary = by_kind(specs, "overdue_summary")
    assert [s.target for s in summary] == ["U-BOSS"]
    assert f"Resolution ({mention('U-BOB')}, due 2027-02-24)" in summary[0].payload["sections"]
    # nudges long past are not sent late; the latest one, if recent, is
    assert all(n.due_at >= NOW - dt.timedelta(hours=12) for n in by_kind(specs, "assignment_nudge"))


def test_paused_means_nothing_and_keys_are_stable() -> None:
    assert reminders_for(inputs(policy=ReminderPolicy(paused=True)), NOW) == []
    first = {s.dedupe_key for s in reminders_for(inputs(), NOW)}
    again = {s.dedupe_key for s in reminders_for(inputs(), NOW + dt.timedelta(hours=1))}
    assert first == again  # this week's digest, due an hour ago, is still wanted
    assert {"digest:2027-W09:0:C-TEAM", "digest:2027-W10:0:C-TEAM"} <= first
    assert "booking_deadline:stage1:20:U-BOSS" in first


def test_without_a_team_channel_the_managers_get_team_reminders() -> None:
    specs = reminders_for(inputs(channel=None), NOW)
    assert {s.target for s in by_kind(specs, "digest")} == {"U-BOSS"}
    digest = by_kind(specs, "digest")[0]  # this Monday's; next Monday's follows
    assert digest.due_at == dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)  # this Monday 09:00
