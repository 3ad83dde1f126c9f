"""Whether a dialog worker can still answer a call in time, and turns for its processes.

Past capacity a worker's queue grows without end, and a call that must be answered within a
platform's deadline (a modal's save: Slack waits 3 s) starts late, finishes after it, and
was done for nothing: the person is told "not saved yet" and presses again, which costs
another step (benchmarks/load.py measured the collapse). So each worker keeps an
`Admission`: how many calls it holds, and a moving average of how long one runs. A call
given `within` seconds that could not start and finish by then is refused at once with
`WorkerBusy`, before anything of it ran, and the person can be told so truthfully.

`Turns` lets at most `n` calls reach a process pool at once: a `ProcessPoolExecutor` marks
up to `max_workers + 1` queued calls running before a process takes them, so a call
cancelled while it waits there (its caller timed out) runs all the same. Waiting here
instead, a cancelled call never reaches the pool.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque

# How much one call's duration moves the average: about the last ten calls count.
WEIGHT = 0.2


class WorkerBusy(Exception):
    """The worker could not start and finish the call within the time it was given: nothing
    of it ran, so asking again in a moment is safe."""


class Admission:
    """The calls a worker holds (queued or running, on `runners` in parallel) and an
    exponentially weighted moving average of how long one runs; thread-safe."""

    def __init__(self, runners: int, weight: float = WEIGHT) -> None:
        self._runners = max(1, runners)
        self._weight = weight
        self._lock = threading.Lock()
        self._held = 0
        self._seconds: float | None = None  # none measured yet: nothing is refused

    def expected_wait(self) -> float:
        """Seconds a call admitted now would wait before it starts: the calls ahead of it
        that no runner has taken yet, plus its own turn, finish `runners` at a time."""
        with self._lock:
            return self._wait()

    def call_seconds(self) -> float:
        """How long a call runs, on recent average (0 until one has finished)."""
        with self._lock:
            return self._seconds or 0.0

    def admit(self, within: float | None, what: str) -> None:
        """Count a call in, or raise `WorkerBusy` if it could not be done `within` seconds
        (None: admit it whatever the wait). Every admitted call must end with `done`."""
        with self._lock:
            if within is not None and self._seconds is not None:
                expected = self._wait() + self._seconds
                if expected > within:
                    raise WorkerBusy(
                        f"{what}: {self._held} calls ahead, about {expected:.2f} s to answer, "
                        f"{within:g} s allowed"
                    )
            self._held += 1

    def done(self, ran: float | None) -> None:
        """An admitted call ended; `ran`: the seconds it ran (None: it did not run to an
        end, so it says nothing about how long calls take)."""
        with self._lock:
            self._held -= 1
            if ran is not None:
                previous = self._seconds
                self._seconds = (
                    ran if previous is None else previous + self._weight * (ran - previous)
                )

    def _wait(self) -> float:
        ahead = self._held - self._runners + 1
        if ahead <= 0 or self._seconds is None:
            return 0.0
        return ahead * self._seconds / self._runners


class Turns:
    """At most `n` holders at once; the others wait, first come first served, on whichever
    event loop they run (a worker is shared by the server's loop and by tests' own)."""

    def __init__(self, n: int) -> None:
        self._free = max(1, n)
        self._lock = threading.Lock()
        self._waiting: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._free > 0 and not self._waiting:
                self._free -= 1
                return
            turn: asyncio.Future[None] = loop.create_future()
            waiter = (loop, turn)
            self._waiting.append(waiter)
        try:
            await turn
        except asyncio.CancelledError:
            with self._lock:
                still_waiting = waiter in self._waiting
                if still_waiting:
                    self._waiting.remove(waiter)
            if not still_waiting:  # the turn was handed over just as the wait ended
                self.release()
            raise

    def release(self) -> None:
        while True:
            with self._lock:
                if not self._waiting:
                    self._free += 1
                    return
                loop, turn = self._waiting.popleft()
            try:
                loop.call_soon_threadsafe(_grant, turn)
                return
            except RuntimeError:  # that waiter's loop is closed: the next one gets it
                continue


def _grant(turn: asyncio.Future[None]) -> None:
    if not turn.done():
        turn.set_result(None)
