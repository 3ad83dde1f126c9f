"""Small query functions: a session first, scoped by organisation; they flush, callers commit."""

import copy
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, func, select

from bot.store.columns import utc_now
from bot.store.models import (
    Answer,
    AnswerRevision,
    Assessment,
    Member,
    Organisation,
    Platform,
    Role,
)


def get_or_create_organisation(
    session: Session,
    platform: Platform,
    external_id: str,
    name: str,
    now: datetime | None = None,
) -> Organisation:
    """The organisation of a workspace or tenant, created on first contact."""
    found = session.exec(
        select(Organisation).where(
            Organisation.platform == platform, Organisation.external_id == external_id
        )
    ).first()
    if found is not None:
        return found
    stamp = now or utc_now()
    organisation = Organisation(
        platform=platform, external_id=external_id, name=name, created_at=stamp, updated_at=stamp
    )
    session.add(organisation)
    session.flush()
    return organisation


def upsert_member(
    session: Session,
    organisation: Organisation,
    platform_user_id: str,
    role: Role | None = None,
    display_name: str | None = None,
    now: datetime | None = None,
) -> Member:
    """The member for a platform user, created if new; `role`/`display_name` update if given.

    Without a role the organisation's first member becomes its admin, so someone can
    always assign sections and book audits; later members join as plain members.
    """
    member = session.exec(
        select(Member).where(
            Member.organisation_id == organisation.id,
            Member.platform_user_id == platform_user_id,
        )
    ).first()
    if member is None:
        member = Member(
            organisation_id=_id(organisation),
            platform_user_id=platform_user_id,
            role=role or ("admin" if _member_count(session, organisation) == 0 else "member"),
            display_name=display_name,
            created_at=now or utc_now(),
        )
    else:
        if role is not None:
            member.role = role
        if display_name is not None:
            member.display_name = display_name
    session.add(member)
    session.flush()
    return member


def current_assessment(
    session: Session, organisation: Organisation, bank_version: str, now: datetime | None = None
) -> Assessment:
    """The organisation's open assessment; when none is open, a new cycle (1 for the first).

    An open assessment is returned whatever its bank version: moving answers to a new
    version of the question bank is a decision for whoever closes the cycle.
    """
    open_one = session.exec(
        select(Assessment)
        .where(Assessment.organisation_id == organisation.id, col(Assessment.closed_at).is_(None))
        .order_by(col(Assessment.cycle).desc())
    ).first()
    if open_one is not None:
        return open_one
    last_cycle = session.exec(
        select(func.max(Assessment.cycle)).where(Assessment.organisation_id == organisation.id)
    ).one()
    assessment = Assessment(
        organisation_id=_id(organisation),
        cycle=(last_cycle or 0) + 1,
        bank_version=bank_version,
        started_at=now or utc_now(),
    )
    session.add(assessment)
    session.flush()
    return assessment


def record_answer(
    session: Session,
    assessment: Assessment,
    question_id: str,
    value: Any,
    member: Member | None = None,
    now: datetime | None = None,
) -> Answer:
    """Set the current answer and append a revision with the old and the new value.

    Writing the value a question already has changes nothing and records no revision, so
    re-submitting a form does not clutter the history. Two first answers to one question
    saved at the same instant: the second flush raises IntegrityError; retry it.
    """
    # A copy: a caller mutating its dict later must not change what we compare against.
    value = copy.deepcopy(value)
    if member is not None and member.organisation_id != assessment.organisation_id:
        raise ValueError("the member belongs to another organisation than the assessment")
    stamp = now or utc_now()
    member_id = None if member is None else member.id
    # FOR UPDATE (PostgreSQL; ignored by SQLite): two people saving the same question at
    # once each see the other's value as the old one, so no revision loses a step.
    answer = session.exec(
        select(Answer)
        .where(
            Answer.organisation_id == assessment.organisation_id,
            Answer.assessment_id == assessment.id,
            Answer.question_id == question_id,
        )
        .with_for_update()
        .execution_options(populate_existing=True)  # not a stale copy from this session
    ).first()
    old_value = None
    if answer is None:
        answer = Answer(
            organisation_id=assessment.organisation_id,
            assessment_id=_id(assessment),
            question_id=question_id,
            value=value,
        )
    elif _same_json(answer.value, value):
        return answer
    else:
        old_value = answer.value
    answer.value = value
    # SQLAlchemy compares JSON values with ==, so 0 replacing False would never be written.
    flag_modified(answer, "value")
    answer.answered_by = member_id
    answer.answered_at = stamp
    session.add(answer)
    session.add(
        AnswerRevision(
            organisation_id=assessment.organisation_id,
            assessment_id=_id(assessment),
            question_id=question_id,
            old_value=old_value,
            new_value=value,
            changed_by=member_id,
            changed_at=stamp,
        )
    )
    session.flush()
    return answer


def answers_of(session: Session, assessment: Assessment) -> dict[str, Any]:
    """Question id -> current value, for one assessment of one organisation."""
    rows = session.exec(
        select(Answer.question_id, Answer.value).where(
            Answer.organisation_id == assessment.organisation_id,
            Answer.assessment_id == assessment.id,
        )
    ).all()
    return dict(rows)


def revisions_of(
    session: Session, assessment: Assessment, question_id: str
) -> Sequence[AnswerRevision]:
    """The history of one question in one assessment, in the order it was written."""
    return session.exec(
        select(AnswerRevision)
        .where(
            AnswerRevision.organisation_id == assessment.organisation_id,
            AnswerRevision.assessment_id == assessment.id,
            AnswerRevision.question_id == question_id,
        )
        # By id, not changed_at: callers pass `now`, the insertion order is the chain.
        .order_by(col(AnswerRevision.id))
    ).all()


def _member_count(session: Session, organisation: Organisation) -> int:
    return session.exec(
        select(func.count()).select_from(Member).where(Member.organisation_id == organisation.id)
    ).one()


def _same_json(a: Any, b: Any) -> bool:
    # Compare as stored: Python says 1 == 1.0 == True, JSON keeps them apart.
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _id(row: Organisation | Assessment) -> int:
    # Rows reach these functions flushed, so they have an id; say so to the type checker.
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: add and flush it first")
    return row.id
