"""Every kind of reminder, as Slack receives it, and what its buttons open.

An organisation is set up through the real app (profile, two assignments); the reminders its
plan calls for are delivered by the real dispatcher through the real Slack reminder channel
to the fake Slack, tick by tick at the moment each falls due, as the ticker would. Each
message is then held to Slack's limits (the fake refuses what Slack refuses; `check_all`
checks again at teardown) and read for what it must say, in the README's terms:

    milestone          3 business days before                               managers
    booking deadline   20, 10 and 3 business days before, until booked       managers
    audit              14, 7 and 1 days before, with what is still open      team channel
    assignment nudge   on the due day, then 1 and 3 working days later       the assignee
    overdue summary    the next working morning while assignments are overdue  managers
    weekly digest      Monday 09:00: progress, next milestone, next audit    team channel

The buttons are pressed through the real app: "Record a booking" opens the booking form for
that audit, "Answer now" opens that section.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from slack_sdk import WebClient
from sqlmodel import Session, col, select

from bot.reminders.dispatch import tick
from bot.reminders.regenerate import regenerate
from bot.slack.reminder_channel import SlackReminderChannel
from bot.store.models import AuditBatch, Milestone, Organisation, Reminder
from iso20k_core.standard import load_bank
from tests.clocks import SteppedClock
from tests.e2e.harness import TOKEN, Call, SlackWorld, block_text, button
from tests.e2e.quiet import WorkCounter
from tests.e2e.test_slack_basics import set_up

BANK = load_bank()
KINDS = {
    "milestone",
    "booking_deadline",
    "audit_batch",
    "assignment_nudge",
    "overdue_summary",
    "digest",
}
# The sections of bank 2018.1, in its order (iso20k_core/standard/bank-2018.1.yaml), and
# last its documented information for stage 1, asked after the scored sections.
SECTIONS = [
    "Management and technical foundation",
    "Benefit expectations",
    "Context and leadership",
    "Planning and support",
    "Operational planning and service portfolio",
    "Catalogue, assets and configuration",
    "Relationship and agreement",
    "Supply and demand",
    "Service design, build and transition",
    "Resolution and fulfilment",
    "Service assurance",
    "Performance evaluation and improvement",
    "Documented information for stage 1",
]
WEAK = re.compile(r"• [A-Z][^:]+: maturity 0\.0 of [1-5]")
TASK = re.compile(r"• .+ — .+")
# The Monday after both assignments fell due (Thursday 26 and Friday 27 November 2026).
MONDAY = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2040, 1, 1, tzinfo=dt.UTC)


def deliver_until(world: SlackWorld, channel: SlackReminderChannel, until: dt.datetime) -> None:
    """Tick at each moment the next pending reminder falls due, up to `until`."""
    for _ in range(1000):
        with Session(world.engine) as session:
            row = session.exec(
                select(Reminder)
                .where(Reminder.state == "pending")
                .order_by(col(Reminder.due_at), col(Reminder.id))
            ).first()
        if row is None or row.due_at > until:
            return
        due = row.due_at
        tick(world.engine, BANK, {"slack": channel}, lambda at=due: at, limit=500)
    raise AssertionError("the outbox never drained")


def buttons(call: Call) -> list[str]:
    return [
        element["text"]["text"]
        for block in call.args["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def initial_batch(view: dict[str, Any]) -> str:
    (block,) = [b for b in view["blocks"] if b.get("block_id") == "batch"]
    return str(block["element"]["initial_option"]["value"])


def delivered(world: SlackWorld) -> dict[str, list[tuple[Reminder, Call]]]:
    """Each sent reminder with the post Slack accepted for it (by Slack's ts), by kind."""
    posts = {
        c.response["ts"]: c
        for c in world.slack.calls_to("chat.postMessage")
        if c.refusal is None and not c.failed
    }
    by_kind: dict[str, list[tuple[Reminder, Call]]] = defaultdict(list)
    with Session(world.engine) as session:
        for row in session.exec(select(Reminder).order_by(col(Reminder.due_at))):
            if row.state == "sent":
                by_kind[row.kind].append((row, posts[row.message_ref]))
    return by_kind


def test_every_kind_of_reminder_reaches_slack_and_says_what_it_must(world: SlackWorld) -> None:
    world.slack.invite_bot("C42")  # the team channel chosen in setup
    set_up(world)  # Acme IT, Berlin, Germany, start 2027-01-11, reminders to C42
    counter = WorkCounter(world)
    world.command("assign <@U2|bob> resolution 2026-11-27")
    world.command("assign <@U3|carol> context 2026-11-26")
    counter.wait_quiet(2)
    clock = SteppedClock()
    client = WebClient(token=TOKEN, base_url=world.slack.url)
    channel = SlackReminderChannel(client, clock=clock, sleep=clock.sleep)

    deliver_until(world, channel, MONDAY)
    with Session(world.engine) as session:  # Monday: the plan is regenerated (as any change
        organisation = session.exec(select(Organisation)).one()  # would), both are overdue
        regenerate(session, organisation, BANK, MONDAY)
        session.commit()
    deliver_until(world, channel, LATER)

    with Session(world.engine) as session:
        states = {r.state for r in session.exec(select(Reminder))}
        batches = {b.key: b for b in session.exec(select(AuditBatch))}
        milestones = {m.key: m for m in session.exec(select(Milestone))}
    assert states <= {"sent", "cancelled"}  # nothing failed, nothing left behind
    assert world.slack.refused == []
    sent = delivered(world)
    assert set(sent) == KINDS

    # milestone: 3 business days before, to the manager (U1, who ran setup)
    assert {row.subject for row, _ in sent["milestone"]} == set(milestones)
    for row, call in sent["milestone"]:
        milestone = milestones[row.subject]
        text = block_text(call.args["blocks"])
        assert call.args["channel"] == "U1"
        assert f"Milestone in 3 working days: {milestone.title}" in text
        assert f"Planned for {milestone.planned_date.isoformat()}." in text
        assert buttons(call) == ["Plan"]

    # booking deadline: 20, 10 and 3 business days before each audit's deadline
    bookings: dict[str, list[Call]] = defaultdict(list)
    for row, call in sent["booking_deadline"]:
        bookings[row.subject].append(call)
        batch = batches[row.subject]
        text = block_text(call.args["blocks"])
        assert call.args["channel"] == "U1"
        assert f"Book the {batch.title} by {batch.booking_deadline.isoformat()}" in text
        assert f"The audit is planned for {batch.planned_date.isoformat()}." in text
        assert buttons(call) == ["Record a booking"]
    assert set(bookings) == set(batches)
    assert {key: len(calls) for key, calls in bookings.items()} == {key: 3 for key in batches}
    offsets: dict[str, set[str]] = defaultdict(set)
    for row, _ in sent["booking_deadline"]:
        offsets[row.subject].add(row.dedupe_key.split(":")[2])
    assert offsets == {key: {"20", "10", "3"} for key in batches}
    # "Record a booking" opens the booking form for that very audit
    for key in ("stage1", sorted(bookings)[-1]):
        opened = len(world.slack.calls_to("views.open"))
        world.click(button(bookings[key][0].args["blocks"], "Record a booking"))
        form = world.opened_view(opened + 1)
        assert form["title"]["text"] == "Record a booking"
        assert initial_batch(form) == key

    # audit: 14, 7 and 1 days before, in the team channel, with what is still open
    audits: dict[str, int] = defaultdict(int)
    for row, call in sent["audit_batch"]:
        audits[row.subject] += 1
        batch = batches[row.subject]
        text = block_text(call.args["blocks"])
        assert call.args["channel"] == "C42"
        assert f"{batch.title} on {batch.planned_date.isoformat()}" in text
        assert "What is still open before the auditors come:" in text
        # nothing is answered yet: every section of the bank is open, each area at maturity
        # 0; the three weakest are named, and the first five tasks of the plan
        opened, weakest, tasks = _parts(text)
        assert opened == [f"• {title}" for title in SECTIONS]
        assert len(weakest) == 3 and all(WEAK.fullmatch(line) for line in weakest), weakest
        assert len(tasks) == 5 and all(TASK.fullmatch(line) for line in tasks), tasks
        assert buttons(call) == ["Status"]
    assert audits == {key: 3 for key in batches}
    days = {r.dedupe_key.split(":")[2] for r, _ in sent["audit_batch"]}
    assert days == {"14", "7", "1"}

    # assignment nudges: the due day, then 1 and 3 working days later, to each assignee
    nudges: dict[str, list[Call]] = defaultdict(list)
    for _, call in sent["assignment_nudge"]:
        nudges[call.args["channel"]].append(call)
    assert {who: len(calls) for who, calls in nudges.items()} == {"U2": 3, "U3": 3}
    for call in nudges["U2"]:
        text = block_text(call.args["blocks"])
        assert "Reminder: please answer Resolution and fulfilment" in text
        assert "It was due 2026-11-27." in text
        assert buttons(call) == ["Answer now"]
    assert "Reminder: please answer Context and leadership" in block_text(
        nudges["U3"][0].args["blocks"]
    )
    # Friday 27 November, Monday 30 November, Wednesday 2 December at 09:00 in Berlin
    due = sorted(r.due_at for r, c in sent["assignment_nudge"] if c.args["channel"] == "U2")
    assert due == [
        dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC),
    ]
    # "Answer now" opens the section the nudge is about
    for who, section in (("U2", "Resolution and fulfilment"), ("U3", "Context and leadership")):
        opened = len(world.slack.calls_to("views.open"))
        world.click(button(nudges[who][0].args["blocks"], "Answer now"), user=who)
        assert f"{section} — page 1 of " in block_text(world.opened_view(opened + 1)["blocks"])

    # overdue summary: the next working morning (Tuesday 1 December, 09:00 Berlin), managers
    ((row, call),) = sent["overdue_summary"]
    assert row.due_at == dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    assert call.args["channel"] == "U1"
    text = block_text(call.args["blocks"])
    assert "2 assigned sections are overdue" in text
    assert "• Context and leadership (<@U3>, due 2026-11-26)" in text
    assert "• Resolution and fulfilment (<@U2>, due 2026-11-27)" in text

    # weekly digest: Mondays 09:00 in Berlin, in the team channel
    digests = sent["digest"]
    assert [r.due_at for r, _ in digests] == [
        dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC),
    ]
    for row, call in digests:
        text = block_text(call.args["blocks"])
        assert call.args["channel"] == "C42"
        assert "Weekly digest: Acme IT" in text
        # 157 questions in bank 2018.1, none answered: readiness 0, and with leadership
        # below maturity 2 the verdict is "not yet feasible" (README, "How the engine decides")
        assert "*Answered*\n0 of 157" in text
        assert "*Readiness*\n0.0 %" in text
        assert "*Verdict*\nnot yet feasible" in text
        day = row.due_at.date()
        upcoming = min((m for m in milestones.values() if m.planned_date >= day), key=_date)
        assert f"*Next milestone*\n{upcoming.title}, {upcoming.planned_date.isoformat()}" in text
        stage1 = batches["stage1"]
        assert f"*Next audit*\n{stage1.title}, {stage1.planned_date.isoformat()}" in text
        assert buttons(call) == ["Continue the assessment"]


def _parts(text: str) -> tuple[list[str], list[str], list[str]]:
    """The lines under each of the audit reminder's three headings."""
    _, rest = text.split("*Sections not fully answered*\n")
    opened, rest = rest.split("\n*Weakest areas*\n")
    weakest, rest = rest.split("\n*Open tasks*\n")
    tasks = rest.removesuffix("\nStatus")
    return opened.split("\n"), weakest.split("\n"), tasks.split("\n")


def _date(milestone: Milestone) -> dt.date:
    return milestone.planned_date
