"""The exactly-once check of benchmarks/load_checks.py on databases written by the store's
own `record_answer`: it holds for any order of pages people save, and finds a revision
written twice, a lost answer and a broken chain."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, col, delete, select

from benchmarks.load_checks import SavedPage, check_answers
from bot.store.crud import (
    current_assessment,
    get_or_create_organisation,
    record_answer,
    upsert_member,
)
from bot.store.db import make_engine
from bot.store.models import Answer, AnswerRevision
from tests.migrated import migrated

QUESTIONS = ("q.one", "q.two", "q.three")
# One page: workspace, person, and the answers given (a small set of values, so that people
# often give the answer that is already current, which records no revision).
PAGE = st.tuples(
    st.sampled_from(["T1", "T2"]),
    st.sampled_from(["U1", "U2", "U3"]),
    st.dictionaries(st.sampled_from(QUESTIONS), st.sampled_from(["yes", "no", 3]), min_size=1),
)


@contextlib.contextmanager
def database() -> Iterator[str]:
    """A migrated SQLite file of its own (a function-scoped fixture would be shared by
    hypothesis' examples), deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="iso20k-checks-") as folder:
        yield migrated(f"sqlite:///{Path(folder) / 'checks.db'}")


def save(url: str, pages: list[tuple[str, str, dict[str, object]]]) -> list[SavedPage]:
    """Each page saved as the assessment dialog saves it: one transaction, every answer
    through `record_answer` by the person who gave it."""
    engine = make_engine(url)
    saved = []
    try:
        for team, user, answers in pages:
            with Session(engine) as session:
                organisation = get_or_create_organisation(session, "slack", team, team)
                member = upsert_member(session, organisation, user)
                assessment = current_assessment(session, organisation, "test")
                for question, value in answers.items():
                    record_answer(session, assessment, question, value, member=member)
                session.commit()
            saved.append(SavedPage(team, user, dict(answers), acknowledged=True))
    finally:
        engine.dispose()
    return saved


def distinct_per_person(pages: list[tuple[str, str, dict[str, object]]]) -> bool:
    # In the benchmark each person answers each question once (one pass through the bank).
    seen = [(t, u, q) for t, u, answers in pages for q in answers]
    return len(seen) == len(set(seen))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PAGE, min_size=1, max_size=8).filter(distinct_per_person))
def test_pages_saved_once_are_found_exactly_once(
    pages: list[tuple[str, str, dict[str, object]]],
) -> None:
    with database() as url:
        checked = check_answers(url, save(url, pages))
        assert checked.exactly_once, checked
        assert checked.own_revision + checked.already_current == checked.acknowledged
        assert checked.own_revision == checked.revisions


def test_a_revision_written_twice_is_a_duplicate() -> None:
    with database() as url:
        pages = save(url, [("T1", "U1", {"q.one": "yes"}), ("T1", "U2", {"q.one": "no"})])
        engine = make_engine(url)
        with Session(engine) as session:
            first = session.exec(select(AnswerRevision).order_by(col(AnswerRevision.id))).first()
            assert first is not None
            again = AnswerRevision.model_validate(first.model_dump(exclude={"id"}))
            session.add(again)
            session.commit()
        engine.dispose()
        checked = check_answers(url, pages)
        assert not checked.exactly_once
        assert checked.broken_chains == 1  # "yes" after "no" claims "no" was never there


def test_an_acknowledged_answer_missing_is_lost() -> None:
    with database() as url:
        pages = save(url, [("T1", "U1", {"q.one": "yes", "q.two": "no"})])
        engine = make_engine(url)
        with Session(engine) as session:
            session.exec(delete(AnswerRevision).where(col(AnswerRevision.question_id) == "q.two"))
            session.exec(delete(Answer).where(col(Answer.question_id) == "q.two"))
            session.commit()
        engine.dispose()
        checked = check_answers(url, pages)
        assert (checked.lost, checked.in_answer_table, checked.questions) == (1, 1, 2)
        assert not checked.exactly_once


def test_a_submission_recorded_twice_by_its_person_is_a_duplicate() -> None:
    with database() as url:
        pages = save(url, [("T1", "U1", {"q.one": "yes"}), ("T1", "U2", {"q.one": "no"})])
        # U1's page acted on a second time after U2's (a repeat that was not deduplicated).
        save(url, [("T1", "U1", {"q.one": "yes"})])
        checked = check_answers(url, pages)
        assert checked.duplicates == 1
        assert not checked.exactly_once
