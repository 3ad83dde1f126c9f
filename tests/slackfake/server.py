"""`FakeSlack`: a local fake of the Slack Web API over real HTTP, for end-to-end tests.

Why a real server and not a mocked `WebClient`: the parts that break in production live in the
HTTP layer — the bot token header, form versus JSON bodies, `Retry-After` on HTTP 429, 5xx
retries, the three-step `files_upload_v2`, `response_url` posts. Pointing the real
`slack_sdk.WebClient(base_url=slack.url)` at this server exercises all of them.

bolt-python tests itself the same way (`tests/mock_web_api_server/`: a stdlib server in a thread
with canned answers, see /work/shared/PLATFORM.md); this fake adds call recording with parsed
arguments, token checks, fault and latency injection, uploads and `response_url`s.

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
- ``/respond/<key>``: a ``response_url`` (see `FakeSlack.response_url`); recorded as method
  ``"response_url"``.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import mimetypes
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

__all__ = ["Call", "FakeSlack"]

# Form arguments that slack_sdk sends as JSON strings (e.g. `files` of
# files.completeUploadExternal); they are stored parsed so tests read them like JSON bodies.
JSON_STRING_ARGS = frozenset(
    {"attachments", "blocks", "files", "metadata", "outputs", "unfurls", "user_auth_blocks", "view"}
)

UPLOAD_METHOD = "file_upload"
RESPONSE_URL_METHOD = "response_url"

_ERROR_FOR_STATUS = {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}


@dataclass(frozen=True)
class Call:
    """One request the fake received, as the app sent it.

    `args` holds the arguments from the query string and the body (JSON or form-encoded); form
    values listed in `JSON_STRING_ARGS` are already parsed. `headers` has lower-case names.
    `at` is `time.monotonic()` on arrival, so gaps between calls measure retry waits.
    `failed` marks a call answered by an injected fault (`FakeSlack.fail_next`).
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

    @classmethod
    def of_json(cls, payload: Any, status: int = 200, **kw: Any) -> _Reply:
        return cls(status, json.dumps(payload).encode(), payload=payload, **kw)

    @classmethod
    def of_text(cls, text: str, status: int = 200) -> _Reply:
        return cls(status, text.encode(), "text/plain; charset=utf-8", payload=text)


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


