"""Things a test makes a dialog worker process do: die, hang, wait at a gate.

They run inside worker processes, so they live in an importable module of their own (the
worker unpickles them by name) and import little.
"""

from __future__ import annotations

import fcntl
import os
import signal
import time
from pathlib import Path
from typing import Any


def pid(state: Any) -> int:
    return os.getpid()


def die(state: Any) -> None:
    """The worker is killed while it runs the call (as the OOM killer or `kill -9` would)."""
    os.kill(os.getpid(), signal.SIGKILL)


def die_once(state: Any, marker: str) -> str:
    """Killed the first time (leaving `marker` behind); the retry completes."""
    try:
        Path(marker).touch(exist_ok=False)
    except FileExistsError:
        return f"done in {os.getpid()}"
    die(state)
    raise AssertionError("unreachable")


def hang(state: Any, seconds: float, started: str) -> None:
    """Runs for `seconds`, having left the file `started` as soon as it began."""
    Path(started).touch()
    time.sleep(seconds)


def wait_at_gate(gate: str, state: Any) -> None:
    """Worker setup: a new worker process is not ready while a test holds `gate` locked
    (`fcntl.flock` exclusive), so the time between a worker's death and its replacement
    being ready lasts exactly as long as the test wants."""
    with open(gate, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)
        fcntl.flock(lock, fcntl.LOCK_UN)


class Gate:
    """The test's side of `wait_at_gate`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = path.open("a")

    def close(self) -> None:
        fcntl.flock(self._file, fcntl.LOCK_EX)

    def open(self) -> None:
        fcntl.flock(self._file, fcntl.LOCK_UN)

    def __enter__(self) -> Gate:
        return self

    def __exit__(self, *exc: object) -> None:
        self.open()
        self._file.close()


def record(state: Any, journal: str, job: str) -> int:
    """Appends `job` and this process's pid to `journal` (one line, O_APPEND: whole lines
    from every process); how a test counts which jobs ran, and where."""
    fd = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, f"{job} {os.getpid()}\n".encode())
    finally:
        os.close(fd)
    return os.getpid()


def hold(state: Any, started: str, release: str) -> int:
    """Leaves `started`, then runs until the file `release` exists (a test's signal)."""
    Path(started).touch()
    deadline = time.monotonic() + 120.0
    while not Path(release).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return os.getpid()
