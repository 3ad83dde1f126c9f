"""PostgreSQL stopped and restarted under the real app, over real HTTP.

What a person must see: a page that could not be saved stays open with what they entered and
says to press the button again; a command gets an apology that claims nothing untrue; nothing
acknowledged is lost; and the app serves again once the database is back, without a restart.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from bot.store.models import Answer, AnswerRevision, Member
from tests.e2e.harness import SECRET, SlackWorld, block_text, start_world, stop_world
from tests.e2e.test_slack_assessment import answer_everything
from tests.e2e.test_slack_basics import set_up
from tests.pg_server import PostgresServer
from tests.slackfake.signing import post, state_values, view_submission_body

PEOPLE = {"U1": "resolution", "U2": "supply_demand", "U3": "planning_support"}
LIMIT = 60.0  # generous: a loaded 2-core machine


@pytest.fixture
def world_on_postgres(
    tmp_path: Path, restartable_postgres: PostgresServer, request: pytest.FixtureRequest
) -> Iterator[SlackWorld]:
    processes = getattr(request, "param", 0)
    world = start_world(tmp_path, database_url=restartable_postgres.url, processes=processes)
    try:
        yield world
    finally:
        stop_world(world)


def input_ids(view: dict[str, Any]) -> list[str]:
    return [b["block_id"] for b in view["blocks"] if b["type"] == "input"]


def submission(view: dict[str, Any], values: dict[str, Any], view_id: str, user: str) -> str:
    """A signed-ready view_submission of `view` as Slack sends it: `view_id` is the id Slack
    gave this opening of the modal."""
    submitted = {
        "id": view_id,
        "hash": f"{view_id}.hash",
        "callback_id": view["callback_id"],
        "private_metadata": view["private_metadata"],
        "blocks": view["blocks"],
        "submit": view["submit"],
        "state": state_values({k: {"value": v} for k, v in values.items()}),
    }
    return view_submission_body(submitted, team_id="T1", user_id=user)


def send(world: SlackWorld, body: str) -> tuple[int, Any]:
    status, _, text = post(world.base_url, "/slack/events", body, SECRET)
    return status, json.loads(text) if text else None


def stored(world: SlackWorld, questions: list[str]) -> dict[str, Any]:
    with Session(world.engine) as session:
        rows = session.exec(select(Answer).where(col(Answer.question_id).in_(questions)))
        return {a.question_id: a.value for a in rows}


def test_a_page_that_cannot_be_saved_stays_open_and_saves_once_the_database_is_back(
    world_on_postgres: SlackWorld, restartable_postgres: PostgresServer
) -> None:
    world = world_on_postgres
    set_up(world)
    world.command("assess resolution")
    view = world.opened_view(2)
    values = answer_everything(view)
    body = submission(view, values, "V0PAGE1", "U1")

    restartable_postgres.stop()
    status, answer = send(world, body)

    assert status == 200
    # `errors` keeps the modal open with everything entered; its key is the first field.
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [input_ids(view)[0]]
    message = answer["errors"][input_ids(view)[0]]
    assert "Not saved" in message and "press “Save and next” again" in message
    assert "lost" not in message

    restartable_postgres.start()
    status, answer = send(world, body)  # the person presses the button again

    assert status == 200 and answer["response_action"] == "update"
    assert "page 2 of 2" in block_text(answer["view"]["blocks"])
    assert set(stored(world, input_ids(view))) == set(input_ids(view))


def test_a_command_during_an_outage_gets_an_honest_apology(
    world_on_postgres: SlackWorld, restartable_postgres: PostgresServer
) -> None:
    world = world_on_postgres
    set_up(world)

    restartable_postgres.stop()
    assert world.command("status").status == 200
    apology = block_text(world.slack.wait_for("response_url", 1, timeout=LIMIT)[0].args["blocks"])
    assert "could not be completed" in apology and "lost" not in apology

    restartable_postgres.start()
    assert world.command("status").status == 200
    status = world.slack.wait_for("response_url", 2, timeout=LIMIT)[1]
    assert "ISO/IEC 20000-1 status: Acme IT" in block_text(status.args["blocks"])


class Saves:
    """What the simulated people saw, shared between their threads and the test."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.acknowledged: dict[str, list[int]] = {user: [] for user in PEOPLE}
        self.handed_back = 0
        self.server_errors = 0
        self.restarted = False
        self.after_restart: set[str] = set()

    def wait(self, condition: Any, what: str) -> None:
        with self.cond:
            assert self.cond.wait_for(condition, LIMIT), f"timed out waiting for {what}"


