"""The Bot Connector service a Teams bot posts to, faked over real HTTP.

Why a server and not a mocked client: what breaks in production lives in the HTTP layer — the
service URL's path prefix (``https://smba.trafficmanager.net/amer/``, which a client must keep),
the bearer token from the client-credentials grant, camelCase bodies, 429 with
``Retry-After``, 413 for an oversized message. Pointing the Agents SDK's own
`ConnectorClient(service_url, token)` at `FakeConnector.service_url` exercises all of them.

It refuses what the Bot Connector refuses, with its error shape ``{"error": {"code",
"message"}}``, so an app that breaks a rule fails here and not in front of a user:

- auth: unless the connector is anonymous (``tokens=None``, the Bot Framework Emulator), every
  request carries ``Authorization: Bearer`` with a token `FakeTokenService` issued to this
  app and not yet expired (401 ``Unauthorized``);
- paths: only under the service URL's prefix ``/amer/`` (404 otherwise);
- conversations: only those `open`ed by the test or created by the bot (404
  ``ConversationNotFound``); a 1:1 only with someone of the tenant's roster who has the app
  (400 ``BadArgument`` [? Teams' wording for another tenant's user, as reported by bot
  developers], 403 ``Forbidden`` when the app is not installed for them);
- activities: a ``message`` (with text or attachments) or ``typing``; every Adaptive Card valid
  1.5 (`tests.teams.schema.check_card`; 400 ``BadArgument``); the body at most 100 KB (413
  ``MessageSizeTooBig``, PLATFORM.md "Limits"); an update only of a message the bot sent in
  that conversation (404 ``NotFound`` [? the code the real service uses is not documented]).

A reply whose ``replyToId`` names no activity of the conversation is accepted, as Teams threads
loosely (proactive sends post to ``…/activities/{random id}``), and marked in `Sent`.

Every refusal the fake chose is recorded (`refusals`, with the reason), so `check_all` can show
that the app met none the test did not expect; answers the test asked for (`throttle`,
`failing`) are not refusals.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, TypeVar
from urllib.parse import unquote, urlsplit

from tests.localhttp import LocalService
from tests.teams.schema import check_card

from .identity import APP_ID
from .tokens import FakeTokenService

__all__ = [
    "ADAPTIVE_CARD",
    "MAX_MESSAGE_BYTES",
    "ConnectorRequest",
    "Conversation",
    "Created",
    "FakeConnector",
    "Person",
    "Refusal",
    "Sent",
    "Throttled",
    "Update",
]

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
MAX_MESSAGE_BYTES = 100 * 1024  # "a bot message up to about 100 KB" (PLATFORM.md "Limits")
PREFIX = "amer"  # the path prefix of the public cloud's Americas service URL

ConversationType = Literal["personal", "groupChat", "channel"]
T = TypeVar("T")


@dataclass(frozen=True)
class Person:
    """Someone in a tenant's roster. `installed` False: the app is not installed for them, so
    the bot cannot open a 1:1 with them (403, as Teams answers)."""

    teams_user_id: str
    aad_object_id: str
    name: str
    tenant_id: str
    upn: str | None = None
    email: str | None = None
    installed: bool = True

    def account(self) -> dict[str, Any]:
        """The TeamsChannelAccount the connector answers with (no UPN or email: left out)."""
        found = {
            "id": self.teams_user_id,
            "name": self.name,
            "aadObjectId": self.aad_object_id,
            "tenantId": self.tenant_id,
            "userPrincipalName": self.upn,
            "email": self.email,
            "userRole": "user",
        }
        return {k: v for k, v in found.items() if v is not None}


@dataclass
class Conversation:
    id: str
    tenant_id: str
    conversation_type: ConversationType
    members: list[str]  # Teams user ids ("29:…"); empty: the tenant's whole roster
    activity_ids: set[str] = field(default_factory=set)  # heard or sent: replies to them thread


@dataclass(frozen=True)
class ConnectorRequest:
    """One request as it arrived and how it was answered; `at` is on the connector's clock."""

    method: str
    path: str
    status: int
    at: float


