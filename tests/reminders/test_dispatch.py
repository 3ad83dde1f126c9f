"""The dispatcher's and the outbox's smaller promises, each on a clock the test controls.

Written after mutation testing (README "Tests") showed them unchecked: what a tick counts,
the order claims are taken in, that renewing a claim restarts its two-minute lease, the
organisation's own working hours and public holidays, a platform without a channel, a
reminder that cannot be written, and which member's timezone counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.dialogs.model import Message
from bot.reminders.dispatch import TickResult, tick
from bot.reminders.generate import ReminderSpec
from bot.reminders.outbox import (
    claim_due,
    mark_sent,
    record_failure,
    reschedule,
    sync_reminders,
    unsent_count,
)
from bot.store.crud import get_or_create_organisation, upsert_member
from bot.store.models import Reminder
from iso20k_core.standard import load_bank
from tests.reminders.test_outbox import MONDAY_TEN, SECOND, FakeChannel, engine, nudge, org_id

__all__ = ["engine"]  # the fixture, on SQLite and PostgreSQL

BANK = load_bank()


def rows(engine: Engine) -> dict[str, Reminder]:
    with Session(engine) as session:
        return {r.target: r for r in session.exec(select(Reminder))}


def add(engine: Engine, *specs: ReminderSpec, organisation: str = "acme") -> None:
    with Session(engine) as session:
        sync_reminders(session, org_id(session, organisation), list(specs))
        session.commit()


def at(*moments: dt.datetime) -> Callable[[], dt.datetime]:
    """A clock giving `moments` one call after another, then the last one for good."""
    given = iter(moments)
    last = [moments[0]]

    def clock() -> dt.datetime:
        last[0] = next(given, last[0])
        return last[0]

    return clock


def test_a_tick_counts_what_it_did(engine: Engine) -> None:
    with Session(engine) as session:
        org = get_or_create_organisation(session, "slack", "acme", "acme")
        for user in ("U-LA1", "U-LA2"):
            upsert_member(session, org, user)
        session.commit()
    add(engine, *(nudge(u, MONDAY_TEN) for u in ("U1", "U2", "U-LA1", "U-LA2")))
    channel = FakeChannel(tz="America/Los_Angeles")  # U1 and U2 are no members: UTC
    result = tick(engine, BANK, {"slack": channel}, lambda: MONDAY_TEN)
    assert result == TickResult(claimed=4, sent=2, deferred=2, retried=0, lost=0)
    broken = FakeChannel(RuntimeError("HTTP 500"))
    add(engine, nudge("U3", MONDAY_TEN), nudge("U4", MONDAY_TEN), organisation="other")
    assert tick(engine, BANK, {"slack": broken}, lambda: MONDAY_TEN).retried == 2


def test_a_tick_claims_no_more_than_its_limit(engine: Engine) -> None:
    add(engine, *(nudge(f"U{n}", MONDAY_TEN) for n in range(3)))
    assert tick(engine, BANK, {"slack": FakeChannel()}, lambda: MONDAY_TEN, limit=2).claimed == 2
    assert tick(engine, BANK, {"slack": FakeChannel()}, lambda: MONDAY_TEN, limit=2).claimed == 1


def test_claims_take_the_longest_overdue_first(engine: Engine) -> None:
    add(
        engine,
        nudge("U-later", MONDAY_TEN + dt.timedelta(minutes=1)),
        nudge("U-first", MONDAY_TEN),
        nudge("U-second", MONDAY_TEN),
    )
    now = MONDAY_TEN + dt.timedelta(minutes=1)
    order = []
    with Session(engine) as session:
        for _ in range(3):
            _, (claimed,) = claim_due(session, now, limit=1)
            order.append(claimed.target)
    assert order == ["U-first", "U-second", "U-later"]  # by due time, then as they were added


def test_renewing_a_claim_just_before_sending_restarts_its_two_minute_lease(
    engine: Engine,
) -> None:
    """Claimed at 10:00, renewed at 10:01:30 just before the send, and the worker is killed
    while sending: the claim is another worker's only two minutes after the renewal."""

    class Killed(BaseException):  # not an Exception: nothing in the dispatcher catches it
        pass

    class DyingChannel(FakeChannel):
        def send(self, target: str, message: Message) -> str | None:
            raise Killed

    add(engine, nudge("U1", MONDAY_TEN))
    renewed = MONDAY_TEN + dt.timedelta(seconds=90)
    with pytest.raises(Killed):
        tick(engine, BANK, {"slack": DyingChannel()}, at(MONDAY_TEN, renewed))
    assert rows(engine)["U1"].claimed_at == renewed
    survivor = FakeChannel()
    lease_over = renewed + dt.timedelta(minutes=2)
    assert tick(engine, BANK, {"slack": survivor}, lambda: lease_over - SECOND).claimed == 0
    assert tick(engine, BANK, {"slack": survivor}, lambda: lease_over).sent == 1