@pytest.mark.parametrize("world_on_postgres", [2], indirect=True)  # dialog worker processes
def test_a_restart_in_the_middle_of_saving_loses_no_acknowledged_save(
    world_on_postgres: SlackWorld, restartable_postgres: PostgresServer
) -> None:
    """Three people keep saving their first assessment page with changing answers while
    PostgreSQL is stopped and started again. Every save acknowledged is in the history, once;
    every page handed back is saved when pressed again; everyone saves after the restart."""
    world = world_on_postgres
    set_up(world)
    views: dict[str, dict[str, Any]] = {}
    for n, (user, section) in enumerate(PEOPLE.items()):
        world.command(f"assess {section}", user=user)
        views[user] = world.opened_view(n + 2)
    saves = Saves()
    done = threading.Event()

    def person(user: str) -> None:
        for round_ in itertools.count():
            if done.is_set():
                return
            # A new opening of the page each round (a new view id), answers cycling 0, 1, 2.
            body = submission(
                views[user], answer_everything(views[user], round_ % 3), f"V{user}R{round_}", user
            )
            deadline = time.monotonic() + LIMIT
            while time.monotonic() < deadline:
                status, answer = send(world, body)
                with saves.cond:
                    if status >= 500:
                        saves.server_errors += 1
                    elif answer and answer.get("response_action") == "errors":
                        saves.handed_back += 1  # still open: the person presses it again
                    else:
                        saves.acknowledged[user].append(round_)
                        if saves.restarted:
                            saves.after_restart.add(user)
                        saves.cond.notify_all()
                        break
                    saves.cond.notify_all()
            else:
                raise AssertionError(f"{user}'s page was not saved within {LIMIT} s")

    threads = [threading.Thread(target=person, args=(user,)) for user in PEOPLE]
    for thread in threads:
        thread.start()
    try:
        saves.wait(lambda: all(saves.acknowledged.values()), "a first save by everyone")
        restartable_postgres.stop()
        saves.wait(lambda: saves.handed_back > 0, "a page handed back during the outage")
        restartable_postgres.start()
        with saves.cond:
            saves.restarted = True
        saves.wait(lambda: saves.after_restart == set(PEOPLE), "everyone saving again")
    finally:
        done.set()
        for thread in threads:
            thread.join(LIMIT)

    assert saves.server_errors == 0
    with Session(world.engine) as session:
        for user, rounds in saves.acknowledged.items():
            member = session.exec(select(Member).where(Member.platform_user_id == user)).one()
            radios = [
                b["block_id"]
                for b in views[user]["blocks"]
                if b["type"] == "input" and b["element"]["type"] == "radio_buttons"
            ]
            assert radios
            for question in radios:
                changes = session.exec(
                    select(AnswerRevision.new_value)
                    .where(
                        AnswerRevision.question_id == question,
                        AnswerRevision.changed_by == member.id,
                    )
                    .order_by(col(AnswerRevision.id))
                ).all()
                # One revision per acknowledged save (consecutive rounds differ): none lost,
                # none twice; and they follow the rounds' cycle of answers.
                assert len(changes) == len(rounds), (user, question)
                for n, (a, b) in enumerate(itertools.pairwise(changes)):
                    assert a != b, (user, question, n)
                assert all(changes[n] == changes[n + 3] for n in range(len(changes) - 3))
                current = session.exec(
                    select(Answer.value).where(Answer.question_id == question)
                ).one()
                assert current == changes[-1]
