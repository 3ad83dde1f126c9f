"""`/iso20k …`: acknowledge at once, then run the dialog and answer."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.dialogs.commands import handle_command
from bot.slack.delivery import apologise, deliver
from bot.slack.deps import SlackDeps

COMMAND = "/iso20k"
log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def iso20k(
        ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await iso20k_command(deps, ack, command, client, respond)

    app.command(COMMAND)(iso20k)


async def iso20k_command(
    deps: SlackDeps,
    ack: AsyncAck,
    command: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    # Slack shows a timeout after 3 s: acknowledge first, work after (PLATFORM.md).
    await ack()
    user_id = command["user_id"]
    try:
        outcome = await asyncio.to_thread(
            deps.run,
            command["team_id"],
            user_id,
            lambda ctx: handle_command(ctx, command.get("text", "")),
            command.get("team_domain"),
        )
        await deliver(
            client,
            outcome,
            user_id=user_id,
            trigger_id=command.get("trigger_id"),
            respond=respond,
            metadata={"channel": command.get("channel_id")},
        )
    except Exception:
        log.exception("/iso20k %r failed", command.get("text"))
        await apologise(client, user_id, respond)
