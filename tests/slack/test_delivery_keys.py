"""What identifies a delivery (README "Using it": "Every request is acted on once, keyed on
what identifies it"), and which Home-tab events are acted on at all.

A repeat carries the same key; another request, another key; a request that lacks the id is
acted on every time (None), never deduplicated with every other such request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest.mock import AsyncMock, MagicMock

from bot.slack.deps import action_key, command_key, event_key, submission_key
from bot.slack.listeners.events import app_home_opened
from bot.workers import Deps
from iso20k_core.standard import load_bank
from tests.slack.listening import run_listener

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def test_a_command_is_keyed_on_its_trigger_id() -> None:
    command = {"trigger_id": "1.2.abc", "text": "status"}
    assert command_key("T1", command) == command_key("T1", dict(command))
    assert command_key("T1", command) != command_key("T1", {**command, "trigger_id": "1.2.xyz"})
    assert command_key("T1", command) != command_key("T2", command)
    assert command_key("T1", {"text": "status"}) is None


def test_a_click_is_keyed_on_where_which_button_and_when() -> None:
    in_message = {"container": {"channel_id": "D1", "message_ts": "1700000000.000100"}}
    on_home = {"container": {"view_id": "V1"}}
    press = {"action_id": "iso20k:status:0", "action_ts": "1700000001.000200"}
    first = action_key("T1", "U1", in_message, press)
    assert first == action_key("T1", "U1", in_message, dict(press))  # a repeat
    assert first != action_key("T1", "U1", in_message, {**press, "action_ts": "1700000002.1"})
    assert first != action_key("T1", "U1", in_message, {**press, "action_id": "iso20k:plan:1"})
    assert first != action_key("T1", "U2", in_message, press)
    assert first is not None and "D1/1700000000.000100" in first
    assert action_key("T1", "U1", on_home, press) != first
    assert "V1" in (action_key("T1", "U1", on_home, press) or "")
    # no action_ts: the trigger id stands in for it; neither: acted on every time
    assert action_key("T1", "U1", {"trigger_id": "9.9"}, {"action_id": "x"}) is not None
    assert action_key("T1", "U1", {}, {"action_id": "x"}) is None


def test_a_submission_is_keyed_on_the_view_its_hash_and_what_was_entered() -> None:
    view: dict[str, Any] = {
        "id": "V1",
        "hash": "1700000000.abc",
        "state": {"values": {"organisation": {"value": {"value": "Acme"}}}},
    }
    first = submission_key("T1", "U1", view)
    assert first == submission_key("T1", "U1", dict(view))  # a double click
    corrected = {**view, "state": {"values": {"organisation": {"value": {"value": "Acme IT"}}}}}
    assert submission_key("T1", "U1", corrected) != first  # a corrected entry is new
    assert submission_key("T1", "U1", {**view, "hash": "1700000001.def"}) != first  # page 2
    assert submission_key("T1", "U1", {"hash": "h"}) is None
    assert submission_key("T1", "U1", {"id": "V1"}) is None


def test_an_event_is_keyed_on_its_event_id_and_one_without_is_acted_on() -> None:
    assert event_key({"event_id": "Ev1"}) == "event:Ev1"
    assert event_key({"event_id": "Ev1"}) != event_key({"event_id": "Ev2"})
    assert event_key({}) is None
    assert event_key({"event_id": ""}) is None


def _deps() -> Deps:
    return Deps(MagicMock(), load_bank(), worker=AsyncMock(), clock=lambda: NOW)


def test_only_the_home_tab_is_drawn() -> None:
    """app_home_opened also fires for the app's Messages tab (Slack's event reference): only
    the Home tab gets a dashboard; an event without `tab` is the Home tab (older payloads)."""
    body = {"team_id": "T1", "event_id": "Ev1"}
    for event, drawn in (
        ({"type": "app_home_opened", "user": "U1", "tab": "messages"}, False),
        ({"type": "app_home_opened", "user": "U1", "tab": "home"}, True),
        ({"type": "app_home_opened", "user": "U1"}, True),
    ):
        deps = _deps()
        run_listener(deps, app_home_opened(deps, {**body, "event": event}, event))
        assert deps.worker.call.await_count == (1 if drawn else 0), event
        if drawn:
            _, request, target = deps.worker.call.await_args.args
            assert (request.workspace_id, request.user_id) == ("T1", "U1")
            assert request.delivery == "event:Ev1" and target.home
