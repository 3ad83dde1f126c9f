"""Modals and the Home tab as Slack keeps them: view ids, hashes, view stacks, trigger ids.

Why: the refusals that bite an app live in this state, not in one request. A `trigger_id` is
single-use and valid for 3 seconds (PLATFORM.md "3 seconds"); the views reference pages on
docs.slack.dev name the errors: ``exchanged_trigger_id`` ("already exchanged in a previous
call"), ``expired_trigger_id``, ``invalid_trigger_id`` (expected format
``"132456.7890123.abcdef"``), and, for a missing one, ``invalid_arguments`` with the message
"invalid `trigger_id`" (views.open's example error). `views.update` answers ``not_found`` for an
unknown `view_id`/`external_id` and ``hash_conflict`` when the `hash` it was given is not the
view's current one (the guard against two updates racing); `views.push` allows two views above
the first (``push_limit_reached``). Closing a modal removes it, so a later update is
``not_found``.

Trigger times come from an injectable clock (`time.monotonic` by default), so a test moves
past the 3 seconds by advancing the clock, not by sleeping.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_STACK", "TRIGGER_LIFETIME", "Triggers", "ViewError", "ViewStore"]

TRIGGER_LIFETIME = 3.0  # seconds (PLATFORM.md "3 seconds")
MAX_STACK = 3  # views.push: "limited to pushing 2 additional views" above the first
_TRIGGER_FORMAT = re.compile(r"^\d+\.\d+\.[0-9a-f]+$")


class ViewError(Exception):
    """A refusal with Slack's error code (and, for invalid_arguments, its messages)."""

    def __init__(self, code: str, *messages: str) -> None:
        super().__init__(code)
        self.code = code
        self.messages = list(messages)

    def answer(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"ok": False, "error": self.code}
        if self.messages:
            answer["response_metadata"] = {"messages": self.messages}
        return answer


@dataclass
class _Trigger:
    issued_at: float
    view_id: str | None  # the modal the interaction came from, if any
    used: bool = False


