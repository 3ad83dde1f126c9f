"""The query functions: answers with their history, members, tenants, constraints."""

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, SQLModel, func, select

from bot.store.crud import (
    answers_of,
    current_assessment,
    get_or_create_organisation,
    record_answer,
    revisions_of,
    upsert_member,
)
from bot.store.models import Answer, Assessment, Member, Organisation, Reminder

BANK = "2025.1"
MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def organisation(session: Session, external_id: str = "T0001") -> Organisation:
    return get_or_create_organisation(session, "slack", external_id, f"Org {external_id}")


def flush_fails(session: Session, *rows: SQLModel) -> None:
    """Adding `rows` breaks a constraint: the flush raises and the session is rolled back."""
    session.add_all(rows)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_record_answer_keeps_one_current_value_and_every_revision(session: Session) -> None:
    org = organisation(session)
    alice = upsert_member(session, org, "U_ALICE")
    assessment = current_assessment(session, org, BANK)

    for hours, value in enumerate(["no", "partly", "yes"]):
        record_answer(session, assessment, "8.6.1", value, alice, MONDAY + timedelta(hours=hours))
    session.commit()

    assert answers_of(session, assessment) == {"8.6.1": "yes"}
    assert session.exec(select(func.count()).select_from(Answer)).one() == 1
    history = [
        (r.old_value, r.new_value, r.changed_by, r.changed_at)
        for r in revisions_of(session, assessment, "8.6.1")
    ]
    assert history == [
        (None, "no", alice.id, MONDAY),
        ("no", "partly", alice.id, MONDAY + timedelta(hours=1)),
        ("partly", "yes", alice.id, MONDAY + timedelta(hours=2)),
    ]


def test_writing_the_same_value_again_records_no_revision(session: Session) -> None:
    org = organisation(session)
    assessment = current_assessment(session, org, BANK)

    first = record_answer(session, assessment, "7.1", {"tools": ["jira"], "staff": 4}, now=MONDAY)
    again = record_answer(
        session, assessment, "7.1", {"staff": 4, "tools": ["jira"]}, now=MONDAY + timedelta(1)
    )

    assert again is first
    assert again.answered_at == MONDAY
    assert len(revisions_of(session, assessment, "7.1")) == 1


def test_a_value_mutated_after_recording_is_recorded_again(session: Session) -> None:
    assessment = current_assessment(session, organisation(session), BANK)
    tools = {"itsm": ["jira"]}

    record_answer(session, assessment, "7.1", tools)
    tools["itsm"].append("servicenow")
    record_answer(session, assessment, "7.1", tools)
    session.commit()
    session.expire_all()

    assert answers_of(session, assessment) == {"7.1": {"itsm": ["jira", "servicenow"]}}
    assert len(revisions_of(session, assessment, "7.1")) == 2


def test_values_equal_in_python_but_not_in_json_are_a_change(session: Session) -> None:
    assessment = current_assessment(session, organisation(session), BANK)

    record_answer(session, assessment, "q", 1)
    record_answer(session, assessment, "q", True)

    assert [r.new_value for r in revisions_of(session, assessment, "q")] == [1, True]


def test_two_members_answering_keep_both_revisions_and_the_later_is_current(
    session: Session,
) -> None:
    org = organisation(session)
    alice, bob = upsert_member(session, org, "U_ALICE"), upsert_member(session, org, "U_BOB")
    assessment = current_assessment(session, org, BANK)

    record_answer(session, assessment, "8.5.1", 2, alice, MONDAY)
    record_answer(session, assessment, "8.5.1", 3, bob, MONDAY + timedelta(minutes=5))
    session.commit()

    current = session.exec(select(Answer).where(Answer.question_id == "8.5.1")).one()
    assert (current.value, current.answered_by) == (3, bob.id)
    revisions = revisions_of(session, assessment, "8.5.1")
    assert [(r.changed_by, r.old_value, r.new_value) for r in revisions] == [
        (alice.id, None, 2),
        (bob.id, 2, 3),
    ]


json_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.sampled_from(["yes", "no", "partly"]),
    st.lists(st.integers(0, 2), max_size=2),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(writes=st.lists(st.tuples(st.integers(0, 2), json_values), min_size=1, max_size=8))
