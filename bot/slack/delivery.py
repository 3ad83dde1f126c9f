"""Send an outcome to Slack: forms open as modals, messages go back to the person."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.dialogs.model import Form, Message, Outcome
from bot.slack.blocks import fallback_text, message_blocks, modal_view

log = logging.getLogger(__name__)

APOLOGY = Message(
    heading="Sorry, that did not work",
    text="Something went wrong on our side; nothing you entered was lost. Please try again in "
    "a minute.",
    tone="error",
)


async def send_message(
    client: AsyncWebClient, user_id: str, message: Message, respond: AsyncRespond | None = None
) -> None:
    """Reply where the person asked (ephemeral, via response_url) or else in a direct message."""
    blocks = message_blocks(message)
    text = fallback_text(message)
    if respond is not None:
        await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
    else:
        await client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


async def deliver(
    client: AsyncWebClient,
    outcome: Outcome,
    *,
    user_id: str,
    trigger_id: str | None = None,
    respond: AsyncRespond | None = None,
    metadata: dict[str, Any] | None = None,
) -> None:
    for notice in outcome.notices:
        try:
            await send_message(client, notice.user_id, notice.message)
        except SlackApiError as exc:  # one unreachable person must not lose the others' notices
            log.warning("could not notify %s: %s", notice.user_id, exc.response.get("error"))
    reply = outcome.reply
    if isinstance(reply, Form):
        if trigger_id is None:
            await send_message(
                client,
                user_id,
                Message(heading=reply.title, text="Open it again from /iso20k.", tone="warning"),
                respond,
            )
            return
        await client.views_open(trigger_id=trigger_id, view=modal_view(reply, metadata))
    elif isinstance(reply, Message):
        await send_message(client, user_id, reply, respond)


async def apologise(client: AsyncWebClient, user_id: str, respond: AsyncRespond | None) -> None:
    try:
        await send_message(client, user_id, APOLOGY, respond)
    except Exception:  # the apology is best effort; the original error is already logged
        log.exception("could not apologise to %s", user_id)
