"""Events API: the App Home tab shows the same dashboard as `/iso20k status`."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.slack.deps import SlackDeps
from bot.slack.sender import Target, answer
from bot.slack.tenant import requester_of


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def home_opened(body: dict[str, Any], event: dict[str, Any]) -> None:
        await app_home_opened(deps, body, event)

    app.event("app_home_opened")(home_opened)


async def app_home_opened(deps: SlackDeps, body: dict[str, Any], event: dict[str, Any]) -> None:
    if event.get("tab", "home") != "home":
        return
    requester = requester_of(body)
    if requester is None:  # belongs to no organisation: there is nobody to show a tab to
        return
    # Slack retries an event it thinks we missed; handle each event id once.
    event_id = body.get("event_id")
    if event_id and not await asyncio.to_thread(deps.first_delivery, requester.workspace, event_id):
        return
    await deps.worker.call(
        answer,
        deps.request("home", requester.workspace, requester.user_id),
        Target(user_id=requester.user_id, home=True),
    )