def test_the_history_is_a_chain_that_ends_at_the_current_value(
    session: Session, writes: list[tuple[int, Any]]
) -> None:
    org = organisation(session)
    people = [upsert_member(session, org, f"U{n}") for n in range(3)]
    assessment = current_assessment(session, org, BANK)
    question = uuid.uuid4().hex  # the database outlives each example: a question of its own

    for who, value in writes:
        record_answer(session, assessment, question, value, people[who])
    session.commit()
    session.expire_all()  # read back what the database holds, not the session's copies

    # A write is a change when its value differs from the one before (repr: 1 is not True).
    changes = [w for n, w in enumerate(writes) if n == 0 or repr(w[1]) != repr(writes[n - 1][1])]
    revisions = revisions_of(session, assessment, question)
    assert [(r.changed_by, repr(r.new_value)) for r in revisions] == [
        (people[who].id, repr(value)) for who, value in changes
    ]
    assert revisions[0].old_value is None
    for before, after in pairwise(revisions):
        assert repr(after.old_value) == repr(before.new_value)
    assert repr(answers_of(session, assessment)[question]) == repr(writes[-1][1])


def test_timestamps_come_back_timezone_aware_in_utc(any_session: Session) -> None:
    assessment = current_assessment(any_session, organisation(any_session), BANK)
    paris = datetime(2025, 3, 3, 10, 30, tzinfo=timezone(timedelta(hours=1)))

    record_answer(any_session, assessment, "q", "yes", now=paris)
    any_session.commit()
    any_session.expire_all()

    [revision] = revisions_of(any_session, assessment, "q")
    assert revision.changed_at == paris
    assert revision.changed_at.tzinfo == UTC


def test_a_naive_timestamp_is_refused(session: Session) -> None:
    assessment = current_assessment(session, organisation(session), BANK)

    with pytest.raises(StatementError, match="naive datetime"):
        record_answer(session, assessment, "q", "yes", now=datetime(2025, 3, 3, 9, 0))


def test_the_first_member_becomes_admin_and_later_ones_members(session: Session) -> None:
    org, other = organisation(session, "T1"), organisation(session, "T2")

    assert upsert_member(session, org, "U1").role == "admin"
    assert upsert_member(session, org, "U2").role == "member"
    assert upsert_member(session, org, "U3", role="manager").role == "manager"
    assert upsert_member(session, other, "U9").role == "admin"  # every organisation has one


def test_upserting_a_known_member_keeps_what_was_not_given(session: Session) -> None:
    org = organisation(session)
    first = upsert_member(session, org, "U1", display_name="Alice")

    same = upsert_member(session, org, "U1")
    assert (same.id, same.role, same.display_name) == (first.id, "admin", "Alice")
    assert upsert_member(session, org, "U1", role="manager").role == "manager"


def test_current_assessment_starts_cycle_one_and_the_next_after_closing(session: Session) -> None:
    org = organisation(session)

    first = current_assessment(session, org, BANK, now=MONDAY)
    assert first.cycle == 1
    assert current_assessment(session, org, "2026.1") is first

    first.closed_at = MONDAY + timedelta(days=90)
    second = current_assessment(session, org, "2026.1")
    assert (second.cycle, second.bank_version) == (2, "2026.1")


def test_get_or_create_organisation_finds_the_same_workspace(session: Session) -> None:
    first = get_or_create_organisation(session, "slack", "T1", "Acme")

    assert get_or_create_organisation(session, "slack", "T1", "Acme renamed") is first
    assert get_or_create_organisation(session, "teams", "T1", "Acme").id != first.id


def test_a_workspace_is_one_organisation(any_session: Session) -> None:
    any_session.add(Organisation(platform="slack", external_id="T1", name="Acme"))
    any_session.commit()

    flush_fails(any_session, Organisation(platform="slack", external_id="T1", name="Acme bis"))


