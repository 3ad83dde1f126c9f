"""Recycling worker processes (bot/dialogs/worker.py "Recycling"): after a number of jobs
or above a memory ceiling the pool is replaced while it serves; no job is lost or run twice,
a job running during the replacement finishes where it started, and nothing is left behind.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from bot.dialogs.worker import ProcessWorker
from iso20k_core.standard import load_bank
from tests import faults, processes
from tests.e2e.harness import wait_until

pytestmark = pytest.mark.skipif(not processes.available(), reason="needs /proc (Linux)")


def journal_of(path: Path) -> list[tuple[str, int]]:
    lines = path.read_text().splitlines() if path.exists() else []
    return [(job, int(pid)) for job, pid in (line.split() for line in lines)]


def test_after_its_job_limit_the_pool_is_replaced_and_every_job_runs_once(
    tmp_path: Path,
) -> None:
    journal = tmp_path / "journal"
    w = ProcessWorker(f"sqlite:///{tmp_path / 'w.db'}", load_bank(), 2, max_jobs=2)
    seen: list[int] = []
    try:

        async def waves() -> list[int]:
            pids: list[int] = []
            # Waves of concurrent jobs; each wave wears a pool out (2 processes x 2 jobs), and
            # the next meets it still serving while its replacement warms, or just replaced.
            for wave in range(6):
                jobs = [w.call(faults.record, str(journal), f"{wave}.{n}") for n in range(4)]
                pids += await asyncio.gather(*jobs)
                seen.extend(w.pids())
                assert w.health().serving  # a rolling replacement never stops serving
                if wave in (1, 3):
                    recycled = (wave + 1) // 2
                    await asyncio.to_thread(wait_until, lambda n=recycled: w.recycled >= n)
            return pids

        pids = asyncio.run(waves())
    finally:
        w.close()
    ran = Counter(job for job, _ in journal_of(journal))
    assert ran == Counter({f"{wave}.{n}": 1 for wave in range(6) for n in range(4)})
    assert len(pids) == 24
    assert w.recycled >= 2 and len(set(pids)) > 2  # new processes took over
    assert not any(processes.running(pid) for pid in set(pids) | set(seen))


def test_a_job_running_while_its_pool_is_recycled_finishes_there_once(tmp_path: Path) -> None:
    journal, started, release = tmp_path / "journal", tmp_path / "started", tmp_path / "go"
    w = ProcessWorker(f"sqlite:///{tmp_path / 'w.db'}", load_bank(), 2, max_jobs=1)
    try:

        async def scenario() -> tuple[int, int, set[int]]:
            long = asyncio.ensure_future(w.call(faults.hold, str(started), str(release)))
            await asyncio.to_thread(wait_until, started.exists)
            old = set(w.pids())
            # Two jobs finished on the pool (of two processes, one job each): it is worn.
            await w.call(faults.record, str(journal), "a")
            await w.call(faults.record, str(journal), "b")
            await asyncio.to_thread(wait_until, lambda: w.recycled == 1, 60, "for recycling")
            after = await w.call(faults.record, str(journal), "c")
            release.touch()
            return await long, after, old

        held_by, after, old = asyncio.run(scenario())
    finally:
        w.close()
    assert held_by in old  # the long job finished on the pool it started on
    assert after not in old  # the next job ran on the new pool
    assert Counter(job for job, _ in journal_of(journal)) == Counter("abc")
    assert not any(processes.running(pid) for pid in old | {after})


def test_a_worker_above_the_memory_ceiling_is_recycled(tmp_path: Path) -> None:
    w = ProcessWorker(f"sqlite:///{tmp_path / 'w.db'}", load_bank(), 1, max_rss=1)
    try:
        first = asyncio.run(w.call(faults.pid))
        wait_until(lambda: w.recycled >= 1, 60, "for the ceiling to recycle the pool")
        second = asyncio.run(w.call(faults.pid))
        # A fresh pool is above a 1-byte ceiling too, but it is recycled only after a job.
        assert w.health().serving
    finally:
        w.close()
    assert first != second
    assert not processes.running(first) and not processes.running(second)
