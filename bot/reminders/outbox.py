"""The outbox: reminder rows, kept in step with the plan, claimed atomically, marked once.

Claiming is one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`: on
PostgreSQL concurrent workers skip each other's rows; SQLite has a single writer, so the same
statement is atomic there (SQLAlchemy drops FOR UPDATE on SQLite, PLATFORM.md). A claim is a
lease: a worker killed after claiming loses nothing, the row is taken over once the lease
expires. Only the holder of the claim token may mark a row sent, so a slow worker whose lease
was taken over cannot mark it twice.

The one window for a duplicate: a worker sends a message and is killed before its `mark_sent`
commits; after the lease another worker sends it again. The send and the mark are adjacent
and the mark is one short UPDATE, so the window is one round trip to the database. The claim
is renewed just before each send, so a slow batch that outlives its lease skips what another
worker took over instead of sending it twice; only a single send slower than the lease
(retries included) could, so the lease is kept well above that. Each claim and mark is its
own transaction, run again while the database is briefly away (bot.store.transactions), so
a PostgreSQL restart between a send and its mark does not make the reminder go out twice.

An uninstalled organisation's reminders are not claimed (`Organisation.uninstalled_at`): they
stay as they are, pending, and go out once the app is installed again (bot/store/lifecycle.py).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, func, select

from bot.reminders.generate import ReminderSpec
from bot.store.models import Organisation, Reminder
from bot.store.transactions import OUTBOX_BUDGET, committed

LEASE = dt.timedelta(minutes=2)
MAX_ATTEMPTS = 5
BACKOFF_BASE = dt.timedelta(seconds=30)


@dataclass(frozen=True)
class SyncResult:
    created: int = 0
    moved: int = 0
    cancelled: int = 0
    revived: int = 0


def sync_reminders(
    session: Session, organisation_id: int, specs: Sequence[ReminderSpec]
) -> SyncResult:
    """Make the organisation's unsent reminders match `specs`; flushes, the caller commits."""
    existing = {
        r.dedupe_key: r
        for r in session.exec(select(Reminder).where(Reminder.organisation_id == organisation_id))
    }
    wanted = {s.dedupe_key: s for s in specs}
    created = moved = cancelled = revived = 0
    for key, spec in wanted.items():
        row = existing.get(key)
        if row is None:
            session.add(
                Reminder(
                    organisation_id=organisation_id,
                    kind=spec.kind,
                    target=spec.target,
                    subject=spec.subject,
                    due_at=spec.due_at,
                    dedupe_key=key,
                    payload=spec.payload,
                )
            )
            created += 1
        elif row.state == "pending" and (row.due_at != spec.due_at or row.payload != spec.payload):
            row.due_at, row.payload = spec.due_at, spec.payload
            session.add(row)
            moved += 1
        elif row.state == "cancelled":  # wanted again, e.g. a booking was withdrawn
            row.state, row.due_at, row.payload, row.attempts = (
                "pending",
                spec.due_at,
                spec.payload,
                0,
            )
            session.add(row)
            revived += 1
    for key, row in existing.items():
        if key not in wanted and row.state == "pending":
            row.state = "cancelled"
            session.add(row)
            cancelled += 1
    session.flush()
    return SyncResult(created, moved, cancelled, revived)


def unsent_count(session: Session) -> int:
    """Reminders still to go out (waiting or claimed): zero means the outbox is drained."""
    query = (
        select(func.count())
        .select_from(Reminder)
        .where(col(Reminder.state).in_(("pending", "claimed")))
    )
    return int(session.exec(query).one())


def _installed() -> Any:
    """The ids of organisations whose app is installed: only their reminders go out."""
    return select(Organisation.id).where(col(Organisation.uninstalled_at).is_(None))


def lagging_count(session: Session, now: dt.datetime) -> int:
    """Reminders due by `now` and not yet sent, of installed organisations: an uninstalled
    organisation's reminders wait on purpose, and are no sign of a slow worker."""
    query = (
        select(func.count())
        .select_from(Reminder)
        .where(
            col(Reminder.state).in_(("pending", "claimed")),
            col(Reminder.due_at) <= now,
            col(Reminder.organisation_id).in_(_installed()),
        )
    )
    return int(session.exec(query).one())


def claim_due(
    session: Session, now: dt.datetime, limit: int = 100, token: str | None = None
) -> tuple[str, list[Reminder]]:
    """Claim up to `limit` due reminders (and expired claims) of installed organisations;
    commits the claim."""
    token = token or uuid.uuid4().hex
    due = or_(
        and_(col(Reminder.state) == "pending", col(Reminder.due_at) <= now),
        and_(col(Reminder.state) == "claimed", col(Reminder.claimed_at) <= now - LEASE),
    )
    installed = _installed()
    chosen = (
        select(Reminder.id)
        .where(due, col(Reminder.organisation_id).in_(installed))
        .order_by(col(Reminder.due_at), col(Reminder.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(Reminder)
        .where(col(Reminder.id).in_(chosen.scalar_subquery()))
        .values(state="claimed", claimed_at=now, claim_token=token)
        .returning(Reminder)
        .execution_options(synchronize_session=False)
    )
    rows = committed(session, lambda: list(session.exec(statement).scalars()), OUTBOX_BUDGET)
    return token, sorted(rows, key=lambda r: (r.due_at, r.id))


def _mark(session: Session, reminder_id: int, token: str, **values: object) -> bool:
    statement = (
        update(Reminder)
        .where(
            col(Reminder.id) == reminder_id,
            col(Reminder.claim_token) == token,
            col(Reminder.state) == "claimed",
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    changed = committed(session, lambda: session.exec(statement).rowcount, OUTBOX_BUDGET)
    return bool(changed)


def renew_claim(session: Session, reminder_id: int, token: str, now: dt.datetime) -> bool:
    """Extend the lease just before sending; False if another worker has taken the row over
    (a slow batch outlived its lease), in which case this worker must not send it."""
    return _mark(session, reminder_id, token, claimed_at=now)


def mark_sent(
    session: Session, reminder_id: int, token: str, now: dt.datetime, message_ref: str | None
) -> bool:
    return _mark(
        session,
        reminder_id,
        token,
        state="sent",
        sent_at=now,
        message_ref=message_ref,
        claim_token=None,
    )


def reschedule(session: Session, reminder_id: int, token: str, due_at: dt.datetime) -> bool:
    """Not a failure: outside working hours, or Slack asked us to wait (Retry-After)."""
    return _mark(session, reminder_id, token, state="pending", due_at=due_at, claim_token=None)


def record_failure(
    session: Session, reminder: Reminder, token: str, now: dt.datetime, error: str
) -> bool:
    """Retry with exponential backoff; after MAX_ATTEMPTS the reminder is failed for good."""
    attempts = reminder.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        return _mark(
            session,
            reminder.id or 0,
            token,
            state="failed",
            attempts=attempts,
            last_error=error[:500],
            claim_token=None,
        )
    delay = BACKOFF_BASE * (2 ** (attempts - 1))
    return _mark(
        session,
        reminder.id or 0,
        token,
        state="pending",
        attempts=attempts,
        last_error=error[:500],
        due_at=now + delay,
        claim_token=None,
    )
