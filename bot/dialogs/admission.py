"""Whether a dialog worker can still answer a call in time, and turns for its processes.

Past capacity a worker's queue grows without end, and a call that must be answered within a
platform's deadline (a modal's save: Slack waits 3 s) starts late, finishes after it, and
was done for nothing: the person is told "not saved yet" and presses again, which costs
another step (benchmarks/load.py measured the collapse). So each worker keeps an
`Admission`: how many calls it holds, and a moving average of how long one runs. A call
given `within` seconds that would have to wait, and could not start and finish by then, is
refused at once with `WorkerBusy`, before anything of it ran, and the person can be told so
truthfully. A call a free runner would take at once is always admitted.

`Turns` lets at most `n` calls reach a process pool at once: a `ProcessPoolExecutor` marks
up to `max_workers + 1` queued calls running before a process takes them, so a call
cancelled while it waits there (its caller timed out) runs all the same. Waiting here
instead, a cancelled call never reaches the pool.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter, deque

# How much one call's duration moves the average: about the last ten calls count.
WEIGHT = 0.2


class WorkerBusy(Exception):
    """The worker could not start and finish the call within the time it was given: nothing
    of it ran, so asking again in a moment is safe."""


class Admission:
    """The calls a worker holds (queued or running, on `runners` in parallel) and, for each
    kind of call (the function it runs), an exponentially weighted moving average of how
    long one runs; thread-safe.

    Kinds are apart because they differ a hundredfold: a page save that re-plans takes a
    second on a loaded machine, posting a message a few milliseconds. One average of both
    made a quick delivery ahead look like a slow save, and a command was refused behind it
    (CI saw that). A kind not measured yet counts as the average of all calls.
    """

    def __init__(self, runners: int, weight: float = WEIGHT) -> None:
        self._runners = max(1, runners)
        self._weight = weight
        self._lock = threading.Lock()
        self._held: Counter[str] = Counter()  # the calls held, by kind
        self._overall: float | None = None  # none measured yet: nothing is refused
        self._seconds: dict[str, float] = {}

    def expected_wait(self) -> float:
        """Seconds a call admitted now would wait before it starts: the calls ahead of it
        that no runner has taken yet, plus its own turn, finish `runners` at a time."""
        with self._lock:
            return self._wait()

    def call_seconds(self, kind: str | None = None) -> float:
        """How long a call (of `kind`) runs, on recent average (0 until one has finished)."""
        with self._lock:
            return (self._overall if kind is None else self._estimate(kind)) or 0.0

    def admit(self, within: float | None, what: str, kind: str = "") -> None:
        """Count a call of `kind` in, or raise `WorkerBusy` if it could not be done `within`
        seconds (None: admit it whatever the wait). Every admitted call must end with
        `done` of the same kind."""
        with self._lock:
            # A call a free runner takes at once is admitted however long calls have been
            # taking: refusing it would save no time, and since a refused call is never
            # measured, one slow spell (a cold start on a loaded machine) would lock every
            # deadline-bound call out for good. Only a call that must wait is shed.
            wait = self._wait()
            own = self._estimate(kind)
            if within is not None and own is not None and wait > 0:
                expected = wait + own
                if expected > within:
                    held = sum(self._held.values())
                    raise WorkerBusy(
                        f"{what}: {held} calls ahead, about {expected:.2f} s to answer, "
                        f"{within:g} s allowed"
                    )
            self._held[kind] += 1

    def done(self, ran: float | None, kind: str = "") -> None:
        """An admitted call of `kind` ended; `ran`: the seconds it ran (None: it did not run
        to an end, so it says nothing about how long calls take)."""
        with self._lock:
            self._held[kind] -= 1
            if self._held[kind] <= 0:
                del self._held[kind]
            if ran is not None:
                self._overall = self._moved(self._overall, ran)
                self._seconds[kind] = self._moved(self._seconds.get(kind), ran)

    def _moved(self, previous: float | None, ran: float) -> float:
        return ran if previous is None else previous + self._weight * (ran - previous)

    def _estimate(self, kind: str) -> float | None:
        return self._seconds.get(kind, self._overall)

    def _wait(self) -> float:
        held = sum(self._held.values())
        ahead = held - self._runners + 1
        if ahead <= 0 or self._overall is None:
            return 0.0
        # The calls ahead, as long as the calls held take on average, `runners` at a time.
        work = sum((self._estimate(k) or 0.0) * n for k, n in self._held.items())
        return ahead * (work / held) / self._runners


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
