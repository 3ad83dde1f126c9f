"""Jobs a test runs in a dialog worker process to see what that process has: its database
pool, its transactions' error counts, its log lines. Like tests/faults.py, they live in an
importable module of their own (the worker unpickles them by name)."""

from __future__ import annotations

import logging
import os
from typing import Any

from sqlalchemy import text
from sqlalchemy.pool import QueuePool
from sqlmodel import Session

from bot.store.transactions import in_transaction

log = logging.getLogger("tests.worker_jobs")


def select_one(state: Any, budget: float) -> int:
    """`SELECT 1` in a transaction on the worker's engine, retried within `budget` s."""
    one = in_transaction(state.engine, lambda s: s.execute(text("SELECT 1")).scalar_one(), budget)
    return int(one)


def select_one_noting(state: Any, budget: float, journal: str) -> int:
    """`select_one`, writing a line to `journal` as each attempt starts."""

    def attempt(session: Session) -> int:
        with open(journal, "a") as out:
            out.write("attempt\n")
        return int(session.execute(text("SELECT 1")).scalar_one())

    return in_transaction(state.engine, attempt, budget)


def pool_of(state: Any) -> tuple[int, int, float, int]:
    """The worker engine's pool: size, overflow, timeout, recycle (SQLAlchemy's QueuePool)."""
    pool = state.engine.pool
    assert isinstance(pool, QueuePool)
    return pool.size(), pool._max_overflow, pool._timeout, pool._recycle


def log_lines(state: Any, words: str) -> int:
    """An INFO line and a WARNING line holding `words`; this worker's pid."""
    log.info("info from a worker: %s", words)
    log.warning("warning from a worker: %s", words)
    return os.getpid()


def place_lists_built(state: Any) -> list[int]:
    """How many of the setup form's place lists this process has built (countries,
    currencies, timezones): 1 each once built."""
    from iso20k_core import places

    return [
        make.cache_info().currsize
        for make in (places.countries, places.currencies, places.timezones)
    ]
