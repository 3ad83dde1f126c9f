"""`FakeSlack`: a local fake of the Slack Web API over real HTTP, for end-to-end tests.

Why a real server and not a mocked `WebClient`: the parts that break in production live in the
HTTP layer — the bot token header, form versus JSON bodies, `Retry-After` on HTTP 429, 5xx
retries, the three-step `files_upload_v2`, `response_url` posts. Pointing the real
`slack_sdk.WebClient(base_url=slack.url)` at this server exercises all of them.

bolt-python tests itself the same way (`tests/mock_web_api_server/`: a stdlib server in a thread
with canned answers, see /work/shared/PLATFORM.md); this fake adds call recording with parsed
arguments, token checks, fault and latency injection, uploads and `response_url`s.

It refuses what Slack refuses, with Slack's error codes, so an app that breaks a rule fails
here and not in front of a user:

- scopes: a method outside the bot scopes of `manifest.yml` is ``missing_scope`` with
  ``needed`` and ``provided`` (see `scopes`);
- Block Kit: a message or view Slack would refuse (over 50 blocks in a message, 100 in a view,
  unknown block types, a repeated block_id, an action_id repeated within a block, any limit of
  `limits`) is ``invalid_blocks`` (messages) or ``invalid_arguments`` (views), with the
  problems in ``response_metadata.messages``; a view over 250 kB is ``view_too_large``;
- channels: the bot posts only where it is a member (``not_in_channel``; `invite_bot` adds it),
  in a DM opened with conversations.open, or to a user id (the app's DM with that person);
- views: trigger ids are issued by the fake (`trigger_id`), single-use and valid 3 s on the
  injectable clock; `views.update` checks the view id and hash (see `views`);
- `response_url`: at most five posts within 30 minutes of issue (PLATFORM.md "3 seconds");
  afterwards HTTP 404 with ``used_url`` / ``expired_url`` [? Slack documents the limit, not
  the answer's wording];
- uploads: the bytes posted must be the ``length`` given to files.getUploadURLExternal (else
  HTTP 400 and nothing stored), and a file completes once (a second
  files.completeUploadExternal is ``file_not_found``: the upload ticket is used up) [? the
  reference lists the codes, not these two cases].

- tokens: each workspace has its own (the constructor's `token` is `team_id`'s; OAuth
  installs issue more, see `enable_oauth` and `authorize`); a revoked or unknown token is
  ``invalid_auth``, an expired rotating token ``token_expired``; `auth.test` answers the
  token's workspace, and `Call.team` says which workspace's token a call used;
- ``oauth.v2.access``: a code is exchanged once, within 10 minutes, by the client id and
  secret it was issued for (HTTP Basic, as slack_sdk sends them, or form fields) and the
  same ``redirect_uri`` it was authorized with (``invalid_code``, ``invalid_client_id``,
  ``bad_client_secret``, ``bad_redirect_uri``); ``grant_type=refresh_token`` refreshes a
  rotating token (``invalid_refresh_token`` for one already used or unknown).

A refused call is recorded like any other (`Call.refusal` says why), so a test can show that
the app never met a refusal it did not expect.

Usage::

    with FakeSlack() as slack:
        client = WebClient(token="xoxb-test-token", base_url=slack.url)
        client.chat_postMessage(channel="C1", text="hi")
        assert slack.calls_to("chat.postMessage")[0].args["text"] == "hi"

Routes on the server (all answer GET and POST; slack_sdk always POSTs):

- ``/api/<method>``: the Web API; the bearer token is checked first (HTTP 200 with
  ``not_authed`` / ``invalid_auth``, as Slack does).
- ``/upload/<file_id>``: the ``upload_url`` handed out by ``files.getUploadURLExternal``;
  recorded as method ``"file_upload"``.
- ``/respond/<key>``: a ``response_url`` (see `FakeSlack.new_response_url`); recorded as
  method ``"response_url"``.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import mimetypes
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from tests.localhttp import LocalService

from .limits import message_refusals, view_refusals, view_too_large
from .scopes import manifest_scopes, needed_scope
from .views import Triggers, ViewError, ViewStore

__all__ = ["Call", "FakeSlack", "ManualClock"]

# Form arguments that slack_sdk sends as JSON strings (e.g. `files` of
# files.completeUploadExternal); they are stored parsed so tests read them like JSON bodies.
JSON_STRING_ARGS = frozenset(
    {"attachments", "blocks", "files", "metadata", "outputs", "unfurls", "user_auth_blocks", "view"}
)

UPLOAD_METHOD = "file_upload"
RESPONSE_URL_METHOD = "response_url"

_ERROR_FOR_STATUS = {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}

RESPONSE_URL_USES = 5  # "a response_url can be used 5 times within 30 minutes" (PLATFORM.md)
RESPONSE_URL_LIFETIME = 30 * 60.0  # seconds


class ManualClock:
    """A clock that moves only when told: `FakeSlack(clock=ManualClock())` makes trigger and
    response_url expiry a matter of `advance(seconds)`, never of how busy the machine is."""

    def __init__(self, start: float = 1_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


@dataclass(frozen=True)
class Call:
    """One request the fake received, as the app sent it.

    `args` holds the arguments from the query string and the body (JSON or form-encoded); form
    values listed in `JSON_STRING_ARGS` are already parsed. `headers` has lower-case names.
    `at` is `time.monotonic()` on arrival, so gaps between calls measure retry waits.
    `failed` marks a call answered by an injected fault (`FakeSlack.fail_next`), `overridden`
    one answered by `FakeSlack.answer`; `refusal` is the error of a call the fake itself
    refused.
    """

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    at: float
    failed: bool = False
    status: int = 200
    path: str = ""
    body: bytes = b""
    response: Any = None
    overridden: bool = False
    team: str | None = None  # the workspace whose token the call carried, if any

    @property
    def refusal(self) -> str | None:
        """Slack's error for a call the fake refused (``ok: false`` or an HTTP error), or None
        for a success, an injected fault or an `answer` override."""
        if self.failed or self.overridden:
            return None
        if isinstance(self.response, dict) and self.response.get("ok") is False:
            return str(self.response.get("error"))
        if self.status >= 400:
            return str(self.response)
        return None

    def json(self, key: str) -> Any:
        """The argument `key` parsed as JSON if it arrived as a string (e.g. a form `view`)."""
        value = self.args[key]
        return json.loads(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class _Fault:
    status: int
    retry_after: int | None


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    payload: Any = None
    overridden: bool = False

    @classmethod
    def of_json(cls, payload: Any, status: int = 200, **kw: Any) -> _Reply:
        return cls(status, json.dumps(payload).encode(), payload=payload, **kw)

    @classmethod
    def of_text(cls, text: str, status: int = 200) -> _Reply:
        return cls(status, text.encode(), "text/plain; charset=utf-8", payload=text)


@dataclass
class _ResponseUrl:
    issued_at: float
    uses: int = 0


@dataclass
class _Token:
    """A token Slack issued: its workspace, and until when it works (fake clock; rotating)."""

    team_id: str
    enterprise_id: str | None = None
    expires_at: float | None = None
    revoked: bool = False


@dataclass(frozen=True)
class _Grant:
    """What a person allowed on Slack's authorize page, until the app exchanges the code."""

    team_id: str
    team_name: str
    user_id: str
    redirect_uri: str | None
    issued_at: float
    enterprise_id: str | None = None


