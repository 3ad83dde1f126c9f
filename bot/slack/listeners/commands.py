"""`/iso20k …`: acknowledge at once; the worker runs the dialog and answers.

A repeat of a command already acted on (the same trigger_id: a replay or a retry) gets the
same acknowledgement and nothing else: no reply, no direct message, no change.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.dialogs.files import PREPARING
from bot.slack.blocks import COMMAND
from bot.slack.deps import SlackDeps, command_key
from bot.slack.sender import Target
from bot.slack.tenant import NO_WORKSPACE, requester_of
from bot.slack.unavailable import answer_or_apologise


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def iso20k(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        await iso20k_command(deps, ack, command, client)

    app.command(COMMAND)(iso20k)


async def iso20k_command(
    deps: SlackDeps, ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient | None = None
) -> None:
    requester = requester_of(command)
    if requester is None:
        await ack(text=NO_WORKSPACE.text)
        return
    # Slack shows a timeout after 3 s: acknowledge first, work after (PLATFORM.md). Files
    # take a moment, so their acknowledgement says so.
    text = command.get("text", "")
    if text.split()[:1] in (["report"], ["export"]):
        await ack(text=PREPARING)
    else:
        await ack()
    request = deps.request(
        "command",
        requester.workspace,
        requester.user_id,
        text=command.get("text", ""),
        team_name=command.get("team_domain"),
        delivery=command_key(requester.workspace, command),
    )
    target = Target(
        user_id=requester.user_id,
        trigger_id=command.get("trigger_id"),
        response_url=command.get("response_url"),
        metadata={"channel": command.get("channel_id")},
    )
    await answer_or_apologise(deps, request, target, client)