def test_a_question_has_one_current_answer_per_assessment(any_session: Session) -> None:
    assessment = current_assessment(any_session, organisation(any_session), BANK)
    record_answer(any_session, assessment, "q", "yes")
    any_session.commit()
    assert assessment.id is not None

    flush_fails(
        any_session,
        Answer(
            organisation_id=assessment.organisation_id,
            assessment_id=assessment.id,
            question_id="q",
            value="no",
        ),
    )


def test_a_reminder_dedupe_key_is_unique_within_an_organisation(any_session: Session) -> None:
    org, other = organisation(any_session, "T1"), organisation(any_session, "T2")
    assert org.id is not None and other.id is not None

    def reminder(organisation_id: int) -> Reminder:
        return Reminder(
            organisation_id=organisation_id,
            kind="milestone",
            target="C123",
            subject="Stage 2 audit in 7 days",
            due_at=MONDAY,
            dedupe_key="milestone:stage2_audit:-7d",
        )

    any_session.add_all([reminder(org.id), reminder(other.id)])  # another tenant may reuse it
    any_session.commit()

    flush_fails(any_session, reminder(org.id))


def test_an_unknown_role_is_refused(any_session: Session) -> None:
    org = organisation(any_session)
    assert org.id is not None
    any_session.commit()

    flush_fails(any_session, Member(organisation_id=org.id, platform_user_id="U1", role="owner"))  # type: ignore[arg-type]


def test_tenants_see_only_their_own_answers(any_session: Session) -> None:
    a, b = organisation(any_session, "T_A"), organisation(any_session, "T_B")
    of_a, of_b = current_assessment(any_session, a, BANK), current_assessment(any_session, b, BANK)
    record_answer(any_session, of_a, "4.1", "A's answer")
    record_answer(any_session, of_b, "4.1", "B's answer")
    record_answer(any_session, of_a, "5.1", "only A")
    any_session.commit()
    assert b.id is not None

    assert answers_of(any_session, of_a) == {"4.1": "A's answer", "5.1": "only A"}
    assert answers_of(any_session, of_b) == {"4.1": "B's answer"}
    # Even handed A's assessment id, a query scoped to B finds nothing of A's.
    disguised = Assessment(id=of_a.id, organisation_id=b.id, cycle=1, bank_version=BANK)
    assert answers_of(any_session, disguised) == {}
    assert revisions_of(any_session, disguised, "5.1") == []


def test_rows_cannot_mix_two_organisations(any_session: Session) -> None:
    a, b = organisation(any_session, "T_A"), organisation(any_session, "T_B")
    of_a = current_assessment(any_session, a, BANK)
    bob_of_b = upsert_member(any_session, b, "U_BOB")
    any_session.commit()
    assert of_a.id is not None and b.id is not None

    with pytest.raises(ValueError, match="another organisation"):
        record_answer(any_session, of_a, "q", "yes", bob_of_b)
    # The database refuses it too: the assessment is not one of B's.
    flush_fails(
        any_session, Answer(organisation_id=b.id, assessment_id=of_a.id, question_id="q", value=1)
    )


def test_foreign_keys_are_enforced_on_sqlite(session: Session) -> None:
    assert session.connection().execute(text("PRAGMA foreign_keys")).scalar() == 1

    flush_fails(session, Member(organisation_id=999, platform_user_id="U1"))


def test_dates_and_json_round_trip(any_session: Session) -> None:
    org = organisation(any_session)
    org.profile = {"staff": 120, "itil": "partial", "sites": ["Lyon", "Porto"]}
    assert org.id is not None
    any_session.add(
        Reminder(
            organisation_id=org.id,
            kind="booking_deadline",
            target="U1",
            subject="Book stage 1",
            due_at=MONDAY,
            dedupe_key="k",
            payload={"batch": "stage1", "deadline": date(2025, 4, 1).isoformat()},
        )
    )
    any_session.commit()
    any_session.expire_all()

    assert org.profile == {"staff": 120, "itil": "partial", "sites": ["Lyon", "Porto"]}
    reminder = any_session.exec(select(Reminder)).one()
    assert (reminder.payload, reminder.state, reminder.attempts, reminder.sent_at) == (
        {"batch": "stage1", "deadline": "2025-04-01"},
        "pending",
        0,
        None,
    )
