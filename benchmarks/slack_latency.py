"""Benchmark of Slack's acknowledgement: `/iso20k status` on the real app against a bare Bolt app.

    .venv/bin/python benchmarks/slack_latency.py [--requests N] [--concurrency C]
                                                 [--warmup W] [--rounds R]
                                                 [--in-process-client]

What it measures: the time from sending a signed slash command to `POST /slack/events` until
the HTTP response arrives — the acknowledgement Slack waits for (3 s at most, PLATFORM.md).
Two apps are served side by side, each as `tests/e2e/harness.py` serves the real one (Starlette
+ `AsyncSlackRequestHandler` under uvicorn in a thread on 127.0.0.1, Web API client pointed at
the fake Slack of `tests.slackfake`):

- real: `bot.web.create_web_app(bot.slack.app.build_app(...))` over a SQLite database holding
  one organisation with a complete assessment (the 157 answers of
  examples/itil-service-provider.yaml), so `/iso20k status` builds the full manager dashboard;
- bare: an `AsyncApp` with the same handler, client and signing secret whose `/iso20k`
  listener only calls `ack()` — Bolt's own floor (about 11 ms with the default
  `process_before_response=False`, PLATFORM.md "Bolt's own latency floor"; about 0.5 ms
  with `--bare-before-response`, the mode the real app uses).

`--concurrency 1` measures one request at a time (target: the real app's p50 under 5 ms).

Each round drives the bare app, then the real app (after a warm-up for each), with C concurrent
requests in a closed loop (each worker sends its next request when the previous one is
answered), and then waits until the real app's post-ack work — evaluating the assessment and
posting the dashboard to the `response_url` — has drained, so it does not overlap the next
measurement. Rounds repeat that order, to show the variance.

Targets: the real app's p99 under 300 ms, and no more than 3x the bare app's p99.

How to read it: in a closed loop, latency ≈ concurrency / throughput (Little's law), so once
the servers' process is busy the acknowledgement waits behind the post-ack work of earlier
requests, which runs on the same GIL. "CPU/request" is the servers' process CPU time per
request (post-ack work included), which sets that throughput.

The load client runs in a process of its own by default, as Slack does not share the app's GIL;
`--in-process-client` sends from the servers' process instead, as the end-to-end tests do (its
own CPU then counts against the apps). The real app runs its dialog steps in worker processes,
as `iso20k serve` does (`--dialog-processes 0` runs them on one thread of the web process, to
compare). It prints figures, it is not a test: the exit status is always 0.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import multiprocessing as mp
import os
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import uvicorn  # noqa: E402
from slack_bolt.async_app import AsyncAck, AsyncApp  # noqa: E402
from slack_bolt.version import __version__ as BOLT_VERSION  # noqa: E402
from starlette.applications import Starlette  # noqa: E402

from bot.dialogs.commands import handle_command, handle_submit  # noqa: E402
from bot.dialogs.context import DialogContext  # noqa: E402
from bot.dialogs.model import Message, Outcome  # noqa: E402
from bot.dialogs.validation import RawValue  # noqa: E402
from bot.dialogs.worker import run_step  # noqa: E402
from bot.serve import tune_gc  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.slack.app import build_app, web_client  # noqa: E402
from bot.store.crud import record_answer  # noqa: E402
from bot.store.db import make_engine  # noqa: E402
from bot.store.migrate import upgrade  # noqa: E402
from bot.web import create_web_app  # noqa: E402
from bot.workers import Deps, make_worker  # noqa: E402
from iso20k_core.inputs import EvaluationInput, parse_input_text  # noqa: E402
from iso20k_core.profile import Profile  # noqa: E402
from iso20k_core.standard import load_bank  # noqa: E402
from tests.slackfake.server import Call, FakeSlack  # noqa: E402
from tests.slackfake.signing import sign, slash_command_body  # noqa: E402

EXAMPLE = ROOT / "examples" / "itil-service-provider.yaml"
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
TEAM, USER = "T0BENCH", "U0BENCH"
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)  # as tests/e2e/harness.py

Summary = dict[str, float]  # p50, p95, p99, max, mean in ms

TARGET_P99_MS = 300.0
TARGET_RATIO = 3.0
DRAIN_TIMEOUT_S = 300.0
REQUEST_TIMEOUT_S = 30.0


# --- the organisation ----------------------------------------------------------------------


def setup_fields(profile: Profile) -> dict[str, RawValue]:
    """The setup form as a person would fill it in (field ids of bot/dialogs/setup.py)."""
    return {
        "organisation": profile.organisation,
        "persons_in_scope": str(profile.persons_in_scope),
        "it_staff": str(profile.it_staff),
        "services_in_scope": str(profile.services_in_scope),
        "sites": str(profile.sites),
        "staff_available_fte": str(profile.staff_available_fte),
        "itil_adoption": profile.itil_adoption,
        "existing_certifications": list(profile.existing_certifications),
        "start_date": profile.start_date.isoformat() if profile.start_date else None,
        "target_certification_date": (
            profile.target_certification_date.isoformat()
            if profile.target_certification_date
            else None
        ),
        "country": profile.country,
        "timezone": profile.timezone,
        "currency": profile.currency,
    }


def record_all_answers(example: EvaluationInput) -> Callable[[DialogContext], Outcome]:
    def step(ctx: DialogContext) -> Outcome:
        assessment = ctx.assessment()
        for question_id, value in example.answers.items():
            stored = value.isoformat() if isinstance(value, dt.date) else value
            record_answer(ctx.session, assessment, question_id, stored, member=ctx.member)
        ctx.replan()
        return Outcome()

    return step


@dataclass(frozen=True)
class Organisation:
    """The benchmark's database and bank, with a way to run a dialog step for USER now."""

    engine: Any
    bank: Any

    def run(self, team: str, user: str, step: Callable[..., Outcome]) -> Outcome:
        return run_step(self.engine, self.bank, "slack", team, user, NOW, step)


