"""The guard in front of Bolt on `POST /slack/events`: size, signature, then parsing.

Bolt parses a body before it checks the signature, so junk from anyone (a timestamp `abc`,
a body that is not JSON) ended in a 500 with a traceback, and a 5 MB body went whole into the
log. Here, in this order, before anything is parsed:

1. a body over `MAX_BODY` is answered 413 — from its Content-Length before a byte is read,
   and while reading when the length is absent (chunked) or wrong;
2. the timestamp must be a plain number of seconds within 5 minutes of now, and the
   signature `v0=HMAC-SHA256(secret, "v0:{ts}:{raw body}")` must match (docs.slack.dev
   "Verifying requests from Slack"; slack_sdk's `SignatureVerifier`, clock injectable):
   otherwise 401;
3. only then is the body parsed, by Bolt's own request class: a signed body Bolt cannot read
   (not JSON, no payload, no payload type) is answered 400. (A body that is not UTF-8 is
   401: Slack sends UTF-8, and the signature is computed over the text.)

Every refusal is logged in one short line (method, path, status, reason, size), never the
body or a header's value. Bolt verifies the signature again (`request_verification_enabled`)
with the same secret: the guard only makes sure nothing else gets that far.
"""

from __future__ import annotations

import logging
import re

from slack_bolt import BoltResponse
from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_sdk.signature import Clock, SignatureVerifier
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot import logs
from bot.slack.tenant import requester_of

log = logging.getLogger(__name__)

# Slack's payloads are far smaller: a modal view is refused over 250 kB (PLATFORM.md).
MAX_BODY = 1_000_000  # bytes
WINDOW = 5 * 60  # seconds either side of now (Slack's advice against replays)
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds; `1e9` or 400 digits are no timestamp
# A refused event must not come back: Slack retries non-2xx answers up to three times unless
# told not to (PLATFORM.md "Events API retries").
NO_RETRY = {"X-Slack-No-Retry": "1"}


class Rejected(Exception):
    def __init__(self, status: int, reason: str, size: int | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.size = status, reason, size


class SlackGuard:
    def __init__(self, slack: AsyncApp, clock: Clock | None = None) -> None:
        self.slack = slack
        self.clock = clock or Clock()
        # The secret Bolt was built with, so the guard and Bolt cannot disagree.
        self.verifier = SignatureVerifier(slack._signing_secret, self.clock)

    async def handle(self, request: Request) -> Response:
        # Every line logged for this request, and by the tasks it starts, names it.
        with logs.bound(platform="slack", request_id=logs.new_request_id()):
            try:
                body = await read_body(request)
                self.verify(request, body)
                bolt_request = parse(request, body)
                logs.bind(organisation=_organisation(bolt_request))
                answer = await dispatch(self.slack, bolt_request, len(body))
            except Rejected as refused:
                return reject(request, refused)
            logs.requests.info("slack %s: %d", _kind(bolt_request), answer.status)
            return to_starlette_response(answer)

    def verify(self, request: Request, body: bytes) -> None:
        timestamp = request.headers.get("x-slack-request-timestamp")
        signature = request.headers.get("x-slack-signature")
        if not timestamp or not signature:
            raise Rejected(401, "unsigned", len(body))
        if not TIMESTAMP.fullmatch(timestamp):
            raise Rejected(401, "malformed timestamp", len(body))
        if abs(self.clock.now() - int(timestamp)) > WINDOW:
            raise Rejected(401, "timestamp outside the 5-minute window", len(body))
        if not _utf8(body):  # Slack's bodies are; slack_sdk verifies text, so this cannot be
            raise Rejected(401, "body not UTF-8, so not signed by Slack", len(body))
        if not self.verifier.is_valid(body, timestamp, signature):
            raise Rejected(401, "bad signature", len(body))


def _organisation(request: AsyncBoltRequest) -> str | None:
    """The organisation's external id (`E1:T1` or `T1`), as the listeners file it."""
    requester = requester_of(request.body)
    return requester.workspace if requester else None


def _kind(request: AsyncBoltRequest) -> str:
    payload = request.body
    kind = payload.get("command") or payload.get("type") or "ssl_check"
    event = payload.get("event")
    if kind == "event_callback" and isinstance(event, dict):
        kind = f"event {event.get('type')}"
    return str(kind)


def _utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Rejected(413, "body too large", int(declared))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:  # no or a wrong Content-Length: stop reading here
            raise Rejected(413, "body too large", size)
        chunks.append(chunk)
    return b"".join(chunks)


def parse(request: Request, body: bytes) -> AsyncBoltRequest:
    """Bolt's request from a verified body, or 400 if Bolt could not read it."""
    try:
        bolt_request = AsyncBoltRequest(
            body=body.decode("utf-8"),
            query=request.url.query,
            headers={k: v for k, v in request.headers.items()},
        )
    except Exception as exc:  # Bolt's parser raises whatever json/urllib raise on junk
        raise Rejected(400, f"unreadable body ({exc.__class__.__name__})", len(body)) from None
    payload = bolt_request.body
    kind = payload.get("type") or payload.get("command") or payload.get("ssl_check")
    if not isinstance(kind, str):
        raise Rejected(400, "no payload type", len(body))
    request.state.kind = "command" if "command" in payload else kind  # for bot/metrics.py
    return bolt_request


async def dispatch(slack: AsyncApp, request: AsyncBoltRequest, size: int) -> BoltResponse:
    """Bolt's answer. Bolt catches what listeners raise; what escapes it is Bolt tripping
    over a payload of a shape Slack does not send (a view without a type): 400."""
    try:
        return await slack.async_dispatch(request)
    except Exception as exc:
        raise Rejected(
            400, f"payload Bolt cannot handle ({exc.__class__.__name__})", size
        ) from None


def reject(request: Request, refused: Rejected) -> Response:
    size = "unknown size" if refused.size is None else f"{refused.size} bytes"
    log.warning(
        "refused %s %s: %d %s (%s)",
        request.method,
        request.url.path,
        refused.status,
        refused.reason,
        size,
    )
    headers = NO_RETRY if refused.status in (400, 413) else None
    return PlainTextResponse(_ANSWERS[refused.status], refused.status, headers=headers)


_ANSWERS = {
    400: "Malformed request body.",
    401: "Invalid or missing Slack signature.",
    413: f"Request body over {MAX_BODY} bytes.",
}
