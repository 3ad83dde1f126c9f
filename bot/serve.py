"""`iso20k serve`: the web app under uvicorn (Slack, Teams, or both, whichever has
credentials), or Slack Socket Mode when an app token is set and Teams is not served.

Stopping. SIGTERM or SIGINT stops everything `serve` started within `STOP_SECONDS`, and the
process exits with status 0: uvicorn answers the requests in flight (`GRACEFUL_SECONDS`),
the work they handed to background tasks gets `DRAIN_SECONDS` (then it is cancelled, and
each person whose request was still waiting is told it may not have been done), the reminder
ticker stops, both lanes of workers get `WORKER_GRACE` seconds to finish what they run and
are ended, and the database pool is closed. uvicorn catches both signals while
it serves and, once shut down, restores the handlers it found and raises the signal again
(PLATFORM.md "Lessons"), which would kill the process before any `finally`; so `serve`
installs handlers first that turn the signal into `SystemExit(0)`, and the clean-up runs.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import os
import signal
import threading
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import Any

import uvicorn
from slack_bolt.async_app import AsyncApp

from bot.dialogs.worker import DialogWorker
from bot.metrics import Metrics
from bot.readiness import ReadinessProbe
from bot.reminders.runner import make_tick, utc_now
from bot.reminders.scheduler import Ticker, scheduler
from bot.settings import Settings
from bot.store.db import make_engine
from bot.store.lifecycle import purge_job
from bot.store.transactions import ErrorTally, watch_errors
from bot.web import create_web_app
from bot.workers import Deps, make_slow_lane, make_worker
from iso20k_core.standard import checked_bank

log = logging.getLogger(__name__)
# A young-generation collection every 700 allocations (Python's default) sweeps the whole
# heap often enough under load to stall acknowledgements by ~100 ms now and then (measured
# with benchmarks/slack_latency.py); web servers raise it and freeze what start-up made.
GC_THRESHOLDS = (100_000, 50, 100)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
STOP_SECONDS = 10  # the promise (README "Configuration"); the parts below add up to less
GRACEFUL_SECONDS = 3  # uvicorn: requests in flight (Slack gives up after 3 s anyway)
DRAIN_SECONDS = 1.5  # background tasks waiting for a worker when the server stops
WORKER_GRACE = 3.0  # dialog steps running when the server stops, then their processes end
TICK_GRACE = 2.0  # a reminder tick in progress; its claims are taken over after the lease


def tune_gc() -> None:
    """Call once everything long-lived exists: it is then never scanned again."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def exit_on_stop_signals(on_stop: Callable[[], None] | None = None) -> None:
    """SIGTERM and SIGINT end the process through `SystemExit(0)`, so every `finally` runs;
    with `on_stop`, they call it instead, for a loop that can end itself. An exception raised
    into whatever the main thread is doing can be swallowed there: APScheduler's blocking
    loop catches BaseException while it submits a job, and the worker then ran on."""

    def stop(signum: int, frame: FrameType | None) -> None:
        log.info("%s: stopping", signal.Signals(signum).name)
        if on_stop is None:
            raise SystemExit(0)
        on_stop()

    for sig in STOP_SIGNALS:
        signal.signal(sig, stop)