def prepare_organisation(url: str) -> Organisation:
    """A migrated database with one organisation, its profile and a complete assessment,
    written through the app's own dialog code; USER is its admin."""
    upgrade(url)
    deps = Organisation(make_engine(url), load_bank())
    example = parse_input_text(EXAMPLE.read_text(encoding="utf-8"))
    fields = setup_fields(example.profile)
    saved = deps.run(TEAM, USER, lambda ctx: handle_submit(ctx, "setup", {}, fields))
    if saved.errors:
        raise SystemExit(f"setup was refused: {saved.errors}")
    deps.run(TEAM, USER, record_all_answers(example))
    check_dashboard(deps, len(example.answers))
    return deps


def check_dashboard(deps: Organisation, answered: int) -> None:
    """`/iso20k status` for USER is the manager dashboard of a complete assessment."""
    outcome = deps.run(TEAM, USER, lambda ctx: handle_command(ctx, "status"))
    reply = outcome.reply
    assert isinstance(reply, Message), reply
    facts = {f.label: f.value for f in reply.facts}
    if not facts.get("Answered", "").startswith(f"{answered} of {answered}"):
        raise SystemExit(f"the status is not a complete manager dashboard: {facts}")


def time_one_status(deps: Organisation, runs: int = 20) -> float:
    """Median milliseconds of the post-ack dialog step alone (no HTTP), for context."""
    took = []
    for _ in range(runs):
        start = time.perf_counter()
        deps.run(TEAM, USER, lambda ctx: handle_command(ctx, "status"))
        took.append((time.perf_counter() - start) * 1000)
    return statistics.median(took)


# --- the servers ---------------------------------------------------------------------------


