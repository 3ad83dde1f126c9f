"""`POST /api/messages`: verify, read, answer at once; a worker does the rest.

The Bot Connector posts every activity here with a bearer token. In the web process, in this
order: the body is bounded and parsed, the token is verified (bot/teams/auth.py; on a
thread when that needs the identity provider's keys or metadata, else in place: a thread
hop per request let a burst of Slack requests reach the workers first), the activity is
read into a `Turn` (bot/teams/activity.py), and the turn is handed to its lane in a
background task; the answer is 202 at once, as Slack's acknowledgement is. Nothing reaches a
dialog unauthenticated: a missing, expired, wrongly signed or wrongly addressed token is 401
and nothing is touched.

Why not the Agents SDK's `CloudAdapter.process`: it answers the HTTP request only after the
whole turn ran (a message would wait for its evaluation and the connector round trips), its
default error handler posts the exception's text into the chat, and its token validator
fixes Microsoft's public-cloud key URL in code (PLATFORM.md). The SDK's activity schema and
connector client are used; the turn pipeline around them is this module and sender.py.

Invokes the bot does not use are answered 200 with an empty body: an unanswered invoke is a
501 that Teams shows as "Unable to reach app".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot import logs
from bot.dialogs.apologies import UNAVAILABLE
from bot.dialogs.lanes import BUSY, ONE_MOMENT, LaneBusy, preparing
from bot.dialogs.model import Message, Outcome
from bot.dialogs.worker import DialogRequest, WorkerUnavailable, translated
from bot.teams.activity import NotAnActivity, Turn, read_turn
from bot.teams.auth import TokenRefused, TokenVerifier
from bot.teams.cards import ButtonPress, FormSubmission, message_card, read_submission
from bot.teams.connector import Connector
from bot.teams.sender import answer, card_activity, deliver
from bot.workers import Deps
from iso20k_core.language import _, resolve, using

log = logging.getLogger(__name__)
MAX_BODY = 256 * 1024  # an activity, even a card submission, is a few KB
APOLOGY_SECONDS = 5.0
Apologise = Callable[[Turn, Message], Awaitable[None]]


class TeamsEndpoint:
    def __init__(
        self,
        deps: Deps,
        verifier: TokenVerifier | None,
        connector: Connector,
        *,
        app_id: str | None = None,
        tenant_id: str | None = None,
    ) -> None:
        # No verifier: TEAMS_ALLOW_ANONYMOUS, local development only (bot/settings.py).
        self.deps = deps
        self.verifier = verifier
        self.connector = connector
        self.app_id = app_id
        self.tenant_id = tenant_id or None  # a single-tenant bot answers its tenant only

    async def handle(self, request: Request) -> Response:
        # Every line logged for this activity, and by the tasks it starts, names it.
        with logs.bound(platform="teams", request_id=logs.new_request_id()):
            response = await self._handle(request)
            logs.requests.info("teams activity: %d", response.status_code)
            return response

    async def _handle(self, request: Request) -> Response:
        body = await _bounded_body(request)
        if body is None:
            return _refuse(413, "the activity is too large")
        try:
            data = json.loads(body)
        except ValueError:
            return _refuse(400, "the body is not JSON")
        if not isinstance(data, dict):
            return _refuse(400, "the body is not an activity")
        request.state.kind = data.get("type")  # for bot/metrics.py, which keeps known kinds
        if self.verifier is not None:
            service_url = data.get("serviceUrl")
            header = request.headers.get("authorization")
            url = service_url if isinstance(service_url, str) else None
            try:
                if self.verifier.needs_fetch(header):  # the first of the day, a new key
                    await asyncio.to_thread(self.verifier.verify, header, url)
                else:
                    self.verifier.verify(header, url)
            except TokenRefused as refused:
                log.info("activity refused: %s", refused)
                return _refuse(401, "unauthorized")
        try:
            turn = read_turn(data, self.app_id)
        except NotAnActivity as exc:
            return _refuse(400, str(exc))
        if turn is None:
            return JSONResponse({}) if data.get("type") == "invoke" else Response(status_code=200)
        logs.bind(organisation=turn.tenant_id)
        if self.tenant_id is not None and turn.tenant_id != self.tenant_id:
            log.warning("activity from tenant %s refused: single-tenant bot", turn.tenant_id)
            return _refuse(403, "this bot serves one tenant")
        dialog = self._request(turn)
        if dialog is None:
            return Response(status_code=200)  # a card of someone else's
        self.deps.background.start(
            answer_or_apologise(self.deps, dialog, turn, self.apologise), f"teams {turn.kind}"
        )
        return Response(status_code=202)

    def _request(self, turn: Turn) -> DialogRequest | None:
        key = turn.delivery_key()
        if turn.kind == "installed":  # the worker greets; no dialog step runs for it
            return self.deps.request("teams", "command", turn.tenant_id, "", text="help")
        if turn.kind == "message":
            return self.deps.request(
                "teams", "command", turn.tenant_id, turn.user_aad_id, text=turn.text, delivery=key
            )
        submitted = read_submission(turn.value)
        if isinstance(submitted, ButtonPress):
            return self.deps.request(
                "teams",
                "action",
                turn.tenant_id,
                turn.user_aad_id,
                name=submitted.action,
                text=submitted.value,
                delivery=key,
            )
        if isinstance(submitted, FormSubmission):
            return self.deps.request(
                "teams",
                "submit",
                turn.tenant_id,
                turn.user_aad_id,
                name=submitted.form,
                state=submitted.state,
                raw=submitted.values,
                delivery=key,
            )
        return None

    def close(self) -> None:
        self.connector.close()

    async def apologise(self, turn: Turn, message: Message) -> None:
        """From the web process, when no worker could take the turn; best effort. In the
        turn's language (Teams sends the client's locale), else the deployment's."""
        with using(resolve(turn.locale, self.deps.locale)):
            message = translated(message)
            activity = card_activity(message_card(message), message)
        reply_to = None if turn.kind == "submission" else turn.activity_id or None
        try:
            await asyncio.to_thread(self.connector.send, turn.conversation, activity, reply_to)
        except Exception:
            log.exception("could not apologise in %s", turn.conversation.id)


