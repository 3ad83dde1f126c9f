"""Where dialog steps run: off the event loop, so acknowledgements never wait for them.

A chat adapter acknowledges first and then hands the work to a worker as plain, picklable
data. `ThreadWorker` runs it on one thread of this process (tests, small installs);
`ProcessWorker` runs it in a pool of processes at a lower CPU priority, so evaluating an
assessment and talking to the chat platform never hold the web process's interpreter lock
while Slack waits for an acknowledgement (benchmarks/slack_latency.py shows the difference).

Work is a module-level function `fn(state, *args)`; `state` holds what the process keeps
between calls (database engine, question bank, and whatever a platform's `setup` adds, such
as its API client).

Faults. A `concurrent.futures.ProcessPoolExecutor` whose worker process dies is broken for
good (`BrokenProcessPool`, PLATFORM.md "Lessons"), so `ProcessWorker` supervises its pool: a
thread notices the break, retires the pool and starts and warms a new one, and `health()`
says the workers cannot serve until it has. A call the break interrupted is retried once on
the new pool; if that fails too, or no pool serves within `wait_seconds`, `call` raises
`WorkerUnavailable` and the caller tells the person honestly that it may not have been done.

What a retry means: a dialog step runs in one database transaction. A worker killed before
the commit left nothing behind, so the retry does the step exactly once. One killed after
the commit re-runs the step against what was committed; steps are idempotent on the same
input (the same answers record no revision, the same assignment is the same row), so the
stored result is the same, but a Slack message the first run had already sent may arrive a
second time. A duplicate reply is the price of never losing one (the reminder outbox makes
the same choice, README "Reminders"). When a pool breaks, the stdlib ends its other worker
processes too, so every call that was queued or running on it is retried the same way.

Recycling. A worker that renders documents grows (WeasyPrint keeps about 1 MiB of native
memory per PDF), so a pool may be replaced after `max_jobs` calls per process, or once one
of its processes holds more than `max_rss` bytes (resident set, read from /proc). The
replacement is rolling: the supervisor starts and warms a new pool while the old one still
serves, publishes it, and lets the old one finish what it was given before its processes
exit; a call that meets the old pool already shut down is submitted to the new one (it never
ran), so no call is lost or run twice, and health stays "serving" throughout. (The stdlib's
own `max_tasks_per_child` starts the replacement inside the pool, cold, and in CPython 3.11
stops replacing exited processes: 4 of 40 calls finished on a pool of 2 with a limit of 2.)

Overload. Each worker counts the calls it holds and keeps a moving average of how long one
runs (bot/dialogs/admission.py): `expected_wait()` says how long a new call would wait, and
`call(..., within=s)` raises `WorkerBusy` at once, before anything of it ran, when it could
not start and finish within `s` seconds; a modal's save is given Slack's budget, so past
capacity it is refused in words instead of finishing after Slack gave up. `ProcessWorker`
hands a call to its pool only when a process is free: the stdlib's pool marks up to
`max_workers + 1` queued calls running, so one whose caller gave up there would run anyway.

Languages. Each step is written in the language of the person it answers
(`bot.dialogs.context.reader_language`: their own locale, else their organisation's, else
the deployment's ISO20K_LOCALE, else English): `run_step` makes it active around the step,
and `perform_answer` returns it with the outcome, so whoever renders the reply (Block Kit,
Adaptive Cards) does so within the same `using`.

Counting and logging. The web process's /metrics cannot see a worker process's counters, so
what workers do is counted where it can be seen honestly: restarts by the supervisor, in
this process, which is what replaces a pool (`restarts()`, by reason: died, max_jobs,
max_rss); database errors by each worker process for the job it ran, sent back with the
job's result (or on its exception) and added up here (`database_errors()`). A worker that
is killed mid-job takes that job's count with it; its death is counted instead. This needs
no shared files (prometheus-client's multiprocess mode would, and would change how every
metric of the web process is collected), and bot/metrics.py reads both when scraped.
Worker processes log as the process that started them (`logs.setup_of`, passed when each
starts), and each job with the log context of the request it serves (organisation,
request id, platform), so its lines join the request's.

Lifetime. Worker processes end with their owner: each watches the process that started the
pool and exits when it is gone, even after a SIGKILL, so no worker (and no forkserver or
resource tracker, which live exactly as long as their clients) outlives the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import datetime as dt
import functools
import logging
import multiprocessing
import multiprocessing.process
import os
import select
import sys
import threading
import time
import typing
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot import logs
from bot.dialogs.admission import Admission, Turns
from bot.dialogs.commands import handle_action, handle_command, handle_submit
from bot.dialogs.context import NOBODY, DialogContext, Directory, enter
from bot.dialogs.model import Form, Message, Outcome
from bot.dialogs.reports import status
from bot.dialogs.validation import RawValue
from bot.reminders.timing import zone
from bot.store.db import DEFAULT_POOL, PoolSettings
from bot.store.deliveries import delivered, record_delivery
from bot.store.models import Platform
from bot.store.transactions import (
    REPLY_BUDGET,
    SUBMISSION_BUDGET,
    ErrorTally,
    in_transaction,
    watch_errors,
)
from iso20k_core.language import Language, active, english, language_for, resolve, using
from iso20k_core.standard import Bank, load_bank

log = logging.getLogger(__name__)
Operation = Literal["command", "action", "submit", "home"]
Step = Callable[[DialogContext], Outcome]
R = TypeVar("R")
PR_SET_NAME = 15  # linux/prctl.h
RestartReason = Literal["died", "max_jobs", "max_rss"]
RESTART_REASONS: tuple[RestartReason, ...] = ("died", "max_jobs", "max_rss")
# Where a worker's database errors ride back on an exception raised by its job (an
# exception's attributes pickle with it).
_ERRORS_SEEN = "iso20k_database_errors"
_RAN = "iso20k_seconds_ran"  # and how long it ran


@dataclass
class WorkerState:
    """What a worker keeps between calls."""

    engine: Engine
    bank: Bank
    extras: dict[str, Any] = field(default_factory=dict)
    # Who platform users are, by platform: each platform's `setup` adds its own.
    directories: dict[str, Directory] = field(default_factory=dict)
    # True while a call runs again because the worker running it died (ProcessWorker): a
    # step that had committed then still owes its answer, which a replay does not.
    retrying: bool = False
    # The deployment's language (ISO20K_LOCALE): for people whose platform and organisation
    # name none (`install_locale` sets it).
    locale: str | None = None
    # The database errors of the job running now (a worker process sends them back with it).
    database_errors: ErrorTally = field(default_factory=ErrorTally)

    def close(self) -> None:
        """Release what the platforms' setups keep open (HTTP sessions): anything in
        `extras` with a `close`. Worker processes need not: they end with their sessions."""
        for kept in self.extras.values():
            closing = getattr(kept, "close", None)
            if callable(closing):
                closing()


Setup = Callable[[WorkerState], None]


def install_locale(locale: str | None, state: WorkerState) -> None:
    """Worker setup: the deployment's language (`functools.partial` it)."""
    state.locale = locale


