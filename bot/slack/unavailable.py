"""Handing a request to its lane, and what the web process itself tells the person when no
worker could take it: the slow lane was full (`LaneBusy`: nothing was done, ask again later),
the interactive lane could not have answered before a modal's trigger expired (`WorkerBusy`:
nothing was done, ask again in a moment), or no worker could run it (`WorkerUnavailable`: it
may or may not have been done).

This runs in the web process because the workers are what failed. It says no more than is
known: a worker killed after its step committed may have done it (bot/dialogs/worker.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.dialogs.admission import WorkerBusy
from bot.dialogs.apologies import UNAVAILABLE
from bot.dialogs.commands import may_answer_with_form
from bot.dialogs.lanes import BUSY, CROWDED, ONE_MOMENT, LaneBusy, preparing
from bot.dialogs.model import Message, Outcome
from bot.dialogs.worker import DialogRequest, WorkerUnavailable, translated
from bot.slack.blocks import fallback_text, message_blocks
from bot.slack.sender import Target, answer, deliver
from bot.workers import Deps
from iso20k_core.language import _, resolve, using

log = logging.getLogger(__name__)
APOLOGY_SECONDS = 2.0  # an apology sent while stopping gets this long
# A trigger_id opens a modal only within 3 s of Slack sending it; less the way there and back.
TRIGGER_WAIT = 2.5


async def answer_or_apologise(
    deps: Deps,
    request: DialogRequest,
    target: Target,
    client: AsyncWebClient | None,
    *,
    announce: bool = False,
) -> None:
    """Hand the request to its lane; if no worker can take it, apologise from here. With
    `announce` (a button: its acknowledgement carries no text) a slow request first gets its
    "preparing" line from the interactive lane. A repeat of a delivery still in flight here
    does nothing: the first answers (bot/dialogs/repeats.py)."""
    with deps.in_flight.acting(request.delivery) as first:
        if first:
            await _answer_or_apologise(deps, request, target, client, announce=announce)
        else:
            log.info(
                "%s %r repeated while in flight: not acted on again",
                request.operation,
                request.name,
            )


async def _answer_or_apologise(
    deps: Deps,
    request: DialogRequest,
    target: Target,
    client: AsyncWebClient | None,
    *,
    announce: bool,
) -> None:
    try:
        if announce and (note := _preparing(deps, request)) is not None:
            await deps.worker.call(deliver, Outcome(reply=note), target)
        lane = deps.lane(request)
        form = may_answer_with_form(request.operation, request.name, request.text)
        if target.trigger_id and lane is deps.worker and form:
            # The answer may be a modal, which its trigger opens only within 3 s: if the
            # lane could not answer by then, saying "busy" now beats a modal that never opens.
            # Any other answer goes to the response_url, which waits for it.
            await lane.call(answer, request, target, within=TRIGGER_WAIT)
        else:
            await lane.call(answer, request, target)
    except WorkerBusy as exc:
        log.warning("%s %r not started: %s", request.operation, request.text or request.name, exc)
        await apologise(target, client, CROWDED, locale=deps.locale)
    except LaneBusy as exc:
        log.warning("%s %r not started: %s", request.operation, request.text or request.name, exc)
        await apologise(target, client, BUSY, locale=deps.locale)
    except WorkerUnavailable as exc:
        log.warning("%s %r not done: %s", request.operation, request.text or request.name, exc)
        await apologise(target, client, locale=deps.locale)
    except asyncio.CancelledError:  # the server is stopping before the work was done
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(apologise(target, client, locale=deps.locale), APOLOGY_SECONDS)
        raise


def _preparing(deps: Deps, request: DialogRequest) -> Message | None:
    """A slow request's "preparing" line, written here before any worker knows the person:
    in the deployment's language."""
    with using(resolve(deps.locale)):
        note = preparing(request)
        return None if note is None else Message(_(ONE_MOMENT), note)


async def apologise(
    target: Target,
    client: AsyncWebClient | None,
    message: Message = UNAVAILABLE,
    *,
    locale: str | None = None,
) -> None:
    """Where the person asked (ephemeral), else in the app's direct messages; best effort.
    Written in the answer's language if known, else the deployment's (`locale`)."""
    with using(resolve(target.language, locale)):
        shown = translated(message)
        text, blocks = fallback_text(shown), message_blocks(shown)
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
