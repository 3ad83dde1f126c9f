"""APScheduler wiring: an interval job that ticks the outbox, nothing else.

APScheduler 3.x is not safe with several schedulers sharing a job store (PLATFORM.md), so it
keeps no jobs of ours in a store: the schedule is the reminder table, and each process just
ticks. Defaults that bite are set explicitly: UTC, coalesce missed ticks into one, one tick at
a time, and no misfire skipping after a pause.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

log = logging.getLogger(__name__)
TICK_SECONDS = 5


def scheduler(
    tick: Callable[[], Any], seconds: float = TICK_SECONDS, *, blocking: bool
) -> BaseScheduler:
    kind = BlockingScheduler if blocking else BackgroundScheduler
    sched = kind(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )

    def run() -> None:
        try:
            result = tick()
            if getattr(result, "claimed", 0):
                log.info("reminders: %s", result)
        except Exception:  # a failed tick must not stop the scheduler; the next one retries
            log.exception("reminder tick failed")

    sched.add_job(run, "interval", seconds=seconds, id="reminder-tick", replace_existing=True)
    return sched
