"""Where dialog steps run: off the event loop, so acknowledgements never wait for them.

A chat adapter acknowledges first and then hands the work to a worker as plain, picklable
data. `ThreadWorker` runs it on one thread of this process (tests, small installs);
`ProcessWorker` runs it in a pool of processes at a lower CPU priority, so evaluating an
assessment and talking to the chat platform never hold the web process's interpreter lock
while Slack waits for an acknowledgement (benchmarks/slack_latency.py shows the difference).

Work is a module-level function `fn(state, *args)`; `state` holds what the process keeps
between calls (database engine, question bank, and whatever a platform's `setup` adds, such
as its API client).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.dialogs.commands import handle_action, handle_command, handle_submit
from bot.dialogs.context import NOBODY, DialogContext, Directory, enter
from bot.dialogs.model import Outcome
from bot.dialogs.reports import status
from bot.dialogs.validation import RawValue
from bot.reminders.timing import zone
from bot.store.models import Platform
from iso20k_core.standard import Bank, load_bank

Operation = Literal["command", "action", "submit", "home"]
Step = Callable[[DialogContext], Outcome]
R = TypeVar("R")


@dataclass
class WorkerState:
    """What a worker keeps between calls."""

    engine: Engine
    bank: Bank
    extras: dict[str, Any] = field(default_factory=dict)
    directory: Directory = NOBODY  # who platform users are; a platform's `setup` sets its own


Setup = Callable[[WorkerState], None]


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
    directory: Directory = NOBODY,
) -> Outcome:
    """One dialog step in one transaction, for the workspace's member (blocking)."""
    with Session(engine) as session:
        ctx = enter(
            session,
            platform,
            workspace_id,
            workspace_name or workspace_id,
            user_id,
            now.date(),
            bank,
            directory=directory,
        )
        ctx.today = local_date(now, ctx.organisation.timezone)
        ctx.now = now
        outcome = step(ctx)
        session.commit()
        return outcome


def perform(state: WorkerState, request: DialogRequest) -> Outcome:
    return run_step(
        state.engine,
        state.bank,
        request.platform,
        request.workspace_id,
        request.user_id,
        request.now,
        step_for(request),
        request.workspace_name,
        state.directory,
    )


def local_date(now: dt.datetime, timezone: str) -> dt.date:
    """The organisation's today: a plan day starts at midnight where the team works."""
    return now.astimezone(zone(timezone)).date()


class ThreadWorker:
    """Work on one thread of this process: simple, and SQLite has one writer anyway."""

    def __init__(self, engine: Engine, bank: Bank, setup: Setup | None = None) -> None:
        self.state = WorkerState(engine, bank)
        if setup is not None:
            setup(self.state)
        self._pool: Executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dialogs")

    async def call(self, fn: Callable[..., R], *args: Any) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, fn, self.state, *args)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


# Each worker process keeps its own state, made once by the pool's initializer.
_process_state: list[WorkerState] = []


def _start_process(
    database_url: str, bank_version: str, niceness: int, setup: Setup | None
) -> None:
    from bot.store.db import make_engine

    if niceness:
        os.nice(niceness)  # acknowledgements in the web process come first
    state = WorkerState(make_engine(database_url), load_bank(bank_version))
    if setup is not None:
        setup(state)
    _process_state.append(state)


def _in_process(fn: Callable[..., R], *args: Any) -> R:
    return fn(_process_state[0], *args)


class ProcessWorker:
    """Work in a pool of processes (forkserver: a clean parent, quick to fork from)."""

    def __init__(
        self,
        database_url: str,
        bank: Bank,
        processes: int,
        setup: Setup | None = None,
        niceness: int = 10,
    ) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["bot.dialogs.worker"])
        self._pool = ProcessPoolExecutor(
            max_workers=processes,
            mp_context=context,
            initializer=_start_process,
            initargs=(database_url, bank.version, niceness, setup),
        )

    async def call(self, fn: Callable[..., R], *args: Any) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, _in_process, fn, *args)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