class FakeSlack:
    """A fake Slack Web API on 127.0.0.1 that records every call and answers like Slack.

    Start it with `with FakeSlack() as slack:` (or `start()` / `close()`); point clients at
    `slack.url`. All public methods are thread-safe: the app under test calls from its own
    threads while the test inspects `calls`.
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
        single_use_triggers: bool = True,
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
        self.single_use_triggers = single_use_triggers
        # Slack answers users.info with user_not_found for an id it does not know; by default
        # the fake knows every id (as a member of `team_id`) unless told otherwise.
        self.known_users_only = known_users_only
        self._used_triggers: set[str] = set()
        self._cond = threading.Condition()
        self._calls: list[Call] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._delays: dict[str, float] = {}
        self._answers: dict[str, Any] = {}
        self._users: dict[str, dict[str, Any]] = {
            user: {"tz": tz} for user, tz in (user_timezones or {}).items()
        }
        self._pending_files: dict[str, dict[str, Any]] = {}
        self._uploads: dict[str, bytes] = {}
        self._ids = itertools.count(1)
        self._last_ts_us = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._methods: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "views.open": self._views,
            "views.update": self._views,
            "views.push": self._views,
            "views.publish": self._views,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind a free port on 127.0.0.1 and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("FakeSlack is already running")
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeSlack:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, release the port and join the server thread."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- addresses -------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the server is bound to."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not running: use `with FakeSlack() as slack:`")
        return int(self._server.server_address[1])

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT`` without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The `base_url` for `WebClient`: it ends in ``/api/`` because the client appends the
        method name (``.../api/chat.postMessage``)."""
        return f"{self.root_url}/api/"

    def response_url(self, key: str = "default") -> str:
        """A `response_url` on the fake to put into a signed command or action payload."""
        return f"{self.root_url}/respond/{key}"

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
            return dict(self._uploads)

    def reset(self) -> None:
        """Forget calls, uploads, pending faults, delays and `answer` overrides (users stay)."""
        with self._cond:
            self._calls.clear()
            self._faults.clear()
            self._delays.clear()
            self._answers.clear()
            self._pending_files.clear()
            self._uploads.clear()
            self._used_triggers.clear()

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
        """Answer every later call of `method` with `payload` (e.g. an ``ok: false`` error such
        as ``expired_trigger_id``) instead of the canned success; `reset()` undoes it."""
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
                reply = _Reply.of_text("ok")
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
        auth = headers.get("authorization")
        if not auth:
            return _Reply.of_json({"ok": False, "error": "not_authed"})
        if auth != f"Bearer {self.token}":
            return _Reply.of_json({"ok": False, "error": "invalid_auth"})
        if method in self._answers:
            return _Reply.of_json(self._answers[method])
        answer = self._methods.get(method)
        if answer is None:
            return _Reply.of_json({"ok": False, "error": "unknown_method"})
        return _Reply.of_json(answer(method, args))

    def _upload_reply(self, file_id: str, raw: bytes) -> _Reply:
        # Slack's upload host answers a plain-text "OK - <bytes>"; slack_sdk checks status 200.
        if file_id not in self._pending_files:
            return _Reply.of_text("file not found", status=404)
        self._uploads[file_id] = raw
        return _Reply.of_text(f"OK - {len(raw)}")

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

    def _auth_test(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        # Bolt calls auth.test at start-up when given a token (PLATFORM.md "Deployment").
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team,
            "user": "iso20k",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not any(args.get(k) for k in ("text", "blocks", "attachments")):
            return {"ok": False, "error": "no_text"}
        ts = self._next_ts()
        return {
            "ok": True,
            "channel": args["channel"],
            "ts": ts,
            "message": self._bot_message(args, ts),
        }

    def _chat_post_ephemeral(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        ts = str(args["ts"])
        return {
            "ok": True,
            "channel": args["channel"],
            "ts": ts,
            "text": args.get("text", ""),
            "message": self._bot_message(args, ts),
        }

    def _views(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        trigger = args.get("trigger_id")
        if method in ("views.open", "views.push") and trigger and self.single_use_triggers:
            # A trigger_id is single-use (PLATFORM.md "3 seconds"); Slack's error for reuse is
            # exchanged_trigger_id ("views.open" reference). Its 3 s expiry is not simulated.
            if trigger in self._used_triggers:
                return {"ok": False, "error": "exchanged_trigger_id"}
            self._used_triggers.add(str(trigger))
        view_id = str(args.get("view_id") or self._next_id("V"))
        answer: dict[str, Any] = {
            "team_id": self.team_id,
            "type": "home" if method == "views.publish" else "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "previous_view_id": None,
            "app_installed_team_id": self.team_id,
        }
        answer.update(view)
        answer.update(
            id=view_id,
            root_view_id=view_id,
            app_id=self.app_id,
            bot_id=self.bot_id,
            hash=f"{int(time.time())}.{next(self._ids):08x}",
        )
        return {"ok": True, "view": answer}

    def _conversations_open(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            return {"ok": True, "no_op": True, "channel": {"id": args["channel"]}}
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        channel_id = "D" + users[0] if len(users) == 1 else "G" + "".join(users)
        return {"ok": True, "no_op": False, "already_open": False, "channel": {"id": channel_id}}

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
        if not args.get("filename") or args.get("length") in (None, ""):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self._next_id("F")
        self._pending_files[file_id] = {
            "filename": str(args["filename"]),
            "length": int(args["length"]),
        }
        return {"ok": True, "upload_url": f"{self.root_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        wanted = args.get("files")
        if not isinstance(wanted, list) or not wanted:
            return {"ok": False, "error": "invalid_arguments"}
        files = []
        for item in wanted:
            file_id = str(item.get("id", ""))
            pending = self._pending_files.get(file_id)
            if pending is None or file_id not in self._uploads:
                return {"ok": False, "error": "file_not_found"}
            filename = pending["filename"]
            files.append(
                {
                    "id": file_id,
                    "name": filename,
                    "title": item.get("title") or filename,
                    "mimetype": mimetypes.guess_type(filename)[0] or "application/octet-stream",
                    "size": len(self._uploads[file_id]),
                    "user": self.bot_user_id,
                    "permalink": (
                        f"https://{self.team_domain}.slack.com/files/"
                        f"{self.bot_user_id}/{file_id}/{filename}"
                    ),
                    "channels": [args["channel_id"]] if args.get("channel_id") else [],
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
