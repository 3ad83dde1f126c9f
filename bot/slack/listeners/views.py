"""Modal submissions: validate, save, and answer in the acknowledgement itself.

A view submission must be answered within 3 s with what happens to the modal: inline errors
(`response_action="errors"`), the next page (`update`), or close. Saving is quick (one
transaction, retried briefly if the database is away: bot.store.transactions), so it happens
before the ack, always in the interactive lane (bot/dialogs/lanes.py): no report waits ahead
of it. Anything to post afterwards goes in a background task, since the acknowledgement
leaves only when this listener returns (bot/slack/app.py).

Past capacity, a save that could not be answered within Slack's wait is not started: the
modal stays open and says the service is busy and nothing was saved (bot/dialogs/admission.py).
When the save fails all the same, the modal stays open with everything the person entered
(an `errors` answer keeps the view and its values) and says to press the button again: a
closed modal would have discarded their answers. A repeat of a submission (a double click, a
replay) gets the same answer for the modal again and nothing else: from the first's run while
that is in flight (bot/dialogs/repeats.py), else from the record of deliveries.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.dialogs.admission import WorkerBusy
from bot.dialogs.model import Form, Outcome
from bot.dialogs.worker import modal_answer, translated
from bot.slack.blocks import modal_view, notice_view, read_metadata, submitted_values
from bot.slack.deps import submission_key
from bot.slack.sender import (
    NOT_SAVED,
    Target,
    deliver,
    not_saved,
    not_saved_busy,
    not_saved_yet,
    perform_submission,
)
from bot.slack.tenant import NO_WORKSPACE, requester_of
from bot.store.transactions import StoreUnavailable
from bot.workers import Deps
from iso20k_core.language import _p, resolve, using

log = logging.getLogger(__name__)
MAX_ERROR = 2000
SUBMIT_WAIT = 2.5  # seconds: Slack's 3 s for a view submission, less the way there and back


def register(app: AsyncApp, deps: Deps) -> None:
    async def submission(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        await view_submitted(deps, ack, body, view)

    app.view(re.compile(r"^iso20k:"))(submission)


async def view_submitted(
    deps: Deps, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]
) -> None:
    requester = requester_of(body)
    if requester is None:  # the modal says so instead of closing as if it had been saved
        with using(resolve(deps.locale)):
            shown = notice_view(translated(NO_WORKSPACE))
        await ack(response_action="update", view=shown)
        return
    meta = read_metadata(view)
    kind = str(meta.get("kind", ""))
    state = {str(k): str(v) for k, v in (meta.get("state") or {}).items()}
    request = deps.request(
        "slack",
        "submit",
        requester.workspace,
        requester.user_id,
        name=kind,
        state=state,
        raw=submitted_values(view),
        delivery=submission_key(requester.workspace, requester.user_id, view),
    )
    target = Target(user_id=requester.user_id, workspace=requester.workspace)
    try:
        # Slack waits 3 s for this answer. A save the workers could not answer by then is
        # not started at all (`within`): started late, it would finish after Slack gave up,
        # and the person's second press would cost a second step. A worker pool being
        # replaced may take longer than expected all the same (`wait_for`).
        answered, first = await asyncio.wait_for(
            deps.in_flight.shared(
                request.delivery,
                lambda: deps.worker.call(perform_submission, request, within=SUBMIT_WAIT),
            ),
            SUBMIT_WAIT,
        )
    except WorkerBusy as exc:  # nothing was started: the modal says so, and to press again
        log.warning("submission of %s not started: %s", kind, exc)
        await keep_the_modal_open(deps, ack, view, target, not_saved_busy)
        return
    except TimeoutError:  # it may still be saved: pressing again is safe (deduplicated)
        log.warning("submission of %s took longer than %.1f s", kind, SUBMIT_WAIT)
        await keep_the_modal_open(deps, ack, view, target, not_saved_yet)
        return
    except StoreUnavailable as exc:  # an outage is expected, and one line tells it
        log.warning("submission of %s not saved: %s", kind, exc)
        await keep_the_modal_open(deps, ack, view, target, not_saved)
        return
    except Exception:  # a worker, anything: the person's entries stay
        log.exception("submission of %s failed", kind)
        await keep_the_modal_open(deps, ack, view, target, not_saved)
        return
    # The modal's next page is rendered here, in the language the step wrote it in; what is
    # posted afterwards is rendered by a worker in the same language (`target.language`).
    outcome, language = answered.outcome, answered.language
    if not first:  # a repeat answers the modal as the first did; the first posts the rest
        outcome = modal_answer(outcome)
    target = dataclasses.replace(target, language=language.tag)
    if outcome.errors:
        await ack(
            response_action="errors", errors={k: v[:MAX_ERROR] for k, v in outcome.errors.items()}
        )
        return
    extras = {k: v for k, v in meta.items() if k not in ("kind", "state")}
    if isinstance(outcome.reply, Form):
        with using(language):
            page = modal_view(outcome.reply, extras)
        await ack(response_action="update", view=page)
        outcome = Outcome(notices=outcome.notices)
    else:
        await ack()
    if outcome.notices or outcome.reply is not None:
        deps.background.start(deps.worker.call(deliver, outcome, target), f"after {kind}")


async def keep_the_modal_open(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    target: Target,
    say: Callable[[str], str],
) -> None:
    """Answer a submission that could not be saved with an error on its first field: Slack
    keeps the modal and its values, and the person presses the submit button again. An
    `errors` key must be the block_id of one of the view's input blocks, or Slack refuses it."""
    first_input = next(
        (
            b["block_id"]
            for b in view.get("blocks", [])
            if b.get("type") == "input" and b.get("block_id")
        ),
        None,
    )
    if first_input is None:  # no field to hang the error on: the modal closes, say so
        await ack()
        with using(resolve(deps.locale)):
            sorry = Outcome(reply=translated(NOT_SAVED))
        deps.background.start(deps.worker.call(deliver, sorry, target), "not saved")
        return
    # The person's language is not known here (the worker that knows it failed): the
    # deployment's, and the button's own label, as the modal shows it.
    with using(resolve(deps.locale)):
        button = str((view.get("submit") or {}).get("text") or _p("button", "Save"))
        error = say(button)
    await ack(response_action="errors", errors={first_input: error})
