"""Events API: the App Home tab shows the same dashboard as `/iso20k status`."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.dialogs.model import Message, Outcome
from bot.dialogs.reports import status
from bot.slack.blocks import home_view
from bot.slack.deps import SlackDeps

log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def home_opened(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await app_home_opened(deps, body, event, client)

    app.event("app_home_opened")(home_opened)


async def app_home_opened(
    deps: SlackDeps, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient
) -> None:
    if event.get("tab", "home") != "home":
        return
    team_id = body.get("team_id", "")
    # Slack retries an event it thinks we missed; handle each event id once.
    event_id = body.get("event_id")
    if event_id and not await asyncio.to_thread(deps.first_delivery, team_id, event_id):
        return
    user_id = event["user"]
    outcome = await asyncio.to_thread(
        deps.run, team_id, user_id, lambda ctx: Outcome(reply=status(ctx))
    )
    if isinstance(outcome.reply, Message):
        await client.views_publish(user_id=user_id, view=home_view(outcome.reply))
