"""Two lanes for dialog work, so what a person waits for never queues behind slow work.

A chat platform waits only a few seconds for an answer (Slack: 3 s, PLATFORM.md). Saving a
page, opening the next one, `status`, `cost` or `risks` take milliseconds; a PDF report takes
a second or two, an export or the plan's Gantt chart a fifth of a second. In one pool, a few
reports queued ahead of a modal's save made it miss Slack's 3 s (issue 9). So every channel
classifies its requests here, once: `lane_of` says which lane a request runs in and
`preparing` what the adapter says at once for a slow one. Slow work runs in its own pool,
behind a `SlowLane` that bounds how many requests may wait and for how long: one that cannot
start soon raises `LaneBusy` before anything of it ran, and the adapter says `BUSY`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from bot.dialogs.commands import command_name
from bot.dialogs.files import PREPARING
from bot.dialogs.model import StandingMessage
from bot.dialogs.worker import SERVING, DialogRequest, DialogWorker, Health
from iso20k_core.language import N_, _

R = TypeVar("R")
Lane = Literal["interactive", "slow"]

# Requests whose answer is a rendered file or chart (the commands, and the buttons that name
# them), with what the person is told at once (marked here, translated by `preparing`).
# Everything else, and every form submission, is interactive.
SLOW: dict[str, str] = {
    "report": PREPARING,
    "export": PREPARING,
    "plan": N_("Drawing the plan and its chart; it will arrive here in a moment."),
}

# The heading of a slow request's "preparing" line, where one is sent: marked here, written
# in the reader's language where it is shown (`_(ONE_MOMENT)`, or `one_moment()`).
ONE_MOMENT = N_("One moment")

BUSY = StandingMessage(
    heading=N_("Sorry, that has to wait"),
    text=N_(
        "Many reports and charts are being prepared right now, so yours could not be "
        "started. Nothing was changed; please ask again in a few minutes."
    ),
    tone="warning",
)


# Said when the interactive lane could not have answered in time (bot/dialogs/admission.py):
# a modal's trigger would have expired before it opened.
CROWDED = StandingMessage(
    heading=N_("Sorry, we are very busy"),
    text=N_(
        "Many people are using iso20k right now, so this could not be started in time. "
        "Nothing was changed; please ask again in a moment."
    ),
    tone="warning",
)


def one_moment() -> str:
    """The heading of the "preparing" line, in the active language."""
    return _(ONE_MOMENT)


def lane_of(request: DialogRequest) -> Lane:
    """Which lane `request` runs in: slow for reports, exports and the plan, whether asked
    by command or by button; interactive for everything else."""
    return "slow" if _slow_name(request) in SLOW else "interactive"


def preparing(request: DialogRequest) -> str | None:
    """What to say at once about a slow request (None for an interactive one), in the
    active language."""
    note = SLOW.get(_slow_name(request))
    return None if note is None else _(note)


def _slow_name(request: DialogRequest) -> str:
    match request.operation:
        case "command":
            return command_name(request.text)
        case "action":
            return request.name
    return ""


class LaneBusy(Exception):
    """The slow lane could not start the request soon (too many waiting, or waited too
    long): nothing of it ran, so asking again later is safe."""


class SlowLane:
    """A worker for slow work that runs at most `running` calls at once and lets at most
    `waiting` more wait for their turn, none longer than `wait_seconds`.

    Calls wait here, in the event loop, rather than in the pool's own queue, so the pool never
    holds more than it can run and a call that cannot start is refused before it was handed
    over. `running` should be the number of the worker's processes.
    """

    def __init__(
        self, worker: DialogWorker, running: int, waiting: int, wait_seconds: float
    ) -> None:
        self.worker = worker
        self._running, self._waiting = max(1, running), max(0, waiting)
        self._wait_seconds = wait_seconds
        self._turns = asyncio.Semaphore(self._running)
        self._admitted = 0  # calls running or waiting for a turn

    async def call(self, fn: Callable[..., R], *args: Any, within: float | None = None) -> R:
        if self._admitted >= self._running + self._waiting:
            raise LaneBusy(f"{self._admitted} slow requests already running or waiting")
        self._admitted += 1
        try:
            await self._turn()
            try:
                if within is None:
                    return await self.worker.call(fn, *args)
                return await self.worker.call(fn, *args, within=within)
            finally:
                self._turns.release()
        finally:
            self._admitted -= 1

    async def _turn(self) -> None:
        acquiring = asyncio.ensure_future(self._turns.acquire())
        try:
            done, _ = await asyncio.wait({acquiring}, timeout=self._wait_seconds)
        except asyncio.CancelledError:
            self._give_up(acquiring)
            raise
        if not done:
            self._give_up(acquiring)
            raise LaneBusy(f"no turn within {self._wait_seconds:g} s")

    def _give_up(self, acquiring: asyncio.Future[Any]) -> None:
        if acquiring.done() and not acquiring.cancelled():
            self._turns.release()  # the turn came just as the wait ended
        else:
            acquiring.cancel()  # Semaphore.acquire passes a turn on if it gets one meanwhile

    def health(self) -> Health:
        return self.worker.health()

    def close(self) -> None:
        self.worker.close()


def health_of(*lanes: DialogWorker) -> Health:
    """One health for several lanes: serving while every lane serves, else the first reason."""
    for lane in lanes:
        state = lane.health()
        if not state.serving:
            return state
    return SERVING