@dataclass
class Served:
    name: str
    base_url: str
    server: uvicorn.Server
    thread: threading.Thread


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(name: str, app: Starlette) -> Served:
    """uvicorn in a daemon thread on 127.0.0.1, as tests/e2e/harness.py does."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn:{name}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit(f"uvicorn did not start the {name} app")
        time.sleep(0.02)
    return Served(name, f"http://127.0.0.1:{port}", server, thread)


def stop(served: Served) -> None:
    served.server.should_exit = True
    served.thread.join(timeout=10)


def bare_app(settings: Settings, process_before_response: bool = False) -> AsyncApp:
    """Bolt and nothing else: the same client and secret, a listener that only acknowledges;
    in Bolt's default mode (it polls for ack() every 10 ms) or, with
    `process_before_response`, answering as soon as the listener returns, as the real app."""
    app = AsyncApp(
        client=web_client(settings),
        signing_secret=settings.slack_signing_secret,
        process_before_response=process_before_response,
    )

    @app.command("/iso20k")
    async def iso20k(ack: AsyncAck) -> None:
        await ack()

    return app


# --- the load ------------------------------------------------------------------------------


@dataclass
class Run:
    app: str
    label: str
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)  # "200", "401", "timeout", ...
    sent_at: dict[str, float] = field(default_factory=dict)  # response_url key -> monotonic
    wall_s: float = 0.0
    last_ack: float = 0.0  # time.monotonic() of the last response (system-wide on Linux)


def signed_status_command(respond_root: str, key: str) -> tuple[bytes, dict[str, str]]:
    """A fresh `/iso20k status` as Slack sends it, with its own response_url on the fake."""
    body = slash_command_body(
        text="status",
        team_id=TEAM,
        team_domain="bench",
        user_id=USER,
        response_url=f"{respond_root}/respond/{key}",
    )
    return body.encode(), sign(SECRET, body)


async def send_one(session: aiohttp.ClientSession, url: str, respond_root: str, run: Run) -> None:
    key = f"{run.label}-{len(run.sent_at)}"
    data, headers = signed_status_command(respond_root, key)
    run.sent_at[key] = time.monotonic()
    start = time.perf_counter()
    try:
        async with session.post(url, data=data, headers=headers) as response:
            await response.read()
            status = str(response.status)
    except (aiohttp.ClientError, TimeoutError) as exc:
        status = type(exc).__name__
    run.latencies_ms.append((time.perf_counter() - start) * 1000)
    run.statuses[status] = run.statuses.get(status, 0) + 1
    run.last_ack = time.monotonic()


async def drive(base_url: str, respond_root: str, run: Run, total: int, concurrency: int) -> Run:
    """`total` requests from `concurrency` workers in a closed loop: each worker sends its next
    request as soon as the previous one was answered, over at most `concurrency` connections."""
    url = base_url + "/slack/events"
    left = iter(range(total))
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def worker() -> None:
            for _ in left:
                await send_one(session, url, respond_root, run)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        run.wall_s = time.perf_counter() - start
    return run


def load(base_url: str, respond_root: str, app: str, label: str, total: int, c: int) -> Run:
    """One closed-loop run; top-level so that the client process can run it."""
    return asyncio.run(drive(base_url, respond_root, Run(app, label), total, c))


@dataclass
class Client:
    """Sends the load from a process of its own (default) or from this one."""

    pool: ProcessPoolExecutor | None

    def measure(self, served: Served, slack: FakeSlack, label: str, total: int, c: int) -> Run:
        args = (served.base_url, slack.root_url, served.name, label, total, c)
        if self.pool is None:
            return load(*args)
        return self.pool.submit(load, *args).result()


def responses_to(slack: FakeSlack, label: str) -> list[Call]:
    prefix = f"/respond/{label}-"
    return [c for c in slack.calls_to("response_url") if c.path.startswith(prefix)]


def wait_for_answers(slack: FakeSlack, run: Run) -> list[Call]:
    """Wait until every request of `run` got its answer on its response_url (or time out)."""
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    while True:
        calls = responses_to(slack, run.label)
        if len(calls) >= len(run.sent_at) or time.monotonic() > deadline:
            return calls
        time.sleep(0.05)


# --- the report ----------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary(values: list[float]) -> Summary:
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values),
        "mean": statistics.fmean(values),
    }


def figures(values: list[float]) -> str:
    return "  ".join(f"{k} {v:7.1f}" for k, v in summary(values).items())


def print_run(run: Run) -> Summary:
    rate = len(run.latencies_ms) / run.wall_s
    ok = run.statuses.get("200", 0) == len(run.latencies_ms)
    statuses = "all 200" if ok else f"NOT ALL 200: {run.statuses}"
    print(f"  {run.app:<5} ack ms: {figures(run.latencies_ms)}  {rate:7.1f} req/s  ({statuses})")
    return summary(run.latencies_ms)


def print_drain(slack: FakeSlack, run: Run) -> None:
    """The real app's post-ack work: every request answered on its response_url, and when."""
    calls = wait_for_answers(slack, run)
    done = len(calls) >= len(run.sent_at)
    drained = max((c.at for c in calls), default=run.last_ack) - run.last_ack
    state = "all answered" if done else f"TIMED OUT after {DRAIN_TIMEOUT_S:.0f} s"
    when = (
        f"drained {drained:.2f} s after the last ack"
        if drained > 0
        else "all posted before the last ack arrived"
    )
    print(
        f"  post-ack work: {len(calls)} of {len(run.sent_at)} response_url answers ({state}), "
        + when
    )
    answer_ms = [(c.at - run.sent_at[c.path.rsplit("/", 1)[1]]) * 1000 for c in calls]
    if answer_ms:
        print(f"  real  answer ms: {figures(answer_ms)}  (send -> dashboard posted)")


def print_verdict(bare: Summary, real: Summary) -> None:
    ratio99 = real["p99"] / bare["p99"]
    ratio50 = real["p50"] / bare["p50"]
    under = real["p99"] < TARGET_P99_MS
    within = ratio99 <= TARGET_RATIO
    print(f"  ratio real/bare: p99 {ratio99:.2f}x, p50 {ratio50:.2f}x")
    print(
        f"  target p99 < {TARGET_P99_MS:.0f} ms: {'met' if under else 'MISSED'} "
        f"({real['p99']:.1f} ms); target p99 <= {TARGET_RATIO:.0f}x bare: "
        f"{'met' if within else 'MISSED'} ({ratio99:.2f}x)"
    )