def test_marks_record_when_and_leave_no_claim_behind(engine: Engine) -> None:
    add(engine, nudge("U-sent", MONDAY_TEN), nudge("U-failed", MONDAY_TEN))
    sent_at = MONDAY_TEN + dt.timedelta(seconds=3)
    tick(engine, BANK, {"slack": FakeChannel()}, at(MONDAY_TEN, MONDAY_TEN, sent_at), limit=1)
    sent = rows(engine)["U-sent"]
    assert (sent.state, sent.sent_at, sent.message_ref, sent.claim_token) == (
        "sent",
        sent_at,
        "ts-1",
        None,
    )
    with Session(engine) as session:
        token, (row,) = claim_due(session, MONDAY_TEN)
        assert record_failure(session, row, token, MONDAY_TEN, "x" * 2000)
        token, (row,) = claim_due(session, MONDAY_TEN + dt.timedelta(seconds=30))
        later = MONDAY_TEN + dt.timedelta(hours=1)
        assert reschedule(session, row.id or 0, token, later)
    failed = rows(engine)["U-failed"]
    assert (failed.state, failed.due_at, failed.claim_token) == ("pending", later, None)
    assert failed.last_error == "x" * 500  # kept short: it is shown in /iso20k remind


def test_the_organisation_s_working_hours_and_holidays_are_kept(engine: Engine) -> None:
    with Session(engine) as session:
        org = get_or_create_organisation(session, "slack", "acme", "acme")
        org.reminder_policy = {"work_start": "10:00", "work_end": "17:00"}
        org.profile = {"country": "DE"}
        session.add(org)
        session.commit()
    new_year = dt.datetime(2027, 1, 1, 11, 0, tzinfo=dt.UTC)  # a Friday, a holiday in Germany
    early = dt.datetime(2027, 1, 4, 9, 30, tzinfo=dt.UTC)  # Monday, before this team's 10:00
    add(engine, nudge("U-holiday", new_year), nudge("U-early", early))
    channel = FakeChannel()
    assert tick(engine, BANK, {"slack": channel}, lambda: new_year).deferred == 1
    assert rows(engine)["U-holiday"].due_at == dt.datetime(2027, 1, 4, 10, 0, tzinfo=dt.UTC)
    assert tick(engine, BANK, {"slack": channel}, lambda: early).deferred == 1
    assert rows(engine)["U-early"].due_at == dt.datetime(2027, 1, 4, 10, 0, tzinfo=dt.UTC)
    assert channel.sent == []


def test_a_platform_without_a_channel_fails_visibly_and_retries(engine: Engine) -> None:
    add(engine, nudge("U1", MONDAY_TEN), nudge("U2", MONDAY_TEN))
    result = tick(engine, BANK, {"console": FakeChannel()}, lambda: MONDAY_TEN)
    assert (result.retried, result.sent) == (2, 0)
    for row in rows(engine).values():
        assert (row.state, row.attempts) == ("pending", 1)
        assert row.last_error == "no channel for this platform"
        assert row.due_at == MONDAY_TEN + dt.timedelta(seconds=30)