@dataclass(frozen=True)
class Answer:
    """A step's outcome and the language it was written in (a tag, so it pickles small):
    render it within `using(answer.language)`."""

    outcome: Outcome
    tag: str = "en"

    @property
    def language(self) -> Language:
        return language_for(self.tag) or english()


def chain(steps: tuple[Setup, ...], state: WorkerState) -> None:
    """Several setups as one (`functools.partial(chain, (a, b))` pickles, a lambda does not)."""
    for step in steps:
        step(state)


@dataclass(frozen=True)
class DialogRequest:
    """One thing a person did, as plain data: what a worker needs to answer it."""

    platform: Platform
    workspace_id: str
    user_id: str
    now: dt.datetime
    operation: Operation
    text: str = ""  # command text, or the button's value
    name: str = ""  # button action or form kind
    state: Mapping[str, str] = field(default_factory=dict)
    raw: Mapping[str, RawValue] = field(default_factory=dict)
    workspace_name: str | None = None
    # What identifies this delivery (bot.store.deliveries): a repeat of it is not acted on.
    delivery: str | None = None


def step_for(request: DialogRequest) -> Step:
    match request.operation:
        case "command":
            return lambda ctx: handle_command(ctx, request.text)
        case "action":
            return lambda ctx: handle_action(ctx, request.name, request.text)
        case "submit":
            return lambda ctx: handle_submit(ctx, request.name, request.state, request.raw)
    return lambda ctx: Outcome(reply=status(ctx))


