"""Exactly once across processes: two reminder workers on one real PostgreSQL.

The workers are real OS processes (`python -c` importing `_worker_main` below), each looping
`tick()` with a small batch (`LIMIT` = 25) so they interleave and compete for the same rows
through `claim_due`'s `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`. They start
together behind a barrier file. Each worker logs to a file of its own, one line per event
written with one `os.write` on an O_APPEND descriptor:

- ``send``: written by the channel inside `send()`, before it returns, so a message counts as
  delivered before the dispatcher's `mark_sent` commits (as a real send would be);
- ``claim``: the targets of each batch `claim_due` handed out (a wrapper around the
  dispatcher's `claim_due`), so the test knows which rows a killed worker held unsent.

Every reminder has a target of its own, so a target identifies a reminder and the per-target
pacing of the real Slack channel would not matter (the recording channel does not pace).

The clock: Wednesday 2026-11-18 10:00 UTC, advancing with the wall clock from a start time
shared by all processes (organisations in UTC without a country: working hours on weekdays).
It must advance: with a frozen clock `claimed_at <= now - LEASE` never becomes true and a dead
worker's claims are never taken over. For the SIGKILL test the workers shorten
`bot.reminders.outbox.LEASE` (read by `claim_due` on every call) from 2 minutes to 3 s rather
than running the clock fast: timestamps stay real, and 3 s is well above the time a worker
needs for a batch of 25 here (tens of milliseconds), so a live worker's lease never expires
under it (which would allow a second, legitimate-looking send).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.dialogs.model import Message
from bot.reminders.generate import ReminderSpec
from bot.reminders.outbox import sync_reminders, unsent_count
from bot.store.crud import get_or_create_organisation
from bot.store.db import make_engine
from bot.store.migrate import upgrade
from bot.store.models import Reminder

ROOT = Path(__file__).resolve().parents[2]
FIXED = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)  # a Wednesday, in working hours
LIMIT = 25
SHORT_LEASE_S = 3.0
WORKER_MAX_S = 45.0  # a worker gives up (exit status 3) after this long
ORGANISATIONS = 20
PER_ORGANISATION = 100  # 2,000 reminders
PAYLOAD = {"section": "resolution", "title": "Resolution and fulfilment", "due": "2026-11-20"}


# --- the worker process -------------------------------------------------------------------


class RecordingChannel:
    """A channel that delivers by appending a line to this process's log (no pacing)."""

    def __init__(self, log: Path, hang_after: int = 0) -> None:
        self.fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.pid = os.getpid()
        self.sent = 0
        self.hang_after = hang_after  # > 0: after that many sends, stop before the mark

    def write(self, *fields: str) -> None:
        os.write(self.fd, ("\t".join(fields) + "\n").encode())

    def send(self, target: str, message: Message) -> str | None:
        self.sent += 1
        ref = f"{self.pid}.{self.sent}"
        self.write("send", target, message.heading, str(self.pid), ref)
        if self.sent == self.hang_after:
            time.sleep(WORKER_MAX_S)  # sent, not yet marked: the test kills us here
        return ref

    def timezone_of(self, user_id: str) -> str | None:
        return None


def _worker_main(argv: list[str]) -> int:
    """`url workdir name t0 lease_seconds hang_after`: tick until no reminder is pending or
    claimed."""
    url, workdir, name, t0 = argv[0], Path(argv[1]), argv[2], float(argv[3])
    lease, hang_after = float(argv[4]), int(argv[5])
    from bot.reminders import dispatch, outbox
    from iso20k_core.standard import load_bank

    if lease > 0:
        outbox.LEASE = dt.timedelta(seconds=lease)
    channel = RecordingChannel(workdir / f"log-{name}", hang_after)
    claim_due = outbox.claim_due

    def logged_claim(
        session: Session, now: dt.datetime, limit: int = 100, token: str | None = None
    ) -> tuple[str, list[Reminder]]:
        token, rows = claim_due(session, now, limit, token)
        if rows:
            channel.write("claim", ",".join(r.target for r in rows))
        return token, rows

    dispatch.claim_due = logged_claim  # type: ignore[attr-defined]
    engine = make_engine(url)
    bank = load_bank()

    def clock() -> dt.datetime:
        return FIXED + dt.timedelta(seconds=time.time() - t0)

    (workdir / f"ready-{name}").touch()
    deadline = time.monotonic() + WORKER_MAX_S
    while not (workdir / "go").exists():
        if time.monotonic() > deadline:
            return 2
        time.sleep(0.005)
    while time.monotonic() < deadline:
        result = dispatch.tick(engine, bank, {"slack": channel}, clock, LIMIT)
        if result.claimed:
            continue
        if _unfinished(engine) == 0:
            engine.dispose()
            return 0
        time.sleep(0.05)  # the other worker holds the rest, or a dead one's lease runs
    return 3


