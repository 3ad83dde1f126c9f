"""Reminders to Slack: a message to a user or channel, politely paced.

Slack allows about one message per second per channel (PLATFORM.md): sends to the same
target are spaced by `MIN_INTERVAL`. A 429 is first retried by slack_sdk's handler after
`Retry-After`; if Slack still refuses, the reminder is handed back to the outbox with that
wait, so nothing is dropped and nothing is sent twice.

With many workspaces (Slack OAuth) each organisation's reminders go out with its own
workspace's token: `SlackReminderChannels.for_workspace` gives the channel of one workspace
(its pacing and look-ups its own), or None where the app is not installed.

A person's timezone and locale come from one `users.info` (with `include_locale`), kept for
`PROFILE_TTL` seconds: a reminder is written in its recipient's language at send time, and
a busy morning costs one look-up per person, not one per reminder.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from cachetools import LRUCache, TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.dialogs.model import Message
from bot.reminders.dispatch import RateLimited
from bot.slack.blocks import fallback_text, message_blocks
from bot.slack.sender import SLACK_API_URL, retry_handlers
from bot.slack.tokens import TokenSource

MIN_INTERVAL = 1.0  # seconds between two messages to the same channel
PROFILE_TTL = 600.0  # seconds a person's timezone and locale are taken as known


class SlackReminderChannel:
    def __init__(
        self,
        client: WebClient,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # The clock and the sleep are passed in so a test can measure the pacing on a clock
        # it controls, without waiting a real second per message.
        self.client = client
        self.clock = clock
        self.sleep = sleep
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()
        self._profiles: TTLCache[str, tuple[str | None, str | None]] = TTLCache(
            10_000, PROFILE_TTL, timer=clock
        )

    @classmethod
    def from_settings(cls, token: str, base_url: str | None) -> SlackReminderChannel:
        return cls(
            WebClient(
                token=token, base_url=base_url or SLACK_API_URL, retry_handlers=retry_handlers()
            )
        )

    def _pace(self, target: str) -> None:
        with self._lock:
            wait = self._last.get(target, -MIN_INTERVAL) + MIN_INTERVAL - self.clock()
            self._last[target] = self.clock() + max(wait, 0)
        if wait > 0:
            self.sleep(wait)

    def send(self, target: str, message: Message) -> str | None:
        self._pace(target)
        try:
            answer = self.client.chat_postMessage(
                channel=target, text=fallback_text(message), blocks=message_blocks(message)
            )
        except SlackApiError as exc:
            if exc.response.status_code == 429:
                raise RateLimited(float(exc.response.headers.get("Retry-After", 30))) from exc
            raise
        ts = answer.get("ts")
        return str(ts) if ts else None

    def timezone_of(self, user_id: str) -> str | None:
        return self._profile(user_id)[0]

    def locale_of(self, user_id: str) -> str | None:
        """The person's locale (`zh-CN`), None for a channel or when Slack gives none."""
        return self._profile(user_id)[1]

    def _profile(self, user_id: str) -> tuple[str | None, str | None]:
        if not user_id.startswith(("U", "W")):  # channels have no timezone or locale
            return None, None
        with self._lock:
            if user_id in self._profiles:
                return self._profiles[user_id]
        user = self.client.users_info(user=user_id, include_locale=True)["user"]
        tz, locale = user.get("tz"), user.get("locale")
        found = (str(tz) if tz else None, str(locale) if locale else None)
        with self._lock:
            self._profiles[user_id] = found
        return found


class SlackReminderChannels:
    """The reminder channel of each workspace, made with its token (the token source) and
    kept per token, so a workspace's pacing and look-ups survive from tick to tick."""

    MAX_CHANNELS = 1_000

    def __init__(self, tokens: TokenSource, base_url: str | None) -> None:
        self.tokens = tokens
        self.base_url = base_url
        self._made: LRUCache[str, SlackReminderChannel] = LRUCache(self.MAX_CHANNELS)
        self._lock = threading.Lock()

    def for_workspace(self, workspace: str) -> SlackReminderChannel | None:
        token = self.tokens.bot_token(workspace)
        if token is None:
            return None
        with self._lock:
            channel = self._made.get(token)
            if channel is None:
                channel = self._made[token] = SlackReminderChannel.from_settings(
                    token, self.base_url
                )
        return channel
