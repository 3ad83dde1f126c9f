"""Buttons: every button of ours carries `action|value` and maps to a dialog action."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.dialogs.model import Outcome
from bot.slack.blocks import BUTTON_PREFIX
from bot.slack.deps import SlackDeps
from bot.slack.sender import Target, answer, deliver
from bot.slack.tenant import NO_WORKSPACE, requester_of


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def button(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await button_pressed(deps, ack, body, action)

    app.action(re.compile(f"^{re.escape(BUTTON_PREFIX)}"))(button)


async def button_pressed(
    deps: SlackDeps, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]
) -> None:
    await ack()
    requester = requester_of(body)
    if requester is None:  # answered where the click was, if Slack said where that is
        if body.get("response_url"):
            target = Target(user_id="", response_url=str(body["response_url"]))
            await deps.worker.call(deliver, Outcome(reply=NO_WORKSPACE), target)
        return
    name, _, value = str(action.get("value", "")).partition("|")
    request = deps.request("action", requester.workspace, requester.user_id, name=name, text=value)
    target = Target(
        user_id=requester.user_id,
        trigger_id=body.get("trigger_id"),
        # Buttons on the Home tab have no response_url: answered in a direct message.
        response_url=body.get("response_url"),
        metadata={"channel": (body.get("channel") or {}).get("id")},
    )
    await deps.worker.call(answer, request, target)
