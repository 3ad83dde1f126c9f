"""APScheduler wiring: an interval job that ticks the outbox, and an hourly one that deletes
the organisations whose retention period after an uninstall has passed.

APScheduler 3.x is not safe with several schedulers sharing a job store (PLATFORM.md), so it
keeps no jobs of ours in a store: the schedule is the reminder table, and each process just
ticks. Defaults that bite are set explicitly: UTC, coalesce missed ticks into one, one tick at
a time, and no misfire skipping after a pause. The purge is idempotent and each run deletes in
one transaction, so several workers purging at once delete each organisation once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from apscheduler.events import EVENT_SCHEDULER_START
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

log = logging.getLogger(__name__)
TICK_SECONDS = 5
PURGE_SECONDS = 3600.0


class Ticker:
    """Ticks `tick` every `seconds`, and stops within a bound (`stop`)."""

    def __init__(
        self,
        tick: Callable[[], Any],
        seconds: float,
        *,
        blocking: bool,
        purge: Callable[[], Any] | None = None,
        purge_seconds: float = PURGE_SECONDS,
    ) -> None:
        kind = BlockingScheduler if blocking else BackgroundScheduler
        self.scheduler: BaseScheduler = kind(
            timezone="UTC",
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self._ticking = threading.Lock()
        self._tick = tick
        self._stop_requested = threading.Event()
        # A stop asked for before the scheduler ran is honoured as soon as it does.
        self.scheduler.add_listener(self._on_start, EVENT_SCHEDULER_START)
        self.scheduler.add_job(
            self._run, "interval", seconds=seconds, id="reminder-tick", replace_existing=True
        )
        if purge is not None:
            # First run at start: a worker restarted more often than hourly still purges.
            self.scheduler.add_job(
                self._purge,
                "interval",
                seconds=purge_seconds,
                args=(purge,),
                id="retention-purge",
                next_run_time=dt.datetime.now(dt.UTC),
            )

    def start(self) -> None:
        """Start ticking (a blocking ticker returns only when it is stopped)."""
        if not self._stop_requested.is_set():
            self.scheduler.start()

    def stop(self, grace: float) -> bool:
        """No new ticks; wait up to `grace` seconds for a running one. False if it still runs.

        A tick cut short loses nothing: its claimed reminders are taken over when their lease
        expires (README "Reminders").
        """
        self._shut_down()
        if not self._ticking.acquire(timeout=grace):
            return False
        self._ticking.release()
        return True

    def request_stop(self) -> None:
        """Ask the ticker to stop soon, from a signal handler: a blocking ticker's `start`
        then returns. The shutdown runs on a thread of its own, since the handler may have
        interrupted the main thread inside the scheduler's own locks."""
        self._stop_requested.set()
        threading.Thread(target=self._shut_down, name="ticker-stop", daemon=True).start()

    def _on_start(self, event: object) -> None:
        if self._stop_requested.is_set():
            self._shut_down()

    def _shut_down(self) -> None:
        with contextlib.suppress(SchedulerNotRunningError):  # stopped already, or by a race
            self.scheduler.shutdown(wait=False)

    def _run(self) -> None:
        with self._ticking:
            try:
                result = self._tick()
                if getattr(result, "claimed", 0):
                    log.info("reminders: %s", result)
            except Exception:  # a failed tick must not stop the scheduler; the next one retries
                log.exception("reminder tick failed")

    def _purge(self, purge: Callable[[], Any]) -> None:
        with self._ticking:  # stopping waits for it as for a tick
            try:
                purge()
            except Exception:  # the next run retries; nothing was deleted in part
                log.exception("retention purge failed")


def scheduler(
    tick: Callable[[], Any],
    seconds: float = TICK_SECONDS,
    *,
    blocking: bool,
    purge: Callable[[], Any] | None = None,
) -> Ticker:
    """The ticker; with `purge`, also the retention purge every PURGE_SECONDS."""
    return Ticker(tick, seconds, blocking=blocking, purge=purge)
