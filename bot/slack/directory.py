"""Who a Slack user is: `users.info`, kept for a while in each worker process.

`users.info` (bot scope `users:read`; `include_locale=true` adds the locale) answers a user's
workspace, timezone, locale and names; in an Enterprise Grid `enterprise_user` adds the
enterprise and every workspace of it the person belongs to. It is a Tier 4 method (100+
calls a minute), but every dialog step asks it for the person acting, so answers are cached
for `TTL` seconds: a changed timezone shows within minutes, and a busy workspace costs one
call per person per ten minutes and process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.dialogs.context import DirectoryError, Person
from bot.slack.tenant import ENTERPRISE_ID, WORKSPACE_ID, tenant_key
from iso20k_core.text import NAME_LIMIT, TextError, clean_text

log = logging.getLogger(__name__)
TTL = 600.0  # seconds
MAX_PEOPLE = 10_000
# users.info errors that mean "no such person here" (docs.slack.dev users.info, Errors).
NOT_FOUND = frozenset({"user_not_found", "user_not_visible", "invalid_user_id"})


class SlackDirectory:
    def __init__(
        self,
        client: WebClient,
        ttl: float = TTL,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self._cache: TTLCache[str, Person | None] = TTLCache(MAX_PEOPLE, ttl, timer=timer)
        self._lock = threading.Lock()

    def person(self, user_id: str) -> Person | None:
        with self._lock:
            if user_id in self._cache:
                return self._cache[user_id]
        found = self._ask(user_id)
        with self._lock:
            self._cache[user_id] = found
        return found

    def _ask(self, user_id: str) -> Person | None:
        try:
            answer = self.client.users_info(user=user_id, include_locale=True)
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error in NOT_FOUND:
                return None
            if error == "missing_scope":
                log.error("users.info needs the users:read bot scope: add it and reinstall")
            raise DirectoryError(f"users.info: {error}") from exc
        except (SlackClientError, OSError) as exc:  # not answered at all
            raise DirectoryError(f"users.info: {exc.__class__.__name__}") from exc
        user = answer.get("user")
        return person_of(user) if isinstance(user, dict) else None


def person_of(user: dict[str, Any]) -> Person | None:
    """A `users.info` user as a Person; bots and deactivated accounts are nobody to assign."""
    user_id = user.get("id")
    if not isinstance(user_id, str) or user.get("deleted") or user.get("is_bot"):
        return None
    grid = _dict(user.get("enterprise_user"))
    enterprise = grid.get("enterprise_id")
    if not (isinstance(enterprise, str) and ENTERPRISE_ID.fullmatch(enterprise)):
        enterprise = None
    teams = [user.get("team_id"), *(grid.get("teams") or [])]
    workspaces = frozenset(
        tenant_key(enterprise, t) for t in teams if isinstance(t, str) and WORKSPACE_ID.fullmatch(t)
    )
    profile = _dict(user.get("profile"))
    name = profile.get("display_name") or profile.get("real_name") or user.get("real_name")
    return Person(
        user_id,
        workspaces,
        display_name=_text(name) or _text(user.get("name")),
        timezone=_text(user.get("tz")),
        locale=_text(user.get("locale")),
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    """What Slack says, held to the rules of typed text (it is stored and shown likewise)."""
    if not isinstance(value, str):
        return None
    try:
        return clean_text(value, limit=NAME_LIMIT) or None
    except TextError:
        return None