def test_a_reminder_that_cannot_be_written_is_retried_with_the_reason(engine: Engine) -> None:
    add(engine, nudge("U-good", MONDAY_TEN), nudge("U-bad", MONDAY_TEN))
    with Session(engine) as session:  # a row damaged by hand: its key lacks the offset
        bad = session.exec(select(Reminder).where(Reminder.target == "U-bad")).one()
        bad.kind, bad.dedupe_key = "milestone", "milestone:gap"
        session.add(bad)
        session.commit()
    channel = FakeChannel()
    result = tick(engine, BANK, {"slack": channel}, lambda: MONDAY_TEN)
    assert (result.sent, result.retried) == (1, 1)  # the good one still went out
    assert channel.sent == [("U-good", "Reminder: please answer Resolution")]
    damaged = rows(engine)["U-bad"]
    assert (damaged.state, damaged.attempts) == ("pending", 1)
    assert damaged.last_error == "IndexError: list index out of range"


def test_a_member_s_timezone_is_the_one_of_their_own_organisation(engine: Engine) -> None:
    """The same Slack user id in two organisations (an Enterprise Grid person in two
    workspaces): each organisation's reminder follows its own member row."""
    with Session(engine) as session:
        tokyo = get_or_create_organisation(session, "slack", "E1:T1", "Tokyo office")
        los_angeles = get_or_create_organisation(session, "slack", "E1:T2", "LA office")
        upsert_member(session, tokyo, "W1").timezone = "Asia/Tokyo"
        upsert_member(session, los_angeles, "W1").timezone = "America/Los_Angeles"
        session.commit()
        la_id = los_angeles.id
    with Session(engine) as session:
        sync_reminders(session, la_id or 0, [nudge("W1", MONDAY_TEN)])
        session.commit()
    # 10:00 UTC is 02:00 in Los Angeles (19:00 in Tokyo, after work there too)
    assert tick(engine, BANK, {"slack": FakeChannel()}, lambda: MONDAY_TEN).deferred == 1
    assert rows(engine)["W1"].due_at == dt.datetime(2027, 3, 1, 17, 0, tzinfo=dt.UTC)


def test_sync_moves_on_a_changed_payload_and_counts_each_change(engine: Engine) -> None:
    def spec(user: str, title: str = "Resolution") -> ReminderSpec:
        return ReminderSpec(
            "assignment_nudge",
            "resolution",
            0,
            user,
            MONDAY_TEN,
            {"section": "resolution", "title": title, "due": "2027-02-26"},
        )

    with Session(engine) as session:
        oid = org_id(session)
        assert sync_reminders(session, oid, [spec(u) for u in "ABCD"]).created == 4
        renamed = sync_reminders(session, oid, [spec("A", "Renamed"), spec("B", "Renamed")])
        # a new title alone moves the row (the message is written from it); C, D cancelled
        assert (renamed.created, renamed.moved, renamed.cancelled) == (0, 2, 2)
        rows_now = {r.target: r for r in session.exec(select(Reminder))}
        assert rows_now["A"].payload["title"] == "Renamed"
        for target in "CD":
            rows_now[target].attempts = 3  # they had failed a few times before
        session.commit()
        back = sync_reminders(session, oid, [spec(u, "Renamed") for u in "ABCD"])
        assert (back.revived, back.moved) == (2, 0)
        session.commit()
        revived = {r.target: r for r in session.exec(select(Reminder))}
    assert {t: (revived[t].state, revived[t].attempts) for t in "CD"} == {
        "C": ("pending", 0),
        "D": ("pending", 0),
    }


def test_the_outbox_is_drained_when_nothing_waits_or_is_claimed(engine: Engine) -> None:
    add(engine, nudge("U1", MONDAY_TEN), nudge("U2", MONDAY_TEN), nudge("U3", MONDAY_TEN))
    with Session(engine) as session:
        assert unsent_count(session) == 3
        token, (first, _) = claim_due(session, MONDAY_TEN, limit=2)
        assert unsent_count(session) == 3  # claimed is not sent yet
        mark_sent(session, first.id or 0, token, MONDAY_TEN, "ts-1")
        assert unsent_count(session) == 2
        sync_reminders(session, org_id(session), [])  # the pending one is cancelled
        session.commit()
        assert unsent_count(session) == 1  # the claimed one is still out there
