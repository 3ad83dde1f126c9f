"""Repeats of a delivery this process is still acting on: they wait for the first, and never
reach a worker.

A repeat arrives while the first is still running when Slack retries, someone double-clicks,
or a signed request is replayed (bot/slack/deps.py names each delivery). The workers act on
a delivery once all the same (bot.store.deliveries), but only after a worker took the
repeat: ten copies of one modal save took ten places in the worker's queue, and on a busy
machine the last were refused as "busy, nothing was saved" although the first had saved it
(bot/dialogs/admission.py counts what a worker holds). Joined here, a repeat costs nothing
and hears what the first heard: the same next page, or the same refusal.

A repeat arriving after the first finished is not in flight any more: the worker's record of
deliveries answers it, as before. Several web processes do not share this; the record does.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

R = TypeVar("R")


class InFlight:
    """The deliveries this process is acting on now, by key. Thread-safe, and shared by
    whichever event loops use it (the server's and tests' own): what a repeat awaits is a
    `concurrent.futures.Future`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[str, concurrent.futures.Future[Any]] = {}
        self.joined = 0  # repeats that met their first in flight, since the start

    def __len__(self) -> int:
        with self._lock:
            return len(self._calls)

    async def shared(self, key: str | None, call: Callable[[], Awaitable[R]]) -> tuple[R, bool]:
        """Run `call` for the delivery `key`, or wait for the run of it already in flight:
        its value (or its exception) and whether this was the first (False: a repeat, whose
        caller must not act on the value again, only answer with it). No key: always run."""
        if key is None:
            return await call(), True
        with self._lock:
            running = self._calls.get(key)
            if running is None:
                running = self._calls[key] = _started()
                first = True
            else:
                first = False
                self.joined += 1
        if not first:
            # A repeat that gives up waiting (its own deadline) leaves the first running:
            # the future is marked running, so wrap_future's cancel cannot reach it.
            return await asyncio.wrap_future(running), False
        try:
            value = await call()
        except asyncio.CancelledError:
            # The first gave up (its deadline, or the server stopping): what it started may
            # still finish, which is what the repeats hear.
            running.set_exception(TimeoutError("the first delivery was given up"))
            raise
        except BaseException as exc:
            running.set_exception(exc)
            raise
        else:
            running.set_result(value)
            return value, True
        finally:
            with self._lock:
                del self._calls[key]

    @contextlib.contextmanager
    def acting(self, key: str | None) -> Iterator[bool]:
        """For work that answers by itself (a command, a button): True while this delivery is
        ours to act on; False for a repeat of one in flight, which should do nothing at all
        (the first answers). No key: always True."""
        if key is None:
            yield True
            return
        with self._lock:
            if key in self._calls:
                first = False
                self.joined += 1
            else:
                self._calls[key] = _started()
                first = True
        if not first:
            yield False
            return
        try:
            yield True
        finally:
            with self._lock:
                self._calls.pop(key).set_result(None)


def _started() -> concurrent.futures.Future[Any]:
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()
    future.set_running_or_notify_cancel()
    return future
