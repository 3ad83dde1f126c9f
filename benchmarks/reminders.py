"""Benchmark of reminder delivery: worker processes, the real Slack channel, a fake Slack.

    .venv/bin/python benchmarks/reminders.py [--reminders 10000] [--organisations 1000]
                                             [--workers 2] [--database sqlite|postgresql]
                                             [--limit 100] [--timeout 120] [--profile]

What it measures: how fast N worker processes, each looping `bot.reminders.dispatch.tick`
(batches of `--limit`), drain an outbox of due reminders through the real
`SlackReminderChannel` (slack_sdk `WebClient` with the app's retry handlers) over HTTP to the
`FakeSlack` of `tests.slackfake` (on 127.0.0.1, no artificial rate limit), and whether each
reminder arrives exactly once.

The outbox: `--reminders` assignment nudges (a cheap kind: rendered from the payload, no
evaluation) spread over `--organisations` Slack organisations in UTC without a country, each
reminder to a user of its own (so the channel's 1 message/second per-target pacing never
waits: with 10 reminders per organisation to 10 users each target gets one message). All are
due at the start; the workers' clock is Wednesday 2026-11-18 10:00 UTC (working hours) plus
the wall time since the start, so the lease behaves as in production.

The database: a throwaway PostgreSQL server started like the tests' (tests/pg_server.py) when
the server binaries exist, else a SQLite file (one worker by default: SQLite has a single
writer). The workers start together behind a barrier file, after their imports.

Printed: delivered per second, total time, duplicates (chat.postMessage calls per target
beyond the first, counted by the fake: must be 0), reminders missing, the rows' final states,
and the lag from due time (the start) to arrival at the fake (p50, p99; `Call.at` is
`time.monotonic()` in this process). Target: all delivered within 60 s, no duplicate. With
--profile each worker runs under cProfile and the hotspots of the first one are printed. It
prints figures, it is not a test: the exit status is always 0.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from bot.reminders.outbox import unsent_count  # noqa: E402
from bot.store.db import make_engine  # noqa: E402
from bot.store.migrate import upgrade  # noqa: E402
from bot.store.models import Organisation, Reminder  # noqa: E402
from tests import pg_server  # noqa: E402
from tests.slackfake import FakeSlack  # noqa: E402

FIXED = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)  # a Wednesday, in working hours
TOKEN = "xoxb-test-token"
TARGET_S = 60.0
PAYLOAD = {"section": "resolution", "title": "Resolution and fulfilment", "due": "2026-11-20"}


# --- the worker process -------------------------------------------------------------------


def worker(url: str, slack_url: str, workdir: Path, name: str, limit: int, budget: float) -> int:
    """Tick until no reminder is pending or claimed; write a summary; 0, or 3 on timeout."""
    from bot.reminders.dispatch import TickResult, tick
    from bot.slack.reminder_channel import SlackReminderChannel
    from iso20k_core.standard import load_bank

    engine = make_engine(url)
    bank = load_bank()
    channels = {"slack": SlackReminderChannel.from_settings(TOKEN, slack_url)}
    (workdir / f"ready-{name}").touch()
    go = workdir / "go"
    deadline = time.monotonic() + budget
    while not go.exists() or not go.read_text():
        if time.monotonic() > deadline:
            return 2
        time.sleep(0.002)
    t0 = float(go.read_text())

    def clock() -> dt.datetime:
        return FIXED + dt.timedelta(seconds=time.time() - t0)

    total, ticks, status = TickResult(), 0, 3
    cpu = time.process_time()
    while time.monotonic() < deadline:
        result = tick(engine, bank, channels, clock, limit)
        ticks += 1
        for key in ("claimed", "sent", "deferred", "retried", "lost"):
            setattr(total, key, getattr(total, key) + getattr(result, key))
        if result.claimed:
            continue
        if unfinished(engine) == 0:
            status = 0
            break
        time.sleep(0.02)  # another worker holds the rest
    summary = {"ticks": ticks, "cpu_s": time.process_time() - cpu, **vars(total)}
    (workdir / f"summary-{name}.json").write_text(json.dumps(summary))
    engine.dispose()
    return status


def unfinished(engine: Engine) -> int:
    with Session(engine) as session:
        return unsent_count(session)


def worker_main(argv: list[str]) -> int:
    url, slack_url, workdir, name, limit, budget, profile = argv
    args = (url, slack_url, Path(workdir), name, int(limit), float(budget))
    if profile != "1":
        return worker(*args)
    profiler = cProfile.Profile()
    status: int = profiler.runcall(worker, *args)
    profiler.dump_stats(Path(workdir) / f"profile-{name}")
    return status


# --- set-up ---------------------------------------------------------------------------------


@contextlib.contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'reminders.db'}"
        return
    bindir = pg_server.find_bindir()
    if bindir is None:
        raise SystemExit(pg_server.MISSING)
    with pg_server.running_postgres(bindir) as url:
        yield url


def seed(engine: Engine, reminders: int, organisations: int) -> None:
    """`organisations` Slack organisations in UTC; `reminders` nudges due at FIXED, round
    robin over the organisations, each to a user of its own."""
    stamp = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(Organisation),
            [
                {
                    "platform": "slack",
                    "external_id": f"T{o:06d}",
                    "name": f"Organisation {o}",
                    "timezone": "UTC",
                    "currency": "EUR",
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                for o in range(organisations)
            ],
        )
        ids = list(
            connection.execute(select(Organisation.id).order_by(col(Organisation.id))).scalars()
        )
        rows = []
        for n in range(reminders):
            org, user = n % organisations, n // organisations
            target = f"U{org:06d}X{user:04d}"
            rows.append(
                {
                    "organisation_id": ids[org],
                    "kind": "assignment_nudge",
                    "target": target,
                    "subject": "resolution",
                    "due_at": FIXED,
                    "dedupe_key": f"assignment_nudge:resolution:0:{target}",
                    "state": "pending",
                    "attempts": 0,
                    "payload": PAYLOAD,
                }
            )
        connection.execute(insert(Reminder), rows)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


# --- the run --------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    workers = args.workers or (2 if args.database == "postgresql" else 1)
    print(
        f"reminders: {args.reminders:,} across {args.organisations:,} organisations, "
        f"{workers} worker process(es), batches of {args.limit}, database {args.database}"
    )
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}")
    if args.database == "sqlite" and workers > 1:
        print("note: SQLite has a single writer; several workers contend for its lock")
    with (
        tempfile.TemporaryDirectory(prefix="iso20k-bench-") as tmp,
        database(args.database, Path(tmp)) as url,
        FakeSlack(TOKEN) as slack,
    ):
        workdir = Path(tmp)
        started = time.perf_counter()
        upgrade(url)
        engine = make_engine(url)
        seed(engine, args.reminders, args.organisations)
        print(f"set-up: migrated and seeded in {time.perf_counter() - started:.1f} s")
        names = [f"w{i}" for i in range(workers)]
        procs = {}
        for name in names:
            err = (workdir / f"stderr-{name}").open("wb")
            procs[name] = subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--worker",
                    url,
                    slack.url,
                    str(workdir),
                    name,
                    str(args.limit),
                    str(args.timeout),
                    "1" if args.profile else "0",
                ],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=err,
                stderr=err,
            )
        try:
            deadline = time.monotonic() + 60
            while not all((workdir / f"ready-{n}").exists() for n in names):
                dead = [n for n, p in procs.items() if p.poll() is not None]
                if dead or time.monotonic() > deadline:
                    print(f"workers failed to start: {dead or 'timeout'}")
                    print((workdir / f"stderr-{(dead or names)[0]}").read_text()[-3000:])
                    return
                time.sleep(0.01)
            start = time.monotonic()
            (workdir / "go.tmp").write_text(repr(time.time()))
            os.replace(workdir / "go.tmp", workdir / "go")
            statuses: dict[str, object] = {}
            for name, proc in procs.items():
                remaining = max(1.0, start + args.timeout + 10 - time.monotonic())
                try:
                    statuses[name] = proc.wait(timeout=remaining)
                except subprocess.TimeoutExpired:
                    statuses[name] = "killed after --timeout"
            finished = time.monotonic() - start
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        report(args, engine, slack, workdir, names, statuses, start, finished)
        engine.dispose()


def report(
    args: argparse.Namespace,
    engine: Engine,
    slack: FakeSlack,
    workdir: Path,
    names: list[str],
    statuses: dict[str, object],
    start: float,
    finished: float,
) -> None:
    posts = [c for c in slack.calls_to("chat.postMessage") if not c.failed]
    per_target = Counter(str(c.args.get("channel")) for c in posts)
    with Session(engine) as session:
        table = {r.target: r.state for r in session.exec(select(Reminder))}
    duplicates = sum(n - 1 for n in per_target.values() if n > 1)
    missing = len(set(table) - set(per_target))
    first: dict[str, float] = {}
    for c in posts:
        first.setdefault(str(c.args.get("channel")), c.at - start)
    lags = list(first.values())
    span = max(lags) if lags else float("nan")
    print(f"workers exited: {statuses} after {finished:.2f} s")
    for name in names:
        path = workdir / f"summary-{name}.json"
        summary = json.loads(path.read_text()) if path.exists() else "no summary"
        print(f"  {name}: {summary}")
        err = (workdir / f"stderr-{name}").read_text(errors="replace").strip()
        if err:
            print(f"  {name} stderr (tail):\n{err[-1500:]}")
    print(f"delivered: {len(first):,} of {len(table):,} reminders; missing {missing}")
    print(f"row states: {dict(Counter(table.values()))}")
    print(f"total time (start to last delivery): {span:.2f} s")
    print(f"delivered per second: {len(first) / span if span > 0 else float('nan'):,.0f}")
    print(f"duplicates (messages per reminder beyond one): {duplicates}")
    p50, p99 = percentile(lags, 50), percentile(lags, 99)
    print(f"lag due -> delivery: p50 {p50:.2f} s, p99 {p99:.2f} s")
    other = Counter(c.method for c in slack.calls if c.method != "chat.postMessage")
    if other:
        print(f"other Slack calls: {dict(other)}")
    met = missing == 0 and duplicates == 0 and span <= TARGET_S
    print(f"target (all within {TARGET_S:.0f} s, no duplicate): {'met' if met else 'MISSED'}")
    profile = workdir / f"profile-{names[0]}"
    if profile.exists():
        out = io.StringIO()
        stats = pstats.Stats(str(profile), stream=out)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(20)
        print(f"hotspots of worker {names[0]}:\n{out.getvalue()}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        sys.exit(worker_main(sys.argv[2:]))
    default_db = "postgresql" if pg_server.find_bindir() is not None else "sqlite"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--workers", type=int, help="default: 2 on PostgreSQL, 1 on SQLite")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default=default_db)
    parser.add_argument("--limit", type=int, default=100, help="reminders claimed per tick")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per worker")
    parser.add_argument("--profile", action="store_true", help="run the workers under cProfile")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