class Triggers:
    """Trigger ids as Slack hands them out with each interaction, and their exchange."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._issued: dict[str, _Trigger] = {}
        self._numbers = itertools.count(1)

    def issue(self, view_id: str | None = None) -> str:
        """A fresh trigger id, valid for `TRIGGER_LIFETIME` seconds from now on the clock."""
        number = next(self._numbers)
        trigger = f"{int(time.time())}.{number}.{time.time_ns() & 0xFFFFFFFF:08x}{number:x}"
        self._issued[trigger] = _Trigger(self.clock(), view_id)
        return trigger

    def exchange(self, trigger: Any) -> _Trigger:
        """Use `trigger` up, or raise `ViewError` with the code Slack answers."""
        if not trigger or not isinstance(trigger, str):
            raise ViewError("invalid_arguments", "invalid `trigger_id`")
        issued = self._issued.get(trigger)
        if issued is None or not _TRIGGER_FORMAT.match(trigger):
            raise ViewError("invalid_trigger_id")
        if issued.used:
            raise ViewError("exchanged_trigger_id")
        if self.clock() - issued.issued_at > TRIGGER_LIFETIME:
            raise ViewError("expired_trigger_id")
        issued.used = True
        return issued

    def clear(self) -> None:
        self._issued.clear()


class ViewStore:
    """Every open modal (with its stack) and every published Home tab, by view id."""

    def __init__(
        self, team_id: str, app_id: str, bot_id: str, next_id: Callable[[str], str]
    ) -> None:
        self.team_id = team_id
        self.app_id = app_id
        self.bot_id = bot_id
        self.next_id = next_id
        self.views: dict[str, dict[str, Any]] = {}  # open views by id, current version
        self.shown: list[dict[str, Any]] = []  # every version Slack showed, oldest first
        self._stacks: dict[str, list[str]] = {}  # root view id -> ids, bottom first
        self._homes: dict[str, str] = {}  # user id -> Home tab view id
        self._hashes = itertools.count(1)

    def open(self, view: Mapping[str, Any]) -> dict[str, Any]:
        full = self._store(self.next_id("V"), view, root=None, previous=None)
        self._stacks[full["id"]] = [full["id"]]
        return full

    def push(self, below: str | None, view: Mapping[str, Any]) -> dict[str, Any]:
        """Push `view` onto the stack of the open modal `below` (where the trigger came from)."""
        if below is None or below not in self.views or self.views[below]["type"] != "modal":
            raise ViewError("not_found")
        root = self.views[below]["root_view_id"]
        stack = self._stacks[root]
        if len(stack) >= MAX_STACK:
            raise ViewError("push_limit_reached")
        full = self._store(self.next_id("V"), view, root=root, previous=stack[-1])
        stack.append(full["id"])
        return full

    def update(
        self,
        view_id: Any,
        external_id: Any,
        expected_hash: Any,
        view: Mapping[str, Any],
    ) -> dict[str, Any]:
        current = self._find(view_id, external_id)
        if current is None:
            raise ViewError("not_found")
        if expected_hash and expected_hash != current["hash"]:
            raise ViewError("hash_conflict")
        return self._store(
            current["id"],
            view,
            root=current["root_view_id"],
            previous=current.get("previous_view_id"),
        )

    def publish(self, user_id: str, view: Mapping[str, Any], expected_hash: Any) -> dict[str, Any]:
        current_id = self._homes.get(user_id)
        current = self.views.get(current_id) if current_id else None
        if expected_hash and (current is None or expected_hash != current["hash"]):
            raise ViewError("hash_conflict")
        full = self._store(current_id or self.next_id("V"), view, root=None, previous=None)
        self._homes[user_id] = full["id"]
        return full

    def close(self, view_id: str, *, whole_stack: bool = False) -> None:
        """The modal `view_id` closes (a submission answered with nothing, or ``clear``)."""
        current = self.views.get(view_id)
        if current is None:
            return
        stack = self._stacks.get(current["root_view_id"], [view_id])
        closing = list(stack) if whole_stack else stack[stack.index(view_id) :]
        for closed in closing:
            self.views.pop(closed, None)
            stack.remove(closed)
        if not stack:
            self._stacks.pop(current["root_view_id"], None)

    def home_of(self, user_id: str) -> dict[str, Any] | None:
        view_id = self._homes.get(user_id)
        return self.views.get(view_id) if view_id else None

    def was_shown(self, view: Mapping[str, Any]) -> dict[str, Any] | None:
        """The latest version Slack showed that `view` is (by id, else by its content)."""
        for version in self.shown[::-1]:
            if view.get("id") and version["id"] == view["id"]:
                return version
            if not view.get("id") and _same_content(version, view):
                return version
        return None

    def clear(self) -> None:
        self.views.clear()
        self.shown.clear()
        self._stacks.clear()
        self._homes.clear()

    # -- helpers ---------------------------------------------------------------------------

    def _find(self, view_id: Any, external_id: Any) -> dict[str, Any] | None:
        if view_id:
            return self.views.get(str(view_id))
        if external_id:
            for current in self.views.values():
                if current.get("external_id") == external_id:
                    return current
        return None

    def _store(
        self, view_id: str, view: Mapping[str, Any], *, root: str | None, previous: str | None
    ) -> dict[str, Any]:
        """The view as Slack echoes it back: the app's fields plus the ids Slack adds."""
        full: dict[str, Any] = {
            "team_id": self.team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "app_installed_team_id": self.team_id,
        }
        full.update(view)
        full.update(
            id=view_id,
            root_view_id=root or view_id,
            previous_view_id=previous,
            app_id=self.app_id,
            bot_id=self.bot_id,
            hash=f"{int(time.time())}.{next(self._hashes):08x}",
        )
        self.views[view_id] = full
        self.shown.append(full)
        return full


_CONTENT_KEYS = ("type", "callback_id", "private_metadata", "blocks", "title")


def _same_content(shown: Mapping[str, Any], view: Mapping[str, Any]) -> bool:
    return all(shown.get(key) == view.get(key) for key in _CONTENT_KEYS if key in view)
