"""The outbox on a real database: sync, claims with leases, marks, retries, dispatch."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.dialogs.model import Message
from bot.reminders.dispatch import RateLimited, tick
from bot.reminders.generate import ReminderSpec
from bot.reminders.outbox import claim_due, mark_sent, record_failure, sync_reminders
from bot.slack.reminder_channel import SlackReminderChannel
from bot.store.crud import get_or_create_organisation, upsert_member
from bot.store.models import Reminder
from iso20k_core.standard import load_bank
from tests.slackfake.server import FakeSlack

MONDAY_TEN = dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)
LEASE_DOC = dt.timedelta(minutes=2)  # README "Reminders": "under a two-minute lease"


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    """Each test on SQLite and on PostgreSQL (tests/conftest.py)."""
    return migrated_engine


def nudge(target: str, due: dt.datetime, offset: int = 0) -> ReminderSpec:
    return ReminderSpec(
        "assignment_nudge",
        "resolution",
        offset,
        target,
        due,
        {"section": "resolution", "title": "Resolution", "due": "2027-02-26"},
    )


def org_id(session: Session, name: str = "acme") -> int:
    org = get_or_create_organisation(session, "slack", name, name)
    assert org.id is not None
    return org.id


def states(session: Session) -> dict[str, str]:
    session.expire_all()
    return {r.dedupe_key: r.state for r in session.exec(select(Reminder))}


def test_sync_creates_moves_cancels_and_never_resends(engine: Engine) -> None:
    with Session(engine) as session:
        oid = org_id(session)
        first = sync_reminders(session, oid, [nudge("U1", MONDAY_TEN), nudge("U2", MONDAY_TEN)])
        assert (first.created, first.moved, first.cancelled) == (2, 0, 0)
        later = MONDAY_TEN + dt.timedelta(days=1)
        second = sync_reminders(session, oid, [nudge("U1", later)])
        assert (second.created, second.moved, second.cancelled) == (0, 1, 1)
        session.commit()
        token, claimed = claim_due(session, later)
        assert [r.target for r in claimed] == ["U1"]
        assert mark_sent(session, claimed[0].id or 0, token, later, "ts-1")
        third = sync_reminders(session, oid, [nudge("U1", later + dt.timedelta(days=1))])
        assert third.moved == 0  # sent stays sent, and is not sent again
        revived = sync_reminders(session, oid, [nudge("U1", later), nudge("U2", later)])
        assert revived.revived == 1
        session.commit()
        assert states(session) == {
            "assignment_nudge:resolution:0:U1": "sent",
            "assignment_nudge:resolution:0:U2": "pending",
        }


def test_claims_are_exclusive_and_expire(engine: Engine) -> None:
    with Session(engine) as session:
        oid = org_id(session)
        sync_reminders(session, oid, [nudge(f"U{n}", MONDAY_TEN) for n in range(5)])
        session.commit()
        token_a, a = claim_due(session, MONDAY_TEN, limit=3)
        _, b = claim_due(session, MONDAY_TEN, limit=3)
        assert len(a) == 3 and len(b) == 2
        assert not {r.id for r in a} & {r.id for r in b}
        # README: "a two-minute lease". A second short of it, nobody may take them over ...
        assert claim_due(session, MONDAY_TEN + LEASE_DOC - SECOND, limit=10)[1] == []
        # ... worker A died: once the lease is over its rows are taken over, and A can no
        # longer mark them
        later = MONDAY_TEN + LEASE_DOC
        token_c, c = claim_due(session, later, limit=10)
        assert {r.id for r in c} == {r.id for r in a} | {r.id for r in b}
        assert not mark_sent(session, a[0].id or 0, token_a, later, None)
        assert mark_sent(session, a[0].id or 0, token_c, later, None)


def test_a_dead_worker_s_claim_is_taken_over_after_two_minutes_not_before(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        sync_reminders(session, org_id(session), [nudge("U1", MONDAY_TEN)])
        session.commit()
        claim_due(session, MONDAY_TEN)  # worker A claims it, then is killed before sending
    channel = FakeChannel()
    for seconds in (1, 60, 119):
        early = MONDAY_TEN + dt.timedelta(seconds=seconds)
        result = tick(engine, load_bank(), {"slack": channel}, lambda at=early: at)
        assert (result.claimed, result.sent) == (0, 0), f"taken over after {seconds} s"
    expired = MONDAY_TEN + dt.timedelta(minutes=2)
    result = tick(engine, load_bank(), {"slack": channel}, lambda: expired)
    assert (result.claimed, result.sent) == (1, 1)
    assert channel.sent == [("U1", "Reminder: please answer Resolution")]


def test_failures_back_off_then_fail_for_good(engine: Engine) -> None:
    with Session(engine) as session:
        oid = org_id(session)
        sync_reminders(session, oid, [nudge("U1", MONDAY_TEN)])
        session.commit()
        now = MONDAY_TEN
        waits = []
        for attempt in range(1, 6):
            token, (row,) = claim_due(session, now)
            assert row.attempts == attempt - 1
            record_failure(session, row, token, now, f"boom {attempt}")
            session.expire_all()
            row = session.exec(select(Reminder)).one()
            if row.state == "failed":
                break
            waits.append(row.due_at - now)
            now = row.due_at
        # README: "other errors back off (30 s, 1 min, 2 min, …) and after five attempts the
        # reminder is failed": four waits, each twice the last, then failed on the fifth.
        assert (attempt, row.state, row.attempts) == (5, "failed", 5)
        assert waits == [SECOND * 30, SECOND * 60, SECOND * 120, SECOND * 240]
        assert row.last_error == "boom 5"  # the last attempt's reason, shown in remind
        assert claim_due(session, now + dt.timedelta(days=1))[1] == []


class FakeChannel:
    def __init__(self, fail: Exception | None = None, tz: str | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail = fail
        self.tz = tz
        self.asked: list[str] = []

    def send(self, target: str, message: Message) -> str | None:
        if self.fail is not None:
            raise self.fail
        self.sent.append((target, message.heading))
        return f"ts-{len(self.sent)}"

    def timezone_of(self, user_id: str) -> str | None:
        self.asked.append(user_id)
        return self.tz


def test_tick_delivers_in_the_recipients_working_hours(engine: Engine) -> None:
    with Session(engine) as session:
        oid = org_id(session)
        org = get_or_create_organisation(session, "slack", "acme", "acme")
        upsert_member(session, org, "U-LA")
        sync_reminders(
            session,
            oid,
            [
                nudge("U-LA", MONDAY_TEN - dt.timedelta(hours=1)),
                nudge("U-UTC", MONDAY_TEN - dt.timedelta(hours=1)),
            ],
        )
        session.commit()
    channel = FakeChannel(tz="America/Los_Angeles")
    result = tick(engine, load_bank(), {"slack": channel}, lambda: MONDAY_TEN)
    # 10:00 UTC is 02:00 in Los Angeles: deferred to 09:00 there (17:00 UTC)
    assert (result.sent, result.deferred) == (1, 1)
    assert channel.sent == [("U-UTC", "Reminder: please answer Resolution")]
    assert channel.asked == ["U-LA"]  # asked once, then kept on the member
    with Session(engine) as session:
        la = session.exec(select(Reminder).where(Reminder.target == "U-LA")).one()
        assert la.state == "pending"
        assert la.due_at == dt.datetime(2027, 3, 1, 17, 0, tzinfo=dt.UTC)
    assert tick(engine, load_bank(), {"slack": channel}, lambda: la.due_at).sent == 1
    assert channel.asked == ["U-LA"]


def test_rate_limits_wait_and_errors_retry(engine: Engine) -> None:
    with Session(engine) as session:
        sync_reminders(session, org_id(session), [nudge("U1", MONDAY_TEN)])
        session.commit()
    limited = tick(engine, load_bank(), {"slack": FakeChannel(RateLimited(7))}, lambda: MONDAY_TEN)
    assert limited.deferred == 1
    with Session(engine) as session:
        row = session.exec(select(Reminder)).one()
        assert row.due_at == MONDAY_TEN + dt.timedelta(seconds=7) and row.attempts == 0
    broken = tick(
        engine, load_bank(), {"slack": FakeChannel(RuntimeError("HTTP 500"))}, lambda: row.due_at
    )
    assert broken.retried == 1
    with Session(engine) as session:
        row = session.exec(select(Reminder)).one()
        assert row.attempts == 1 and row.last_error == "RuntimeError: HTTP 500"


def test_a_batch_that_outlives_its_lease_does_not_send_twice(engine: Engine) -> None:
    with Session(engine) as session:
        oid = org_id(session)
        org = get_or_create_organisation(session, "slack", "acme", "acme")
        for n in range(3):
            upsert_member(session, org, f"U{n}")
        sync_reminders(session, oid, [nudge(f"U{n}", MONDAY_TEN) for n in range(3)])
        session.commit()
    late = MONDAY_TEN + LEASE_DOC + SECOND
    taken: list[int] = []

    class SlowChannel(FakeChannel):
        def timezone_of(self, user_id: str) -> str | None:
            if user_id == "U1":  # after the first send our lease runs out: another worker
                with Session(engine) as other:  # takes over the rest of the batch
                    taken.extend(r.id or 0 for r in claim_due(other, late)[1])
            return super().timezone_of(user_id)

    channel = SlowChannel()
    result = tick(engine, load_bank(), {"slack": channel}, lambda: MONDAY_TEN)
    assert (result.sent, result.lost) == (1, 2)
    assert [target for target, _ in channel.sent] == ["U0"]
    assert len(taken) == 2  # the other worker holds them now and sends them, once


def test_a_reminder_slack_refuses_every_time_is_failed_after_its_fifth_attempt(
    engine: Engine,
) -> None:
    """Through the real Slack channel: the bot was never invited to the team channel, so
    Slack answers not_in_channel to every post. Ticking whenever the row is due again, the
    reminder is tried exactly five times, 30 s, 60 s, 120 s and 240 s apart, then failed and
    never tried again."""
    with Session(engine) as session:
        audit = ReminderSpec(
            "audit_batch",
            "stage1",
            7,
            "C-TEAM",
            MONDAY_TEN,
            {"title": "Stage 1 audit", "planned": "2027-03-08"},
        )
        sync_reminders(session, org_id(session), [audit])
        session.commit()
    clock = {"now": MONDAY_TEN}
    with FakeSlack(token="xoxb-test-token") as slack:
        client = WebClient(token="xoxb-test-token", base_url=slack.url)
        channel = SlackReminderChannel(client, sleep=lambda seconds: None)
        tried_at = []
        for _ in range(20):  # far more ticks than attempts: the count must stop by itself
            with Session(engine) as session:
                row = session.exec(select(Reminder)).one()
            if row.state != "pending":
                break
            clock["now"] = row.due_at
            before = len(slack.calls_to("chat.postMessage"))
            tick(engine, load_bank(), {"slack": channel}, lambda: clock["now"])
            if len(slack.calls_to("chat.postMessage")) > before:
                tried_at.append(clock["now"])
        posts = slack.calls_to("chat.postMessage")
        assert [c.refusal for c in posts] == ["not_in_channel"] * 5
        # a day later the outbox still holds it as failed, and nothing more is posted
        later = MONDAY_TEN + dt.timedelta(days=1, hours=1)
        assert tick(engine, load_bank(), {"slack": channel}, lambda: later).claimed == 0
        assert len(slack.calls_to("chat.postMessage")) == 5
    gaps = [b - a for a, b in itertools.pairwise(tried_at)]
    assert gaps == [SECOND * 30, SECOND * 60, SECOND * 120, SECOND * 240]
    with Session(engine) as session:
        row = session.exec(select(Reminder)).one()
    assert (row.state, row.attempts) == ("failed", 5)
    assert row.last_error is not None and "not_in_channel" in row.last_error
