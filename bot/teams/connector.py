"""The Bot Connector's REST API as a worker calls it: send, reply, update, open a 1:1 chat,
look a member up; over the Agents SDK's `ConnectorClient`, with retries.

Workers are synchronous (bot/dialogs/worker.py), the SDK's client is aiohttp: each
`Connector` keeps one event loop and one HTTP session per service URL for the life of its
process, so connections (and their TLS handshakes) are reused from message to message, and
runs each call on it, one at a time, bounded by `TIMEOUT`. Polite retries,
as slack_sdk's handlers give the Slack side (PLATFORM.md): a 429 waits its `Retry-After`
(at most `MAX_WAIT` seconds, twice) and then raises `Throttled` for the caller to hand back
(the reminder outbox reschedules, README "Reminders"); a 5xx or a dropped connection is tried
again after a short pause; a 401 fetches a new token once. Anything else raises
`ConnectorError` with the status and, where the SDK passes the body on (sends, replies and
updates), the service's error code; never a token.

Messages go only to the `service_url` of an authenticated activity or of a stored reference
(bot/teams/auth.py checks the token's `serviceurl` claim against it).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from microsoft_agents.activity import Activity, ChannelAccount, ConversationParameters
from microsoft_agents.hosting.core.connector.client import ConnectorClient
from microsoft_agents.hosting.core.connector.conversations_base import ConversationsBase

from bot.teams.activity import Conversation
from bot.teams.tokens import ClientCredentials

T = TypeVar("T")
TIMEOUT = 15.0  # seconds for one request to the connector
RETRIES = 2
MAX_WAIT = 30.0  # the longest Retry-After waited for in place
MAX_SESSIONS = 16
PAUSES = (0.5, 2.0)  # before each retry of a 5xx or a dropped connection


class ConnectorError(Exception):
    def __init__(self, status: int, code: str = "") -> None:
        super().__init__(f"the Bot Connector answered {status} {code}".strip())
        self.status = status
        self.code = code


class Throttled(ConnectorError):
    """429 still, after waiting: try again after `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(429, "Throttled")
        self.retry_after = retry_after


class Connector:
    def __init__(
        self,
        tokens: ClientCredentials | None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = MAX_WAIT,
    ) -> None:
        # No tokens: an anonymous connector (local development with the Emulator).
        self.tokens = tokens
        self._sleep = sleep
        self._max_wait = max_wait
        self._lock = threading.Lock()  # one call at a time on the loop
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sessions: dict[str, aiohttp.ClientSession] = {}

    def send(self, to: Conversation, activity: Activity, reply_to: str | None = None) -> str:
        """Post `activity` to the conversation (as a reply to `reply_to` when given: in a
        channel that keeps it in the thread); the new activity's id."""

        async def post(conversations: ConversationsBase) -> str:
            if reply_to:
                sent = await conversations.reply_to_activity(to.id, reply_to, activity)
            else:
                sent = await conversations.send_to_conversation(to.id, activity)
            return str(sent.id or "")

        return self._call(to.service_url, post)

    def update(self, to: Conversation, activity_id: str, activity: Activity) -> None:
        """Replace a message the bot sent (a card after its submission)."""
        activity.id = activity_id

        async def put(conversations: ConversationsBase) -> None:
            await conversations.update_activity(to.id, activity_id, activity)

        self._call(to.service_url, put)

    def open_personal(
        self, service_url: str, tenant_id: str, bot_id: str, teams_user_id: str
    ) -> str:
        """The 1:1 chat between the bot and a person, created if new; its conversation id."""
        parameters = ConversationParameters.model_validate(
            {
                "isGroup": False,
                "bot": {"id": bot_id},
                "members": [{"id": teams_user_id}],
                "tenantId": tenant_id,
                "channelData": {"tenant": {"id": tenant_id}},
            }
        )

        async def create(conversations: ConversationsBase) -> str:
            return str((await conversations.create_conversation(parameters)).id)

        return self._call(service_url, create)

    def member(self, to: Conversation, user_id: str) -> ChannelAccount | None:
        """A member of the conversation (by Teams user id or AAD object id), or None when
        the conversation has no such member."""

        async def get(conversations: ConversationsBase) -> ChannelAccount | None:
            try:
                return await conversations.get_conversation_member(to.id, user_id)
            except aiohttp.ClientResponseError as exc:
                if exc.status in (400, 403, 404):
                    return None
                raise

        return self._call(to.service_url, get)

    # -- the call, with its retries ---------------------------------------------------------

    def _call(self, service_url: str, work: Callable[[ConversationsBase], Awaitable[T]]) -> T:
        attempt = 0
        fresh_token = False
        while True:
            token = self.tokens.token() if self.tokens is not None else ""
            try:
                return self._run(service_url, token, work)
            except aiohttp.ClientResponseError as exc:
                if exc.status == 401 and self.tokens is not None and not fresh_token:
                    self.tokens.forget()  # revoked or expired early: one new token, once
                    fresh_token = True
                    continue
                if exc.status == 429:
                    wait = retry_after(exc.headers)
                    if attempt >= RETRIES or wait > self._max_wait:
                        raise Throttled(wait) from None
                    self._sleep(wait)
                elif exc.status >= 500 and attempt < RETRIES:
                    self._sleep(PAUSES[attempt])
                else:
                    raise ConnectorError(exc.status, _code(exc.message)) from None
            except (aiohttp.ClientConnectionError, TimeoutError) as exc:
                if attempt >= RETRIES:
                    raise ConnectorError(0, type(exc).__name__) from None
                self._sleep(PAUSES[attempt])
            attempt += 1

    def _run(
        self, service_url: str, token: str, work: Callable[[ConversationsBase], Awaitable[T]]
    ) -> T:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                self._loop = asyncio.new_event_loop()
            return self._loop.run_until_complete(self._once(service_url, token, work))

    async def _once(
        self, service_url: str, token: str, work: Callable[[ConversationsBase], Awaitable[T]]
    ) -> T:
        session = self._sessions.get(service_url)
        if session is None or session.closed:
            if len(self._sessions) >= MAX_SESSIONS:  # service URLs are a few regions
                _, oldest = self._sessions.popitem()
                await oldest.close()
            session = aiohttp.ClientSession(
                base_url=service_url if service_url.endswith("/") else service_url + "/",
                timeout=aiohttp.ClientTimeout(total=TIMEOUT),
            )
            self._sessions[service_url] = session
        # The SDK's client sets the token on the session it is given: one client per call,
        # on the kept session, so a renewed token is used at once.
        client = ConnectorClient(service_url, token, session=session)
        return await work(client.conversations)

    def close(self) -> None:
        """Close the kept sessions and the loop (a worker process may simply exit)."""
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                return
            for session in self._sessions.values():
                self._loop.run_until_complete(session.close())
            self._sessions.clear()
            self._loop.close()


def retry_after(headers: Any) -> float:
    """Seconds a 429 asks to wait (Retry-After in seconds; 1 if absent or unreadable)."""
    try:
        return max(0.0, float((headers or {}).get("Retry-After", 1)))
    except (TypeError, ValueError):
        return 1.0


def _code(message: str) -> str:
    """The service's error code from an error body (`{"error": {"code": …}}`), if any."""
    try:
        body = json.loads(message)
    except (TypeError, ValueError):
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("code", "")) if isinstance(error, dict) else ""
