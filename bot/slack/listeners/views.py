"""Modal submissions: validate, save, and answer in the acknowledgement itself.

A view submission must be answered within 3 s with what happens to the modal: inline errors
(`response_action="errors"`), the next page (`update`), or close. Saving is quick (one
transaction), so it happens before the ack; anything slow is posted afterwards.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.dialogs.commands import handle_submit
from bot.dialogs.model import Form, Message
from bot.slack.blocks import modal_view, read_metadata, submitted_values
from bot.slack.delivery import apologise, send_message
from bot.slack.deps import SlackDeps

log = logging.getLogger(__name__)
MAX_ERROR = 2000


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def submission(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await view_submitted(deps, ack, body, view, client)

    app.view(re.compile(r"^iso20k:"))(submission)


async def view_submitted(
    deps: SlackDeps,
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
) -> None:
    user_id = body["user"]["id"]
    team_id = (body.get("team") or {}).get("id") or view.get("team_id", "")
    meta = read_metadata(view)
    kind = str(meta.get("kind", ""))
    state = {str(k): str(v) for k, v in (meta.get("state") or {}).items()}
    raw = submitted_values(view)
    try:
        outcome = await asyncio.to_thread(
            deps.run, team_id, user_id, lambda ctx: handle_submit(ctx, kind, state, raw)
        )
    except Exception:
        log.exception("submission of %s failed", kind)
        await ack()
        await apologise(client, user_id, None)
        return
    if outcome.errors:
        await ack(
            response_action="errors", errors={k: v[:MAX_ERROR] for k, v in outcome.errors.items()}
        )
        return
    extras = {k: v for k, v in meta.items() if k not in ("kind", "state")}
    if isinstance(outcome.reply, Form):
        await ack(response_action="update", view=modal_view(outcome.reply, extras))
    else:
        await ack()
    for notice in outcome.notices:
        await send_message(client, notice.user_id, notice.message)
    if isinstance(outcome.reply, Message):
        await send_message(client, user_id, outcome.reply)