@dataclass
class _OAuthApp:
    client_id: str
    client_secret: str
    expires_in: int | None  # rotating tokens (token rotation on) live this many seconds


CODE_LIFETIME = 600.0  # seconds an authorization code may be exchanged (Slack: 10 minutes)


@dataclass
class _PendingFile:
    filename: str
    length: int
    uploaded: bytes | None = None
    completed: bool = False
    channels: list[str] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    # Daemon request threads and no join on close: a client that keeps a socket open (or times
    # out during an injected delay) must not make `FakeSlack.close()` hang.
    daemon_threads = True
    block_on_close = False
    # socketserver's backlog of 5 makes bursts of calls (an app answering 50 commands at once)
    # wait for TCP retransmits; Slack has no such limit.
    request_queue_size = 128

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr line; `FakeSlack.calls` is the log."""


class FakeSlack(LocalService):
    """A fake Slack Web API on 127.0.0.1 that records every call and answers like Slack.

    Start it with `with FakeSlack() as slack:` (or `start()` / `close()`); point clients at
    `slack.url`. All public methods are thread-safe: the app under test calls from its own
    threads while the test inspects `calls`.

    `scopes` are the bot token's scopes (default: those of `manifest.yml`); `clock` measures
    trigger and response_url lifetimes (default `time.monotonic`; see `ManualClock`).
    """

    def __init__(
        self,
        token: str = "xoxb-test-token",
        *,
        team_id: str = "T0ISO20K",
        team: str = "ISO20k Test",
        team_domain: str = "iso20k-test",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        app_id: str = "A0ISO20K",
        default_tz: str = "Europe/Berlin",
        user_timezones: Mapping[str, str] | None = None,
        scopes: Iterable[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        known_users_only: bool = False,
    ) -> None:
        self.token = token
        self.team_id = team_id
        self.team = team
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.default_tz = default_tz
        self.scopes = tuple(scopes) if scopes is not None else manifest_scopes()
        self.clock = clock
        # Slack answers users.info with user_not_found for an id it does not know; by default
        # the fake knows every id (as a member of `team_id`) unless told otherwise.
        self.known_users_only = known_users_only
        self._cond = threading.Condition()
        self._calls: list[Call] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._delays: dict[str, float] = {}
        self._answers: dict[str, Any] = {}
        self._users: dict[str, dict[str, Any]] = {
            user: {"tz": tz} for user, tz in (user_timezones or {}).items()
        }
        self._ids = itertools.count(1)
        self._last_ts_us = 0
        self._triggers = Triggers(clock)
        self._views = ViewStore(team_id, app_id, bot_id, self._next_id)
        self._bot_channels: set[str] = set()  # channels the bot was invited to
        self._dms: dict[str, str] = {}  # DM channel id -> the person (or people) in it
        self._messages: set[tuple[str, str]] = set()  # (channel, ts) the bot posted
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._files: dict[str, _PendingFile] = {}
        self._tokens: dict[str, _Token] = {token: _Token(team_id)}
        self._team_names: dict[str, str] = {team_id: team}
        self._oauth: _OAuthApp | None = None
        self._codes: dict[str, _Grant] = {}
        self._refresh_tokens: dict[str, str] = {}  # refresh token -> the workspace's team id
        self._caller: _Token | None = None  # whose token the call being answered carries
        self._methods: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }

    # -- lifecycle (tests/localhttp.py) -------------------------------------------------------

    def _new_server(self) -> _Server:
        return _Server(self)

    # -- addresses -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The `base_url` for `WebClient`: it ends in ``/api/`` because the client appends the
        method name (``.../api/chat.postMessage``)."""
        return f"{self.root_url}/api/"

    def response_url(self, key: str = "default") -> str:
        """The `response_url` named `key`, issued now if it is new (its five uses and 30
        minutes count from then). A URL the fake never issued counts from its first use."""
        with self._cond:
            self._response_urls.setdefault(key, _ResponseUrl(self.clock()))
        return f"{self.root_url}/respond/{key}"

    def new_response_url(self) -> str:
        """A fresh `response_url`, as Slack sends with each command and message action."""
        return self.response_url(f"r{next(self._ids):06d}")

    # -- what Slack hands out with an interaction -------------------------------------------

    def trigger_id(self, view_id: str | None = None) -> str:
        """A fresh trigger id, as Slack puts in each interaction payload: single-use, valid for
        3 s on `clock`. Pass the id of the modal the interaction happened in, so views.push
        knows which stack to push onto."""
        with self._cond:
            return self._triggers.issue(view_id)

    def invite_bot(self, *channel_ids: str) -> None:
        """Someone invites the bot to these channels: from now on it may post there."""
        with self._cond:
            self._bot_channels.update(channel_ids)

    # -- installing in workspaces (OAuth) ----------------------------------------------------

    def enable_oauth(
        self, client_id: str, client_secret: str, *, expires_in: int | None = None
    ) -> None:
        """The app is distributable with these credentials; with `expires_in`, token rotation
        is on and every token it issues lives that many seconds (`oauth_expires_in`)."""
        with self._cond:
            self._oauth = _OAuthApp(client_id, client_secret, expires_in)

    def set_token_lifetime(self, expires_in: int | None) -> None:
        """Tokens issued from now on live `expires_in` seconds (None: rotation off)."""
        with self._cond:
            assert self._oauth is not None, "enable_oauth first"
            self._oauth.expires_in = expires_in

    def authorize(
        self,
        team_id: str,
        user_id: str,
        *,
        team_name: str | None = None,
        redirect_uri: str | None = None,
        enterprise_id: str | None = None,
    ) -> str:
        """A person allows the app on Slack's authorize page for `team_id`: the code Slack
        puts on the redirect to the app."""
        code = f"code-{secrets.token_hex(8)}"
        with self._cond:
            self._codes[code] = _Grant(
                team_id,
                team_name or f"Workspace {team_id}",
                user_id,
                redirect_uri,
                self.clock(),
                enterprise_id,
            )
            self._team_names[team_id] = team_name or f"Workspace {team_id}"
        return code

    def revoke(self, team_id: str) -> None:
        """Every token of the workspace stops working (an uninstall, tokens_revoked)."""
        with self._cond:
            self._revoke(team_id)

    def tokens_of(self, team_id: str) -> list[str]:
        """The workspace's tokens that still work, oldest first."""
        with self._cond:
            return [t for t, k in self._tokens.items() if k.team_id == team_id and not k.revoked]

    def team_of(self, token: str) -> str | None:
        with self._cond:
            known = self._tokens.get(token)
            return None if known is None else known.team_id

    # -- inspection ------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """A snapshot of every call so far, oldest first."""
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        """The calls of one method (e.g. ``"chat.postMessage"`` or ``"response_url"``)."""
        with self._cond:
            return [c for c in self._calls if c.method == method]

    @property
    def refused(self) -> list[Call]:
        """The calls the fake refused as Slack would (not injected faults or overrides)."""
        with self._cond:
            return [c for c in self._calls if c.refusal is not None]

    def calls_after(self, seen: int, timeout: float) -> list[Call]:
        """The calls after the first `seen`, waiting up to `timeout` s for one (else []).

        For a reader that follows every call as it arrives (benchmarks/load.py): it asks for
        what is new since its last look instead of rescanning the whole log each time.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._calls) <= seen:
                left = deadline - time.monotonic()
                if left <= 0:
                    return []
                self._cond.wait(left)
            return self._calls[seen:]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until `count` calls of `method` arrived and return them.

        For work the app does after `ack()` (lazy listeners, background tasks), which reaches
        the fake only after the HTTP response to Slack's request.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self._calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self._calls]
                    raise AssertionError(
                        f"waited {timeout:.1f} s for {count} call(s) to {method}, got "
                        f"{len(found)}; calls seen: {seen}"
                    )
                self._cond.wait(left)

    @property
    def uploads(self) -> dict[str, bytes]:
        """Bytes posted to each `upload_url`, by file id."""
        with self._cond:
            return {k: f.uploaded for k, f in self._files.items() if f.uploaded is not None}

    def view(self, view_id: str) -> dict[str, Any] | None:
        """The open view `view_id` as Slack holds it now (with its current hash), or None."""
        with self._cond:
            found = self._views.views.get(view_id)
            return dict(found) if found is not None else None

    def home_of(self, user_id: str) -> dict[str, Any] | None:
        """The Home tab last published for `user_id`, or None."""
        with self._cond:
            found = self._views.home_of(user_id)
            return dict(found) if found is not None else None

    def shown_view(self, view: Mapping[str, Any]) -> dict[str, Any] | None:
        """The latest version of `view` Slack showed (matched by id, else by content)."""
        with self._cond:
            found = self._views.was_shown(view)
            return dict(found) if found is not None else None

    # -- what Slack does with a view_submission acknowledgement ------------------------------

    def update_from_ack(self, view_id: str, view: Mapping[str, Any]) -> dict[str, Any]:
        """``response_action: update``: the submitted modal becomes `view` (a new hash)."""
        with self._cond:
            current = self._views.views.get(view_id)
            if current is None:
                raise ViewError("not_found")
            return dict(self._views.update(view_id, None, current["hash"], view))

    def push_from_ack(self, view_id: str, view: Mapping[str, Any]) -> dict[str, Any]:
        """``response_action: push``: `view` goes on top of the submitted modal's stack."""
        with self._cond:
            return dict(self._views.push(view_id, view))

    def close_view(self, view_id: str, *, whole_stack: bool = False) -> None:
        """An empty acknowledgement closes the submitted view; ``clear`` closes its stack."""
        with self._cond:
            self._views.close(view_id, whole_stack=whole_stack)

    def reset(self) -> None:
        """Forget calls, uploads, views, triggers, response_urls, pending faults, delays and
        `answer` overrides (users, channel memberships and DMs stay)."""
        with self._cond:
            self._calls.clear()
            self._faults.clear()
            self._delays.clear()
            self._answers.clear()
            self._files.clear()
            self._messages.clear()
            self._response_urls.clear()
            self._triggers.clear()
            self._views.clear()

    # -- behaviour -------------------------------------------------------------------------

    def fail_next(
        self, method: str, status: int = 429, retry_after: int | None = 1, times: int = 1
    ) -> None:
        """Answer the next `times` calls of `method` with HTTP `status` instead of success.

        429 carries ``Retry-After: retry_after`` and ``{"ok": false, "error": "ratelimited"}``
        as Slack sends them; a 5xx carries an error body. The calls are recorded with
        ``failed=True``. slack_sdk retries only with `RateLimitErrorRetryHandler` /
        `ServerErrorRetryHandler` installed (see PLATFORM.md "Rate limits").
        """
        with self._cond:
            queue = self._faults.setdefault(method, deque())
            for _ in range(times):
                queue.append(_Fault(status, retry_after if status == 429 else None))

    def delay(self, method: str, seconds: float) -> None:
        """Wait `seconds` before answering each call of `method` (0 removes the delay).

        The call is recorded on arrival, so `wait_for` sees it while the client still waits.
        """
        with self._cond:
            if seconds > 0:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    def answer(self, method: str, payload: Mapping[str, Any]) -> None:
        """Answer every later call of `method` with `payload` (e.g. an ``ok: false`` error
        Slack gives in a case the fake does not model) instead of its own answer; `reset()`
        undoes it."""
        with self._cond:
            self._answers[method] = dict(payload)

    def set_user(
        self,
        user_id: str,
        *,
        tz: str | None = None,
        name: str | None = None,
        real_name: str | None = None,
        email: str | None = None,
        team_id: str | None = None,
        enterprise_id: str | None = None,
        teams: Sequence[str] | None = None,
        locale: str | None = None,
        deleted: bool | None = None,
        is_bot: bool | None = None,
    ) -> None:
        """Shape what `users.info` answers for `user_id`: time zone, names, e-mail, the
        workspace (`team_id`), an Enterprise Grid membership (`enterprise_id` and the
        workspaces of it, `teams`), the locale, and whether the account is deleted or a bot."""
        given = {
            "tz": tz,
            "name": name,
            "real_name": real_name,
            "email": email,
            "team_id": team_id,
            "enterprise_id": enterprise_id,
            "teams": list(teams) if teams is not None else None,
            "locale": locale,
            "deleted": deleted,
            "is_bot": is_bot,
        }
        with self._cond:
            user = self._users.setdefault(user_id, {})
            user.update({k: v for k, v in given.items() if v is not None})

    # -- request handling ------------------------------------------------------------------

    def _handle(self, handler: _Handler) -> None:
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        kind, _, rest = split.path.lstrip("/").partition("/")
        if kind == "api" and rest:
            method = rest
            args = _parse_args(raw, headers.get("content-type", ""), split.query)
        elif kind == "upload" and rest:
            method = UPLOAD_METHOD
            args = {"file_id": rest, "size": len(raw)}
        elif kind == "respond" and rest:
            method = RESPONSE_URL_METHOD
            args = _parse_args(raw, headers.get("content-type", ""), split.query)
        else:
            method = split.path
            args = {}

        with self._cond:
            delay = self._delays.get(method, 0.0)
            queue = self._faults.get(method)
            fault = queue.popleft() if queue else None
            if fault is not None:
                reply = _fault_reply(fault)
            elif kind == "api" and rest:
                reply = self._api_reply(method, args, headers)
            elif kind == "upload" and rest:
                reply = self._upload_reply(rest, raw)
            elif kind == "respond" and rest:
                reply = self._respond_reply(rest, args)
            else:
                reply = _Reply.of_json({"ok": False, "error": "not_found"}, status=404)
            self._calls.append(
                Call(
                    method=method,
                    args=args,
                    headers=headers,
                    at=time.monotonic(),
                    failed=fault is not None,
                    status=reply.status,
                    path=split.path,
                    body=raw,
                    response=reply.payload,
                    overridden=reply.overridden,
                    team=self._team_of_header(headers.get("authorization")),
                )
            )
            self._cond.notify_all()

        if delay:
            time.sleep(delay)
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", reply.content_type)
            handler.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers:
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. timed out during an injected delay)

    def _api_reply(self, method: str, args: dict[str, Any], headers: dict[str, str]) -> _Reply:
        if method == "oauth.v2.access":  # authenticated by the app's client id and secret
            return _Reply.of_json(self._oauth_access(args, headers.get("authorization")))
        auth = headers.get("authorization")
        if not auth:
            return _Reply.of_json({"ok": False, "error": "not_authed"})
        known = self._tokens.get(auth.removeprefix("Bearer "))
        if not auth.startswith("Bearer ") or known is None or known.revoked:
            return _Reply.of_json({"ok": False, "error": "invalid_auth"})
        if known.expires_at is not None and self.clock() >= known.expires_at:
            return _Reply.of_json({"ok": False, "error": "token_expired"})
        self._caller = known
        # Views carry the workspace they were opened in (`team_id`, `app_installed_team_id`),
        # which Bolt authorises their submissions by.
        self._views.team_id = known.team_id
        # Slack reports the token's scopes on every answer to a valid token.
        scope_header = (("X-OAuth-Scopes", ",".join(self.scopes)),)
        if method in self._answers:
            return _Reply.of_json(self._answers[method], headers=scope_header, overridden=True)
        answer = self._methods.get(method)
        if answer is None:
            return _Reply.of_json({"ok": False, "error": "unknown_method"}, headers=scope_header)
        needed = needed_scope(method, args, self.scopes)
        if needed is not None:
            refusal = {
                "ok": False,
                "error": "missing_scope",
                "needed": needed,
                "provided": ",".join(self.scopes),
            }
            return _Reply.of_json(refusal, headers=scope_header)
        return _Reply.of_json(answer(method, args), headers=scope_header)

    def _upload_reply(self, file_id: str, raw: bytes) -> _Reply:
        # Slack's upload host answers a plain-text "OK - <bytes>"; slack_sdk checks status 200.
        pending = self._files.get(file_id)
        if pending is None or pending.completed:
            return _Reply.of_text("file not found", status=404)
        if len(raw) != pending.length:
            return _Reply.of_text(
                f"length mismatch: {len(raw)} bytes posted, {pending.length} announced",
                status=400,
            )
        pending.uploaded = raw
        return _Reply.of_text(f"OK - {len(raw)}")

    def _respond_reply(self, key: str, args: dict[str, Any]) -> _Reply:
        url = self._response_urls.setdefault(key, _ResponseUrl(self.clock()))
        if self.clock() - url.issued_at > RESPONSE_URL_LIFETIME:
            return _Reply.of_text("expired_url", status=404)
        if url.uses >= RESPONSE_URL_USES:
            return _Reply.of_text("used_url", status=404)
        if not args.get("delete_original") and message_refusals(args):
            return _Reply.of_text("invalid_blocks", status=400)
        url.uses += 1
        return _Reply.of_text("ok")

    # -- canned answers (called with the lock held) ---------------------------------------

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08X}"

    def _next_ts(self) -> str:
        """A message `ts` like Slack's ("seconds.micros"), strictly increasing."""
        us = max(int(time.time() * 1_000_000), self._last_ts_us + 1)
        self._last_ts_us = us
        return f"{us // 1_000_000}.{us % 1_000_000:06d}"

    def _bot_message(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": args.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if key in args:
                message[key] = args[key]
        return message

    def _postable(self, channel: Any) -> tuple[str, str | None]:
        """Where a post to `channel` lands, or Slack's error: a channel the bot is in (or any
        public one with chat:write.public), a DM it opened, or a user id (its DM with them)."""
        channel = str(channel or "")
        if channel[:1] in ("U", "W"):
            dm = "D" + channel
            self._dms.setdefault(dm, channel)
            return dm, None
        if channel[:1] == "D":
            return channel, None if channel in self._dms else "channel_not_found"
        if channel[:1] in ("C", "G"):
            public = channel[:1] == "C" and "chat:write.public" in self.scopes
            if channel in self._bot_channels or public:
                return channel, None
            return channel, "not_in_channel"
        return channel, "channel_not_found"

    def _message_error(self, args: dict[str, Any]) -> dict[str, Any] | None:
        if not any(args.get(k) for k in ("text", "blocks", "attachments")):
            return {"ok": False, "error": "no_text"}
        problems = message_refusals(args)
        if problems:
            return {
                "ok": False,
                "error": "invalid_blocks",
                "response_metadata": {"messages": problems},
            }
        return None

    def _team_of_header(self, auth: str | None) -> str | None:
        known = self._tokens.get((auth or "").removeprefix("Bearer "))
        return None if known is None else known.team_id

    def _oauth_access(self, args: dict[str, Any], auth: str | None) -> dict[str, Any]:
        client_id, client_secret = args.get("client_id"), args.get("client_secret")
        if auth and auth.startswith("Basic "):
            decoded = base64.b64decode(auth.removeprefix("Basic ")).decode()
            client_id, _, client_secret = decoded.partition(":")
        app = self._oauth
        if app is None or client_id != app.client_id:
            return {"ok": False, "error": "invalid_client_id"}
        if client_secret != app.client_secret:
            return {"ok": False, "error": "bad_client_secret"}
        grant_type = args.get("grant_type") or "authorization_code"
        if grant_type == "refresh_token":
            team_id = self._refresh_tokens.pop(str(args.get("refresh_token") or ""), None)
            if team_id is None:  # unknown, or spent: a refresh token works once
                return {"ok": False, "error": "invalid_refresh_token"}
            return self._issue(team_id, None, app)
        if grant_type != "authorization_code":
            return {"ok": False, "error": "invalid_grant_type"}
        grant = self._codes.pop(str(args.get("code") or ""), None)
        if grant is None or self.clock() - grant.issued_at > CODE_LIFETIME:
            return {"ok": False, "error": "invalid_code"}
        if grant.redirect_uri is not None and args.get("redirect_uri") != grant.redirect_uri:
            return {"ok": False, "error": "bad_redirect_uri"}
        # A reinstall replaces the workspace's tokens: the old ones stop working.
        self._revoke(grant.team_id)
        answer = self._issue(grant.team_id, grant.enterprise_id, app)
        answer["authed_user"] = {"id": grant.user_id}
        return answer

    def _revoke(self, team_id: str) -> None:
        for known in self._tokens.values():
            if known.team_id == team_id:
                known.revoked = True
        for refresh, team in list(self._refresh_tokens.items()):
            if team == team_id:
                del self._refresh_tokens[refresh]

    def _issue(self, team_id: str, enterprise_id: str | None, app: _OAuthApp) -> dict[str, Any]:
        """A new bot token for the workspace (rotating, with a refresh token, if on)."""
        n = next(self._ids)
        answer: dict[str, Any] = {
            "ok": True,
            "app_id": self.app_id,
            "token_type": "bot",
            "scope": ",".join(self.scopes),
            "bot_user_id": self.bot_user_id,
            "team": {"id": team_id, "name": self._team_names.get(team_id, team_id)},
            "enterprise": None if enterprise_id is None else {"id": enterprise_id},
            "is_enterprise_install": False,
        }
        expires_at = None
        if app.expires_in is None:
            token = f"xoxb-{team_id}-{n}-{secrets.token_hex(12)}"
        else:
            token = f"xoxe.xoxb-1-{team_id}-{n}-{secrets.token_hex(12)}"
            refresh = f"xoxe-1-{team_id}-{n}-{secrets.token_hex(12)}"
            self._refresh_tokens[refresh] = team_id
            expires_at = self.clock() + app.expires_in
            answer.update(refresh_token=refresh, expires_in=app.expires_in)
        self._tokens[token] = _Token(team_id, enterprise_id, expires_at)
        answer["access_token"] = token
        return answer

    def _auth_test(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        # Bolt calls auth.test at start-up when given a token (PLATFORM.md "Deployment"),
        # and with OAuth to authorise a request: it answers for the token's own workspace.
        team_id = self._caller.team_id if self._caller is not None else self.team_id
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self._team_names.get(team_id, self.team),
            "user": "iso20k",
            "team_id": team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        channel, error = self._postable(args.get("channel"))
        if error is not None:
            return {"ok": False, "error": error}
        refused = self._message_error(args)
        if refused is not None:
            return refused
        ts = self._next_ts()
        self._messages.add((channel, ts))
        return {"ok": True, "channel": channel, "ts": ts, "message": self._bot_message(args, ts)}

    def _chat_post_ephemeral(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        _, error = self._postable(args.get("channel"))
        if error is not None:
            return {"ok": False, "error": error}
        if not args.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        refused = self._message_error(args)
        if refused is not None:
            return refused
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        channel, error = self._postable(args.get("channel"))
        if error is not None:
            return {"ok": False, "error": error}
        ts = str(args.get("ts") or "")
        if (channel, ts) not in self._messages:
            return {"ok": False, "error": "message_not_found"}
        refused = self._message_error(args)
        if refused is not None:
            return refused
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": args.get("text", ""),
            "message": self._bot_message(args, ts),
        }

    def _checked_view(self, args: dict[str, Any], kind: str) -> dict[str, Any]:
        """The `view` argument, or raise `ViewError` as Slack refuses a bad one."""
        view = args.get("view")
        if not isinstance(view, dict):
            raise ViewError("invalid_arguments", "missing required field: view")
        if view.get("type") != kind:
            raise ViewError("invalid_arguments", f"view type must be {kind!r} for this method")
        if view_too_large(view):
            raise ViewError("view_too_large")
        problems = view_refusals(view)
        if problems:
            raise ViewError("invalid_arguments", *problems)
        return view

    def _views_open(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        try:
            view = self._checked_view(args, "modal")
            self._triggers.exchange(args.get("trigger_id"))
            return {"ok": True, "view": self._views.open(view)}
        except ViewError as refusal:
            return refusal.answer()

    def _views_push(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        try:
            view = self._checked_view(args, "modal")
            trigger = self._triggers.exchange(args.get("trigger_id"))
            return {"ok": True, "view": self._views.push(trigger.view_id, view)}
        except ViewError as refusal:
            return refusal.answer()

    def _views_update(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        try:
            if not args.get("view_id") and not args.get("external_id"):
                raise ViewError("invalid_arguments", "either view_id or external_id is required")
            view = self._checked_view(args, "modal")
            updated = self._views.update(
                args.get("view_id"), args.get("external_id"), args.get("hash"), view
            )
            return {"ok": True, "view": updated}
        except ViewError as refusal:
            return refusal.answer()

    def _views_publish(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        try:
            if not args.get("user_id"):
                raise ViewError("invalid_arguments", "missing required field: user_id")
            view = self._checked_view(args, "home")
            published = self._views.publish(str(args["user_id"]), view, args.get("hash"))
            return {"ok": True, "view": published}
        except ViewError as refusal:
            return refusal.answer()

    def _conversations_open(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            if str(args["channel"]) not in self._dms:
                return {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "no_op": True, "channel": {"id": args["channel"]}}
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        channel_id = "D" + users[0] if len(users) == 1 else "G" + "".join(users)
        already = channel_id in self._dms
        self._dms[channel_id] = ",".join(users)
        return {
            "ok": True,
            "no_op": already,
            "already_open": already,
            "channel": {"id": channel_id},
        }

    def _users_info(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        user_id = args.get("user")
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        if self.known_users_only and str(user_id) not in self._users:
            return {"ok": False, "error": "user_not_found"}
        known = self._users.get(str(user_id), {})
        tz = known.get("tz", self.default_tz)
        now = datetime.now(ZoneInfo(tz))
        offset = now.utcoffset()
        name = known.get("name", f"user-{str(user_id).lower()}")
        real_name = known.get("real_name", f"Test User {user_id}")
        profile = {"real_name": real_name, "display_name": name}
        if "email" in known:
            profile["email"] = known["email"]
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": known.get("team_id", self.team_id),
            "name": name,
            "real_name": real_name,
            "deleted": known.get("deleted", False),
            "is_bot": known.get("is_bot", False),
            "tz": tz,
            "tz_label": now.tzname(),
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": profile,
        }
        if "enterprise_id" in known:  # users.info's enterprise_user, for Enterprise Grid users
            user["enterprise_user"] = {
                "id": user_id,
                "enterprise_id": known["enterprise_id"],
                "enterprise_name": f"Enterprise {known['enterprise_id']}",
                "is_admin": False,
                "is_owner": False,
                "teams": known.get("teams", [user["team_id"]]),
            }
        if str(args.get("include_locale", "")).lower() in ("1", "true"):
            user["locale"] = known.get("locale", "en-US")  # only when asked, as Slack does
        return {"ok": True, "user": user}

    def _files_get_upload_url(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        try:
            length = int(str(args.get("length")))
        except (TypeError, ValueError):
            return {"ok": False, "error": "invalid_arguments"}
        if not args.get("filename"):
            return {"ok": False, "error": "invalid_arguments"}
        if length <= 0:
            # files.getUploadURLExternal: "Typically only occurs when the length provided is 0."
            return {"ok": False, "error": "missing_argument"}
        file_id = self._next_id("F")
        self._files[file_id] = _PendingFile(str(args["filename"]), length)
        return {"ok": True, "upload_url": f"{self.root_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        wanted = args.get("files")
        if not isinstance(wanted, list) or not wanted:
            return {"ok": False, "error": "invalid_arguments"}
        channels = [c for c in str(args.get("channels") or "").split(",") if c]
        if args.get("channel_id"):
            channels.insert(0, str(args["channel_id"]))
        for channel in channels:
            _, error = self._postable(channel)
            if error is not None:
                # files.completeUploadExternal's own codes for a channel it cannot share in
                denied = error == "not_in_channel"
                return {
                    "ok": False,
                    "error": "posting_to_channel_denied" if denied else "invalid_channel",
                }
        pending = [self._files.get(str(item.get("id", ""))) for item in wanted]
        if any(p is None or p.uploaded is None or p.completed for p in pending):
            return {"ok": False, "error": "file_not_found"}
        files = []
        for item, upload in zip(wanted, pending, strict=True):
            assert upload is not None and upload.uploaded is not None
            upload.completed = True
            upload.channels = channels
            file_id = str(item["id"])
            files.append(
                {
                    "id": file_id,
                    "name": upload.filename,
                    "title": item.get("title") or upload.filename,
                    "mimetype": mimetypes.guess_type(upload.filename)[0]
                    or "application/octet-stream",
                    "size": len(upload.uploaded),
                    "user": self.bot_user_id,
                    "permalink": (
                        f"https://{self.team_domain}.slack.com/files/"
                        f"{self.bot_user_id}/{file_id}/{upload.filename}"
                    ),
                    "channels": channels,
                }
            )
        return {"ok": True, "files": files}


def _parse_args(raw: bytes, content_type: str, query: str) -> dict[str, Any]:
    """Arguments from the query string and a JSON or form body, as Slack reads them."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type or text.lstrip().startswith("{"):
        try:
            body = json.loads(text)
        except json.JSONDecodeError:
            body = None
        if isinstance(body, dict):
            args.update(body)
    elif "multipart/" not in content_type:
        # Only the retired files.upload sends multipart; its raw bytes stay in Call.body.
        args.update(parse_qsl(text, keep_blank_values=True))
    for key in JSON_STRING_ARGS & args.keys():
        value = args[key]
        if isinstance(value, str):
            # Malformed JSON stays as sent, so a test can see what the app did.
            with contextlib.suppress(json.JSONDecodeError):
                args[key] = json.loads(value)
    return args


def _fault_reply(fault: _Fault) -> _Reply:
    error = _ERROR_FOR_STATUS.get(fault.status, "fatal_error")
    headers: tuple[tuple[str, str], ...] = ()
    if fault.retry_after is not None:
        headers = (("Retry-After", str(fault.retry_after)),)
    return _Reply.of_json({"ok": False, "error": error}, status=fault.status, headers=headers)
