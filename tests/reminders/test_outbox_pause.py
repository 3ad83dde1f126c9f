"""An uninstalled organisation's reminders pause: not claimed, not marked, sent after a
reinstall (bot/reminders/outbox.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.reminders.generate import ReminderSpec
from bot.reminders.outbox import LEASE, claim_due, sync_reminders
from bot.store.crud import get_or_create_organisation
from bot.store.lifecycle import uninstalled
from bot.store.models import Organisation, Reminder

NOW = dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    """Each test on SQLite and on PostgreSQL (tests/conftest.py)."""
    return migrated_engine


def due_reminder(session: Session, team: str) -> int:
    org = get_or_create_organisation(session, "slack", team, team)
    spec = ReminderSpec("milestone", "stage2_audit", 0, "C1", NOW - HOUR, {"title": "Stage 2"})
    sync_reminders(session, org.id or 0, [spec])
    session.commit()
    return org.id or 0


def rows(session: Session) -> dict[int, Reminder]:
    session.expire_all()
    return {r.organisation_id: r for r in session.exec(select(Reminder))}


def test_uninstalled_reminders_stay_pending_and_resume_on_reinstall(engine: Engine) -> None:
    with Session(engine) as session:
        paused, active = due_reminder(session, "T1"), due_reminder(session, "T2")
        uninstalled(session, "slack", "T1", NOW - HOUR)
        session.commit()
        _, claimed = claim_due(session, NOW)
        assert [r.organisation_id for r in claimed] == [active]
        # Ticks go on (the other's lease expires, it is taken over): this one is still not claimed.
        _, later = claim_due(session, NOW + 3 * LEASE)
        assert [r.organisation_id for r in later] == [active]
        kept = rows(session)[paused]
        assert (kept.state, kept.attempts, kept.claimed_at, kept.sent_at) == (
            "pending",
            0,
            None,
            None,
        )

        org = session.get(Organisation, paused)
        assert org is not None
        org.uninstalled_at = None  # reinstalled (the OAuth install clears it)
        session.add(org)
        session.commit()
        _, resumed = claim_due(session, NOW + 4 * LEASE)
        assert sorted(r.organisation_id for r in resumed) == sorted([paused, active])


def test_a_claim_left_by_a_dead_worker_is_not_taken_over_while_uninstalled(engine: Engine) -> None:
    with Session(engine) as session:
        oid = due_reminder(session, "T1")
        _, claimed = claim_due(session, NOW)  # claimed, then the worker died
        assert len(claimed) == 1
        uninstalled(session, "slack", "T1", NOW)
        session.commit()
        _, taken = claim_due(session, NOW + 2 * LEASE)
        assert taken == []
        assert rows(session)[oid].state == "claimed"
