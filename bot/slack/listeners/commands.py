"""`/iso20k …`: acknowledge at once; the worker runs the dialog and answers.

The acknowledgement goes out as soon as this listener returns (the app processes before
responding, bot/slack/app.py), so the dialog is handed to its lane in a background task.

A repeat of a command already acted on (the same trigger_id: a replay or a retry) gets the
same acknowledgement and nothing else: no reply, no direct message, no change.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.dialogs.lanes import preparing
from bot.dialogs.worker import translated
from bot.slack.blocks import COMMAND
from bot.slack.deps import command_key
from bot.slack.sender import Target
from bot.slack.tenant import NO_WORKSPACE, requester_of
from bot.slack.unavailable import answer_or_apologise
from bot.workers import Deps
from iso20k_core.language import resolve, using


def register(app: AsyncApp, deps: Deps) -> None:
    async def iso20k(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        await iso20k_command(deps, ack, command, client)

    app.command(COMMAND)(iso20k)


async def iso20k_command(
    deps: Deps, ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient | None = None
) -> None:
    requester = requester_of(command)
    if requester is None:
        with using(resolve(deps.locale)):
            refused = translated(NO_WORKSPACE).text
        await ack(text=refused)
        return
    request = deps.request(
        "slack",
        "command",
        requester.workspace,
        requester.user_id,
        text=command.get("text", ""),
        team_name=command.get("team_domain"),
        delivery=command_key(requester.workspace, command),
    )
    # Slack shows a timeout after 3 s: acknowledge first, work after (PLATFORM.md). Slow
    # requests (files, charts: bot/dialogs/lanes.py) take a moment, and their
    # acknowledgement says so.
    with using(resolve(deps.locale)):  # no worker knows the person's language yet
        note = preparing(request)
    await (ack(text=note) if note is not None else ack())
    target = Target(
        user_id=requester.user_id,
        trigger_id=command.get("trigger_id"),
        response_url=command.get("response_url"),
        metadata={"channel": command.get("channel_id")},
    )
    deps.background.start(
        answer_or_apologise(deps, request, target, client), f"/iso20k {request.text[:40]}"
    )
