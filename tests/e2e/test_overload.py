"""Past capacity, under the real app over real HTTP: a page save the interactive lane could not
answer within Slack's wait is not started; the modal stays open with everything entered and
says so; pressing again once the lane is free saves it. A command whose modal trigger would
expire first gets an honest "busy" instead (bot/dialogs/admission.py); one answered with a
message waits its turn, its response_url being good for half an hour."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bot.dialogs.worker import ThreadWorker
from bot.slack.listeners.views import SUBMIT_WAIT
from tests import shed_jobs
from tests.e2e.harness import SlackWorld, block_text, wait_until
from tests.e2e.test_database_faults import input_ids, stored
from tests.e2e.test_slack_assessment import answer_everything
from tests.e2e.test_slack_basics import set_up

LIMIT = 60.0  # generous: a loaded 2-core machine


@contextmanager
def overloaded(worker: ThreadWorker) -> Iterator[None]:
    """Keep `worker` busy past SUBMIT_WAIT: one call of a known second, then calls held on an
    event until the context ends (they run on their own event loop, in a thread)."""
    release, started = threading.Event(), threading.Event()

    def hold(state: object) -> None:
        started.set()
        assert release.wait(LIMIT)

    async def held(count: int) -> None:
        await asyncio.gather(*(worker.call(hold) for _ in range(count)))

    asyncio.run(worker.call(shed_jobs.takes, 1.0))
    seconds = worker.admission.call_seconds()
    # Four times the calls that would make a new one late: a step of the set-up still
    # finishing meanwhile (a quick one pulls the average down) must not make room.
    count = 4 * int(SUBMIT_WAIT / seconds) + 4
    runner = threading.Thread(target=asyncio.run, args=(held(count),), daemon=True)
    runner.start()
    assert started.wait(LIMIT)
    try:
        # The first held call may start before the runner's loop has counted in the rest.
        wait_until(lambda: worker.expected_wait() > 2 * SUBMIT_WAIT, LIMIT, "for the queue")
        yield
    finally:
        release.set()
        runner.join(LIMIT)
    assert not runner.is_alive()


def worker_of(world: SlackWorld) -> ThreadWorker:
    worker = world.deps.worker
    assert isinstance(worker, ThreadWorker)
    return worker


def test_a_page_that_could_not_be_answered_in_time_is_not_started_and_saves_when_pressed_again(
    world: SlackWorld,
) -> None:
    set_up(world)
    world.command("assess resolution")
    view = world.opened_view(2)
    values = answer_everything(view)

    with overloaded(worker_of(world)):
        busy = world.submit(view, values)
        assert busy.status == 200
        answer: dict[str, Any] = busy.json()
        assert answer["response_action"] == "errors"
        assert list(answer["errors"]) == [input_ids(view)[0]]
        message = answer["errors"][input_ids(view)[0]]
        assert "Not saved" in message and "busy" in message and "not started" in message
        assert "press “Save and next” again" in message
        assert stored(world, input_ids(view)) == {}

    saved = world.submit(view, values)  # the person presses again, the lane free
    assert saved.status == 200
    assert saved.json()["response_action"] == "update"
    assert "page 2 of 2" in block_text(saved.json()["view"]["blocks"])
    assert set(stored(world, input_ids(view))) == set(input_ids(view))


def test_a_command_that_could_not_be_answered_in_time_says_busy_and_changes_nothing(
    world: SlackWorld,
) -> None:
    set_up(world)
    opened = len(world.slack.calls_to("views.open"))
    with overloaded(worker_of(world)):
        assert world.command("assess resolution").status == 200
        said = world.slack.wait_for("response_url", 1, timeout=LIMIT)[0]
    text = block_text(said.args["blocks"])
    assert "very busy" in text and "Nothing was changed" in text
    assert said.args["response_type"] == "ephemeral"
    assert len(world.slack.calls_to("views.open")) == opened  # no modal opened late

    assert world.command("assess resolution").status == 200  # asked again, it opens
    world.opened_view(opened + 1)


def test_a_command_answered_with_a_message_waits_its_turn_instead(world: SlackWorld) -> None:
    set_up(world)
    before = len(world.slack.calls_to("response_url"))
    with overloaded(worker_of(world)):
        assert world.command("status").status == 200
    said = world.slack.wait_for("response_url", before + 1, timeout=LIMIT)[before]
    text = block_text(said.args["blocks"])
    assert "Acme IT" in text and "busy" not in text