def print_environment(args: argparse.Namespace, step_ms: float) -> None:
    cpus = os.cpu_count() or 1
    client = "this process" if args.in_process_client else "a separate process"
    print(
        f"Python {platform.python_version()}, slack_bolt {BOLT_VERSION}, {cpus} CPUs "
        f"(asyncio.to_thread default pool: {min(32, cpus + 4)} threads)"
    )
    print(
        f"{args.requests} requests per app and round after {args.warmup} warm-up, closed loop "
        f"at {args.concurrency} concurrent, client in {client}; {args.rounds} round(s), each: "
        "bare app, then real app, then wait for the real app's post-ack work to drain"
    )
    workers = (
        f"{args.dialog_processes} worker processes"
        if args.dialog_processes
        else "one thread of the web process"
    )
    print(f"real app's dialog steps run in {workers}, as `iso20k serve` runs them")
    print(f"post-ack dialog step alone (`status`, no HTTP): median {step_ms:.1f} ms\n")


# --- main ----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="per app and round")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=50, help="per app and round, not counted")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--dialog-processes",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes for dialog steps, as `iso20k serve` uses (0: one thread)",
    )
    parser.add_argument(
        "--bare-before-response",
        action="store_true",
        help="the bare app with process_before_response=True, as the real app (default: "
        "Bolt's default mode)",
    )
    parser.add_argument(
        "--in-process-client",
        action="store_true",
        help="send from the servers' process, sharing their GIL (slower, as in the e2e tests)",
    )
    args = parser.parse_args()
    args.requests = min(max(args.requests, 1), 100_000)
    args.concurrency = min(max(args.concurrency, 1), 1000)
    args.warmup = min(max(args.warmup, 0), 10_000)
    args.rounds = min(max(args.rounds, 1), 10)
    return args


def bench_app(served: Served, slack: FakeSlack, client: Client, label: str, args: Any) -> Summary:
    """Warm up, measure, and for the real app wait for its post-ack work; print the figures."""
    warm = client.measure(served, slack, f"w{label}", args.warmup, args.concurrency)
    if served.name == "real":
        wait_for_answers(slack, warm)
    gc.collect()  # the garbage of earlier runs is not this run's to collect
    cpu = time.process_time()
    run = client.measure(served, slack, label, args.requests, args.concurrency)
    result = print_run(run)
    if served.name == "real":
        print_drain(slack, run)
        slack.reset()  # forget the recorded calls: a growing heap would slow the next round
    cpu_ms = (time.process_time() - cpu) / args.requests * 1000
    print(f"  {served.name:<5} CPU/request in the servers' process: {cpu_ms:.2f} ms")
    return result


def one_round(
    number: int, apps: dict[str, Served], slack: FakeSlack, client: Client, args: Any
) -> None:
    print(f"Round {number}")
    bare = bench_app(apps["bare"], slack, client, f"r{number}bare", args)
    real = bench_app(apps["real"], slack, client, f"r{number}real", args)
    print_verdict(bare, real)
    print()


def run_benchmark(args: argparse.Namespace, pool: ProcessPoolExecutor | None) -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeSlack(token=TOKEN) as slack:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        deps = prepare_organisation(url)
        settings = Settings(
            slack_bot_token=TOKEN,
            slack_signing_secret=SECRET,
            slack_api_url=slack.url,
            database_url=url,
        )
        print_environment(args, time_one_status(deps))
        # The real app as `iso20k serve` runs it: dialog steps in worker processes.
        worker = make_worker(settings, deps.engine, deps.bank, args.dialog_processes)
        served_deps = Deps(deps.engine, deps.bank, worker=worker, clock=lambda: NOW)
        tune_gc()  # as `iso20k serve` does once its app is built; both apps share it
        apps = {
            "bare": serve("bare", create_web_app(bare_app(settings, args.bare_before_response))),
            "real": serve("real", create_web_app(build_app(settings, served_deps))),
        }
        try:
            for number in range(1, args.rounds + 1):
                one_round(number, apps, slack, Client(pool), args)
        finally:
            for served in apps.values():
                stop(served)
            worker.close()
            deps.engine.dispose()


def main() -> int:
    args = parse_args()
    if args.in_process_client:
        run_benchmark(args, None)
        return 0
    # spawn, not fork: this process runs server threads, which fork would copy half-way.
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
        run_benchmark(args, pool)
    return 0


if __name__ == "__main__":
    sys.exit(main())