def run_step(
    engine: Engine,
    bank: Bank,
    platform: Platform,
    workspace_id: str,
    user_id: str,
    now: dt.datetime,
    step: Step,
    workspace_name: str | None = None,
    *,
    directory: Directory = NOBODY,
    delivery: str | None = None,
    modal: bool = False,
    budget: float = REPLY_BUDGET,
    redeliver: bool = False,
    default_locale: str | None = None,
) -> Outcome:
    """One dialog step in one transaction, for the workspace's member (blocking); see
    `run_step_answer`."""
    return run_step_answer(
        engine,
        bank,
        platform,
        workspace_id,
        user_id,
        now,
        step,
        workspace_name,
        directory=directory,
        delivery=delivery,
        modal=modal,
        budget=budget,
        redeliver=redeliver,
        default_locale=default_locale,
    ).outcome


def run_step_answer(
    engine: Engine,
    bank: Bank,
    platform: Platform,
    workspace_id: str,
    user_id: str,
    now: dt.datetime,
    step: Step,
    workspace_name: str | None = None,
    *,
    directory: Directory = NOBODY,
    delivery: str | None = None,
    modal: bool = False,
    budget: float = REPLY_BUDGET,
    redeliver: bool = False,
    default_locale: str | None = None,
) -> Answer:
    """One dialog step in one transaction, for the workspace's member (blocking), written in
    the language the member reads, which the answer carries.

    A transient database failure runs the whole step again within `budget` seconds
    (bot.store.transactions), then raises StoreUnavailable. With a `delivery` key the step is
    acted on once: a repeat of a delivery already committed changes nothing and gets nothing
    back, or, for a step answering a `modal`, the same answer for the modal again (computed
    and rolled back) without its messages. With `redeliver` (the step runs again because its
    worker died, perhaps after the commit) a committed step's whole answer is computed again
    and rolled back, so the person still gets it.
    """

    def attempt(session: Session) -> Answer:
        seen = delivery is not None and delivered(session, platform, delivery)
        if seen and not modal and not redeliver:
            return Answer(Outcome())
        ctx = enter(
            session,
            platform,
            workspace_id,
            workspace_name or workspace_id,
            user_id,
            now.date(),
            bank,
            directory=directory,
            default_locale=default_locale,
        )
        ctx.today = local_date(now, ctx.organisation.timezone)
        ctx.now = now
        with using(ctx.language):
            outcome = step(ctx)
        tag = ctx.language.tag
        if seen:
            session.rollback()
            return Answer(modal_answer(outcome) if modal else outcome, tag)
        # Recorded last, just before the commit: a read-only step holds no write lock while
        # it works, and concurrent deliveries of one request meet here (the second waits for
        # the first's commit, then finds it).
        if delivery is not None and not record_delivery(
            session, platform, delivery, workspace_id, now
        ):
            session.rollback()  # the same request was acted on meanwhile: undo ours
            return Answer(modal_answer(outcome) if modal else Outcome(), tag)
        return Answer(outcome, tag)

    return in_transaction(engine, attempt, budget)


def perform(
    state: WorkerState, request: DialogRequest, directory: Directory | None = None
) -> Outcome:
    """Run the request's step. A modal submission must be answered within Slack's 3 s, and a
    repeated one gets the same answer for its modal again (the next page, its errors, or
    closing it) but no message and no change; any other repeat gets nothing. `directory`
    replaces the platform's own for this request (Teams: one that knows this turn)."""
    return perform_answer(state, request, directory).outcome


def perform_answer(
    state: WorkerState, request: DialogRequest, directory: Directory | None = None
) -> Answer:
    """`perform`, with the language the outcome is written in (render it in that)."""
    submission = request.operation == "submit"
    return run_step_answer(
        state.engine,
        state.bank,
        request.platform,
        request.workspace_id,
        request.user_id,
        request.now,
        step_for(request),
        request.workspace_name,
        directory=directory or state.directories.get(request.platform, NOBODY),
        delivery=request.delivery,
        modal=submission,
        budget=SUBMISSION_BUDGET if submission else REPLY_BUDGET,
        redeliver=state.retrying,
        default_locale=state.locale,
    )


