"""Events API: the App Home tab shows the same dashboard as `/iso20k status`."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.slack.deps import SlackDeps
from bot.slack.sender import Target
from bot.slack.unavailable import answer_or_apologise


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def home_opened(body: dict[str, Any], event: dict[str, Any]) -> None:
        await app_home_opened(deps, body, event)

    app.event("app_home_opened")(home_opened)


async def app_home_opened(deps: SlackDeps, body: dict[str, Any], event: dict[str, Any]) -> None:
    if event.get("tab", "home") != "home":
        return
    team_id = body.get("team_id", "")
    # Slack retries an event it thinks we missed; handle each event id once.
    event_id = body.get("event_id")
    if event_id and not await asyncio.to_thread(deps.first_delivery, team_id, event_id):
        return
    user_id = event["user"]
    # If no worker can draw it, the tab keeps what it showed; nothing else to tell.
    target = Target(user_id=user_id, home=True)
    await answer_or_apologise(deps, deps.request("home", team_id, user_id), target, None)
