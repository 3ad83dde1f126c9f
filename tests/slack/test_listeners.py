"""Listeners as plain functions: called with mocks, no server (the bolt starter's habit)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from unittest.mock import AsyncMock, call

from bot.slack.deps import SlackDeps
from bot.slack.listeners.commands import iso20k_command
from bot.store.db import make_engine
from bot.store.migrate import upgrade
from iso20k_core.standard import load_bank


def deps(tmp_path: Path) -> SlackDeps:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    upgrade(url)
    return SlackDeps(
        make_engine(url), load_bank(), clock=lambda: dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
    )


def command(text: str) -> dict[str, str]:
    return {
        "text": text,
        "team_id": "T1",
        "user_id": "U1",
        "trigger_id": "1.2.3",
        "channel_id": "C1",
        "team_domain": "acme",
    }


def test_the_command_acks_first_then_answers(tmp_path: Path) -> None:
    order = AsyncMock()
    asyncio.run(
        iso20k_command(deps(tmp_path), order.ack, command("help"), order.client, order.respond)
    )
    assert order.mock_calls[0] == call.ack()
    kwargs = order.respond.await_args.kwargs
    assert kwargs["response_type"] == "ephemeral"
    assert kwargs["blocks"][0]["type"] == "header"


def test_a_form_opens_as_a_modal(tmp_path: Path) -> None:
    mocks = AsyncMock()
    asyncio.run(
        iso20k_command(deps(tmp_path), mocks.ack, command("setup"), mocks.client, mocks.respond)
    )
    view = mocks.client.views_open.await_args.kwargs["view"]
    assert view["type"] == "modal" and view["callback_id"] == "iso20k:setup"
    mocks.respond.assert_not_awaited()


def test_a_failure_apologises_instead_of_showing_a_trace(tmp_path: Path) -> None:
    mocks = AsyncMock()
    mocks.client.views_open.side_effect = RuntimeError("boom")
    asyncio.run(
        iso20k_command(deps(tmp_path), mocks.ack, command("setup"), mocks.client, mocks.respond)
    )
    text = mocks.respond.await_args.kwargs["text"]
    assert text.startswith("Sorry, that did not work") and "boom" not in text