@dataclass(frozen=True)
class Sent:
    """An activity the bot posted (send, reply, or the first message of a created 1:1).
    `reply_to_id` is the id in the URL; `reply_to_known` whether it names an activity the
    conversation had (one the bot sent, or one the test said it `heard`)."""

    conversation_id: str
    activity_id: str
    reply_to_id: str | None
    activity: dict[str, Any]
    at: float
    reply_to_known: bool = False

    @property
    def type(self) -> str:
        return str(self.activity.get("type"))

    @property
    def text(self) -> str | None:
        text = self.activity.get("text")
        return text if isinstance(text, str) else None

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards among its attachments, in order."""
        return _cards(self.activity)


@dataclass(frozen=True)
class Update:
    conversation_id: str
    activity_id: str
    activity: dict[str, Any]
    at: float

    @property
    def cards(self) -> list[dict[str, Any]]:
        return _cards(self.activity)


@dataclass(frozen=True)
class Created:
    """A 1:1 conversation the bot asked for; `new` False when Teams handed back the one it
    already had with that person."""

    conversation_id: str
    member_id: str
    tenant_id: str
    parameters: dict[str, Any]
    at: float
    new: bool


@dataclass(frozen=True)
class Refusal:
    """An error the fake chose to answer with: HTTP status, the service's error code and why."""

    method: str
    path: str
    status: int
    code: str
    reason: str
    at: float


@dataclass(frozen=True)
class Throttled:
    method: str
    path: str
    retry_after: float
    at: float


class _Refused(Exception):
    def __init__(self, status: int, code: str, reason: str) -> None:
        super().__init__(f"{status} {code}: {reason}")
        self.status, self.code, self.reason = status, code, reason


@dataclass
class _Reply:
    status: int
    body: dict[str, Any] | list[Any]
    headers: tuple[tuple[str, str], ...] = ()


