"""A dialog worker killed with SIGKILL, over real HTTP: the bot serves again by itself, the
request in flight is answered, and /healthz tells the truth meanwhile."""

from __future__ import annotations

import functools
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import faults, processes
from tests.e2e.harness import (
    SlackWorld,
    block_text,
    health,
    start_world,
    stop_world,
    wait_until,
)

pytestmark = pytest.mark.skipif(not processes.available(), reason="needs /proc (Linux)")
HELP = "What you can ask:"


@pytest.fixture
def gate(tmp_path: Path) -> Iterator[faults.Gate]:
    with faults.Gate(tmp_path / "gate") as g:
        yield g


@pytest.fixture
def world(tmp_path: Path, gate: faults.Gate) -> Iterator[SlackWorld]:
    """The real app with two dialog worker processes; a new worker process is ready only
    while `gate` is open, so a test can hold the replacement and look at /healthz meanwhile.
    (The slow lane runs on a thread here: these faults are the dialog lane's.)"""
    w = start_world(
        tmp_path,
        processes=2,
        worker_setup=functools.partial(faults.wait_at_gate, str(gate.path)),
        report_processes=0,
    )
    try:
        yield w
        w.check_all()
    finally:
        gate.open()
        stop_world(w)


def workers() -> set[int]:
    return {p.pid for p in processes.forkserver_workers(os.getpid())}


def reply(world: SlackWorld, count: int) -> str:
    """The text of the `count`-th reply, waiting generously: a new pool takes a moment."""
    return block_text(world.slack.wait_for("response_url", count, timeout=60)[-1].args["blocks"])


def test_a_killed_worker_is_replaced_and_healthz_says_503_until_it_is(
    world: SlackWorld, gate: faults.Gate
) -> None:
    assert world.command("").status == 200
    assert HELP in reply(world, 1)
    assert health(world.base_url) == (200, {"status": "ok"})
    before = wait_until(lambda: workers() if len(workers()) == 2 else None)

    gate.close()
    os.kill(min(before), signal.SIGKILL)
    _, body = wait_until(lambda: (h := health(world.base_url))[0] == 503 and h)
    assert body == {"status": "unavailable", "reason": "a dialog worker died; replacing the pool"}
    # A command while the pool is being replaced is acknowledged at once and waits for it.
    assert world.command("").status == 200
    assert health(world.base_url)[0] == 503

    gate.open()
    assert HELP in reply(world, 2)
    wait_until(lambda: health(world.base_url) == (200, {"status": "ok"}))
    assert not workers() & before


def test_the_request_in_flight_when_its_worker_dies_is_answered(world: SlackWorld) -> None:
    world.command("")
    reply(world, 1)
    # The next reply hangs in Slack's hands while its worker is killed. The step had
    # committed and called Slack, so the retry on the new pool answers again: a duplicate,
    # never a lost reply (bot/dialogs/worker.py, "What a retry means").
    world.slack.delay("response_url", 20)
    assert world.command("status").status == 200
    first = reply(world, 2)
    world.slack.delay("response_url", 0)
    os.kill(min(workers()), signal.SIGKILL)
    assert reply(world, 3) == first
    assert "No organisation profile yet" in first
    wait_until(lambda: health(world.base_url) == (200, {"status": "ok"}))


def test_a_command_whose_retry_dies_too_gets_an_honest_apology(world: SlackWorld) -> None:
    world.command("")
    reply(world, 1)
    world.slack.delay("response_url", 20)  # each attempt hangs in Slack's hands, then dies
    world.command("status")
    first = reply(world, 2)
    os.kill(min(workers()), signal.SIGKILL)
    assert reply(world, 3) == first  # the retry, on a new pool
    os.kill(min(workers()), signal.SIGKILL)
    apology = reply(world, 4)
    assert "may or may not have been done" in apology
    assert "lost" not in apology
    world.slack.delay("response_url", 0)
    wait_until(lambda: health(world.base_url) == (200, {"status": "ok"}))
    world.command("")
    assert HELP in reply(world, 5)  # and the bot serves again
