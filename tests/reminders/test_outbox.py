"""The outbox on a real database: sync, claims with leases, marks, retries, dispatch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.dialogs.model import Message
from bot.reminders import outbox
from bot.reminders.dispatch import RateLimited, tick
from bot.reminders.generate import ReminderSpec
from bot.reminders.outbox import claim_due, mark_sent, record_failure, sync_reminders
from bot.store.crud import get_or_create_organisation, upsert_member
from bot.store.db import make_engine
from bot.store.migrate import upgrade
from bot.store.models import Reminder
from iso20k_core.standard import load_bank

MONDAY_TEN = dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'outbox.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    upgrade(url)
    e = make_engine(url)
    yield e
    e.dispose()


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
        # worker A dies; after the lease its rows are taken over, and A can no longer mark them
        later = MONDAY_TEN + outbox.LEASE + dt.timedelta(seconds=1)
        token_c, c = claim_due(session, later, limit=10)
        assert {r.id for r in c} == {r.id for r in a} | {r.id for r in b}
        assert not mark_sent(session, a[0].id or 0, token_a, later, None)
        assert mark_sent(session, a[0].id or 0, token_c, later, None)


def test_failures_back_off_then_fail_for_good(engine: Engine) -> None:
    with Session(engine) as session:
        oid = org_id(session)
        sync_reminders(session, oid, [nudge("U1", MONDAY_TEN)])
        session.commit()
        now = MONDAY_TEN
        waits = []
        for _ in range(outbox.MAX_ATTEMPTS):
            token, (row,) = claim_due(session, now)
            record_failure(session, row, token, now, "boom")
            session.expire_all()
            row = session.exec(select(Reminder)).one()
            waits.append(row.due_at - now)
            now = row.due_at
        assert row.state == "failed" and row.attempts == outbox.MAX_ATTEMPTS
        assert waits[:3] == [
            dt.timedelta(seconds=30),
            dt.timedelta(seconds=60),
            dt.timedelta(seconds=120),
        ]
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
    late = MONDAY_TEN + outbox.LEASE + dt.timedelta(seconds=1)
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