class _Server(ThreadingHTTPServer):
    # Daemon request threads and no join on close: a client holding a socket open must not
    # make `close()` hang.
    daemon_threads = True
    block_on_close = False
    # socketserver's backlog of 5 makes a burst (50 reminders at once) wait for TCP
    # retransmits (PLATFORM.md "Lessons"); the real service has no such limit.
    request_queue_size = 128

    def __init__(self, fake: FakeConnector) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def do_PUT(self) -> None:
        self.server.fake._handle(self)

    def do_DELETE(self) -> None:
        self.server.fake._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: `FakeConnector.requests` is the log."""


class FakeConnector(LocalService):
    """A fake Bot Connector on 127.0.0.1 that records what the bot sends and answers like the
    real one. Point the bot at `service_url`. `tokens` checks bearer tokens (None: anonymous,
    no token needed); `app_id` is the bot's app (its Teams id is ``28:{app_id}``); `clock`
    stamps the records (default `time.monotonic`). Thread-safe throughout."""

    def __init__(
        self,
        tokens: FakeTokenService | None,
        *,
        app_id: str = APP_ID,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tokens = tokens
        self.app_id = app_id
        self.clock = clock
        self.failing = False  # answer 502 to everything, as a broken gateway would
        self._cond = threading.Condition()  # an RLock inside: predicates may read properties
        self._requests: list[ConnectorRequest] = []
        self._sent: list[Sent] = []
        self._updates: list[Update] = []
        self._created: list[Created] = []
        self._refusals: list[Refusal] = []
        self._throttled: list[Throttled] = []
        self._allowed: set[str] = set()
        self._throttle: list[float] = []  # Retry-After of each request still to be throttled
        self._conversations: dict[str, Conversation] = {}
        self._people: dict[str, dict[str, Person]] = {}  # tenant -> Teams user id -> person
        self._one_to_one: dict[tuple[str, str], str] = {}  # (tenant, user) -> conversation
        self._bot_activities: dict[str, set[str]] = {}  # conversation -> ids the bot sent
        self._latest: dict[str, dict[str, Any]] = {}  # activity id -> as last sent or updated
        self._last_id = 0

    # -- lifecycle (tests/localhttp.py) -------------------------------------------------------

    def _new_server(self) -> _Server:
        return _Server(self)

    @property
    def service_url(self) -> str:
        """What Teams puts in an activity's ``serviceUrl``: with a path prefix and a slash."""
        return f"{self.root_url}/{PREFIX}/"

    @property
    def bot_id(self) -> str:
        return f"28:{self.app_id}"

    # -- the world the test sets up -------------------------------------------------------

    def add_person(
        self,
        teams_user_id: str,
        aad_object_id: str,
        name: str,
        tenant_id: str,
        *,
        upn: str | None = None,
        email: str | None = None,
        installed: bool = True,
    ) -> Person:
        person = Person(teams_user_id, aad_object_id, name, tenant_id, upn, email, installed)
        with self._cond:
            self._people.setdefault(tenant_id, {})[teams_user_id] = person
        return person

    def open(
        self,
        conversation_id: str,
        *,
        tenant_id: str,
        conversation_type: ConversationType = "personal",
        members: Iterable[str] = (),
    ) -> Conversation:
        """Register a conversation the test then speaks from (`members`: Teams user ids)."""
        conversation = Conversation(conversation_id, tenant_id, conversation_type, list(members))
        with self._cond:
            self._conversations[conversation_id] = conversation
            self._bot_activities.setdefault(conversation_id, set())
        return conversation

    def heard(self, activity: Mapping[str, Any]) -> None:
        """Note an inbound activity (from `activities.message`) as part of its conversation, so
        a reply to it counts as threaded (`Sent.reply_to_known`)."""
        with self._cond:
            conversation = self._conversations[activity["conversation"]["id"]]
            conversation.activity_ids.add(str(activity["id"]))

    def throttle(self, count: int, retry_after: float = 2.0) -> None:
        """The next `count` POST/PUT requests get 429 with ``Retry-After: retry_after``."""
        with self._cond:
            self._throttle += [retry_after] * count

    def allow_refusal(self, *codes: str) -> None:
        """Refusals this test provokes on purpose (e.g. ``"BadArgument"``): `check_all` lets
        them pass."""
        with self._cond:
            self._allowed.update(codes)

    # -- what the test reads ----------------------------------------------------------------

    @property
    def requests(self) -> list[ConnectorRequest]:
        with self._cond:
            return list(self._requests)

    @property
    def sent(self) -> list[Sent]:
        with self._cond:
            return list(self._sent)

    @property
    def updates(self) -> list[Update]:
        with self._cond:
            return list(self._updates)

    @property
    def created(self) -> list[Created]:
        with self._cond:
            return list(self._created)

    @property
    def refusals(self) -> list[Refusal]:
        with self._cond:
            return list(self._refusals)

    @property
    def throttled(self) -> list[Throttled]:
        with self._cond:
            return list(self._throttled)

    def conversation(self, conversation_id: str) -> Conversation | None:
        with self._cond:
            return self._conversations.get(conversation_id)

    def messages_to(self, conversation_id: str) -> list[Sent]:
        """The messages (not typing indicators) the bot sent to one conversation, in order."""
        with self._cond:
            return [
                s
                for s in self._sent
                if s.conversation_id == conversation_id and s.type == "message"
            ]

    def latest(self, activity_id: str) -> dict[str, Any] | None:
        """The activity as last sent or updated, or None if the bot never sent it."""
        with self._cond:
            return self._latest.get(activity_id)

    def latest_card(self, activity_id: str) -> dict[str, Any] | None:
        """The first Adaptive Card of that activity as last sent or updated."""
        activity = self.latest(activity_id)
        cards = _cards(activity) if activity is not None else []
        return cards[0] if cards else None

    def wait_for(self, predicate: Callable[[], T], timeout: float = 60.0) -> T:
        """Block until `predicate()` is truthy and return its value; it is tried again after
        every request the connector records. For work the app does after answering Teams."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = predicate()
                if found:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [f"{r.method} {r.path} {r.status}" for r in self._requests]
                    raise AssertionError(f"waited {timeout:.0f} s; requests seen: {seen}")
                self._cond.wait(left)

    def check_all(self) -> None:
        """The connector refused nothing the test did not allow (`allow_refusal`)."""
        with self._cond:
            bad = [r for r in self._refusals if r.code not in self._allowed]
        assert not bad, "the Bot Connector refused what the app sent:\n" + "\n".join(
            f"- {r.method} {r.path}: {r.status} {r.code}: {r.reason}" for r in bad
        )

    # -- serving ----------------------------------------------------------------------------

    def _handle(self, handler: _Handler) -> None:
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        method = handler.command
        segments = [unquote(s) for s in split.path.split("/")[1:]]
        # the card check is the slow part: done outside the lock, so requests stay concurrent
        sends = method in ("POST", "PUT") and "activities" in segments
        problem = _activity_problem(raw) if sends else None
        with self._cond:
            now = self.clock()
            try:
                reply = self._answer(method, split.path, segments, raw, handler, problem, now)
            except _Refused as refused:
                reply = _Reply(refused.status, _error(refused.code, refused.reason))
                self._refusals.append(
                    Refusal(method, split.path, refused.status, refused.code, refused.reason, now)
                )
            self._requests.append(ConnectorRequest(method, split.path, reply.status, now))
            self._cond.notify_all()
        data = json.dumps(reply.body).encode()
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers:
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up

    def _answer(
        self,
        method: str,
        path: str,
        segments: list[str],
        raw: bytes,
        handler: _Handler,
        problem: _Refused | None,
        now: float,
    ) -> _Reply:
        if self.failing:
            return _Reply(502, _error("BadGateway", "the service is failing (test's request)"))
        if segments[:1] != [PREFIX]:
            raise _Refused(404, "NotFound", f"no route: the path lost the /{PREFIX}/ prefix")
        if segments[1:3] != ["v3", "conversations"]:
            raise _Refused(404, "NotFound", "no such route")
        self._authorize(handler.headers.get("Authorization"))
        route = segments[3:]
        if method in ("POST", "PUT") and self._throttle:
            retry_after = self._throttle.pop(0)
            self._throttled.append(Throttled(method, path, retry_after, now))
            header = str(int(retry_after)) if retry_after == int(retry_after) else str(retry_after)
            return _Reply(
                429,
                _error("Throttled", "too many requests"),
                (("Retry-After", header),),
            )
        if method == "POST" and route == []:
            return self._create(raw, now)
        if not route or not route[0]:
            raise _Refused(404, "NotFound", f"no route for {method} /v3/conversations")
        conversation = self._conversations.get(route[0])
        if conversation is None:
            raise _Refused(404, "ConversationNotFound", f"no conversation {route[0]!r}")
        rest = route[1:]
        if method == "POST" and rest == ["activities"]:
            return self._send(conversation, None, raw, problem, now)
        if method == "POST" and len(rest) == 2 and rest[0] == "activities":
            return self._send(conversation, rest[1], raw, problem, now)
        if method == "PUT" and len(rest) == 2 and rest[0] == "activities":
            return self._update(conversation, rest[1], raw, problem, now)
        if method == "GET" and rest == ["members"]:
            return _Reply(200, [p.account() for p in self._members(conversation)])
        if method == "GET" and rest in (["pagedmembers"], ["pagedMembers"]):
            return _Reply(200, {"members": [p.account() for p in self._members(conversation)]})
        if method == "GET" and len(rest) == 2 and rest[0] == "members":
            person = self._find(conversation.tenant_id, rest[1])
            if person is None:
                raise _Refused(
                    404, "MemberNotFoundInConversation", f"{rest[1]!r} is not in the tenant"
                )
            return _Reply(200, person.account())
        raise _Refused(404, "NotFound", f"the fake has no route for {method} …/{'/'.join(rest)}")

    def _authorize(self, header: str | None) -> None:
        if self.tokens is None:
            return  # the Emulator's anonymous connector asks for nothing
        denied = "Authorization has been denied for this request."
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise _Refused(401, "Unauthorized", f"{denied} (no bearer token)")
        app = self.tokens.app_of(token)
        if app is None:
            raise _Refused(401, "Unauthorized", f"{denied} (unknown or expired token)")
        if app != self.app_id:
            raise _Refused(401, "Unauthorized", f"{denied} (a token of app {app})")

    def _create(self, raw: bytes, now: float) -> _Reply:
        body = _json_object(raw)
        if body.get("isGroup"):
            raise _Refused(400, "BadArgument", "a bot cannot create a group conversation")
        bot = body.get("bot")
        bot_id = bot.get("id") if isinstance(bot, dict) else None
        if bot_id not in (self.bot_id, self.app_id):
            raise _Refused(400, "BadArgument", f"bot.id {bot_id!r} is not {self.bot_id!r}")
        members = body.get("members")
        if not (isinstance(members, list) and len(members) == 1 and isinstance(members[0], dict)):
            raise _Refused(400, "BadArgument", "a 1:1 conversation needs exactly one member")
        channel_data = body.get("channelData")
        tenant_data = channel_data.get("tenant") if isinstance(channel_data, dict) else None
        from_channel = tenant_data.get("id") if isinstance(tenant_data, dict) else None
        tenants = {t for t in (body.get("tenantId"), from_channel) if t}
        if not tenants:
            raise _Refused(400, "BadSyntax", "Incorrect conversation creation parameters")
        if len(tenants) > 1:
            raise _Refused(400, "BadArgument", f"tenantId and channelData.tenant differ: {tenants}")
        tenant = tenants.pop()
        member_id = str(members[0].get("id"))
        person = self._find(tenant, member_id)
        if person is None:
            raise _Refused(400, "BadArgument", "Invalid user identity in provided tenant")
        if not person.installed:
            raise _Refused(403, "Forbidden", "The bot is not part of the conversation roster.")
        first = body.get("activity")
        if first is not None:
            first_problem = _activity_problem(json.dumps(first).encode())
            if first_problem is not None:
                raise first_problem
        key = (tenant, person.teams_user_id)
        conversation_id = self._one_to_one.get(key)
        new = conversation_id is None
        if conversation_id is None:
            conversation_id = f"a:{secrets.token_urlsafe(36)}"
            self._one_to_one[key] = conversation_id
            self.open(conversation_id, tenant_id=tenant, members=[person.teams_user_id])
        self._created.append(Created(conversation_id, person.teams_user_id, tenant, body, now, new))
        answer: dict[str, Any] = {"id": conversation_id}
        if first is not None:
            conversation = self._conversations[conversation_id]
            answer["activityId"] = self._record_send(conversation, None, first, now).activity_id
        return _Reply(201, answer)

    def _send(
        self,
        conversation: Conversation,
        reply_to: str | None,
        raw: bytes,
        problem: _Refused | None,
        now: float,
    ) -> _Reply:
        if problem is not None:
            raise problem
        sent = self._record_send(conversation, reply_to, _json_object(raw), now)
        return _Reply(201, {"id": sent.activity_id})

    def _record_send(
        self,
        conversation: Conversation,
        reply_to: str | None,
        activity: dict[str, Any],
        now: float,
    ) -> Sent:
        self._last_id = max(self._last_id + 1, int(time.time() * 1000))
        activity_id = str(self._last_id)  # Teams' message ids are milliseconds since 1970
        known = reply_to is not None and reply_to in conversation.activity_ids
        sent = Sent(conversation.id, activity_id, reply_to, activity, now, known)
        self._sent.append(sent)
        self._latest[activity_id] = activity
        conversation.activity_ids.add(activity_id)
        self._bot_activities.setdefault(conversation.id, set()).add(activity_id)
        return sent

    def _update(
        self,
        conversation: Conversation,
        activity_id: str,
        raw: bytes,
        problem: _Refused | None,
        now: float,
    ) -> _Reply:
        if activity_id not in self._bot_activities.get(conversation.id, set()):
            raise _Refused(
                404, "NotFound", f"the bot sent no activity {activity_id!r} in this conversation"
            )
        if problem is not None:
            raise problem
        activity = _json_object(raw)
        if activity.get("type") != "message":
            raise _Refused(400, "BadArgument", "only a message can be updated")
        self._updates.append(Update(conversation.id, activity_id, activity, now))
        self._latest[activity_id] = activity
        return _Reply(200, {"id": activity_id})

    def _members(self, conversation: Conversation) -> list[Person]:
        roster = self._people.get(conversation.tenant_id, {})
        if not conversation.members:
            return list(roster.values())
        return [roster[m] for m in conversation.members if m in roster]

    def _find(self, tenant_id: str, user_id: str) -> Person | None:
        """Someone of that tenant, by Teams user id or Entra object id (both are accepted)."""
        for person in self._people.get(tenant_id, {}).values():
            if user_id in (person.teams_user_id, person.aad_object_id):
                return person
        return None


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise _Refused(400, "BadSyntax", f"the body is no JSON: {err}") from None
    if not isinstance(body, dict):
        raise _Refused(400, "BadSyntax", "the body is no JSON object")
    return body


def _activity_problem(raw: bytes) -> _Refused | None:
    """Why the Bot Connector would refuse this activity, or None (for sends and updates)."""
    if len(raw) > MAX_MESSAGE_BYTES:
        return _Refused(413, "MessageSizeTooBig", f"{len(raw)} bytes > {MAX_MESSAGE_BYTES}")
    try:
        activity = _json_object(raw)
    except _Refused as refused:
        return refused
    kind = activity.get("type")
    if kind == "typing":
        return None
    if kind != "message":
        return _Refused(400, "BadArgument", f"activity type {kind!r}: not message or typing")
    text, attachments = activity.get("text"), activity.get("attachments")
    if text is not None and not isinstance(text, str):
        return _Refused(400, "BadArgument", "text is no string")
    if attachments is not None and not isinstance(attachments, list):
        return _Refused(400, "BadArgument", "attachments is no list")
    if not text and not attachments:
        return _Refused(400, "BadArgument", "a message needs text or attachments")
    for n, attachment in enumerate(attachments or []):
        if not isinstance(attachment, dict) or not attachment.get("contentType"):
            return _Refused(400, "BadArgument", f"attachment {n} has no contentType")
        if attachment["contentType"] != ADAPTIVE_CARD:
            continue
        content = attachment.get("content")
        if not isinstance(content, dict):
            return _Refused(400, "BadArgument", f"attachment {n}: the card is no JSON object")
        try:
            check_card(content)
        except AssertionError as err:
            return _Refused(400, "BadArgument", f"attachment {n}: invalid card: {err}")
    return None


def _cards(activity: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        a["content"]
        for a in activity.get("attachments") or []
        if isinstance(a, dict) and a.get("contentType") == ADAPTIVE_CARD
    ]
