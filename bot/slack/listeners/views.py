"""Modal submissions: validate, save, and answer in the acknowledgement itself.

A view submission must be answered within 3 s with what happens to the modal: inline errors
(`response_action="errors"`), the next page (`update`), or close. Saving is quick (one
transaction), so it happens before the ack; anything slow is posted afterwards.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.dialogs.model import Form, Outcome
from bot.dialogs.worker import perform
from bot.slack.blocks import modal_view, notice_view, read_metadata, submitted_values
from bot.slack.deps import SlackDeps
from bot.slack.sender import APOLOGY, Target, deliver
from bot.slack.tenant import NO_WORKSPACE, requester_of

log = logging.getLogger(__name__)
MAX_ERROR = 2000


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def submission(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        await view_submitted(deps, ack, body, view)

    app.view(re.compile(r"^iso20k:"))(submission)


async def view_submitted(
    deps: SlackDeps, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]
) -> None:
    requester = requester_of(body)
    if requester is None:  # the modal says so instead of closing as if it had been saved
        await ack(response_action="update", view=notice_view(NO_WORKSPACE))
        return
    meta = read_metadata(view)
    kind = str(meta.get("kind", ""))
    state = {str(k): str(v) for k, v in (meta.get("state") or {}).items()}
    request = deps.request(
        "submit",
        requester.workspace,
        requester.user_id,
        name=kind,
        state=state,
        raw=submitted_values(view),
    )
    target = Target(user_id=requester.user_id)
    try:
        outcome = await deps.worker.call(perform, request)
    except Exception:
        log.exception("submission of %s failed", kind)
        await ack()
        await deps.worker.call(deliver, Outcome(reply=APOLOGY), target)
        return
    if outcome.errors:
        await ack(
            response_action="errors", errors={k: v[:MAX_ERROR] for k, v in outcome.errors.items()}
        )
        return
    extras = {k: v for k, v in meta.items() if k not in ("kind", "state")}
    if isinstance(outcome.reply, Form):
        await ack(response_action="update", view=modal_view(outcome.reply, extras))
        outcome = Outcome(notices=outcome.notices)
    else:
        await ack()
    if outcome.notices or outcome.reply is not None:
        await deps.worker.call(deliver, outcome, target)
