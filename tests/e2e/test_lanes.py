"""What a person waits for never queues behind slow work (bot/dialogs/lanes.py): with a
report stuck in the slow lane, a status, a page saved and the next page opened still come;
a report that cannot start soon is refused in words, never left hanging."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.dialogs import commands
from bot.dialogs.context import DialogContext
from bot.dialogs.model import Outcome
from tests.e2e.harness import SlackWorld, block_text, start_world, stop_world, wait_until
from tests.e2e.test_slack_assessment import answer_everything
from tests.e2e.test_slack_basics import set_up

BUSY = "could not be started"  # bot/dialogs/lanes.py BUSY
Handler = Callable[[DialogContext, list[str]], Outcome]


class StuckReports:
    """`report` waits in the slow lane until `release` (the lanes run on threads here)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.entered = threading.Event()
        self.released = threading.Event()
        original: Handler = commands._HANDLERS["report"]

        def stuck(ctx: DialogContext, args: list[str]) -> Outcome:
            self.entered.set()
            assert self.released.wait(60), "the test never released the report"
            return original(ctx, args)

        monkeypatch.setitem(commands._HANDLERS, "report", stuck)

    def release(self) -> None:
        self.released.set()


@pytest.fixture
def stuck(monkeypatch: pytest.MonkeyPatch) -> Iterator[StuckReports]:
    reports = StuckReports(monkeypatch)
    yield reports
    reports.release()


def lane_world(tmp_path: Path, **settings: object) -> SlackWorld:
    return start_world(tmp_path, report_processes=0, **settings)


def reply_to(world: SlackWorld, url: str) -> str:
    path = url.removeprefix(world.slack.root_url)

    def found() -> str | None:
        for call in world.slack.calls_to("response_url"):
            if call.path == path:
                return block_text(call.args.get("blocks", []))
        return None

    text: str = wait_until(found, 60, f"for a reply at {path}")
    return text


def test_status_and_pages_are_answered_while_a_report_is_stuck(
    tmp_path: Path, stuck: StuckReports
) -> None:
    world = lane_world(tmp_path)
    try:
        set_up(world)
        report_url = world.slack.new_response_url()
        assert "Preparing your file" in world.command("report pdf", response_url=report_url).text
        assert stuck.entered.wait(60)
        status_url = world.slack.new_response_url()
        world.command("status", response_url=status_url)
        assert "ISO/IEC 20000-1 status: Acme IT" in reply_to(world, status_url)
        world.command("assess resolution")
        first = world.opened_view(2)
        saved = world.submit(first, answer_everything(first)).json()
        assert saved["response_action"] == "update"  # saved, and the next page is shown
        assert not stuck.released.is_set()  # all of it while the report was still stuck
        stuck.release()
        assert "Feasibility report" in reply_to(world, report_url)
        world.last("files.completeUploadExternal")
        world.check_all()
    finally:
        stuck.release()
        stop_world(world)


def test_a_report_beyond_the_queue_is_refused_in_words(tmp_path: Path, stuck: StuckReports) -> None:
    world = lane_world(tmp_path, report_queue=0)
    try:
        set_up(world)
        first_url = world.slack.new_response_url()
        world.command("report pdf", response_url=first_url)
        assert stuck.entered.wait(60)
        second_url = world.slack.new_response_url()
        assert "Preparing your file" in world.command("report md", response_url=second_url).text
        refusal = reply_to(world, second_url)
        assert BUSY in refusal and "ask again in a few minutes" in refusal
        stuck.release()
        assert "Feasibility report" in reply_to(world, first_url)
        world.slack.wait_for("files.completeUploadExternal", 1)
        assert len(world.slack.uploads) == 1  # the refused report was never made
        world.check_all()
    finally:
        stuck.release()
        stop_world(world)


def test_a_report_that_waited_too_long_is_refused_in_words(
    tmp_path: Path, stuck: StuckReports
) -> None:
    world = lane_world(tmp_path, report_queue=5, report_wait_seconds=0.2)
    try:
        set_up(world)
        world.command("report pdf")
        assert stuck.entered.wait(60)
        waited_url = world.slack.new_response_url()
        world.command("report md", response_url=waited_url)
        assert BUSY in reply_to(world, waited_url)
        stuck.release()
        world.slack.wait_for("files.completeUploadExternal", 1)
        world.check_all()
    finally:
        stuck.release()
        stop_world(world)