def _unfinished(engine: Engine) -> int:
    with Session(engine) as session:
        return unsent_count(session)


# --- the test's side ----------------------------------------------------------------------


@dataclass
class Log:
    """What one worker did, read from its log file."""

    sends: list[tuple[str, str, str]] = field(default_factory=list)  # (target, heading, ref)
    claims: list[list[str]] = field(default_factory=list)

    def open_batch(self) -> list[str]:
        """Targets of the latest claimed batch not yet sent by this worker."""
        if not self.claims:
            return []
        sent = {target for target, _, _ in self.sends}
        return [t for t in self.claims[-1] if t not in sent]


def read_log(path: Path) -> Log:
    log = Log()
    if not path.exists():
        return log
    for line in path.read_text().split("\n"):
        kind, _, rest = line.partition("\t")
        if kind == "send" and rest.count("\t") == 3:
            target, heading, _pid, ref = rest.split("\t")
            log.sends.append((target, heading, ref))
        elif kind == "claim" and rest:
            log.claims.append(rest.split(","))
    return log


@dataclass
class Workers:
    workdir: Path
    url: str
    t0: float
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, *names: str, lease: float = 0.0, hang_after: int = 0) -> None:
        """Start workers `names` behind a barrier; the first one hangs after `hang_after`
        sends (0: never) between a send and its mark."""
        code = (
            "import sys; from tests.reminders.test_exactly_once import _worker_main; "
            "sys.exit(_worker_main(sys.argv[1:]))"
        )
        for i, name in enumerate(names):
            hang = str(hang_after if i == 0 else 0)
            args = [self.url, str(self.workdir), name, repr(self.t0), repr(lease), hang]
            with (self.workdir / f"stderr-{name}").open("wb") as err:
                self.procs[name] = subprocess.Popen(
                    [sys.executable, "-c", code, *args],
                    cwd=ROOT,
                    stdin=subprocess.DEVNULL,
                    stdout=err,
                    stderr=err,
                )
        deadline = time.monotonic() + 30
        while not all((self.workdir / f"ready-{n}").exists() for n in names):
            for name, proc in self.procs.items():
                assert proc.poll() is None, f"worker {name} died on start:\n{self.stderr(name)}"
            assert time.monotonic() < deadline, "workers did not get ready in 30 s"
            time.sleep(0.01)
        (self.workdir / "go").touch()

    def log(self, name: str) -> Log:
        return read_log(self.workdir / f"log-{name}")

    def stderr(self, name: str) -> str:
        path = self.workdir / f"stderr-{name}"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def wait(self, name: str, timeout: float = WORKER_MAX_S + 5) -> None:
        status = self.procs[name].wait(timeout=timeout)
        assert status == 0, f"worker {name} exited with {status}:\n{self.stderr(name)}"

    def kill_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.fixture
def database(fresh_postgres_url: str) -> Iterator[tuple[str, Engine]]:
    """A migrated PostgreSQL database holding 2,000 due assignment nudges, each to a target of
    its own, across 20 organisations."""
    upgrade(fresh_postgres_url)
    engine = make_engine(fresh_postgres_url)
    due = FIXED - dt.timedelta(minutes=1)
    with Session(engine) as session:
        for o in range(ORGANISATIONS):
            org = get_or_create_organisation(session, "slack", f"T{o:03d}", f"Org {o}")
            assert org.id is not None
            specs = [
                ReminderSpec("assignment_nudge", "resolution", 0, f"U{o:03d}N{n:04d}", due, PAYLOAD)
                for n in range(PER_ORGANISATION)
            ]
            sync_reminders(session, org.id, specs)
        session.commit()
    try:
        yield fresh_postgres_url, engine
    finally:
        engine.dispose()


@pytest.fixture
def workers(database: tuple[str, Engine], tmp_path: Path) -> Iterator[Workers]:
    group = Workers(tmp_path, database[0], time.time())
    try:
        yield group
    finally:
        group.kill_all()


def rows(engine: Engine) -> dict[str, Reminder]:
    with Session(engine) as session:
        return {r.target: r for r in session.exec(select(Reminder))}


