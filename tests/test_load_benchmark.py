"""`benchmarks/load.py --quick` end to end: PostgreSQL, a web process and a reminder worker,
six people in two workspaces; it exits 0 only with no errors and both exactly-once checks
holding, and leaves no process behind, also when interrupted."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import pg_server, processes

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "load.py"
LIMIT = 300.0  # generous: a loaded 2-core machine; the quick run takes about 45 s


@pytest.fixture(autouse=True)
def _needs_postgres() -> None:
    if pg_server.find_bindir() is None:
        if os.environ.get("CI"):
            pytest.fail(pg_server.MISSING, pytrace=False)
        pytest.skip(pg_server.MISSING)


def start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), "--quick", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_the_quick_run_finds_every_answer_exactly_once() -> None:
    run = start()
    out, _ = run.communicate(timeout=LIMIT)
    assert run.returncode == 0, out
    assert "errors (must be 0)       0\n" in out, out
    assert "every acknowledged answer is in the database exactly once" in out, out
    if dt.date.today().weekday() < 5:  # on a weekend the workers would defer reminders
        assert ": each sent exactly once" in out, out
    for kind in ("setup", "assess", "save", "status"):
        assert any(line.startswith(kind + " ") for line in out.splitlines()), out


@pytest.mark.skipif(not processes.available(), reason="needs /proc")
def test_an_interrupted_run_stops_everything_it_started() -> None:
    run = start("--seconds", "600")
    deadline = time.monotonic() + LIMIT
    started: set[int] = set()
    # Two `iso20k` processes (web, worker) and the web's dialog worker below it.
    while len([p for p in processes.descendants(run.pid) if "bot.cli" in p.cmdline]) < 2:
        assert run.poll() is None, run.communicate()[0]
        assert time.monotonic() < deadline, "the servers did not start"
        time.sleep(0.1)
    started = {p.pid for p in processes.descendants(run.pid)}
    run.send_signal(signal.SIGINT)
    out, _ = run.communicate(timeout=LIMIT)
    assert run.returncode == 130, out
    assert "interrupted" in out
    left = [pid for pid in started if processes.running(pid)]
    assert not left, f"still running after the interruption: {left}\n{out}"
