"""Small query functions: a session first, scoped by organisation; they flush, callers commit.

First writes are upserts (`insert_unless_present`): two requests creating the same
organisation, member, assessment or answer at the same moment both succeed, the second
finding the first's row, instead of one failing on the unique constraint and losing its work.
"""

import copy
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, SQLModel, col, func, select

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
    query = select(Organisation).where(
        Organisation.platform == platform, Organisation.external_id == external_id
    )
    found = session.exec(query).first()
    if found is not None:
        return found
    stamp = now or utc_now()
    new = Organisation(
        platform=platform, external_id=external_id, name=name, created_at=stamp, updated_at=stamp
    )
    insert_unless_present(session, new, ("platform", "external_id"))
    return session.exec(query).one()  # ours, or the one a concurrent first contact made


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
    query = select(Member).where(
        Member.organisation_id == organisation.id,
        Member.platform_user_id == platform_user_id,
    )
    member = session.exec(query).first()
    if member is None:
        new = Member(
            organisation_id=_id(organisation),
            platform_user_id=platform_user_id,
            role=role or ("admin" if _member_count(session, organisation) == 0 else "member"),
            display_name=display_name,
            created_at=now or utc_now(),
        )
        if insert_unless_present(session, new, ("organisation_id", "platform_user_id")) is not None:
            return session.exec(query).one()
        member = session.exec(query).one()  # a concurrent first contact of the same person
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
    cycle = (last_cycle or 0) + 1
    new = Assessment(
        organisation_id=_id(organisation),
        cycle=cycle,
        bank_version=bank_version,
        started_at=now or utc_now(),
    )
    insert_unless_present(session, new, ("organisation_id", "cycle"))
    # Ours, or the same cycle another request opened at the same moment.
    return session.exec(
        select(Assessment).where(
            Assessment.organisation_id == organisation.id, Assessment.cycle == cycle
        )
    ).one()


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
    saved at the same instant both land: the first inserts the answer, the second finds it
    (its insert waits for the first's commit) and records the change from it, so the later
    is current and both are in the history.
    """
    # A copy: a caller mutating its dict later must not change what we compare against.
    value = copy.deepcopy(value)
    if member is not None and member.organisation_id != assessment.organisation_id:
        raise ValueError("the member belongs to another organisation than the assessment")
    stamp = now or utc_now()
    member_id = None if member is None else member.id
    revision = AnswerRevision(
        organisation_id=assessment.organisation_id,
        assessment_id=_id(assessment),
        question_id=question_id,
        old_value=None,
        new_value=value,
        changed_by=member_id,
        changed_at=stamp,
    )
    answer = _current_answer(session, assessment, question_id)
    if answer is None:
        first = Answer(
            organisation_id=assessment.organisation_id,
            assessment_id=_id(assessment),
            question_id=question_id,
            value=value,
            answered_by=member_id,
            answered_at=stamp,
        )
        if insert_unless_present(session, first, ("assessment_id", "question_id")) is not None:
            session.add(revision)
            session.flush()
            found = _current_answer(session, assessment, question_id)
            assert found is not None
            return found
        answer = _current_answer(session, assessment, question_id)  # a concurrent first answer
        assert answer is not None
    if _same_json(answer.value, value):
        return answer
    revision.old_value = answer.value
    answer.value = value
    # SQLAlchemy compares JSON values with ==, so 0 replacing False would never be written.
    flag_modified(answer, "value")
    answer.answered_by = member_id
    answer.answered_at = stamp
    session.add(answer)
    session.add(revision)
    session.flush()
    return answer


def _current_answer(session: Session, assessment: Assessment, question_id: str) -> Answer | None:
    # FOR UPDATE (PostgreSQL; ignored by SQLite, which has one writer): two people saving the
    # same question at once each see the other's value as the old one, so no revision loses
    # a step.
    return session.exec(
        select(Answer)
        .where(
            Answer.organisation_id == assessment.organisation_id,
            Answer.assessment_id == assessment.id,
            Answer.question_id == question_id,
        )
        .with_for_update()
        .execution_options(populate_existing=True)  # not a stale copy from this session
    ).first()


def insert_unless_present(session: Session, row: SQLModel, keys: tuple[str, ...]) -> int | None:
    """Insert `row` unless a row with the same unique `keys` exists: the new row's id, or None.

    `INSERT … ON CONFLICT DO NOTHING` (PostgreSQL and SQLite alike): a row another
    transaction inserted and has not committed yet makes this one wait for its outcome
    instead of failing, so concurrent first writes of one row never raise. The row's Python
    defaults apply (it is a model instance); `id` comes from the database.
    """
    table = SQLModel.metadata.tables[str(type(row).__tablename__)]
    values = {c.name: getattr(row, c.name) for c in table.columns if c.name != "id"}
    dialect = session.get_bind().dialect.name
    statement: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        statement = postgresql.insert(table).on_conflict_do_nothing(index_elements=list(keys))
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=list(keys))
    else:
        raise NotImplementedError(f"no upsert for {dialect}: the store supports PostgreSQL, SQLite")
    session.flush()  # rows this one refers to must exist first
    inserted = session.exec(statement.values(values).returning(table.c.id)).first()
    return None if inserted is None else int(inserted[0])


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
