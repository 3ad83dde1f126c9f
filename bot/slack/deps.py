"""What identifies each delivery of a Slack request, so that a repeat is acted on once
(bot.store.deliveries). The workers and lanes every listener uses are in bot/workers.py."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

# What identifies one delivery of each kind of request (Slack's payload references). A
# repeat carries the same key: Slack's retries, a replayed request, a double click on a
# modal's submit button. Keys name the workspace and person too, since Slack documents some
# ids as unique only within a channel or workspace (a message's ts). None when the payload
# lacks the id: then the request is acted on every time, as before.


def command_key(team_id: str, command: Mapping[str, Any]) -> str | None:
    """A slash command: its trigger_id, minted by Slack for each invocation."""
    trigger = command.get("trigger_id")
    return f"command:{team_id}:{trigger}" if trigger else None


def action_key(
    team_id: str, user_id: str, body: Mapping[str, Any], action: Mapping[str, Any]
) -> str | None:
    """A button press: where the button is (the channel and message ts, or the view id),
    which action, and the action's own timestamp: each click has its own action_ts."""
    container = body.get("container") or {}
    where = container.get("view_id") or (
        f"{container.get('channel_id', '')}/{container.get('message_ts', '')}"
    )
    stamp = action.get("action_ts") or body.get("trigger_id")
    if not stamp:
        return None
    return f"action:{team_id}:{user_id}:{where}:{action.get('action_id', '')}:{stamp}"


def submission_key(team_id: str, user_id: str, view: Mapping[str, Any]) -> str | None:
    """A modal submission: the view's id and hash (the hash changes whenever the view is
    updated, e.g. to its next page) and what was entered, so a corrected entry after an error
    is a new submission while a double click on the submit button is not. A submission that
    could not be saved is not recorded, so pressing the button again saves it."""
    view_id, view_hash = view.get("id"), view.get("hash")
    if not view_id or not view_hash:
        return None
    values = json.dumps((view.get("state") or {}).get("values") or {}, sort_keys=True)
    digest = hashlib.sha256(values.encode()).hexdigest()
    return f"view:{team_id}:{user_id}:{view_id}:{view_hash}:{digest}"


def event_key(body: Mapping[str, Any]) -> str | None:
    """An Events API delivery: its event_id, unique across workspaces and kept by retries."""
    event_id = body.get("event_id")
    return f"event:{event_id}" if event_id else None