async def answer_or_apologise(
    deps: Deps, request: DialogRequest, turn: Turn, apologise: Apologise
) -> None:
    """Hand the turn to its lane (a slow one first gets its "preparing" line from the
    interactive lane); if no worker can take it, apologise from here. A repeat of a turn
    still in flight here does nothing: the first answers (bot/dialogs/repeats.py)."""
    with deps.in_flight.acting(request.delivery) as first:
        if first:
            await _answer_or_apologise(deps, request, turn, apologise)
        else:
            log.info("teams %s repeated while in flight: not acted on again", request.operation)


async def _answer_or_apologise(
    deps: Deps, request: DialogRequest, turn: Turn, apologise: Apologise
) -> None:
    try:
        with using(resolve(turn.locale, deps.locale)):
            note = preparing(request)
            moment = None if note is None else Outcome(reply=Message(_(ONE_MOMENT), note))
        if moment is not None:
            await deps.worker.call(deliver, moment, turn, request.now)
        await deps.lane(request).call(answer, request, turn)
    except LaneBusy as exc:
        log.warning("teams %s not started: %s", request.operation, exc)
        await apologise(turn, BUSY)
    except WorkerUnavailable as exc:
        log.warning("teams %s not done: %s", request.operation, exc)
        await apologise(turn, UNAVAILABLE)
    except asyncio.CancelledError:  # the server is stopping before the work was done
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(apologise(turn, UNAVAILABLE), APOLOGY_SECONDS)
        raise


async def _bounded_body(request: Request) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _refuse(status: int, reason: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status)
