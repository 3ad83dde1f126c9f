"""Buttons: every button of ours carries `action|value` and maps to a dialog action."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.dialogs.commands import handle_action
from bot.slack.blocks import BUTTON_PREFIX
from bot.slack.delivery import apologise, deliver
from bot.slack.deps import SlackDeps

log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def button(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await button_pressed(deps, ack, body, action, client, respond)

    app.action(re.compile(f"^{re.escape(BUTTON_PREFIX)}"))(button)


async def button_pressed(
    deps: SlackDeps,
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    await ack()
    user_id = body["user"]["id"]
    team_id = (body.get("team") or {}).get("id") or body["user"].get("team_id", "")
    name, _, value = str(action.get("value", "")).partition("|")
    # Buttons on the Home tab have no response_url: answer those in a direct message.
    reply_to = respond if body.get("response_url") else None
    try:
        outcome = await asyncio.to_thread(
            deps.run, team_id, user_id, lambda ctx: handle_action(ctx, name, value)
        )
        channel = (body.get("channel") or {}).get("id")
        await deliver(
            client,
            outcome,
            user_id=user_id,
            trigger_id=body.get("trigger_id"),
            respond=reply_to,
            metadata={"channel": channel},
        )
    except Exception:
        log.exception("button %s failed", name)
        await apologise(client, user_id, reply_to)
