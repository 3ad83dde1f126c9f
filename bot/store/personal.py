"""One person's data: what iso20k holds of them, exported; and erased, the organisation's
own records kept.

A person may ask to see what is stored of them and to have it deleted (GDPR Articles 15 and
17; China's PIPL Articles 45 and 47) while their organisation goes on using iso20k. Their
answers are the organisation's assessment and stay, as does the audit trail of what was
done; erasing takes out everything that says who they are:

- their member row keeps its id (answers and revisions point at it) and loses their user
  id, name, timezone and language, and any role: a person who comes back is a newcomer;
- the audit trail names them by an anonymous `erased:<member id>` instead, as the actor and
  wherever an entry's details name them (with the `name` beside their id taken out);
- what exists only for them goes: their assignments (and so their nudges), reminders
  addressed to them, their Teams account and personal chat, and the user token of a Slack
  installation they installed (which needs the installations' cipher).

Request ids (bot.store.deliveries) also carry user ids; they are forgotten within the hour.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from bot.store.lifecycle import USER_SECRETS, row_json
from bot.store.models import (
    Answer,
    AnswerRevision,
    Assignment,
    AuditEntry,
    Member,
    Organisation,
    Reminder,
    SlackInstallation,
    TeamsAccount,
    TeamsConversation,
)
from bot.store.secrets import Cipher

EXPORT_FORMAT = "iso20k-person-export/1"
ERASED = "erased:"  # the prefix of an erased person's stand-in id


class CipherNeeded(Exception):
    """The person installed the Slack app and their user token is inside the encrypted
    secrets: it cannot be taken out without ISO20K_SECRET_KEY. Nothing was erased."""


@dataclass(frozen=True)
class Erased:
    """What erasing a person changed, counted (nothing of them in it)."""

    member_id: int
    audit_entries: int
    assignments: int
    reminders: int
    teams_rows: int
    installations: int


def find_member(session: Session, organisation: Organisation, who: str) -> Member | None:
    """The member `who` names in the organisation: their platform user id (U…, an AAD object
    id, the console's user), or the member id as digits."""
    org_id = organisation.id
    found = session.exec(
        select(Member).where(
            col(Member.organisation_id) == org_id, col(Member.platform_user_id) == who
        )
    ).first()
    if found is None and who.isdigit():
        found = session.exec(
            select(Member).where(col(Member.organisation_id) == org_id, col(Member.id) == int(who))
        ).first()
    return found


def erased_id(member: Member) -> str:
    return f"{ERASED}{member.id}"


def is_erased(member: Member) -> bool:
    return stands_in(member.platform_user_id)


def stands_in(user_id: str) -> bool:
    """Whether `user_id` is an erased person's stand-in, not a platform's id."""
    return user_id.startswith(ERASED)


# -- exporting ----------------------------------------------------------------------------


def export_person(
    session: Session, organisation: Organisation, member: Member, now: dt.datetime
) -> dict[str, Any]:
    """Everything stored of `member` as JSON-ready values: their member row, the answers
    they gave now current, every change of an answer they made, their assignments, the
    reminders addressed to them, the audit entries they made or that name them, their Teams
    account and chat, and the Slack installations they installed (without tokens)."""
    uid, member_id, org_id = member.platform_user_id, member.id, organisation.id
    return {
        "format": EXPORT_FORMAT,
        "exported_at": now.isoformat(),
        "organisation": {
            "id": org_id,
            "platform": organisation.platform,
            "external_id": organisation.external_id,
            "name": organisation.name,
        },
        "member": row_json(member),
        "answers": _rows(session, Answer, org_id, answered_by=member_id),
        "answer_revisions": _rows(session, AnswerRevision, org_id, changed_by=member_id),
        "assignments": _rows(session, Assignment, org_id, member_id=member_id),
        "reminders": _rows(session, Reminder, org_id, target=uid),
        "audit_trail": [row_json(e) for e in _audit_naming(session, org_id, uid)],
        "teams_accounts": _rows(session, TeamsAccount, org_id, aad_object_id=uid),
        "teams_conversations": _rows(session, TeamsConversation, org_id, user_aad_id=uid),
        "slack_installations": [row_json(i) for i in _installed_by(session, organisation, uid)],
    }


def _rows(session: Session, model: Any, org_id: int | None, **equal: Any) -> list[Any]:
    """The organisation's rows of `model` whose columns equal `equal`, as JSON, oldest first."""
    query = select(model).where(model.organisation_id == org_id)
    for name, value in equal.items():
        query = query.where(getattr(model, name) == value)
    return [row_json(r) for r in session.exec(query.order_by(col(model.id))).all()]


def _audit_naming(session: Session, org_id: int | None, uid: str) -> list[AuditEntry]:
    """The organisation's audit entries made by `uid` or naming them anywhere in their
    details (the JSON column is read here: the trail of one organisation is short)."""
    entries = session.exec(
        select(AuditEntry)
        .where(col(AuditEntry.organisation_id) == org_id)
        .order_by(col(AuditEntry.id))
    ).all()
    return [e for e in entries if e.actor == uid or _names(e.details, uid)]


def _names(value: Any, uid: str) -> bool:
    if isinstance(value, dict):
        return any(_names(v, uid) for v in value.values())
    if isinstance(value, list):
        return any(_names(v, uid) for v in value)
    return bool(value == uid)


def _stand_in(value: Any, uid: str, stand_in: str) -> Any:
    """`value` with `uid` replaced wherever it stands, and the `name` beside it (the
    person's name as it was then, `{"user": …, "name": …}`) taken out."""
    if isinstance(value, dict):
        named = any(v == uid for v in value.values())
        return {
            k: None if named and k == "name" else _stand_in(v, uid, stand_in)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_stand_in(v, uid, stand_in) for v in value]
    return stand_in if value == uid else value


def _installed_by(
    session: Session, organisation: Organisation, uid: str
) -> list[SlackInstallation]:
    if organisation.platform != "slack":
        return []
    rows = session.exec(
        select(SlackInstallation).where(col(SlackInstallation.installer_user_id) == uid)
    ).all()
    # An org-wide install (no team) serves every workspace of its enterprise.
    enterprise, _, team = organisation.external_id.rpartition(":")
    return [
        r
        for r in rows
        if (r.team_id == team and (r.enterprise_id or "") == enterprise)
        or (r.is_enterprise_install and enterprise and r.enterprise_id == enterprise)
    ]


# -- erasing ------------------------------------------------------------------------------


def erase_person(
    session: Session,
    organisation: Organisation,
    member: Member,
    now: dt.datetime,
    cipher: Cipher | None = None,
) -> Erased:
    """Take out everything that identifies `member` (the module's docstring says what);
    flushes, the caller commits: all of it or nothing. Raises CipherNeeded, having changed
    nothing, when they installed the Slack app and no `cipher` can open its secrets."""
    assert member.id is not None and organisation.id is not None
    uid, stand_in, org_id = member.platform_user_id, erased_id(member), organisation.id
    installations = _installed_by(session, organisation, uid)
    if installations and cipher is None:
        raise CipherNeeded(
            "they installed the Slack app: ISO20K_SECRET_KEY is needed to take out their token"
        )
    for installation in installations:
        assert cipher is not None
        secrets = cipher.decrypt(installation.secrets)
        kept = {k: v for k, v in secrets.items() if k not in USER_SECRETS}
        installation.secrets, installation.installer_user_id = cipher.encrypt(kept), None
        installation.updated_at = now
        session.add(installation)

    entries = _audit_naming(session, org_id, uid)
    for entry in entries:
        if entry.actor == uid:
            entry.actor, entry.actor_name = stand_in, None
        if entry.details is not None:  # a new dict: the JSON column sees the change
            entry.details = _stand_in(entry.details, uid, stand_in)
        session.add(entry)

    assignments = _deleted(session, Assignment, org_id, col(Assignment.member_id) == member.id)
    reminders = _deleted(session, Reminder, org_id, col(Reminder.target) == uid)
    teams = _deleted(session, TeamsAccount, org_id, col(TeamsAccount.aad_object_id) == uid)
    teams += _deleted(session, TeamsConversation, org_id, col(TeamsConversation.user_aad_id) == uid)

    member.platform_user_id, member.role = stand_in, "member"
    member.display_name = member.timezone = member.locale = None
    session.add(member)
    session.flush()
    return Erased(
        member_id=member.id,
        audit_entries=len(entries),
        assignments=assignments,
        reminders=reminders,
        teams_rows=teams,
        installations=len(installations),
    )


def _deleted(session: Session, model: Any, org_id: int, condition: Any) -> int:
    result = session.exec(delete(model).where(col(model.organisation_id) == org_id, condition))
    return int(result.rowcount or 0)
