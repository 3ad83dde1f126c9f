"""Repeats of a delivery in flight (bot/dialogs/repeats.py): they wait for the first and hear
what it heard, its value or its refusal; they never run the call again, and a repeat giving
up leaves the first alone."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.dialogs.admission import WorkerBusy
from bot.dialogs.repeats import InFlight
from tests.e2e.harness import wait_until

LIMIT = 30.0  # generous: a loaded machine is slow, never this slow


class Gated:
    """A call that counts its runs and holds each until `release`."""

    def __init__(self, value: object = "page 2", error: BaseException | None = None) -> None:
        self.runs = 0
        self.started = asyncio.Event()
        self.gate = asyncio.Event()
        self.value, self.error = value, error

    async def __call__(self) -> object:
        self.runs += 1
        self.started.set()
        await self.gate.wait()
        if self.error is not None:
            raise self.error
        return self.value


async def first_then_repeats(
    in_flight: InFlight, call: Gated, repeats: int
) -> tuple[asyncio.Task[tuple[object, bool]], list[asyncio.Task[tuple[object, bool]]]]:
    first = asyncio.create_task(in_flight.shared("view:T1:U1:V1:h:d", call))
    await asyncio.wait_for(call.started.wait(), LIMIT)
    others = [
        asyncio.create_task(in_flight.shared("view:T1:U1:V1:h:d", call)) for _ in range(repeats)
    ]
    await asyncio.sleep(0)  # each repeat runs up to its wait for the first
    return first, others


def test_repeats_in_flight_run_nothing_and_get_the_first_answer() -> None:
    async def scenario() -> None:
        in_flight, call = InFlight(), Gated()
        first, others = await first_then_repeats(in_flight, call, 9)
        call.gate.set()
        answers = await asyncio.wait_for(asyncio.gather(first, *others), LIMIT)
        assert call.runs == 1
        assert answers == [("page 2", True)] + [("page 2", False)] * 9
        assert in_flight.joined == 9
        assert len(in_flight) == 0  # nothing kept once it is over

    asyncio.run(scenario())


def test_repeats_hear_the_first_refusal() -> None:
    async def scenario() -> None:
        in_flight, call = InFlight(), Gated(error=WorkerBusy("6 calls ahead"))
        first, others = await first_then_repeats(in_flight, call, 3)
        call.gate.set()
        answers = await asyncio.gather(first, *others, return_exceptions=True)
        assert call.runs == 1
        assert all(isinstance(a, WorkerBusy) for a in answers)

    asyncio.run(scenario())


def test_a_repeat_that_gives_up_leaves_the_first_running() -> None:
    async def scenario() -> None:
        in_flight, call = InFlight(), Gated()
        first, (impatient,) = await first_then_repeats(in_flight, call, 1)
        impatient.cancel()
        with pytest.raises(asyncio.CancelledError):
            await impatient
        call.gate.set()
        assert await asyncio.wait_for(first, LIMIT) == ("page 2", True)

    asyncio.run(scenario())


def test_when_the_first_gives_up_its_repeats_are_told_it_took_too_long() -> None:
    async def scenario() -> None:
        in_flight, call = InFlight(), Gated()
        first, (repeat,) = await first_then_repeats(in_flight, call, 1)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(repeat, LIMIT)
        # and the delivery is free again: pressing once more runs it
        again = Gated()
        again.gate.set()
        assert await in_flight.shared("view:T1:U1:V1:h:d", again) == ("page 2", True)

    asyncio.run(scenario())


def test_other_deliveries_and_unkeyed_calls_run_on_their_own() -> None:
    async def scenario() -> None:
        in_flight, call = InFlight(), Gated()
        call.gate.set()
        answers = await asyncio.gather(
            in_flight.shared("a", call), in_flight.shared("b", call), in_flight.shared(None, call)
        )
        assert call.runs == 3
        assert all(first for _, first in answers)
        # one finished is not in flight: the record of deliveries answers it, not this
        assert (await in_flight.shared("a", call))[1] is True

    asyncio.run(scenario())


def test_a_repeat_waits_on_another_event_loop() -> None:
    """The server's loop and a test's own share one Deps: a repeat from another thread's
    loop hears the first too."""
    in_flight = InFlight()
    heard: list[tuple[object, bool]] = []

    async def scenario() -> None:
        call = Gated()
        first = asyncio.create_task(in_flight.shared("k", call))
        await asyncio.wait_for(call.started.wait(), LIMIT)
        other = threading.Thread(
            target=lambda: heard.append(asyncio.run(in_flight.shared("k", Gated())))
        )
        other.start()
        await asyncio.to_thread(wait_until, lambda: in_flight.joined == 1, LIMIT)
        call.gate.set()
        assert await first == ("page 2", True)
        await asyncio.to_thread(other.join, LIMIT)

    asyncio.run(scenario())
    assert heard == [("page 2", False)]


def test_acting_lets_only_the_first_of_repeats_in_flight_act() -> None:
    in_flight = InFlight()
    with in_flight.acting("command:T1:trigger") as first:
        assert first
        with in_flight.acting("command:T1:trigger") as repeat:
            assert not repeat
        with in_flight.acting("command:T1:other") as other:
            assert other
        with in_flight.acting(None) as unkeyed:
            assert unkeyed
    with in_flight.acting("command:T1:trigger") as later:  # no longer in flight
        assert later
    assert len(in_flight) == 0
