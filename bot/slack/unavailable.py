"""When no dialog worker can run a command or a button (`WorkerUnavailable`), the web
process itself tells the person, honestly: the step may or may not have been done.

This runs in the web process because the workers are what failed. It says no more than is
known: a worker killed after its step committed may have done it (bot/dialogs/worker.py).
"""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.dialogs.model import Message
from bot.dialogs.worker import DialogRequest, WorkerUnavailable
from bot.slack.blocks import fallback_text, message_blocks
from bot.slack.deps import SlackDeps
from bot.slack.sender import Target, answer

log = logging.getLogger(__name__)

UNAVAILABLE = Message(
    heading="Sorry, that could not be finished",
    text="Part of the assistant was restarting while it worked on your request, so it may or "
    "may not have been done. Please check (for instance with /iso20k status) and try again "
    "in a minute.",
    tone="error",
)


async def answer_or_apologise(
    deps: SlackDeps, request: DialogRequest, target: Target, client: AsyncWebClient | None
) -> None:
    """Hand the request to the worker; if no worker can run it, apologise from here."""
    try:
        await deps.worker.call(answer, request, target)
    except WorkerUnavailable as exc:
        log.warning("%s %r not done: %s", request.operation, request.text or request.name, exc)
        await apologise(target, client)


async def apologise(target: Target, client: AsyncWebClient | None) -> None:
    """Where the person asked (ephemeral), else in the app's direct messages; best effort."""
    text, blocks = fallback_text(UNAVAILABLE), message_blocks(UNAVAILABLE)
    try:
        if target.response_url:
            webhook = AsyncWebhookClient(target.response_url)
            await webhook.send(
                text=text, blocks=blocks, response_type="ephemeral", replace_original=False
            )
        elif client is not None and not target.home:
            await client.chat_postMessage(channel=target.user_id, text=text, blocks=blocks)
    except Exception:
        log.exception("could not apologise to %s", target.user_id)
