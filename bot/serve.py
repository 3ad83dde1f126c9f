"""`iso20k serve`: the web app under uvicorn, or Slack Socket Mode when an app token is set."""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.deps import SlackDeps
from bot.store.db import make_engine
from bot.web import create_web_app
from iso20k_core.standard import load_bank

log = logging.getLogger(__name__)


def serve(settings: Settings, host: str = "0.0.0.0") -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    engine = make_engine(settings.database_url)
    deps = SlackDeps(engine=engine, bank=load_bank())
    slack = build_app(settings, deps) if settings.slack_bot_token else None
    if slack is not None and settings.slack_app_token:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        log.info("Slack Socket Mode: no public URL needed")
        handler = AsyncSocketModeHandler(slack, settings.slack_app_token)
        asyncio.run(handler.start_async())  # type: ignore[no-untyped-call]
        return
    if slack is None:
        log.warning("no SLACK_BOT_TOKEN: serving only /healthz")
    uvicorn.run(create_web_app(slack), host=host, port=settings.port, log_level="info")
