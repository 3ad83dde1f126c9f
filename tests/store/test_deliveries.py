"""Deliveries: a request is acted on once, recorded with its work, forgotten after an hour."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from bot.dialogs.model import Field, Form, Message, Notice, Outcome
from bot.dialogs.worker import run_step
from bot.store.db import make_engine
from bot.store.deliveries import (
    delivered,
    forget_deliveries,
    record_delivery,
)
from bot.store.migrate import upgrade
from bot.store.models import Delivery, Member, Organisation
from iso20k_core.standard import load_bank

BANK = load_bank()
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def deliveries(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Delivery)).one())


def test_a_delivery_is_recorded_once(engine: Engine) -> None:
    with Session(engine) as session:
        assert not delivered(session, "slack", "command:T1:1.2.3")
        assert record_delivery(session, "slack", "command:T1:1.2.3", "T1", NOW)
        assert not record_delivery(session, "slack", "command:T1:1.2.3", "T1", NOW)
        assert record_delivery(session, "teams", "command:T1:1.2.3", "T1", NOW)  # per platform
        session.commit()
        assert delivered(session, "slack", "command:T1:1.2.3")


def test_concurrent_deliveries_of_one_request_meet_on_its_key(engine: Engine) -> None:
    barrier = threading.Barrier(5)

    def deliver() -> bool:
        barrier.wait(timeout=60)
        with Session(engine) as session:
            first = record_delivery(session, "slack", "event:Ev1", "T1", NOW)
            session.commit()
            return first

    with ThreadPoolExecutor(max_workers=5) as pool:
        firsts = [f.result(timeout=120) for f in [pool.submit(deliver) for _ in range(5)]]
    assert sorted(firsts) == [False, False, False, False, True]


# README ("Using it"): "Keys are kept an hour"; ("Records"): "every hundredth recorded
# delivery deletes the expired ones".
HOUR = dt.timedelta(hours=1)


def test_old_deliveries_are_forgotten(engine: Engine) -> None:
    with Session(engine) as session:
        record_delivery(session, "slack", "old", "T1", NOW - HOUR - dt.timedelta(seconds=1))
        record_delivery(session, "slack", "recent", "T1", NOW - HOUR + dt.timedelta(seconds=1))
        assert forget_deliveries(session, NOW - HOUR) == 1
        session.commit()
        assert not delivered(session, "slack", "old") and delivered(session, "slack", "recent")


def test_every_hundredth_delivery_forgets_the_expired_ones(engine: Engine) -> None:
    old = NOW - HOUR - dt.timedelta(minutes=1)
    with Session(engine) as session:
        for n in range(98):  # ids 1 … 98, all expired by NOW
            record_delivery(session, "slack", f"old{n}", "T1", old)
        session.commit()
        record_delivery(session, "slack", "the 99th", "T1", NOW)
        session.commit()
        assert deliveries(engine) == 99  # nothing forgotten yet
        record_delivery(session, "slack", "the hundredth", "T1", NOW)
        session.commit()
    assert deliveries(engine) == 2  # the 98 expired ones are gone, the two recent kept


# -- through the dialog step -------------------------------------------------------------


def assign_like(ctx: Any) -> Outcome:
    """A step that changes something and tells two people, as `assign` does."""
    ctx.member.display_name = f"changed {ctx.member.display_name or ''}"
    ctx.session.add(ctx.member)
    return Outcome(reply=Message("Done"), notices=(Notice("U2", Message("For you")),))


def page_like(ctx: Any) -> Outcome:
    """A step answering a modal with its next page and a message, as a submission does."""
    ctx.member.display_name = f"changed {ctx.member.display_name or ''}"
    ctx.session.add(ctx.member)
    page = Form("assess", "Page 2", (Field("q2", "Question 2", "text"),))
    return Outcome(reply=page, notices=(Notice("U2", Message("For you")),))


def step(engine: Engine, fn: Any, key: str | None, modal: bool = False) -> Outcome:
    return run_step(engine, BANK, "slack", "T1", "U1", NOW, fn, delivery=key, modal=modal)


def display_name(engine: Engine) -> str | None:
    with Session(engine) as session:
        return session.exec(select(Member.display_name)).one()


def test_a_repeated_request_does_nothing_and_answers_nothing(engine: Engine) -> None:
    first = step(engine, assign_like, "command:T1:trigger-1")
    assert first.reply == Message("Done") and len(first.notices) == 1
    again = [step(engine, assign_like, "command:T1:trigger-1") for _ in range(9)]
    assert again == [Outcome()] * 9
    assert display_name(engine) == "changed "  # the change was made once
    other = step(engine, assign_like, "command:T1:trigger-2")  # a new request acts again
    assert other.reply == Message("Done")
    assert display_name(engine) == "changed changed "


def test_a_repeated_submission_gets_the_same_page_and_nothing_else(engine: Engine) -> None:
    first = step(engine, page_like, "view:T1:U1:V1:h1:abc", modal=True)
    again = step(engine, page_like, "view:T1:U1:V1:h1:abc", modal=True)
    assert isinstance(first.reply, Form) and first.notices
    assert again == Outcome(reply=first.reply)  # the same next page; no notice
    assert display_name(engine) == "changed "  # and the repeat changed nothing


def test_a_failed_request_is_not_recorded_so_its_retry_acts(engine: Engine) -> None:
    def failing(ctx: Any) -> Outcome:
        assign_like(ctx)
        raise RuntimeError("the step broke")

    with pytest.raises(RuntimeError):
        step(engine, failing, "command:T1:trigger-1")
    assert deliveries(engine) == 0
    assert step(engine, assign_like, "command:T1:trigger-1").reply == Message("Done")
    assert display_name(engine) == "changed "


def test_concurrent_repeats_act_once(engine: Engine) -> None:
    barrier = threading.Barrier(6)

    def deliver() -> Outcome:
        barrier.wait(timeout=60)
        return step(engine, assign_like, "command:T1:trigger-1")

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = [f.result(timeout=120) for f in [pool.submit(deliver) for _ in range(6)]]
    assert sum(1 for o in outcomes if o.reply is not None) == 1
    assert sum(len(o.notices) for o in outcomes) == 1
    assert display_name(engine) == "changed "
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Organisation)).one() == 1
