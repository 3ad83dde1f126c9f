"""First writes at the same moment, on SQLite and PostgreSQL, with real threads.

Each thread has its own connection and transaction, as two dialog workers would. A barrier
starts them together; some tests force the worst interleaving (the second transaction looks
for the row before the first commits it, then inserts) by waiting on what the other does.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from bot.dialogs.commands import handle_submit
from bot.dialogs.model import Message, Outcome
from bot.dialogs.worker import run_step
from bot.store.crud import (
    current_assessment,
    get_or_create_organisation,
    record_answer,
    revisions_of,
    upsert_member,
)
from bot.store.db import make_engine
from bot.store.migrate import upgrade
from bot.store.models import (
    Answer,
    AnswerRevision,
    Assessment,
    AuditBatch,
    Member,
    Milestone,
    Organisation,
    Reminder,
)
from bot.store.transactions import REPLY_BUDGET, in_transaction
from iso20k_core.standard import load_bank

BANK = load_bank()
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
PAIRS = 20
WORKSPACES, PEOPLE = 10, 3


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def together(*jobs: Callable[[], Any]) -> list[Any]:
    """Run the jobs on threads of their own, released at once by a barrier; their results
    (an exception fails the test)."""
    barrier = threading.Barrier(len(jobs))

    def run(job: Callable[[], Any]) -> Any:
        barrier.wait(timeout=60)
        return job()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        return [future.result(timeout=120) for future in futures]


def prepared(engine: Engine) -> tuple[int, list[int]]:
    """An organisation with an assessment and two members: (assessment id, member ids)."""
    with Session(engine) as session:
        org = get_or_create_organisation(session, "slack", "T1", "Acme")
        members = [upsert_member(session, org, user) for user in ("U_ALICE", "U_BOB")]
        assessment = current_assessment(session, org, BANK.version)
        session.commit()
        assert assessment.id is not None
        return assessment.id, [m.id for m in members if m.id is not None]


def save(engine: Engine, assessment_id: int, member_id: int, question: str, value: Any) -> None:
    """One person's save: a transaction of its own, retried as the dialogs' are."""

    def work(session: Session) -> None:
        assessment = session.get(Assessment, assessment_id)
        member = session.get(Member, member_id)
        assert assessment is not None and member is not None
        record_answer(session, assessment, question, value, member, NOW)

    in_transaction(engine, work, REPLY_BUDGET)


def history(engine: Engine, assessment_id: int, question: str) -> tuple[Any, list[Any]]:
    """(current value, [(old, new) of every revision in order])."""
    with Session(engine) as session:
        assessment = session.get(Assessment, assessment_id)
        assert assessment is not None
        current = session.exec(
            select(Answer.value).where(
                Answer.assessment_id == assessment_id, Answer.question_id == question
            )
        ).one()
        chain = [(r.old_value, r.new_value) for r in revisions_of(session, assessment, question)]
        return current, chain


def test_two_first_answers_to_one_question_both_land(engine: Engine) -> None:
    """The worst interleaving: Bob looks for the answer while Alice's insert is not yet
    committed, finds none, and inserts too."""
    assessment_id, (alice, bob) = prepared(engine)
    alice_inserted, bob_inserting = threading.Event(), threading.Event()

    def bob_about_to_insert(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if threading.current_thread().name == "bob" and statement.startswith("INSERT INTO answer "):
            bob_inserting.set()

    def alice_saves() -> None:
        with Session(engine) as session:
            assessment = session.get(Assessment, assessment_id)
            member = session.get(Member, alice)
            assert assessment is not None and member is not None
            record_answer(session, assessment, "q", 2, member, NOW)
            alice_inserted.set()
            assert bob_inserting.wait(60), "Bob never tried to insert"
            session.commit()  # Bob's insert waits for this (PostgreSQL) or follows it

    def bob_saves() -> None:
        assert alice_inserted.wait(60)
        save(engine, assessment_id, bob, "q", 3)

    event.listen(engine, "before_cursor_execute", bob_about_to_insert)
    try:
        threads = [threading.Thread(target=alice_saves), threading.Thread(target=bob_saves)]
        threads[1].name = "bob"
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    finally:
        event.remove(engine, "before_cursor_execute", bob_about_to_insert)

    assert history(engine, assessment_id, "q") == (3, [(None, 2), (2, 3)])


def test_simultaneous_pairs_of_first_answers_lose_nothing(engine: Engine) -> None:
    assessment_id, (alice, bob) = prepared(engine)

    for pair in range(PAIRS):
        question = f"q{pair}"
        together(
            partial(save, engine, assessment_id, alice, question, "yes"),
            partial(save, engine, assessment_id, bob, question, "no"),
        )

    for pair in range(PAIRS):
        current, chain = history(engine, assessment_id, f"q{pair}")
        # Both saves are in the history, in the order they committed; the later is current.
        assert sorted(new for _, new in chain) == ["no", "yes"]
        assert chain[0][0] is None and chain[1][0] == chain[0][1]
        assert current == chain[1][1]
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Answer)).one() == PAIRS
        assert session.exec(select(func.count()).select_from(AnswerRevision)).one() == 2 * PAIRS


def test_first_commands_from_a_new_workspace_register_everyone(engine: Engine) -> None:
    """Three people's first commands in a new workspace at once, in ten workspaces: every
    step succeeds, each workspace is one organisation with one assessment and three members."""

    def first_command(team: str, user: str) -> Outcome:
        def step(ctx: Any) -> Outcome:
            ctx.assessment()  # opens the first assessment cycle, as `assess` does
            return Outcome()

        return run_step(engine, BANK, "slack", team, user, NOW, step)

    jobs = [
        partial(first_command, f"T{n}", f"U{k}") for n in range(WORKSPACES) for k in range(PEOPLE)
    ]
    for start in range(0, len(jobs), PEOPLE):
        together(*jobs[start : start + PEOPLE])

    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Organisation)).one() == WORKSPACES
        assert session.exec(select(func.count()).select_from(Assessment)).one() == WORKSPACES
        members = session.exec(
            select(Member.organisation_id, func.count()).group_by(Member.organisation_id)
        ).all()
        assert sorted(n for _, n in members) == [PEOPLE] * WORKSPACES


def test_one_person_first_seen_twice_at_once_is_one_member(engine: Engine) -> None:
    with Session(engine) as session:
        org = get_or_create_organisation(session, "slack", "T1", "Acme")
        upsert_member(session, org, "U_ADMIN")
        session.commit()
        org_id = org.id

    def join(role: Any) -> str:
        def work(session: Session) -> str:
            found = session.get(Organisation, org_id)
            assert found is not None
            return upsert_member(session, found, "U_NEW", role=role).role

        return in_transaction(engine, work, REPLY_BUDGET)

    roles = together(lambda: join(None), lambda: join("manager"))

    with Session(engine) as session:
        rows = session.exec(select(Member).where(Member.platform_user_id == "U_NEW")).all()
    assert len(rows) == 1
    assert "manager" in roles and rows[0].role in ("member", "manager")


SETUP: dict[str, Any] = {
    "organisation": "Acme IT",
    "persons_in_scope": "60",
    "it_staff": "40",
    "services_in_scope": "8",
    "sites": "1",
    "staff_available_fte": "3",
    "itil_adoption": "partial",
    "existing_certifications": [],
    "start_date": "2027-01-11",
    "country": "DE",
    "timezone": "Europe/Berlin",
    "currency": "EUR",
}


def test_two_first_setups_of_a_workspace_at_once_plan_once(engine: Engine) -> None:
    """Two people setting up a new workspace at the same moment: both steps succeed (the
    second's organisation upsert waits for the first, then finds it), and the rows of the
    plan (milestones, audit batches, reminders) exist once."""

    def set_up(user: str) -> Outcome:
        def step(ctx: Any) -> Outcome:
            return handle_submit(ctx, "setup", {}, SETUP)

        return run_step(engine, BANK, "slack", "T9", user, NOW, step)

    outcomes = together(partial(set_up, "U1"), partial(set_up, "U2"))

    headings = [o.reply.heading for o in outcomes if isinstance(o.reply, Message)]
    assert "Profile saved" in headings and len(headings) == 2
    assert set(headings) <= {"Profile saved", "Only managers can change the profile"}
    with Session(engine) as session:
        keys = session.exec(select(Milestone.key)).all()
        batches = session.exec(select(AuditBatch.key)).all()
        reminders = session.exec(select(Reminder.dedupe_key)).all()
    assert keys and len(keys) == len(set(keys))
    assert batches and len(batches) == len(set(batches))
    assert len(reminders) == len(set(reminders))


def test_two_first_setups_at_once_make_exactly_one_admin(engine: Engine) -> None:
    """'The first person to run setup is admin': one, even when two press Save together."""

    def set_up(user: str) -> Outcome:
        return run_step(
            engine,
            BANK,
            "slack",
            "T8",
            user,
            NOW,
            lambda ctx: handle_submit(ctx, "setup", {}, SETUP),
        )

    for _ in range(5):  # the race is a matter of timing: give it several chances
        with Session(engine) as session:
            for member in session.exec(select(Member)).all():
                session.delete(member)
            session.commit()
        together(partial(set_up, "U1"), partial(set_up, "U2"))
        with Session(engine) as session:
            roles = sorted(session.exec(select(Member.role).join(Organisation)).all())
        assert roles.count("admin") == 1, roles
