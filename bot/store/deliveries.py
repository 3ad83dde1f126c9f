"""Requests already acted on: each delivery of a request is acted on once.

A chat adapter names what identifies a request (its delivery key); the dialog step records it
in the same transaction as its work, so a request is recorded exactly when its work was
committed: a retry of one that failed is acted on, a repeat of one that succeeded is not.
Concurrent deliveries of one request meet on the unique key: the second waits for the first's
outcome and finds itself a repeat.

Retention: a key is kept for an hour and then forgotten. That is far beyond the longest a
request can come back: Bolt refuses a signed request older than 5 minutes, and Slack's
Events API redelivers within about 5 minutes (PLATFORM.md). Every hundredth recorded
delivery also deletes the expired ones, so the table stays small without a job of its own.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlmodel import Session, col, select

from bot.store.crud import insert_unless_present
from bot.store.models import Delivery

RETENTION = dt.timedelta(hours=1)
CLEANUP_EVERY = 100


def delivered(session: Session, platform: str, key: str) -> bool:
    """True if a delivery with `key` was already acted on (and committed)."""
    found = session.exec(
        select(Delivery.id).where(Delivery.platform == platform, Delivery.delivery_key == key)
    ).first()
    return found is not None


def record_delivery(
    session: Session, platform: str, key: str, workspace_id: str, now: dt.datetime
) -> bool:
    """Record that the delivery `key` is acted on in this transaction; False if it already was.

    On False the caller must roll back what it did for this delivery: another delivery of the
    same request got there first.
    """
    row = Delivery(platform=platform, delivery_key=key, workspace_id=workspace_id, received_at=now)
    new_id = insert_unless_present(session, row, ("platform", "delivery_key"))
    if new_id is None:
        return False
    if new_id % CLEANUP_EVERY == 0:
        forget_deliveries(session, now - RETENTION)
    return True


def forget_deliveries(session: Session, before: dt.datetime) -> int:
    """Delete the deliveries received before `before`; how many were deleted."""
    statement = delete(Delivery).where(col(Delivery.received_at) < before)
    return int(session.exec(statement).rowcount)
