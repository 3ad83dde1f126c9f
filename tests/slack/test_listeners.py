"""Listeners and the sender as plain functions: called with mocks, no server."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from unittest.mock import AsyncMock, MagicMock, call

import pytest

from bot.dialogs.worker import WorkerState
from bot.slack.listeners.commands import iso20k_command
from bot.slack.sender import SENDER, Target, answer
from bot.store.db import make_engine
from bot.workers import Deps
from iso20k_core.standard import load_bank
from tests.migrated import migrated
from tests.slack.listening import run_listener

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def command(text: str) -> dict[str, str]:
    return {
        "text": text,
        "team_id": "T1",
        "user_id": "U1",
        "trigger_id": "1.2.3",
        "channel_id": "C1",
        "team_domain": "acme",
        "response_url": "https://x/respond/1",
    }


def test_the_command_acks_before_handing_the_work_over() -> None:
    order = AsyncMock()
    deps = Deps(MagicMock(), load_bank(), worker=order.worker, clock=lambda: NOW)
    run_listener(deps, iso20k_command(deps, order.ack, command("status")))
    assert order.mock_calls[0] == call.ack()
    fn, request, target = order.worker.call.await_args.args
    assert fn is answer
    assert (request.operation, request.text, request.workspace_id) == ("command", "status", "T1")
    assert target == Target("U1", "1.2.3", "https://x/respond/1", metadata={"channel": "C1"})


def state(tmp_path: Path) -> tuple[WorkerState, MagicMock]:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    migrated(url)
    sender = MagicMock()
    return WorkerState(make_engine(url), load_bank(), {SENDER: sender}), sender


def request(text: str) -> object:
    deps = Deps(MagicMock(), load_bank(), worker=MagicMock(), clock=lambda: NOW)
    return deps.request("slack", "command", "T1", "U1", text=text)


def test_the_worker_answers_and_delivers(tmp_path: Path) -> None:
    worker_state, sender = state(tmp_path)
    answer(worker_state, request("setup"), Target("U1", "1.2.3"))
    outcome, target = sender.deliver.call_args.args
    assert outcome.reply.kind == "setup" and target.trigger_id == "1.2.3"


def test_a_failure_apologises_instead_of_showing_a_trace(tmp_path: Path) -> None:
    worker_state, sender = state(tmp_path)
    sender.deliver.side_effect = RuntimeError("boom")
    answer(worker_state, request("help"), Target("U1"))
    # The step was committed; only its answer did not get through, and the apology says so.
    # README: "one that was done but whose answer could not be sent says so"
    ((target, apology),) = [c.args for c in sender.apologise.call_args_list]
    assert target == Target("U1")
    assert apology.plain() == (
        "Sorry, the answer could not be shown\n"
        "Your request was handled, but its answer did not reach you. Run the command again "
        "to see it."
    )


def test_a_failed_step_says_the_request_was_not_completed(tmp_path: Path) -> None:
    worker_state, sender = state(tmp_path)
    worker_state.engine.dispose()
    worker_state.engine = make_engine(f"sqlite:///{tmp_path / 'missing' / 'no.db'}")
    answer(worker_state, request("status"), Target("U1"))
    sender.deliver.assert_not_called()
    # README: "A command that fails gets 'your request could not be completed'"; nothing is
    # claimed done, nor lost.
    ((target, apology),) = [c.args for c in sender.apologise.call_args_list]
    assert target == Target("U1")
    assert "your request could not be completed" in apology.plain()
    assert "handled" not in apology.plain() and "lost" not in apology.plain()


def test_stopping_while_a_request_waits_for_its_worker_cancels_it_and_apologises(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Shutdown drains the background tasks; one still waiting is cancelled, and its person
    is told it may not have been done (bot/slack/unavailable.py), not left waiting."""
    apologies = AsyncMock()
    monkeypatch.setattr("bot.slack.unavailable.apologise", apologies)
    waiting = asyncio.Event()

    async def never_done(fn: object, *args: object, **kwargs: object) -> None:
        waiting.set()
        await asyncio.Event().wait()

    worker = MagicMock()
    worker.call = never_done
    deps = Deps(MagicMock(), load_bank(), worker=worker, clock=lambda: NOW)

    async def scenario() -> int:
        await iso20k_command(deps, AsyncMock(), command("status"))
        await waiting.wait()
        return await deps.background.drain(0.05)

    assert asyncio.run(scenario()) == 1
    ((target, _),) = [c.args for c in apologies.await_args_list]
    assert target.response_url == "https://x/respond/1"
