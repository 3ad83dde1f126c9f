"""`iso20k serve`: the web app under uvicorn, or Slack Socket Mode when an app token is set."""

from __future__ import annotations

import asyncio
import gc
import logging
import os

import uvicorn

from bot.reminders.runner import make_tick
from bot.reminders.scheduler import scheduler
from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.deps import SlackDeps, make_worker
from bot.store.db import make_engine
from bot.web import create_web_app
from iso20k_core.standard import load_bank

log = logging.getLogger(__name__)
# A young-generation collection every 700 allocations (Python's default) sweeps the whole
# heap often enough under load to stall acknowledgements by ~100 ms now and then (measured
# with benchmarks/slack_latency.py); web servers raise it and freeze what start-up made.
GC_THRESHOLDS = (100_000, 50, 100)


def tune_gc() -> None:
    """Call once everything long-lived exists: it is then never scanned again."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def serve(settings: Settings, host: str = "0.0.0.0") -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if not settings.slack_bot_token:
        log.warning("no SLACK_BOT_TOKEN: serving only /healthz")
        uvicorn.run(create_web_app(None), host=host, port=settings.port, log_level="info")
        return
    engine = make_engine(settings.database_url)
    bank = load_bank()
    processes = settings.dialog_processes
    worker = make_worker(
        settings, engine, bank, os.cpu_count() or 1 if processes is None else processes
    )
    deps = SlackDeps(engine=engine, bank=bank, worker=worker)
    slack = build_app(settings, deps)
    ticker = None
    if settings.reminders_in_web:  # the embedded default: one process does everything
        ticker = scheduler(
            make_tick(settings, engine, bank), settings.reminder_tick_seconds, blocking=False
        )
        ticker.start()
    tune_gc()
    try:
        if settings.slack_app_token:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            log.info("Slack Socket Mode: no public URL needed")
            handler = AsyncSocketModeHandler(slack, settings.slack_app_token)
            asyncio.run(handler.start_async())  # type: ignore[no-untyped-call]
        else:
            uvicorn.run(create_web_app(slack), host=host, port=settings.port, log_level="info")
    finally:
        if ticker is not None:
            ticker.shutdown(wait=False)
        worker.close()
        engine.dispose()
