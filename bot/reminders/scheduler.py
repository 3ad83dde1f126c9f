"""APScheduler wiring: an interval job that ticks the outbox, nothing else.

APScheduler 3.x is not safe with several schedulers sharing a job store (PLATFORM.md), so it
keeps no jobs of ours in a store: the schedule is the reminder table, and each process just
ticks. Defaults that bite are set explicitly: UTC, coalesce missed ticks into one, one tick at
a time, and no misfire skipping after a pause.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

log = logging.getLogger(__name__)
TICK_SECONDS = 5


class Ticker:
    """Ticks `tick` every `seconds`, and stops within a bound (`stop`)."""

    def __init__(self, tick: Callable[[], Any], seconds: float, *, blocking: bool) -> None:
        kind = BlockingScheduler if blocking else BackgroundScheduler
        self.scheduler: BaseScheduler = kind(
            timezone="UTC",
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self._ticking = threading.Lock()
        self._tick = tick
        self.scheduler.add_job(
            self._run, "interval", seconds=seconds, id="reminder-tick", replace_existing=True
        )

    def start(self) -> None:
        """Start ticking (a blocking ticker returns only when it is stopped)."""
        self.scheduler.start()

    def stop(self, grace: float) -> bool:
        """No new ticks; wait up to `grace` seconds for a running one. False if it still runs.

        A tick cut short loses nothing: its claimed reminders are taken over when their lease
        expires (README "Reminders").
        """
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if not self._ticking.acquire(timeout=grace):
            return False
        self._ticking.release()
        return True

    def _run(self) -> None:
        with self._ticking:
            try:
                result = self._tick()
                if getattr(result, "claimed", 0):
                    log.info("reminders: %s", result)
            except Exception:  # a failed tick must not stop the scheduler; the next one retries
                log.exception("reminder tick failed")


def scheduler(tick: Callable[[], Any], seconds: float = TICK_SECONDS, *, blocking: bool) -> Ticker:
    return Ticker(tick, seconds, blocking=blocking)
