"""Events API: the App Home tab shows the same dashboard as `/iso20k status`."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.slack.deps import event_key
from bot.slack.sender import Target
from bot.slack.tenant import requester_of
from bot.slack.unavailable import answer_or_apologise
from bot.workers import Deps


def register(app: AsyncApp, deps: Deps) -> None:
    async def home_opened(body: dict[str, Any], event: dict[str, Any]) -> None:
        await app_home_opened(deps, body, event)

    app.event("app_home_opened")(home_opened)


async def app_home_opened(deps: Deps, body: dict[str, Any], event: dict[str, Any]) -> None:
    if event.get("tab", "home") != "home":
        return
    requester = requester_of(body)
    if requester is None:  # belongs to no organisation: there is nobody to show a tab to
        return
    # Slack retries an event it thinks we missed; each event id is acted on once. If no
    # worker can draw the tab, it keeps what it showed; nothing else to tell.
    request = deps.request(
        "slack", "home", requester.workspace, requester.user_id, delivery=event_key(body)
    )
    target = Target(user_id=requester.user_id, home=True)
    deps.background.start(answer_or_apologise(deps, request, target, None), "app_home_opened")
