"""The dialog worker's process pool under faults: a worker killed idle or mid-call, a call
that kills every worker it meets, a slow call at shutdown, and an owner killed outright."""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.dialogs.worker import Health, ProcessWorker, ThreadWorker, WorkerUnavailable
from bot.store.db import make_engine
from iso20k_core.standard import load_bank
from tests import faults, processes
from tests.e2e.harness import ROOT, wait_until

pytestmark = pytest.mark.skipif(not processes.available(), reason="needs /proc (Linux)")


@pytest.fixture
def gate(tmp_path: Path) -> Iterator[faults.Gate]:
    with faults.Gate(tmp_path / "gate") as g:
        yield g


@pytest.fixture
def worker(tmp_path: Path, gate: faults.Gate) -> Iterator[ProcessWorker]:
    """Two worker processes; a new one is ready only while `gate` is open (it is, unless a
    test closes it)."""
    setup = functools.partial(faults.wait_at_gate, str(gate.path))
    w = ProcessWorker(f"sqlite:///{tmp_path / 'w.db'}", load_bank(), 2, setup)
    try:
        yield w
    finally:
        gate.open()
        w.close()


def call(worker: ProcessWorker, fn: object, *args: object) -> object:
    return asyncio.run(worker.call(fn, *args))  # type: ignore[arg-type]


def workers() -> set[int]:
    return {p.pid for p in processes.forkserver_workers(os.getpid())}


def test_health_says_starting_then_serving(worker: ProcessWorker) -> None:
    first = worker.health()
    assert first == Health(False, "dialog workers starting") or first.serving
    assert call(worker, faults.pid) in workers()
    assert worker.health() == Health(True)


def test_a_worker_killed_while_idle_is_replaced_and_health_tells(
    worker: ProcessWorker, gate: faults.Gate
) -> None:
    call(worker, faults.pid)
    before = wait_until(lambda: workers() if len(workers()) == 2 else None)
    gate.close()  # the replacement cannot get ready until the test has looked
    os.kill(min(before), signal.SIGKILL)
    wait_until(lambda: not worker.health().serving)
    # No call is needed for the supervisor to notice: it is replacing the pool already.
    wait_until(lambda: len(workers() - before) == 2, what="for the new pool's processes")
    assert worker.health() == Health(False, "a dialog worker died; replacing the pool")
    gate.open()
    wait_until(lambda: worker.health().serving)
    assert call(worker, faults.pid) not in before
    assert not workers() & before  # the broken pool's other process was ended too


def test_a_call_whose_worker_dies_is_retried_once_on_a_new_pool(
    worker: ProcessWorker, tmp_path: Path
) -> None:
    marker = tmp_path / "died-once"
    answer = call(worker, faults.die_once, str(marker))
    assert marker.exists()  # the first attempt ran and was killed
    assert str(answer).startswith("done in ")
    assert worker.health().serving


def test_a_call_that_kills_the_retry_too_raises_worker_unavailable(
    worker: ProcessWorker,
) -> None:
    with pytest.raises(WorkerUnavailable):
        call(worker, faults.die)
    # The pool after that serves the next call: one poisonous request is not an outage.
    assert call(worker, faults.pid) in workers()


def test_calls_queued_behind_a_dying_worker_are_retried_too(
    worker: ProcessWorker, tmp_path: Path
) -> None:
    async def together() -> list[object]:
        marker = str(tmp_path / "died-once")
        others = [worker.call(faults.pid) for _ in range(6)]
        return await asyncio.gather(worker.call(faults.die_once, marker), *others)

    results = asyncio.run(together())
    assert str(results[0]).startswith("done in ")
    assert all(isinstance(r, int) for r in results[1:])


def test_close_ends_every_worker_even_one_stuck_in_a_call(tmp_path: Path) -> None:
    w = ProcessWorker(f"sqlite:///{tmp_path / 'w.db'}", load_bank(), 2, close_grace=0.5)
    call(w, faults.pid)
    started = wait_until(lambda: workers() if len(workers()) == 2 else None)

    running = tmp_path / "running"

    async def stuck() -> None:
        task = asyncio.ensure_future(w.call(faults.hang, 600.0, str(running)))
        await asyncio.to_thread(wait_until, running.exists)
        await asyncio.to_thread(w.close)
        with pytest.raises((WorkerUnavailable, asyncio.CancelledError)):
            await task

    asyncio.run(stuck())
    assert not any(processes.running(pid) for pid in started)
    assert w.health() == Health(False, "shutting down")
    with pytest.raises(WorkerUnavailable):
        call(w, faults.pid)


def test_workers_end_with_their_owner_even_after_sigkill(tmp_path: Path) -> None:
    owner = textwrap.dedent(
        f"""
        import asyncio, sys
        from bot.dialogs.worker import ProcessWorker
        from iso20k_core.standard import load_bank
        from tests import faults

        async def main():
            w = ProcessWorker("sqlite:///{tmp_path / "o.db"}", load_bank(), 2)
            await w.call(faults.pid)
            print("ready", flush=True)
            await asyncio.sleep(600)

        if __name__ == "__main__":
            asyncio.run(main())
        """
    )
    script = tmp_path / "owner.py"
    script.write_text(owner)
    process = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        started = [p.pid for p in processes.descendants(process.pid)]
        assert len(started) >= 4  # forkserver, resource tracker, two workers
        process.kill()
        process.wait()
        wait_until(lambda: not any(processes.running(pid) for pid in started))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_thread_worker_reports_health_and_refuses_work_once_closed(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    w = ThreadWorker(engine, load_bank())
    assert w.health().serving
    assert asyncio.run(w.call(faults.pid)) == os.getpid()
    w.close()
    assert not w.health().serving
    with pytest.raises(WorkerUnavailable):
        asyncio.run(w.call(faults.pid))
    engine.dispose()