def ignore_stop_signals() -> None:
    """While cleaning up: a second signal must not cut the clean-up short."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


def serve(settings: Settings, host: str = "0.0.0.0") -> None:
    if not logging.getLogger().handlers:  # called without the CLI, which configures it
        from bot.logs import configure

        level = settings.log_level or "INFO"
        configure(settings.log_format or "json", level, settings.secret_values())
    exit_on_stop_signals()
    if not (settings.slack or settings.teams):
        log.warning("no Slack or Teams credentials: serving only /healthz")
        run_http(create_web_app(None), host, settings.port)
        return
    engine = make_engine(settings.database_url, settings.pool)
    metrics = Metrics()  # its own registry: the process's /metrics
    metrics.watch_outbox(engine, utc_now)
    database_errors = ErrorTally()
    watch_errors(engine, database_errors)
    metrics.watch_database(database_errors, "web")
    deps: Deps | None = None
    ticker: Ticker | None = None
    try:
        bank = checked_bank()
        processes = settings.dialog_processes
        # Both lanes start and warm their processes on supervisor threads, off the event
        # loop; /healthz says 503 "… workers starting" until they serve.
        interactive = make_worker(
            settings, engine, bank, os.cpu_count() or 1 if processes is None else processes
        )
        slow = make_slow_lane(settings, engine, bank)
        metrics.watch_workers(interactive, slow.worker)
        deps = Deps(
            engine=engine,
            bank=bank,
            worker=metrics.timed(interactive),
            slow=slow,
            locale=settings.iso20k_locale,
        )
        metrics.watch_repeats(deps.in_flight)
        slack = None
        if settings.slack:
            from bot.slack.app import build_app

            slack = build_app(settings, deps)
        teams = None
        if settings.teams:
            from bot.teams.app import build_endpoint

            teams = build_endpoint(settings, deps)
            log.info("Teams: serving POST /api/messages")
        if settings.reminders_in_web:  # the embedded default: one process does everything
            tick = metrics.observe_tick(make_tick(settings, engine, bank))
            purge = purge_job(engine, settings.data_retention_days, utc_now)
            ticker = scheduler(tick, settings.reminder_tick_seconds, blocking=False, purge=purge)
            ticker.start()
        tune_gc()
        drain = functools.partial(deps.background.drain, DRAIN_SECONDS)
        if slack is not None and settings.slack_app_token and teams is None:
            log.info("Slack Socket Mode: no public URL needed")
            asyncio.run(socket_mode(slack, settings.slack_app_token, drain))
        else:
            web = create_web_app(
                slack,
                teams=teams,
                files=engine,
                health=deps.health,
                on_shutdown=drain,
                locale=settings.iso20k_locale,
                readiness=ReadinessProbe(engine, deps.health),
                metrics=metrics,
                metrics_token=settings.metrics_token,
            )
            run_http(web, host, settings.port)
    finally:
        ignore_stop_signals()
        # Each lane's running steps and the reminder tick get their grace at the same time.
        closing = [] if deps is None else start_closing(deps.worker, deps.slow)
        tick_done = ticker is None or ticker.stop(TICK_GRACE)
        for thread in closing:
            thread.join()
        engine.dispose()
        log.info("stopped")
        if not tick_done:
            # The tick's thread would hold the interpreter's exit; its claims are safe.
            log.warning("a reminder tick was still running; its claims expire with the lease")
            logging.shutdown()
            os._exit(0)


def start_closing(*workers: DialogWorker | None) -> list[threading.Thread]:
    """Close each worker on a thread of its own; join them to wait until all are closed."""
    closing = [threading.Thread(target=w.close) for w in workers if w is not None]
    for thread in closing:
        thread.start()
    return closing


def run_http(app: Any, host: str, port: int) -> None:
    # log_config=None: uvicorn's lines go through our handler (bot/logs.py), not its own.
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        log_level=logging.getLogger().getEffectiveLevel(),
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )


async def socket_mode(
    slack: AsyncApp, app_token: str, drain: Callable[[], Awaitable[object]]
) -> None:
    """Serve Slack over its WebSocket until SIGTERM or SIGINT, then close it and `drain` the
    background work its requests started."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    handler = AsyncSocketModeHandler(slack, app_token)
    connecting = asyncio.create_task(handler.connect_async())  # type: ignore[no-untyped-call]
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if connecting.done():
            connecting.result()  # a failed connection ends `serve` with its error
            log.info("Slack Socket Mode: connected")
            await stopping
    finally:
        connecting.cancel()
        stopping.cancel()
        await handler.close_async()  # type: ignore[no-untyped-call]
        await drain()
