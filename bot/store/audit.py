"""The audit trail: administrative actions, recorded in the transaction that does them.

Recording in the same session means an action that is rolled back leaves no entry, and one
that is committed always has its entry. `details` says what changed: for a change, the old
and new values of each field (`changes`); for anything else, what was acted on. Secrets are
never put in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, col, func, select

from bot.store.models import AuditEntry

CLI = "cli"  # the actor of what the command line does


def record(
    session: Session,
    organisation_id: int,
    actor: str,
    action: str,
    details: Mapping[str, Any] | None = None,
    *,
    actor_name: str | None = None,
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Add one entry to the session (committed with whatever else the session does)."""
    entry = AuditEntry(
        organisation_id=organisation_id,
        actor=actor,
        actor_name=actor_name,
        action=action,
        details=dict(details) if details is not None else None,
    )
    if at is not None:
        entry.at = at
    session.add(entry)
    return entry


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Each field whose value differs: `{field: [old, new]}` (a field absent on one side is
    None there)."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def entries(
    session: Session, organisation_id: int, limit: int = 50, offset: int = 0
) -> list[AuditEntry]:
    """The organisation's most recent entries, newest first, skipping the `offset` newest
    (a page of the trail)."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.organisation_id == organisation_id)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.exec(query))


def count(session: Session, organisation_id: int) -> int:
    """How many entries the organisation's trail holds."""
    query = select(func.count()).where(AuditEntry.organisation_id == organisation_id)
    return session.exec(query).one()
