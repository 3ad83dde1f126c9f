"""Faults on the Teams path: a killed dialog worker is replaced and the turn still answered;
with no worker at all, the web process itself says the request may not have been done."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import processes
from tests.e2e.harness import wait_until
from tests.e2e.teams_harness import (
    ALICE,
    TeamsWorld,
    card_text,
    start_teams_world,
    stop_teams_world,
)

pytestmark = pytest.mark.skipif(not processes.available(), reason="needs /proc (Linux)")


@pytest.fixture
def teams(tmp_path: Path) -> Iterator[TeamsWorld]:
    world = start_teams_world(tmp_path, processes=1)
    try:
        wait_until(lambda: world.deps.health().serving, 60, "for the workers to start")
        yield world
        world.check_all()
    finally:
        stop_teams_world(world)


def test_a_killed_worker_is_replaced_and_the_turn_answered(teams: TeamsWorld) -> None:
    worker = teams.deps.worker
    before = worker.pids()  # type: ignore[attr-defined]
    assert before
    os.kill(before[0], signal.SIGKILL)
    assert teams.say("help").status == 202  # answered at once, whatever the workers do
    reply = teams.next_message(teams.chat_of(ALICE), 1)
    assert "What you can ask" in card_text(reply.cards[0])
    assert worker.pids() and worker.pids() != before  # type: ignore[attr-defined]


def test_with_no_worker_the_web_process_apologises(teams: TeamsWorld) -> None:
    teams.deps.worker.close()  # as while the server stops
    assert teams.say("status").status == 202
    apology = teams.next_message(teams.chat_of(ALICE), 1)
    text = card_text(apology.cards[0])
    assert "may or may not have been done" in text and "status" in text
