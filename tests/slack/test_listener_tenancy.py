"""Every listener asks the same function who sent a request, and refuses when nobody did."""

from __future__ import annotations

import datetime as dt
from unittest.mock import AsyncMock, MagicMock

from bot.slack.listeners.actions import button_pressed
from bot.slack.listeners.commands import iso20k_command
from bot.slack.listeners.events import app_home_opened
from bot.slack.listeners.views import view_submitted
from bot.workers import Deps
from iso20k_core.standard import load_bank
from tests.slack.listening import run_listener

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def deps() -> Deps:
    return Deps(MagicMock(), load_bank(), worker=AsyncMock(), clock=lambda: NOW)


def test_a_command_of_a_grid_workspace_is_keyed_on_enterprise_and_workspace() -> None:
    d, ack = deps(), AsyncMock()
    command = {"team_id": "T1", "enterprise_id": "E1", "user_id": "U1", "text": "status"}
    run_listener(d, iso20k_command(d, ack, command))
    _, request, _ = d.worker.call.await_args.args
    assert (request.workspace_id, request.user_id) == ("E1:T1", "U1")


def test_no_listener_hands_over_a_request_without_a_workspace() -> None:
    d, ack = deps(), AsyncMock()
    run_listener(d, iso20k_command(d, ack, {"team_id": "", "user_id": "U1", "text": "status"}))
    # README: a request that names no workspace "is refused ('did not say which Slack
    # workspace…') and creates nothing"
    ((), said) = ack.await_args
    assert ack.await_count == 1 and list(said) == ["text"]
    assert "did not say which Slack workspace" in said["text"]
    body = {"user": {"id": "U1"}, "team": None, "type": "block_actions"}
    run_listener(d, button_pressed(d, AsyncMock(), body, {"value": "status|"}))
    view = {"callback_id": "iso20k:setup", "private_metadata": "{}", "state": {}}
    view_ack = AsyncMock()
    run_listener(d, view_submitted(d, view_ack, {"user": {"id": "U1"}, "team": None}, view))
    assert view_ack.await_args.kwargs["response_action"] == "update"
    event = {"type": "app_home_opened", "user": "U1", "tab": "home"}
    run_listener(d, app_home_opened(d, {"team_id": None, "event": event}, event))
    d.worker.call.assert_not_awaited()
