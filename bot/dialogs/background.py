"""Work a chat adapter started after answering the platform, kept until it is done.

An adapter answers a request at once (Slack's acknowledgement) and hands the dialog step to
a worker in a task of its own, so the answer never waits for the step. Those tasks are kept
here: a task nobody references may be collected mid-flight (asyncio's documentation of
`create_task`), an exception in one is logged rather than lost, and on shutdown `drain`
gives them a moment to finish, then cancels the rest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(self, work: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Run `work` in a task of the running loop; it is kept until it ends."""
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def __len__(self) -> int:
        return len(self._tasks)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        if (error := task.exception()) is not None:
            log.error("%s failed", task.get_name(), exc_info=error)

    async def drain(self, grace: float) -> int:
        """Wait up to `grace` seconds for the running tasks, then cancel what is left (each
        cancelled task says so to its person if it can, see its own code); returns how many
        were cancelled."""
        pending = set(self._tasks)
        if pending:
            _, pending = await asyncio.wait(pending, timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("%d background task(s) cancelled at shutdown", len(pending))
            await asyncio.wait(pending)
        return len(pending)
