"""Fixtures shared by every test: database URLs for SQLite and for a real PostgreSQL; and a
check that the run leaves no process behind.
"""

import contextlib
import ctypes
import multiprocessing.forkserver
import multiprocessing.resource_tracker
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests import pg_server, processes

PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


def pytest_sessionstart(session: pytest.Session) -> None:
    """Adopt the orphans of whatever the tests start (Linux: a child subreaper), so a process
    left behind by a server a test ran stays below this one, where the check finds it."""
    session.stash[_STARTED] = _ticks_since_boot()
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if a process it started is still alive: below this one (the pool's
    forkserver and resource tracker excepted, which are stopped here), or reparented to
    PID 1 and running this checkout's interpreter."""
    if not processes.available():
        return
    left = _left_behind(session.stash.get(_STARTED, 0))
    if left:
        lines = "\n".join(f"  {p.pid} (parent {p.ppid}): {p.cmdline[:160]}" for p in left)
        print(f"\nFAILED: the tests left {len(left)} process(es) running:\n{lines}")
        for process in left:  # end them, so one bad run does not burden the next
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    _stop_multiprocessing_helpers()


_STARTED = pytest.StashKey[int]()


def _left_behind(started: int, patience: float = 10.0) -> list[processes.Proc]:
    """What is still running after `patience` seconds: a process that stops when its parent
    does may need a moment (the last test may just have stopped a server)."""
    deadline = time.monotonic() + patience
    while (left := _running_now(started)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _running_now(started: int) -> list[processes.Proc]:
    helpers = _multiprocessing_helpers()
    below = [p for p in processes.descendants(os.getpid()) if p.pid not in helpers]
    orphans = [
        p
        for p in processes.processes()
        if p.ppid == 1
        and p.running
        and p.started >= started
        and p.cmdline.startswith(sys.executable)
    ]
    return below + [p for p in orphans if p not in below]


def _multiprocessing_helpers() -> set[int]:
    """This process's own forkserver and resource tracker (multiprocessing starts each once
    and keeps it until the process exits; only their pids tell them from leaked ones)."""
    forkserver = getattr(multiprocessing.forkserver._forkserver, "_forkserver_pid", None)
    tracker = getattr(multiprocessing.resource_tracker._resource_tracker, "_pid", None)
    return {pid for pid in (forkserver, tracker) if pid is not None}


def _stop_multiprocessing_helpers() -> None:
    # Each exits once the last process holding its pipe has; the worker processes hold
    # them too, and were ended above if any was left.
    multiprocessing.forkserver._forkserver._stop()
    multiprocessing.resource_tracker._resource_tracker._stop()


def _ticks_since_boot() -> int:
    uptime = float(Path("/proc/uptime").read_text().split()[0]) if processes.available() else 0
    return int(uptime * os.sysconf("SC_CLK_TCK"))


def _bindir() -> Path:
    """The PostgreSQL server binaries. Without them the PostgreSQL tests are skipped on a
    laptop, but fail on CI (env CI set), where skipping would hide that half the matrix never
    ran."""
    bindir = pg_server.find_bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail(pg_server.MISSING, pytrace=False)
        pytest.skip(pg_server.MISSING)
    return bindir


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for the whole run (see tests/pg_server.py), stopped at the end."""
    with pg_server.running_postgres(_bindir()) as url:
        yield url


@pytest.fixture
def restartable_postgres() -> Iterator[pg_server.PostgresServer]:
    """A PostgreSQL server of this test's own, which it may stop and start again."""
    with pg_server.restartable_postgres(_bindir()) as server:
        yield server


@pytest.fixture
def fresh_postgres_url(postgres_url: str) -> Iterator[str]:
    """An empty database of its own for one test, on the shared server."""
    with pg_server.scratch_database(postgres_url) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file of its own for one test."""
    return f"sqlite:///{tmp_path / 'iso20k.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a migrated database of this test's own: a SQLite file, then PostgreSQL."""
    from bot.store.db import make_engine
    from tests.migrated import migrated

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'iso20k.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    migrated(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()
