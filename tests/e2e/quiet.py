"""Knowing when the app is quiet: every piece of work it handed to its dialog worker is done.

Assertions on what did *not* happen (no second message) need the app to have finished, not
the first matching call to have arrived. Listeners start a background task for their work
before their acknowledgement goes out (bot/dialogs/background.py), and the task hands it to
a lane's `call`; so once every request has been answered, no background task left and the
lanes' calls started and finished tell when everything they caused is over.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from tests.e2e.harness import SlackWorld

R = TypeVar("R")


class WorkCounter:
    """Counts the lanes' calls; install it before sending the requests."""

    def __init__(self, world: SlackWorld) -> None:
        self._background = world.deps.background
        self._cond = threading.Condition()
        self.started = self.finished = 0
        for lane in (world.deps.worker, world.deps.slow):
            if lane is not None:
                lane.call = self._counting(lane.call)  # type: ignore[method-assign]

    def _counting(self, call: Callable[..., Any]) -> Callable[..., Any]:
        async def counted(fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
            with self._cond:
                self.started += 1
            try:
                return cast(R, await call(fn, *args, **kwargs))
            finally:
                with self._cond:
                    self.finished += 1
                    self._cond.notify_all()

        return counted

    def wait_quiet(self, at_least: int, timeout: float = 60.0) -> None:
        """Wait until at least `at_least` calls finished, none is running and no background
        task is left."""
        deadline = time.monotonic() + timeout
        with self._cond:
            # Tasks end just after their last call: look again every 20 ms, not only on notify.
            while not (quiet := self._quiet(at_least)) and time.monotonic() < deadline:
                self._cond.wait(0.02)
        assert quiet, f"not quiet after {timeout} s: {self.started} started, {self.finished} done"

    def _quiet(self, at_least: int) -> bool:
        done = self.finished >= at_least and self.started == self.finished
        return done and not len(self._background)
