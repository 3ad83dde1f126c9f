"""Knowing when the app is quiet: every piece of work it handed to its dialog worker is done.

Assertions on what did *not* happen (no second message) need the app to have finished, not
the first matching call to have arrived. Listeners hand their work to `deps.worker.call`
before their acknowledgement goes out, so once every request has been answered, counting the
worker's calls started and finished tells when everything they caused is over.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from tests.e2e.harness import SlackWorld

R = TypeVar("R")


class WorkCounter:
    """Counts the dialog worker's calls; install it before sending the requests."""

    def __init__(self, world: SlackWorld) -> None:
        worker = world.deps.worker
        self._call = worker.call
        self._cond = threading.Condition()
        self.started = self.finished = 0
        worker.call = self.call  # type: ignore[method-assign]

    async def call(self, fn: Callable[..., R], *args: Any) -> R:
        with self._cond:
            self.started += 1
        try:
            return await self._call(fn, *args)
        finally:
            with self._cond:
                self.finished += 1
                self._cond.notify_all()

    def wait_quiet(self, at_least: int, timeout: float = 60.0) -> None:
        """Wait until at least `at_least` calls finished and none is running."""
        with self._cond:
            quiet = self._cond.wait_for(
                lambda: self.finished >= at_least and self.started == self.finished, timeout
            )
        assert quiet, f"not quiet after {timeout} s: {self.started} started, {self.finished} done"