def test_two_workers_deliver_every_reminder_exactly_once(
    database: tuple[str, Engine], workers: Workers
) -> None:
    _, engine = database
    workers.start("a", "b")
    workers.wait("a")
    workers.wait("b")

    logs = {name: workers.log(name) for name in ("a", "b")}
    delivered = Counter(t for log in logs.values() for t, _, _ in log.sends)
    table = rows(engine)
    assert len(table) == ORGANISATIONS * PER_ORGANISATION
    assert set(delivered) == set(table)
    assert [t for t, n in delivered.items() if n != 1] == []
    assert Counter(r.state for r in table.values()) == {"sent": len(table)}
    headings = {h for log in logs.values() for _, h, _ in log.sends}
    assert headings == {"Reminder: please answer Resolution and fulfilment"}
    refs = {t: ref for log in logs.values() for t, _, ref in log.sends}
    assert all(r.message_ref == refs[t] for t, r in table.items())  # the sender's own ts
    # Both competed: neither sat out while the other did the work.
    assert all(log.sends for log in logs.values()), {n: len(g.sends) for n, g in logs.items()}


def test_a_killed_worker_loses_nothing_and_duplicates_at_most_one(
    database: tuple[str, Engine], workers: Workers
) -> None:
    _, engine = database
    workers.start("a", "b", lease=SHORT_LEASE_S)
    # Kill mid-run: after about 300 deliveries, while the victim holds a batch it has only
    # partly sent (at least 5 unsent rows, so it cannot finish the batch before the signal).
    victim = None
    deadline = time.monotonic() + 30
    while victim is None:
        assert time.monotonic() < deadline, "no moment to kill a worker mid-batch"
        logs = {name: workers.log(name) for name in ("a", "b")}
        if sum(len(log.sends) for log in logs.values()) >= 300:
            victim = next((n for n, log in logs.items() if len(log.open_batch()) >= 5), None)
        if victim is None:
            time.sleep(0.002)
    os.kill(workers.procs[victim].pid, signal.SIGKILL)
    workers.procs[victim].wait(timeout=10)
    survivor = "b" if victim == "a" else "a"
    workers.wait(survivor)

    killed, alive = workers.log(victim), workers.log(survivor)
    held = {t for batch in killed.claims for t in batch} - {t for t, _, _ in killed.sends}
    delivered = Counter(t for log in (killed, alive) for t, _, _ in log.sends)
    table = rows(engine)
    assert Counter(r.state for r in table.values()) == {"sent": len(table)}  # none lost
    assert set(delivered) == set(table)
    # The rows the victim had claimed but not sent were taken over after the lease.
    assert held, "the victim held no unsent claims: the takeover was not exercised"
    assert held <= {t for t, _, _ in alive.sends}
    # Duplicates only in the documented window: sent, then killed before mark_sent commits.
    duplicates = {t: n for t, n in delivered.items() if n > 1}
    print(
        f"\nkilled {victim} after {len(killed.sends)} sends holding {len(held)} unsent claims; "
        f"{survivor} sent {len(alive.sends)}; duplicates: {len(duplicates)} {sorted(duplicates)}"
    )
    assert sum(n - 1 for n in duplicates.values()) <= 1
    assert set(duplicates) <= {killed.sends[-1][0]}  # only the victim's very last send


def test_a_worker_killed_between_send_and_mark_causes_exactly_one_duplicate(
    database: tuple[str, Engine], workers: Workers
) -> None:
    """The documented window, forced: worker a stops right after its 150th send, before
    `mark_sent`; killed there, that one reminder is sent again after the lease, nothing else."""
    _, engine = database
    workers.start("a", "b", lease=SHORT_LEASE_S, hang_after=150)
    deadline = time.monotonic() + 30
    while len(workers.log("a").sends) < 150:
        assert workers.procs["a"].poll() is None, workers.stderr("a")
        assert time.monotonic() < deadline, "worker a never reached its 150th send"
        time.sleep(0.002)
    os.kill(workers.procs["a"].pid, signal.SIGKILL)
    workers.procs["a"].wait(timeout=10)
    workers.wait("b")

    killed, alive = workers.log("a"), workers.log("b")
    delivered = Counter(t for log in (killed, alive) for t, _, _ in log.sends)
    table = rows(engine)
    assert Counter(r.state for r in table.values()) == {"sent": len(table)}
    assert set(delivered) == set(table)
    last = killed.sends[-1][0]
    assert {t: n for t, n in delivered.items() if n > 1} == {last: 2}
    assert table[last].message_ref in {ref for t, _, ref in alive.sends if t == last}