def translated(message: Message) -> Message:
    """A message defined once as a constant (an apology: its texts marked with `N_`), in the
    active language; a text that is no catalog entry is left as it is."""
    language = active()
    return dataclasses.replace(
        message,
        heading=language.gettext(message.heading),
        text=language.gettext(message.text) if message.text else message.text,
    )


def apology_language(state: WorkerState, request: DialogRequest) -> Language:
    """The language to apologise in when the step itself failed (the database may be what
    failed, so the organisation's language may not be known): the person's own locale if
    the platform tells it, else the deployment's, else English."""
    directory = state.directories.get(request.platform, NOBODY)
    try:
        person = directory.person(request.user_id)
    except Exception:  # not knowing the language is no reason to leave them without a word
        person = None
    return resolve(person.locale if person is not None else None, state.locale)


def modal_answer(outcome: Outcome) -> Outcome:
    """Only what an outcome says to its modal: errors, or the next page (else it closes)."""
    return Outcome(
        reply=outcome.reply if isinstance(outcome.reply, Form) else None, errors=outcome.errors
    )


def local_date(now: dt.datetime, timezone: str) -> dt.date:
    """The organisation's today: a plan day starts at midnight where the team works."""
    return now.astimezone(zone(timezone)).date()


class WorkerUnavailable(Exception):
    """No worker process could run the call: its pool broke and so did the retry, or no pool
    served in time, or the worker is closed. The step may or may not have run: say so."""


@dataclass(frozen=True)
class Health:
    """Whether the workers can serve now, and if not, why (short: it is shown on /healthz)."""

    serving: bool
    reason: str = ""


SERVING = Health(True)


class DialogWorker(Protocol):
    """Where dialog steps run: `ThreadWorker`, `ProcessWorker`, or a lane over one of them.

    `call(fn, *args, within=s)`: a call that could not start and finish within `s` seconds
    is refused at once with `WorkerBusy`, nothing of it run (bot/dialogs/admission.py)."""

    async def call(self, fn: Callable[..., R], *args: Any, within: float | None = None) -> R: ...

    def health(self) -> Health: ...

    def close(self) -> None: ...


class ThreadWorker:
    """Work on one thread of this process: simple, and SQLite has one writer anyway."""

    def __init__(self, engine: Engine, bank: Bank, setup: Setup | None = None) -> None:
        self.state = WorkerState(engine, bank)
        if setup is not None:
            setup(self.state)
        self._pool: Executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dialogs")
        self._closed = False
        self.admission = Admission(1)

    async def call(self, fn: Callable[..., R], *args: Any, within: float | None = None) -> R:
        if self._closed:
            raise WorkerUnavailable("the dialog worker is closed")
        kind = _name(fn)
        self.admission.admit(within, f"the dialog worker, {kind}", kind)
        ran: list[float] = []
        try:
            loop = asyncio.get_running_loop()
            # The executor's thread does not inherit the caller's context (asyncio.to_thread
            # would): the step's log lines carry the request's organisation and id with it.
            # A call cancelled while it still waits for the thread never runs (the executor
            # skips a cancelled future).
            run = contextvars.copy_context().run
            return await loop.run_in_executor(self._pool, run, _timed, ran, fn, self.state, *args)
        finally:
            self.admission.done(ran[0] if ran else None, kind)

    def expected_wait(self) -> float:
        """Seconds a call made now would wait before it starts."""
        return self.admission.expected_wait()

    def health(self) -> Health:
        return Health(False, "shutting down") if self._closed else SERVING

    def close(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.state.close()


# Each worker process keeps its own state, made once by the pool's initializer.
_process_state: list[WorkerState] = []


def _start_process(
    database_url: str,
    bank_version: str,
    niceness: int,
    setup: Setup | None,
    owner: int,
    name: str = "dialog",
    pool: PoolSettings = DEFAULT_POOL,
    log_setup: logs.LogSetup | None = None,
) -> None:
    from bot.store.db import make_engine

    _exit_with(owner)
    _call_me(f"iso20k-{name}")
    if log_setup is not None:
        log_setup.apply()
    if niceness:
        os.nice(niceness)  # acknowledgements in the web process come first
    state = WorkerState(make_engine(database_url, pool), load_bank(bank_version))
    watch_errors(state.engine, state.database_errors)
    if setup is not None:
        setup(state)
    _process_state.append(state)


def _call_me(name: str) -> None:
    """Name this process (`ps`, `top`, /proc/PID/comm) after its lane, so an operator (or a
    test) tells a report worker from a dialog worker; Linux only, 15 bytes at most."""
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None).prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)


