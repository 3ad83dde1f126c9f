"""One transaction, run again while the database is briefly away or busy.

A person waiting on a save must not lose it because PostgreSQL restarted or SQLite was busy
for a moment. Two kinds of failure are run again, with jittered exponential backoff
(tenacity), within a time budget the caller chooses:

- the database unavailable for a moment: a connection refused, reset or closed by a
  restarting server, the server shutting down or starting up (SQLSTATE 57P01-57P03), too many
  connections (53300), a serialization failure or deadlock (40001, 40P01), the pool exhausted,
  SQLite's "database is locked";
- a concurrent first write of the same row (a unique violation): run again, the transaction
  finds the row the other one committed. The store's own first writes are upserts
  (bot/store/crud.py); this catches every other row of that shape, a few times only.

Anything else is raised at once. When the budget runs out the caller gets `StoreUnavailable`
and knows the transaction did not commit (except in the one case no client can tell: the
connection lost while the server was committing).

Counting. Each database error a transaction meets is told to the `ErrorTally` watching its
engine (`watch_errors`), by kind (`unavailable`, `conflict`, `other`) and outcome
(`retried`: another attempt follows; `gave_up`: it reached the caller, as StoreUnavailable
or as itself). The tally rides on the engine because the engine is what every caller
already passes in (dialog steps, the outbox, the CLI), as SQLAlchemy's own `event.listen`
does: no caller changes, and an engine nobody watches counts nothing. bot/metrics.py shows
the tallies; a worker process sends its own back with each result (bot/dialogs/worker.py).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Literal, TypeVar

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlmodel import Session
from tenacity import (
    RetryCallState,
    Retrying,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)

log = logging.getLogger(__name__)
R = TypeVar("R")

# Budgets, in seconds. A modal submission is answered in the acknowledgement, and Slack shows a
# timeout after 3 s (PLATFORM.md): what is not saved by then goes back to the person.
SUBMISSION_BUDGET = 2.0
# Commands, buttons and the Home tab are acknowledged first; the person waits for the reply.
REPLY_BUDGET = 8.0
# The reminder outbox: nobody waits, and a sent reminder that cannot be marked is sent again.
OUTBOX_BUDGET = 30.0

# A concurrent first write is settled by the first retry; more means a real conflict.
CONFLICT_ATTEMPTS = 3
MAX_ATTEMPTS = 60  # a bound besides the budget, whatever the clock does
# PostgreSQL SQLSTATEs that say "not now" rather than "never" (PostgreSQL manual, appendix A).
TRANSIENT_STATES = frozenset({"40001", "40P01", "53300", "57P01", "57P02", "57P03"})
SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


ErrorKind = Literal["unavailable", "conflict", "other"]
ErrorOutcome = Literal["retried", "gave_up"]
ERROR_KINDS: tuple[ErrorKind, ...] = ("unavailable", "conflict", "other")
ERROR_OUTCOMES: tuple[ErrorOutcome, ...] = ("retried", "gave_up")


class StoreUnavailable(Exception):
    """The database did not answer within the budget; the transaction was not committed."""


class ErrorTally:
    """Database errors counted by (kind, outcome); safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()

    def count(self, kind: str, outcome: str, times: int = 1) -> None:
        with self._lock:
            self._counts[(kind, outcome)] += times

    def add(self, counts: Mapping[tuple[str, str], int]) -> None:
        with self._lock:
            self._counts.update(counts)

    def counts(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self._counts)

    def take(self) -> dict[tuple[str, str], int]:
        """What was counted since the last `take`, and start again from nothing."""
        with self._lock:
            taken, self._counts = dict(self._counts), Counter()
            return taken


_tallies: weakref.WeakKeyDictionary[Engine, ErrorTally] = weakref.WeakKeyDictionary()


def watch_errors(engine: Engine, tally: ErrorTally) -> None:
    """Count the database errors of every transaction on `engine` in `tally`."""
    _tallies[engine] = tally


