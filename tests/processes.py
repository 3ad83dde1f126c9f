"""The processes a test started, read from /proc (Linux): who is whose child, who is alive.

Used to prove that what a test or a server starts is gone when it stops (tests/conftest.py
checks the whole run; tests/e2e check `serve` and `worker`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    state: str  # "Z": exited, waiting to be reaped; it runs no more
    started: int  # clock ticks after boot
    cmdline: str
    name: str = ""  # the command name (/proc/PID/comm), which a process may set itself

    @property
    def running(self) -> bool:
        return self.state not in ("Z", "X")


def read(pid: int) -> Proc | None:
    """The process `pid`, or None if there is none."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ")".
    fields = stat[stat.rindex(")") + 2 :].split()
    cmdline = raw.replace(b"\0", b" ").decode(errors="replace").strip()
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    return Proc(pid, int(fields[1]), fields[0], int(fields[19]), cmdline, name)


def processes() -> list[Proc]:
    found = (read(int(entry.name)) for entry in PROC.iterdir() if entry.name.isdigit())
    return [p for p in found if p is not None]


def children(pid: int) -> list[Proc]:
    return [p for p in processes() if p.ppid == pid and p.running]


def descendants(pid: int) -> list[Proc]:
    """Every running process below `pid` (children, their children, …)."""
    table = processes()
    below: list[Proc] = []
    parents = {pid}
    while True:
        found = [p for p in table if p.ppid in parents and p.pid not in parents and p.running]
        if not found:
            return below
        below += found
        parents |= {p.pid for p in found}


def running(pid: int) -> bool:
    process = read(pid)
    return process is not None and process.running


def forkserver_workers(pid: int, lane: str | None = "dialog") -> list[Proc]:
    """The worker processes of the pools below `pid` (children of its forkservers) that serve
    `lane` ("dialog" or "report", as each names itself once started; None: every one)."""
    servers = [p.pid for p in descendants(pid) if "multiprocessing.forkserver" in p.cmdline]
    found = [c for server in servers for c in children(server)]
    return [c for c in found if lane is None or c.name == f"iso20k-{lane}"]


def available() -> bool:
    return (PROC / str(os.getpid()) / "stat").exists()