def _exit_with(owner: int) -> None:
    """End this worker as soon as the process that owns its pool is gone.

    The stdlib's workers wait for work forever: a pool whose owner was killed leaves them
    running, and they in turn keep the forkserver and the resource tracker alive (both exit
    once no client holds their pipes). Their parent is the forkserver, not the owner, so
    PR_SET_PDEATHSIG cannot help; a pidfd of the owner (Linux 5.3, os.pidfd_open) becomes
    readable when it exits. Elsewhere, look once a second.
    """
    try:
        pidfd = os.pidfd_open(owner)
    except ProcessLookupError:
        os._exit(0)
    except (AttributeError, OSError):
        pidfd = -1

    def watch() -> None:
        if pidfd >= 0:
            select.select([pidfd], [], [])
        else:
            while _alive(owner):
                time.sleep(1.0)
        os._exit(0)  # an unfinished transaction is rolled back by the database

    threading.Thread(target=watch, name="exit-with-owner", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class _Reply:
    """A job's result, and the database errors its worker met while running it."""

    value: Any
    database_errors: dict[tuple[str, str], int]
    seconds: float = 0.0  # how long the job ran in its process


def _in_process(
    fn: Callable[..., Any],
    *args: Any,
    retrying: bool = False,
    context: Mapping[str, str] | None = None,
) -> _Reply:
    state = _process_state[0]
    state.retrying = retrying
    state.database_errors.take()  # a job counts its own errors only
    started = time.monotonic()
    try:
        with logs.bound(**(context or {})):
            value = fn(state, *args)
    except Exception as exc:
        with contextlib.suppress(AttributeError):  # an exception that takes no attributes
            setattr(exc, _ERRORS_SEEN, state.database_errors.take())
            setattr(exc, _RAN, time.monotonic() - started)
        raise
    finally:
        state.retrying = False
    return _Reply(value, state.database_errors.take(), time.monotonic() - started)


def _timed(ran: list[float], fn: Callable[..., R], *args: Any) -> R:
    """`fn(*args)`, adding the seconds it ran to `ran` (also when it raised)."""
    started = time.monotonic()
    try:
        return fn(*args)
    finally:
        ran.append(time.monotonic() - started)


def _pid(state: WorkerState) -> int:
    return os.getpid()


def _is_broken(pool: ProcessPoolExecutor) -> bool:
    # The executor marks itself broken the moment a worker dies (its manager thread waits on
    # every worker's sentinel) but offers no public way to ask; `_broken` is that mark in
    # CPython 3.8-3.13 (Lib/concurrent/futures/process.py, `terminate_broken`).
    return bool(getattr(pool, "_broken", False))


def _processes_of(pool: ProcessPoolExecutor) -> list[multiprocessing.process.BaseProcess]:
    # The executor's own processes (pid -> Process); `shutdown` forgets them, so they are
    # read before it, to end any that do not finish in time.
    return list((getattr(pool, "_processes", None) or {}).values())


class ProcessWorker:
    """Work in a supervised pool of processes (forkserver: a clean parent, quick to fork from).

    `call` runs `fn(state, *args)` in a worker process; `health` says whether the workers can
    serve now (cheap, never blocks: it is asked on the event loop); `close` stops them all.
    """

    PROBE_SECONDS = 0.25  # how often the supervisor looks for a broken pool between calls
    RESTART_BACKOFF = (0.5, 30.0)  # first and longest pause after a pool failed to start
    START_SECONDS = 60.0  # a new pool that has not answered by then failed to start
    RETIRE_SECONDS = 300.0  # a recycled pool's last calls get this long, then its processes end

    def __init__(
        self,
        database_url: str,
        bank: Bank,
        processes: int,
        setup: Setup | None = None,
        niceness: int = 10,
        *,
        wait_seconds: float = 30.0,
        close_grace: float = 4.0,
        max_jobs: int | None = None,
        max_rss: int | None = None,
        name: str = "dialog",
        pool: PoolSettings | None = None,
        log_setup: logs.LogSetup | None = None,
    ) -> None:
        """`pool`: each worker process's database pool; None: the DB_POOL_* settings of this
        process's environment. `log_setup`: how the workers log; None: as this process does
        (bot/logs.py `configure`), or Python's default if it was not configured."""
        if pool is None:
            from bot.settings import Settings

            pool = Settings().pool
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["bot.dialogs.worker"])
        self._new_pool = functools.partial(
            ProcessPoolExecutor,
            max_workers=processes,
            mp_context=context,
            initializer=_start_process,
            initargs=(
                database_url,
                bank.version,
                niceness,
                setup,
                os.getpid(),
                name,
                pool,
                log_setup or logs.setup_of(),
            ),
        )
        self._processes = processes
        self._admission = Admission(processes)
        self._turns = Turns(processes)
        self._wait_seconds = wait_seconds
        self._close_grace = close_grace
        self._max_jobs = max_jobs * processes if max_jobs else None
        self._max_rss = max_rss or None
        self.name = name
        self._died = f"a {name} worker died; replacing the pool"
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closing = threading.Event()
        self._pool: ProcessPoolExecutor | None = None
        self._ready: Future[ProcessPoolExecutor] = _pending()
        self._health = Health(False, f"{name} workers starting")
        self._jobs = 0  # calls the current pool has finished
        self._retiring: list[threading.Thread] = []
        self.recycled = 0  # pools replaced because they were worn (tests and benchmarks read it)
        self._restarts: Counter[str] = Counter()
        self._database_errors = ErrorTally()  # what the worker processes sent back
        self._supervisor = threading.Thread(
            target=self._supervise, name=f"{name}-pool-supervisor", daemon=True
        )
        self._supervisor.start()

    async def call(self, fn: Callable[..., R], *args: Any, within: float | None = None) -> R:
        kind = _name(fn)
        self._admission.admit(within, f"the {self.name} worker, {kind}", kind)
        ran: float | None = None
        try:
            # Waiting for a process here, not in the pool's queue: a caller that gives up
            # meanwhile leaves nothing behind that would still run.
            await self._turns.acquire()
            try:
                reply = await self._run(fn, *args)
            finally:
                self._turns.release()
            ran = reply.seconds
            return typing.cast(R, reply.value)
        except Exception as exc:
            ran = getattr(exc, _RAN, None)
            raise
        finally:
            self._admission.done(ran, kind)

    def expected_wait(self) -> float:
        """Seconds a call made now would wait before a process starts it."""
        return self._admission.expected_wait()

    async def _run(self, fn: Callable[..., Any], *args: Any) -> _Reply:
        interrupted = 0
        while True:
            pool = await self._serving_pool()
            try:
                future = pool.submit(
                    _in_process, fn, *args, retrying=interrupted > 0, context=logs.current()
                )
            except (BrokenProcessPool, RuntimeError):  # broke or retired since: nothing ran
                self._withdraw(pool, self._died)
                continue
            try:
                reply = await asyncio.wrap_future(future)
            except BrokenProcessPool as exc:
                self._withdraw(pool, self._died)
                interrupted += 1
                if interrupted > 1:
                    raise WorkerUnavailable(
                        f"the {self.name} worker died twice on this call"
                    ) from exc
                log.warning("a %s worker died during %s; retrying it once", self.name, _name(fn))
                continue
            except Exception as exc:
                self._database_errors.add(getattr(exc, _ERRORS_SEEN, None) or {})
                raise
            self._database_errors.add(reply.database_errors)
            self._finished(pool)
            return reply

    def health(self) -> Health:
        pool = self._pool
        if pool is not None and _is_broken(pool) and not self._closing.is_set():
            return Health(False, self._died)
        return self._health

    def restarts(self) -> dict[str, int]:
        """How often this lane's pool was replaced, by reason (died, max_jobs, max_rss)."""
        with self._lock:
            return dict(self._restarts)

    def database_errors(self) -> dict[tuple[str, str], int]:
        """The database errors its worker processes met, by (kind, outcome), as they
        reported them with their jobs (bot/store/transactions.py)."""
        return self._database_errors.counts()

    def _restarted(self, reason: RestartReason) -> None:
        with self._lock:
            self._restarts[reason] += 1

    def pids(self) -> list[int]:
        """The current pool's worker processes (benchmarks read their memory)."""
        pool = self._pool
        return [p.pid for p in _processes_of(pool) if p.pid] if pool is not None else []

    def close(self) -> None:
        """Stop taking work; running calls get `close_grace` seconds, then the processes end."""
        with self._lock:
            self._closing.set()
            self._health = Health(False, "shutting down")
            if self._ready.done():
                self._ready = _pending()
            self._ready.set_exception(WorkerUnavailable(f"the {self.name} worker is closed"))
        self._wake.set()
        self._supervisor.join(timeout=self._close_grace + 10.0)
        for retiring in list(self._retiring):
            retiring.join(timeout=self._close_grace + 10.0)

    def _finished(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is not pool:
                return
            self._jobs += 1
            worn = self._max_jobs is not None and self._jobs >= self._max_jobs
        if worn:
            self._wake.set()

    def _worn(self, pool: ProcessPoolExecutor) -> tuple[RestartReason, str] | None:
        """Why `pool` should be recycled now, if it should (the reason and its details):
        only after it has done some work, so a ceiling below a fresh process's size
        recycles once per call, not in a loop."""
        with self._lock:
            jobs = self._jobs if self._pool is pool else 0
        if jobs == 0:
            return None
        if self._max_jobs is not None and jobs >= self._max_jobs:
            return "max_jobs", f"{jobs} calls done"
        if self._max_rss is not None:
            largest = max((rss(pid) for pid in self.pids()), default=0)
            if largest > self._max_rss:
                return "max_rss", f"a worker holds {largest / 2**20:.0f} MiB"
        return None

    # -- supervision ---------------------------------------------------------------------

    async def _serving_pool(self) -> ProcessPoolExecutor:
        if self._closing.is_set():
            raise WorkerUnavailable(f"the {self.name} worker is closed")
        try:
            # `_ready` is shared by every waiting call and is marked running, so a caller's
            # cancellation or timeout cannot cancel it for the others.
            return await asyncio.wait_for(asyncio.wrap_future(self._ready), self._wait_seconds)
        except TimeoutError:
            raise WorkerUnavailable(
                f"no {self.name} worker could serve within {self._wait_seconds:g} s"
            ) from None

    def _supervise(self) -> None:
        pool: ProcessPoolExecutor | None = None
        while not self._closing.is_set():
            if pool is None:
                pool = self._started_pool()
                if pool is None or not self._publish(pool):
                    break
            worn = None
            while not self._closing.is_set() and self._pool is pool and not _is_broken(pool):
                if worn := self._worn(pool):
                    break
                self._wake.wait(self.PROBE_SECONDS)
                self._wake.clear()
            if self._closing.is_set():
                _retire(pool, self._close_grace)
                break
            if worn:
                pool = self._recycled(pool, worn)
                continue
            self._withdraw(pool, self._died)
            self._restarted("died")
            log.warning("a %s worker process died; starting a new pool", self.name)
            _retire(pool, 0.0)
            pool = None

    def _started_pool(self) -> ProcessPoolExecutor | None:
        """A new pool, started and warmed (retrying with backoff); None once closing."""
        failures = 0
        while not self._closing.is_set():
            pool = self._new_pool()
            if self._warm(pool):
                return pool
            _retire(pool, 0.0)
            if self._closing.is_set():
                break
            failures += 1
            first, longest = self.RESTART_BACKOFF
            pause = min(first * 2 ** (failures - 1), longest)
            with self._lock:
                if not self._closing.is_set() and self._pool is None:
                    self._health = Health(False, f"{self.name} workers cannot start")
            log.error("%s workers could not start; trying again in %g s", self.name, pause)
            self._closing.wait(pause)
        return None

    def _recycled(
        self, old: ProcessPoolExecutor, worn: tuple[RestartReason, str]
    ) -> ProcessPoolExecutor | None:
        """Rolling replacement: the old pool serves until a warmed new one is published, then
        finishes what it was given in the background. None if closing meanwhile."""
        new = self._started_pool()
        if new is None:
            _retire(old, self._close_grace)
            return None
        with self._lock:
            replaced = self._pool is old and not self._closing.is_set()
            if replaced:
                self._pool, self._jobs = new, 0
                self._ready = _pending()
                self._ready.set_result(new)
        if not replaced:  # a call found the old one broken meanwhile, or we are closing
            _retire(old, self._close_grace if self._closing.is_set() else 0.0)
            if not self._publish(new):
                _retire(new, 0.0)
                return None
            self._restarted("died")
            return new
        self.recycled += 1
        self._restarted(worn[0])
        log.info("%s workers recycled (%s)", self.name, worn[1])
        retiring = threading.Thread(
            target=self._retire_gently, args=(old,), name=f"{self.name}-pool-retire", daemon=True
        )
        self._retiring = [t for t in self._retiring if t.is_alive()] + [retiring]
        retiring.start()
        return new

    def _retire_gently(self, pool: ProcessPoolExecutor) -> None:
        """Let a recycled pool run what it was given (no call is cancelled), then end it; on
        close, what still runs gets `close_grace` seconds like any other call."""
        processes = _processes_of(pool)
        pool.shutdown(wait=False, cancel_futures=False)
        deadline = time.monotonic() + self.RETIRE_SECONDS
        closing = False
        while any(p.is_alive() for p in processes) and time.monotonic() < deadline:
            if self._closing.is_set() and not closing:
                closing, deadline = True, min(deadline, time.monotonic() + self._close_grace)
            for process in processes:
                process.join(self.PROBE_SECONDS / len(processes))
        _retire(pool, 0.0)

    def _warm(self, pool: ProcessPoolExecutor) -> bool:
        """Start every process of a new pool and see each answer, off the event loop.

        Submitting `processes` calls at once makes the executor start all its processes now
        (it starts one per call while none is idle), not later inside a caller's `submit`.
        """
        deadline = time.monotonic() + self.START_SECONDS
        try:
            futures = [pool.submit(_in_process, _pid) for _ in range(self._processes)]
            while not_done := wait(futures, timeout=self.PROBE_SECONDS).not_done:
                if self._closing.is_set() or time.monotonic() > deadline:
                    for future in not_done:
                        future.cancel()
                    return False
            for future in futures:
                future.result()
        except Exception:
            log.exception("a new %s worker pool did not start", self.name)
            return False
        return True

    def _publish(self, pool: ProcessPoolExecutor) -> bool:
        with self._lock:
            if self._closing.is_set():
                return False
            self._pool = pool
            self._health = SERVING
            self._ready.set_result(pool)
            return True

    def _withdraw(self, pool: ProcessPoolExecutor, reason: str) -> None:
        """No call goes to `pool` any more; they wait for the supervisor's next one."""
        with self._lock:
            if self._pool is not pool or self._closing.is_set():
                return
            self._pool = None
            self._ready = _pending()
            self._health = Health(False, reason)
        self._wake.set()


def _pending() -> Future[ProcessPoolExecutor]:
    future: Future[ProcessPoolExecutor] = Future()
    future.set_running_or_notify_cancel()  # a running future cannot be cancelled
    return future


def _retire(pool: ProcessPoolExecutor, grace: float) -> None:
    """Shut a pool down: calls still running get `grace` seconds, then their processes end."""
    processes = _processes_of(pool)
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(1.0)
        if process.is_alive():
            process.kill()
            process.join(1.0)


def rss(pid: int) -> int:
    """A process's resident set in bytes (Linux /proc; 0 where it cannot be read)."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _name(fn: Callable[..., Any]) -> str:
    """What a call runs, for log lines and as the kind admission measures apart: a bounded
    set of names (a partial is named by its function, never by its repr's address)."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    return str(getattr(fn, "__name__", type(fn).__name__))
