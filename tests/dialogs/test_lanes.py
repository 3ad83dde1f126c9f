"""Lanes (bot/dialogs/lanes.py): which requests are slow, the slow lane's bounds, and the
background tasks adapters start (bot/dialogs/background.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

import pytest

from bot.dialogs.background import Background
from bot.dialogs.files import PREPARING
from bot.dialogs.lanes import LaneBusy, SlowLane, health_of, lane_of, preparing
from bot.dialogs.worker import SERVING, DialogRequest, Health, Operation

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def request(operation: Operation, text: str = "", name: str = "") -> DialogRequest:
    return DialogRequest("slack", "T1", "U1", NOW, operation, text=text, name=name)


@pytest.mark.parametrize(
    ("operation", "text", "name", "lane"),
    [
        ("command", "report pdf", "", "slow"),
        ("command", "  REPORT", "", "slow"),
        ("command", "export xlsx", "", "slow"),
        ("command", "ｐｌａｎ", "", "slow"),  # full-width, as a Chinese input method types it
        ("command", "plan", "", "slow"),
        ("action", "", "plan", "slow"),
        ("command", "status", "", "interactive"),
        ("command", "cost", "", "interactive"),
        ("command", "costs", "", "interactive"),
        ("command", "risks", "", "interactive"),
        ("command", "assess resolution", "", "interactive"),
        ("command", "", "", "interactive"),
        ("command", "\x00report", "", "interactive"),  # unreadable: answered with help
        ("command", "reports", "", "interactive"),  # unknown: help and the closest match
        ("action", "", "assess", "interactive"),
        ("submit", "", "assess", "interactive"),
        ("home", "", "", "interactive"),
    ],
)
def test_reports_exports_and_the_plan_are_slow_everything_else_is_not(
    operation: Operation, text: str, name: str, lane: str
) -> None:
    assert lane_of(request(operation, text, name)) == lane
    assert (preparing(request(operation, text, name)) is not None) == (lane == "slow")


def test_a_slow_request_says_what_is_being_prepared() -> None:
    assert preparing(request("command", "report pdf")) == PREPARING
    assert "plan" in (preparing(request("action", name="plan")) or "")


async def settle() -> None:
    """Let every task that can run, run, until each waits on something (a few loop turns)."""
    for _ in range(20):
        await asyncio.sleep(0)


class Held:
    """A worker whose calls wait until the test lets them finish."""

    def __init__(self) -> None:
        self.started: list[Any] = []
        self.go = asyncio.Event()

    async def call(self, fn: Any, *args: Any) -> Any:
        self.started.append(args)
        await self.go.wait()
        return args

    def health(self) -> Health:
        return SERVING

    def close(self) -> None:
        pass


async def one_running(waiting: int, wait_seconds: float) -> tuple[Held, SlowLane, Any]:
    """A slow lane of one, running a held call "first"."""
    held = Held()
    lane = SlowLane(held, running=1, waiting=waiting, wait_seconds=wait_seconds)
    first = asyncio.ensure_future(lane.call(print, "first"))
    await settle()
    return held, lane, first


def test_the_slow_lane_refuses_at_once_beyond_its_queue_and_nothing_of_it_runs() -> None:
    async def scenario() -> None:
        held, lane, first = await one_running(waiting=1, wait_seconds=60.0)
        second = asyncio.ensure_future(lane.call(print, "second"))
        await settle()
        with pytest.raises(LaneBusy):
            await lane.call(print, "third")
        assert held.started == [("first",)]  # the second waits for its turn, here
        held.go.set()
        assert await first == ("first",) and await second == ("second",)
        assert held.started == [("first",), ("second",)]
        assert await lane.call(print, "later") == ("later",)  # every turn was given back

    asyncio.run(scenario())


def test_the_slow_lane_refuses_a_request_that_waited_too_long() -> None:
    async def scenario() -> None:
        held, lane, first = await one_running(waiting=5, wait_seconds=0.05)
        with pytest.raises(LaneBusy):
            await lane.call(print, "second")
        assert held.started == [("first",)]
        held.go.set()
        await first
        assert await lane.call(print, "third") == ("third",)

    asyncio.run(scenario())


def test_a_waiting_request_cancelled_gives_its_turn_back() -> None:
    async def scenario() -> None:
        held, lane, first = await one_running(waiting=1, wait_seconds=60.0)
        waiting = asyncio.ensure_future(lane.call(print, "waiting"))
        await settle()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        held.go.set()
        await first
        assert await lane.call(print, "next") == ("next",)
        assert ("waiting",) not in held.started

    asyncio.run(scenario())


def test_health_of_lanes_names_the_first_that_cannot_serve() -> None:
    class Stub(Held):
        def __init__(self, state: Health) -> None:
            self.state = state

        def health(self) -> Health:
            return self.state

    warming = Health(False, "report workers starting")
    assert health_of(Stub(SERVING), Stub(SERVING)) == SERVING
    assert health_of(Stub(SERVING), Stub(warming)) == warming


def test_background_tasks_are_kept_logged_and_drained(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        background = Background()
        done = asyncio.Event()

        async def quick() -> None:
            done.set()

        async def fails() -> None:
            raise RuntimeError("boom")

        async def forever() -> None:
            await asyncio.Event().wait()

        background.start(quick(), "quick")
        background.start(fails(), "fails")
        stuck = background.start(forever(), "forever")
        assert len(background) == 3
        assert await background.drain(0.05) == 1  # the stuck one is cancelled
        assert done.is_set() and stuck.cancelled() and len(background) == 0

    with caplog.at_level(logging.ERROR, logger="bot.dialogs.background"):
        asyncio.run(scenario())
    assert "fails failed" in caplog.text and "boom" in caplog.text
