"""A request delivered more than once is acted on once, over real HTTP.

Slack retries events, people double-click, and anyone holding a signed request can replay it
within Bolt's 5-minute window: the very same bytes, with the same signature. Each test sends
one signed body ten times at once, waits until the app is quiet, then counts what happened.
Repeats that arrive while the first is in flight join it and reach no worker
(bot/dialogs/repeats.py); later ones are answered from the record of deliveries.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlmodel import Session, func, select

from bot.slack import sender
from bot.store.models import AnswerRevision, Assignment
from tests.e2e.harness import SECRET, SlackWorld, block_text, wait_until
from tests.e2e.quiet import WorkCounter
from tests.e2e.test_slack_assessment import answer_everything
from tests.e2e.test_slack_basics import set_up, setup_values
from tests.slackfake.signing import (
    block_actions_body,
    button_action,
    post,
    slash_command_body,
    state_values,
    view_submission_body,
)

TIMES = 10


def deliver(world: SlackWorld, body: str, times: int = TIMES) -> list[tuple[int, str]]:
    """Post the same signed body `times` times at once; (status, body) of each answer."""
    stamp = int(time.time())  # one timestamp: every delivery has the same signature

    def once(_: int) -> tuple[int, str]:
        status, _headers, text = post(world.base_url, "/slack/events", body, SECRET, stamp)
        return status, text

    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(once, range(times)))


def submission(
    view: dict[str, Any], view_id: str, view_hash: str, values: dict[str, str]
) -> dict[str, Any]:
    """The modal `view` as Slack submits it, with `values` entered."""
    return {
        "id": view_id,
        "hash": view_hash,
        "callback_id": view["callback_id"],
        "private_metadata": view["private_metadata"],
        "blocks": view["blocks"],
        "state": state_values({k: {"value": v} for k, v in values.items()}),
    }


def messages_to(world: SlackWorld, channel: str) -> list[str]:
    return [
        block_text(c.args.get("blocks", []))
        for c in world.slack.calls_to("chat.postMessage")
        if c.args.get("channel") == channel
    ]


def test_a_replayed_assign_assigns_notifies_and_replies_once(world: SlackWorld) -> None:
    set_up(world)
    counter = WorkCounter(world)
    replies_before = len(world.slack.calls_to("response_url"))
    body = slash_command_body(
        text="assign <@U2|bob> resolution 2026-12-15",
        team_id="T1",
        user_id="U1",
        team_domain="t1",
        response_url=world.slack.response_url("T1-U1"),
    )

    answers = deliver(world, body)

    assert answers == [(200, "")] * TIMES  # each delivery is acknowledged as usual
    counter.wait_quiet(1)
    with Session(world.engine) as session:
        assert session.exec(select(func.count()).select_from(Assignment)).one() == 1
    assert len(messages_to(world, "U2")) == 1  # one direct message to the assignee
    replies = world.slack.calls_to("response_url")[replies_before:]
    assert len(replies) == 1  # and one reply to the manager
    assert "resolution" in block_text(replies[0].args["blocks"]).lower()


def test_a_repeated_setup_submission_saves_and_says_so_once(world: SlackWorld) -> None:
    world.command("setup")
    view = world.opened_view()
    counter = WorkCounter(world)
    submitted = submission(view, "V0SETUP", "1700000000.a1b2c3d4", setup_values())
    body = view_submission_body(submitted, team_id="T1", user_id="U1")

    answers = deliver(world, body)

    assert answers == [(200, "")] * TIMES  # every repeat gets the first's answer: close
    counter.wait_quiet(1)
    saved = [text for text in messages_to(world, "U1") if "Profile saved" in text]
    assert len(saved) == 1


def test_a_repeated_page_submission_gets_the_same_next_page(world: SlackWorld) -> None:
    set_up(world)
    world.command("assess resolution")
    view = world.opened_view(2)
    counter = WorkCounter(world)
    values = answer_everything(view)
    submitted = submission(view, "V0PAGE", "1700000000.00000001", values)

    answers = deliver(world, view_submission_body(submitted, team_id="T1", user_id="U1"))

    counter.wait_quiet(1)
    statuses = {status for status, _ in answers}
    pages = [json.loads(text) for _, text in answers]
    assert statuses == {200}
    assert all(p["response_action"] == "update" for p in pages), pages[0]
    assert len({json.dumps(p, sort_keys=True) for p in pages}) == 1  # the same page for all
    with Session(world.engine) as session:  # and each answer was recorded once
        revisions = session.exec(select(AnswerRevision.question_id)).all()
    assert sorted(revisions) == sorted(values)


def test_a_repeated_button_press_answers_once(world: SlackWorld) -> None:
    set_up(world)
    counter = WorkCounter(world)
    replies_before = len(world.slack.calls_to("response_url"))
    action = button_action("iso20k:status:0", "status|")
    body = block_actions_body(
        [action], team_id="T1", user_id="U1", response_url=world.slack.response_url("T1-U1")
    )

    deliver(world, body)

    counter.wait_quiet(1)
    assert len(world.slack.calls_to("response_url")) - replies_before == 1


def test_every_event_id_is_published_once(world: SlackWorld) -> None:
    set_up(world)
    counter = WorkCounter(world)
    event = {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}
    for event_id in ("Ev1", "Ev2"):
        for _ in range(3):
            assert world.event(event, event_id=event_id).status == 200
    counter.wait_quiet(2)  # repeats in flight join their first: fewer calls
    assert len(world.slack.calls_to("views.publish")) == 2


def test_repeats_of_a_save_in_flight_take_no_worker_place(
    world: SlackWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first save is held until its nine repeats joined it: one save reaches the worker,
    so a busy worker cannot refuse the repeats as "nothing was saved" when it was (CI saw
    that: ten copies took ten places in the queue, and the last four were turned away)."""
    monkeypatch.setattr("bot.slack.listeners.views.SUBMIT_WAIT", 60.0)  # hold, not time out
    set_up(world)
    world.command("assess resolution")
    view = world.opened_view(2)
    saves: list[str] = []
    call = world.deps.worker.call

    async def held(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if fn is sender.perform_submission:
            saves.append(args[0].delivery)
            await asyncio.to_thread(
                wait_until, lambda: world.deps.in_flight.joined >= TIMES - 1, 60.0, "repeats"
            )
        return await call(fn, *args, **kwargs)

    world.deps.worker.call = held  # type: ignore[method-assign]
    values = answer_everything(view)
    submitted = submission(view, "V0HELD", "1700000000.00000002", values)

    answers = deliver(world, view_submission_body(submitted, team_id="T1", user_id="U1"))

    assert len(saves) == 1
    pages = [json.loads(text) for _, text in answers]
    assert all(p["response_action"] == "update" for p in pages)
    assert len({json.dumps(p, sort_keys=True) for p in pages}) == 1