def kind_of(error: BaseException) -> ErrorKind | None:
    """The kind of a database error; None for an error that is not the database's."""
    if unavailable(error):
        return "unavailable"
    if concurrent_write(error):
        return "conflict"
    return "other" if isinstance(error, sa_exc.SQLAlchemyError) else None


def unavailable(error: BaseException) -> bool:
    """The database is away or busy for a moment: the same transaction may well work soon."""
    if isinstance(error, sa_exc.TimeoutError):  # no connection free in the pool
        return True
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated:  # SQLAlchemy saw the connection drop
        return True
    orig = error.orig
    if isinstance(orig, sqlite3.Error):
        return isinstance(orig, sqlite3.OperationalError) and str(orig) in SQLITE_BUSY
    if not isinstance(error, sa_exc.OperationalError):
        return False
    state = getattr(orig, "sqlstate", None)
    # No SQLSTATE: the client library's own failure (refused, reset, closed unexpectedly).
    return state is None or state.startswith("08") or state in TRANSIENT_STATES


def concurrent_write(error: BaseException) -> bool:
    """Another transaction committed the same new row first (a unique violation)."""
    if not isinstance(error, sa_exc.IntegrityError):
        return False
    orig = error.orig
    if isinstance(orig, sqlite3.IntegrityError):
        return str(orig).startswith("UNIQUE constraint failed")
    return getattr(orig, "sqlstate", None) == "23505"


def in_transaction(engine: Engine, work: Callable[[Session], R], budget: float) -> R:
    """`work(session)` in a new session, then commit; run again on a transient failure.

    `work` must be safe to run again from the start: everything it did is rolled back first.
    It may roll back itself (a duplicate delivery): the commit then commits nothing.
    """

    def attempt() -> R:
        with Session(engine) as session:
            result = work(session)
            session.commit()
            return result

    return _run(attempt, budget, _tallies.get(engine))


def committed(session: Session, work: Callable[[], R], budget: float) -> R:
    """`work()` and a commit on `session`, run again after a rollback on a transient failure.

    For the outbox, whose statements are each a transaction of their own on a long-lived
    session: `work` must be the whole transaction.
    """

    def attempt() -> R:
        try:
            result = work()
            session.commit()
            return result
        except Exception:
            # The connection may be gone: the rollback only resets the session for the retry.
            with contextlib.suppress(sa_exc.SQLAlchemyError):
                session.rollback()
            raise

    bind = session.get_bind()
    return _run(attempt, budget, _tallies.get(bind) if isinstance(bind, Engine) else None)


def _run(attempt: Callable[[], R], budget: float, tally: ErrorTally | None = None) -> R:
    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        kind = kind_of(error) if error is not None else None
        if tally is not None and kind is not None:
            tally.count(kind, "retried")
        _log_retry(state)

    retrying = Retrying(
        retry=_worth_another_try,
        wait=wait_random_exponential(multiplier=0.05, max=1.0),
        stop=stop_before_delay(budget) | stop_after_attempt(MAX_ATTEMPTS),
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        return retrying(attempt)
    except Exception as error:
        kind = kind_of(error)
        if tally is not None and kind is not None:
            tally.count(kind, "gave_up")
        if unavailable(error):
            raise StoreUnavailable(f"the database did not answer within {budget:g} s") from error
        raise


def _worth_another_try(state: RetryCallState) -> bool:
    error = state.outcome.exception() if state.outcome is not None else None
    if error is None:
        return False
    if concurrent_write(error):
        return state.attempt_number < CONFLICT_ATTEMPTS
    return unavailable(error)


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome is not None else None
    pause = state.next_action.sleep if state.next_action is not None else 0.0
    # INFO: the server logs it; a terminal console does not print it (no handler below WARNING).
    log.info(
        "transaction failed (attempt %d: %s); again in %.2f s",
        state.attempt_number,
        type(error).__name__,
        pause,
    )
