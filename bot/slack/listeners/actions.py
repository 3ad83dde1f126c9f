"""Buttons: every button of ours carries `action|value` and maps to a dialog action.

A repeat of a press already acted on (same container, action and action_ts) gets nothing.
The press is acknowledged when the listener returns; its dialog runs in a background task.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.dialogs.model import Outcome
from bot.dialogs.worker import translated
from bot.slack.blocks import BUTTON_PREFIX
from bot.slack.deps import action_key
from bot.slack.sender import Target, deliver
from bot.slack.tenant import NO_WORKSPACE, requester_of
from bot.slack.unavailable import answer_or_apologise
from bot.workers import Deps
from iso20k_core.language import resolve, using


def register(app: AsyncApp, deps: Deps) -> None:
    async def button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await button_pressed(deps, ack, body, action, client)

    app.action(re.compile(f"^{re.escape(BUTTON_PREFIX)}"))(button)


async def button_pressed(
    deps: Deps,
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient | None = None,
) -> None:
    await ack()
    requester = requester_of(body)
    if requester is None:  # answered where the click was, if Slack said where that is
        if body.get("response_url"):
            target = Target(user_id="", response_url=str(body["response_url"]))
            with using(resolve(deps.locale)):
                refused = Outcome(reply=translated(NO_WORKSPACE))
            work = deps.worker.call(deliver, refused, target)
            deps.background.start(work, "button without a workspace")
        return
    name, _, value = str(action.get("value", "")).partition("|")
    request = deps.request(
        "slack",
        "action",
        requester.workspace,
        requester.user_id,
        name=name,
        text=value,
        delivery=action_key(requester.workspace, requester.user_id, body, action),
    )
    target = Target(
        user_id=requester.user_id,
        trigger_id=body.get("trigger_id"),
        # Buttons on the Home tab have no response_url: answered in a direct message.
        response_url=body.get("response_url"),
        metadata={"channel": (body.get("channel") or {}).get("id")},
        workspace=requester.workspace,
    )
    deps.background.start(
        answer_or_apologise(deps, request, target, client, announce=True), f"button {name}"
    )
