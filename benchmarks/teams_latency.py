"""Teams beside Slack: `status` through `/api/messages` and `/slack/events` of one server.

    .venv/bin/python benchmarks/teams_latency.py [--concurrency C] [--rounds R] [--warmup W]
                                                 [--dialog-processes D] [--together]
                                                 [--no-answers] [--quick]

What runs: `iso20k serve` as its own process, as production runs it with both platforms'
credentials: one Starlette app serving `POST /slack/events` and `POST /api/messages`, one
lane of DIALOG_PROCESSES dialog worker processes (default 2, one per core of the development
machine) and REPORT_PROCESSES=1, both built by `bot.workers.make_worker` / `make_slow_lane`
from the Settings of its environment, every worker set up for Slack and for Teams. Around
it, in this process: the fake Slack (tests/slackfake) and the fake Microsoft services
(tests/teamsfake: `FakeIdentity` signs the activities' tokens, `FakeTokenService` issues the
bot's own, `FakeConnector` records what the bot posts). The requests are sent from a client
process of its own (as benchmarks/slack_latency.py does), so neither the fakes nor the
client share an interpreter with the server.

Before measuring, an organisation is set up on each platform as a person does it: on Slack
`/iso20k setup` and the modal submitted, on Teams `setup` typed in the 1:1 chat and its card
submitted (the same profile on both). Unless `--no-answers`, both then get the 157 answers
of examples/itil-service-provider.yaml (written through the dialog code, as slack_latency
does), so `status` is the full manager dashboard of a complete assessment on both.

Each round sends a burst of C (default 50) concurrent `status` requests to Slack and then C
to Teams (the order alternates from round to round), each burst from one person as
slack_latency's, every request with its own `response_url` (Slack) or activity id (Teams),
and waits until every answer of the burst reached its fake before the next burst. With
`--together` both bursts go at once (2C in flight, interleaved, which goes first
alternating), to see each beside the other's load.
The first W rounds (default 3) warm up and are not counted.

Per request it measures, from just before the client sends it:

- *HTTP answer*: until the response arrived — Slack's acknowledgement (200), Teams' 202;
- *reply*: until the dashboard reached the fake — the `response_url` post the fake Slack
  records, the reply (`POST …/activities/{activity id}`) the fake Bot Connector records;
  both record `time.monotonic()` on arrival, the clock the client uses (system-wide).

The fakes check every message as the real services would (Block Kit limits, the Adaptive
Card 1.5 schema). In this process those checks would hold the interpreter lock — the card
schema takes about 9 ms per status card — and the figures would be the fakes'. So during the
measured bursts the checks are deferred: each message is kept and checked after its burst,
and every refusal is counted as an error.

It prints p50 / p95 / p99 / max for each platform and measure, per round and over all
counted rounds, the CPU per request of the web process, the dialog workers and this process
(the fakes), the Teams/Slack ratios of p50 and p99, and whether each is within the target of
1.5x. Errors (HTTP statuses other than 200/202, replies that never came, refusals, replies
that are not the dashboard) are counted and printed. It prints figures, it is not a test:
the exit status is 0 unless something failed outright (the set-up, the server), 130 when
interrupted. Every process and thread it starts is stopped when it ends, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import json
import multiprocessing as mp
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

import tests.slackfake.server as slack_fake_module  # noqa: E402
import tests.teamsfake.connector as teams_fake_module  # noqa: E402
from benchmarks.faults import stopped_gently  # noqa: E402
from benchmarks.slack_latency import EXAMPLE, percentile, record_all_answers  # noqa: E402
from bot.dialogs.worker import run_step  # noqa: E402
from bot.store.db import make_engine  # noqa: E402
from bot.store.migrate import upgrade  # noqa: E402
from iso20k_core.inputs import parse_input_text  # noqa: E402
from iso20k_core.standard import load_bank  # noqa: E402
from tests import processes  # noqa: E402
from tests.e2e.harness import (  # noqa: E402
    SECRET,
    TOKEN,
    Served,
    SlackPeople,
    block_text,
    serve_served,
)
from tests.e2e.teams_harness import ALICE, TENANT, card_text, inputs_of  # noqa: E402
from tests.e2e.test_serve import serve_env  # noqa: E402
from tests.e2e.test_slack_basics import set_up as set_up_slack  # noqa: E402
from tests.e2e.test_teams import SETUP as TEAMS_SETUP  # noqa: E402
from tests.slackfake.server import Call, FakeSlack  # noqa: E402
from tests.slackfake.signing import sign, slash_command_body  # noqa: E402
from tests.teamsfake.activities import TeamsUser, message, new_id, signed_post  # noqa: E402
from tests.teamsfake.connector import FakeConnector, Sent  # noqa: E402
from tests.teamsfake.identity import APP_ID, FakeIdentity  # noqa: E402
from tests.teamsfake.tokens import APP_PASSWORD, FakeTokenService  # noqa: E402

TEAM, USER = "T0BENCH", "U0BENCH"  # the Slack workspace and person
REMINDER_CHANNEL = "C42"  # the channel test_slack_basics.setup_values chooses
HEADING = "ISO/IEC 20000-1 status"  # bot/dialogs/reports.py: the dashboard's heading
TARGET_RATIO = 1.5
REPLY_TIMEOUT_S = 120.0
REQUEST_TIMEOUT_S = 60.0
PLATFORMS = ("slack", "teams")
ACCEPTED = {"slack": "200", "teams": "202"}


class Failed(Exception):
    """Something failed outright: the figures would mean nothing."""


# --- the fakes' checks, deferred while timing -------------------------------------------------


class DeferredChecks:
    """Swaps the fakes' message checks (`tests.teamsfake.connector._activity_problem`,
    `tests.slackfake.server.message_refusals`) for ones that, while `deferring`, keep the
    message and accept it; `check` then runs the real checks on what was kept."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.deferring = False
        self._teams_check = teams_fake_module._activity_problem
        self._slack_check = slack_fake_module.message_refusals
        self._teams: list[bytes] = []
        self._slack: list[dict[str, Any]] = []

    def __enter__(self) -> DeferredChecks:
        teams_fake_module._activity_problem = self._teams_problem  # type: ignore[assignment]
        slack_fake_module.message_refusals = self._slack_refusals
        return self

    def __exit__(self, *exc: object) -> None:
        teams_fake_module._activity_problem = self._teams_check
        slack_fake_module.message_refusals = self._slack_check

    def _teams_problem(self, raw: bytes) -> Any:
        if not self.deferring:
            return self._teams_check(raw)
        with self._lock:
            self._teams.append(raw)
        return None

    def _slack_refusals(self, payload: Mapping[str, Any]) -> list[str]:
        if not self.deferring:
            return self._slack_check(payload)
        with self._lock:
            self._slack.append(dict(payload))
        return []

    def check(self) -> Counter[str]:
        """Run the real checks on every message kept since the last call: refusals by kind."""
        with self._lock:
            teams, self._teams = self._teams, []
            slack, self._slack = self._slack, []
        found: Counter[str] = Counter()
        for raw in teams:
            problem = self._teams_check(raw)
            if problem is not None:
                found[f"teams refused: {problem}"[:120]] += 1
        for payload in slack:
            for problem in self._slack_check(payload):
                found[f"slack refused: {problem}"[:120]] += 1
        return found


def check_costs(slack_reply: Call, teams_reply: Sent) -> tuple[float, float]:
    """Milliseconds the fakes' own checks take for one status reply each (median of 20)."""

    def median_ms(work: Callable[[], object]) -> float:
        took = []
        for _ in range(20):
            start = time.perf_counter()
            work()
            took.append((time.perf_counter() - start) * 1000)
        return sorted(took)[len(took) // 2]

    raw = json.dumps(teams_reply.activity).encode()
    return (
        median_ms(lambda: slack_fake_module.message_refusals(slack_reply.args)),
        median_ms(lambda: teams_fake_module._activity_problem(raw)),
    )


# --- a person in Teams ---------------------------------------------------------------------


@dataclass
class TeamsPerson:
    """Someone typing to the bot in their 1:1 chat, as tests/e2e/teams_harness.py does."""

    identity: FakeIdentity
    connector: FakeConnector
    base_url: str
    user: TeamsUser = ALICE
    tenant: str = TENANT
    chat: str = field(default_factory=lambda: new_id("a:"))

    def __post_init__(self) -> None:
        self.connector.open(self.chat, tenant_id=self.tenant, members=[self.user.teams_id])
        self.connector.add_person(
            self.user.teams_id, str(self.user.aad_object_id), self.user.name, self.tenant
        )

    def activity(self, text: str | None, **given: Any) -> dict[str, Any]:
        found = message(
            text,
            tenant=self.tenant,
            user=self.user,
            conversation=self.chat,
            service_url=self.connector.service_url,
            **given,
        )
        self.connector.heard(found)
        return found

    def say(self, text: str) -> int:
        return signed_post(self.identity, self.base_url, self.activity(text)).status

    def submit(self, sent: Sent, values: Mapping[str, str]) -> int:
        """Press the card's first submit action with `values`: its data merged with every
        input's value, `replyToId` the card's message (as Teams sends it)."""
        card = self.connector.latest_card(sent.activity_id) or {}
        action = next(a for a in card.get("actions", []) if a["type"] == "Action.Submit")
        inputs = {
            e["id"]: "" if e.get("value") is None else str(e["value"]) for e in inputs_of(card)
        }
        activity = self.activity(
            None, value={**inputs, **values, **action.get("data", {})}, reply_to=sent.activity_id
        )
        return signed_post(self.identity, self.base_url, activity).status

    def messages(self) -> list[Sent]:
        return self.connector.messages_to(self.chat)

    def next_message(self, before: int) -> Sent:
        return self.connector.wait_for(
            lambda: self.messages()[before] if len(self.messages()) > before else None
        )


def set_up_teams(person: TeamsPerson) -> None:
    """`setup` typed, its card submitted with the profile, the card updated in place."""
    before = len(person.messages())
    if person.say("setup") != 202:
        raise Failed("Teams did not take `setup`")
    form = person.next_message(before)
    if "Organisation profile" not in card_text(form.cards[0]):
        raise Failed(f"`setup` did not answer with the form: {card_text(form.cards[0])[:200]}")
    if person.submit(form, TEAMS_SETUP) != 202:
        raise Failed("Teams did not take the setup card's submission")
    connector = person.connector
    connector.wait_for(lambda: any(u.activity_id == form.activity_id for u in connector.updates))
    saved = card_text(connector.latest_card(form.activity_id) or {})
    if "Organisation profile" in saved and "saved" not in saved.lower():
        raise Failed(f"the setup card was refused: {saved[:300]}")


def answer_everything(url: str) -> int:
    """Both organisations get the example's answers, through the dialog code; how many."""
    example = parse_input_text(EXAMPLE.read_text(encoding="utf-8"))
    engine = make_engine(url)
    try:
        bank = load_bank()
        now = dt.datetime.now(dt.UTC)
        step = record_all_answers(example)
        run_step(engine, bank, "slack", TEAM, USER, now, step)
        run_step(engine, bank, "teams", TENANT, str(ALICE.aad_object_id), now, step)
    finally:
        engine.dispose()
    return len(example.answers)


# --- the requests and the client -----------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """One request, ready to send: made in this process, sent by the client's."""

    platform: str
    key: str  # Slack: the response_url's key; Teams: the activity's id
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Sample:
    platform: str
    key: str
    sent: float  # time.monotonic() just before sending
    answered: float  # ... once the response was read
    status: str  # the HTTP status, or the exception's name

    @property
    def ack_ms(self) -> float:
        return (self.answered - self.sent) * 1000


def slack_requests(base_url: str, slack: FakeSlack, label: str, count: int) -> list[Prepared]:
    found = []
    for n in range(count):
        key = f"{label}-{n}"
        body = slash_command_body(
            text="status",
            team_id=TEAM,
            team_domain=TEAM.lower(),
            user_id=USER,
            response_url=f"{slack.root_url}/respond/{key}",
        )
        headers = {**sign(SECRET, body), "Content-Type": "application/x-www-form-urlencoded"}
        found.append(Prepared("slack", key, f"{base_url}/slack/events", body.encode(), headers))
    return found


def teams_requests(base_url: str, person: TeamsPerson, count: int) -> list[Prepared]:
    """`count` activities of `status`, each with its own id. One token for them all: the Bot
    Connector reuses its token for a while (and RS256 is deterministic: tokens signed in the
    same second with the same claims are the same bytes anyway)."""
    token = person.identity.sign(serviceurl=person.connector.service_url)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Authorization": f"Bearer {token}",
    }
    found = []
    for _ in range(count):
        activity = person.activity("status")
        body = json.dumps(activity).encode()
        found.append(Prepared("teams", activity["id"], f"{base_url}/api/messages", body, headers))
    return found


def ignore_interrupts() -> None:
    """The client process: Ctrl-C reaches the whole process group; the benchmark's own
    process stops this one (its pool's shutdown), not the signal."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def send_all(requests: list[Prepared]) -> list[Sample]:
    """Send every request at once (one connection each) and time each answer; top-level, so
    that the client process can run it. The client's garbage is collected before, not
    during the burst: a full collection of its heap took 0.2 s, which every request of the
    burst it fell into would have counted."""
    with collected_first():
        return asyncio.run(_send_all(requests))


@contextlib.contextmanager
def collected_first() -> Iterator[None]:
    """Collect garbage now, and not again until the block ends."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def _send_all(requests: list[Prepared]) -> list[Sample]:
    connector = aiohttp.TCPConnector(limit=len(requests))
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def one(request: Prepared) -> Sample:
            sent = time.monotonic()
            try:
                async with session.post(
                    request.url, data=request.body, headers=request.headers
                ) as response:
                    await response.read()
                    status = str(response.status)
            except (aiohttp.ClientError, TimeoutError) as exc:
                status = type(exc).__name__
            return Sample(request.platform, request.key, sent, time.monotonic(), status)

        return list(await asyncio.gather(*(one(r) for r in requests)))


# --- waiting for the replies ---------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    key: str
    at: float  # time.monotonic() when the fake received it
    text: str


def waited(wait: Callable[[float], object], server: subprocess.Popen[bytes]) -> None:
    """Call `wait(seconds)` (a fake's `wait_for`, which waits on the fake's condition and
    raises AssertionError when it times out) until it returns, REPLY_TIMEOUT_S pass (the
    missing replies are then counted) or the server is found dead (`Failed`)."""
    deadline = time.monotonic() + REPLY_TIMEOUT_S
    while True:
        try:
            wait(min(1.0, max(0.01, deadline - time.monotonic())))
            return
        except AssertionError:
            if server.poll() is not None:
                raise Failed(f"the server exited with {server.returncode}") from None
            if time.monotonic() >= deadline:
                return


def slack_replies(
    slack: FakeSlack, keys: set[str], server: subprocess.Popen[bytes]
) -> dict[str, Reply]:
    """Wait until every key's response_url got its post."""
    waited(lambda left: slack.wait_for("response_url", count=len(keys), timeout=left), server)
    found = {}
    for call in slack.calls_to("response_url"):
        key = call.path.rsplit("/", 1)[1]
        if key in keys and key not in found:
            found[key] = Reply(key, call.at, block_text(call.args.get("blocks") or []))
    return found


def teams_replies(
    connector: FakeConnector, chat: str, keys: set[str], server: subprocess.Popen[bytes]
) -> dict[str, Reply]:
    """Wait until every activity got its reply in the chat."""
    seen: dict[str, Sent] = {}
    cursor = [0]

    def all_there() -> bool:
        sent = connector.sent
        for record in sent[cursor[0] :]:
            if record.reply_to_id in keys and record.conversation_id == chat:
                seen.setdefault(record.reply_to_id, record)
        cursor[0] = len(sent)
        return len(seen) >= len(keys)

    waited(lambda left: connector.wait_for(all_there, timeout=left), server)
    return {
        key: Reply(key, s.at, card_text(s.cards[0]) if s.cards else s.text or "")
        for key, s in seen.items()
    }


# --- CPU of the server's processes ---------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (Linux /proc), 0 if it is gone."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Cpu:
    web: float
    workers: float
    here: float

    @staticmethod
    def now(server: int) -> Cpu:
        workers = processes.forkserver_workers(server, "dialog")
        return Cpu(
            cpu_seconds(server), sum(cpu_seconds(w.pid) for w in workers), time.process_time()
        )

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(self.web - other.web, self.workers - other.workers, self.here - other.here)

    def __add__(self, other: Cpu) -> Cpu:
        return Cpu(self.web + other.web, self.workers + other.workers, self.here + other.here)


# --- the measurement -----------------------------------------------------------------------


@dataclass
class Figures:
    """What one platform got over the counted rounds."""

    acks: list[float] = field(default_factory=list)
    replies: list[float] = field(default_factory=list)
    cpu: Cpu = Cpu(0.0, 0.0, 0.0)
    requests: int = 0


@dataclass
class World:
    served: Served
    slack: FakeSlack
    person: TeamsPerson
    checks: DeferredChecks
    pool: ProcessPoolExecutor
    errors: Counter[str] = field(default_factory=Counter)


def burst(world: World, platforms: tuple[str, ...], label: str, count: int) -> dict[str, Any]:
    """`count` concurrent `status` requests to each of `platforms` at once; waits for every
    reply; returns per platform its (ack ms, reply ms) lists and the CPU it took."""
    lists: list[list[Prepared]] = []
    if "slack" in platforms:
        lists.append(slack_requests(world.served.base_url, world.slack, label, count))
    if "teams" in platforms:
        lists.append(teams_requests(world.served.base_url, world.person, count))
    # both at once: interleaved, in the order given, so neither queues behind the other
    prepared = [r for both in zip(*lists, strict=True) for r in both]
    world.checks.deferring = True
    with collected_first():  # the fakes' process too: no collection while they record
        before = Cpu.now(world.served.process.pid)
        samples = world.pool.submit(send_all, prepared).result()
        replies: dict[str, Reply] = {}
        if "slack" in platforms:
            keys = {s.key for s in samples if s.platform == "slack"}
            replies |= slack_replies(world.slack, keys, world.served.process)
        if "teams" in platforms:
            keys = {s.key for s in samples if s.platform == "teams"}
            replies |= teams_replies(
                world.person.connector, world.person.chat, keys, world.served.process
            )
        cpu = Cpu.now(world.served.process.pid) - before
    world.checks.deferring = False
    world.errors.update(world.checks.check())
    world.slack.reset()  # forget the calls: a growing record would slow the fake
    if world.served.process.poll() is not None:
        raise Failed(f"the server exited with {world.served.process.returncode}")
    found: dict[str, Any] = {}
    for name in platforms:
        mine = [s for s in samples if s.platform == name]
        for s in mine:
            if s.status != ACCEPTED[name]:
                world.errors[f"{name}: HTTP {s.status}"] += 1
        got = [(s, replies[s.key]) for s in mine if s.key in replies]
        if len(got) < len(mine):
            world.errors[f"{name}: no reply within {REPLY_TIMEOUT_S:.0f} s"] += len(mine) - len(got)
        for _, reply in got:
            if HEADING not in reply.text:
                world.errors[f"{name}: not the dashboard: {reply.text[:60]!r}"] += 1
        found[name] = (
            [s.ack_ms for s in mine],
            [(reply.at - s.sent) * 1000 for s, reply in got],
            cpu if len(platforms) == 1 else None,
        )
    return found


def ms(values: list[float], p: float) -> str:
    return f"{percentile(values, p):7.1f}" if values else "      -"


def line(values: list[float]) -> str:
    if not values:
        return "-"
    return (
        f"p50 {ms(values, 50)}  p95 {ms(values, 95)}  p99 {ms(values, 99)}  max {max(values):7.1f}"
    )


def run(world: World, args: argparse.Namespace) -> dict[str, Figures]:
    figures = {name: Figures() for name in PLATFORMS}
    total = args.warmup + args.rounds
    print(
        f"{'round':<9}{'platform':<9}{'HTTP answer p50':>16}{'p99':>8}"
        f"{'reply p50':>12}{'p99':>8}   (ms)"
    )
    for number in range(1, total + 1):
        counted = number > args.warmup
        label = f"r{number}" if counted else f"w{number}"
        order = PLATFORMS if number % 2 else PLATFORMS[::-1]
        if args.together:
            rounds = [burst(world, order, label, args.concurrency)]
        else:
            rounds = [burst(world, (name,), label, args.concurrency) for name in order]
        for found in rounds:
            for name, (acks, replies, cpu) in found.items():
                tag = f"{number}" if counted else f"{number} (warm)"
                print(
                    f"{tag:<9}{name:<9}{ms(acks, 50):>16}{ms(acks, 99):>8}"
                    f"{ms(replies, 50):>12}{ms(replies, 99):>8}"
                )
                if counted:
                    mine = figures[name]
                    mine.acks += acks
                    mine.replies += replies
                    mine.requests += len(acks)
                    if cpu is not None:
                        mine.cpu = mine.cpu + cpu
    return figures


def ratio(teams: list[float], slack: list[float], p: float) -> float:
    if not teams or not slack:
        return float("nan")
    return percentile(teams, p) / percentile(slack, p)


def report(figures: dict[str, Figures], errors: Counter[str], args: argparse.Namespace) -> None:
    print()
    print(f"Over {args.rounds} counted round(s), {args.concurrency} per burst (ms):")
    for name in PLATFORMS:
        mine = figures[name]
        print(f"  {name:<6} HTTP answer: {line(mine.acks)}   ({len(mine.acks)} requests)")
        print(f"  {name:<6} reply:       {line(mine.replies)}   ({len(mine.replies)} replies)")
    if not args.together:
        for name in PLATFORMS:
            mine = figures[name]
            if mine.requests:
                per = 1000 / mine.requests
                print(
                    f"  {name:<6} CPU/request: web process {mine.cpu.web * per:.2f} ms, dialog "
                    f"workers {mine.cpu.workers * per:.2f} ms, fakes' process "
                    f"{mine.cpu.here * per:.2f} ms  (/proc, {1000 / os.sysconf('SC_CLK_TCK'):.0f}"
                    " ms ticks summed)"
                )
    teams, slack = figures["teams"], figures["slack"]
    print(f"  Teams/Slack (target: within {TARGET_RATIO:g}x):")
    for what, t, s in (
        ("HTTP answer", teams.acks, slack.acks),
        ("reply", teams.replies, slack.replies),
    ):
        parts = []
        for p in (50, 99):
            r = ratio(t, s, p)
            verdict = "within" if r <= TARGET_RATIO else "MISSED"
            parts.append(f"p{p} {r:.2f}x ({verdict})")
        print(f"    {what:<12} " + ", ".join(parts))
    print(f"  errors: {sum(errors.values())}")
    for what, n in sorted(errors.items()):
        print(f"    {n:>5}  {what}")


# --- running it ----------------------------------------------------------------------------


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def server_env(
    url: str, slack: FakeSlack, identity: FakeIdentity, tokens: FakeTokenService, processes_: int
) -> dict[str, str]:
    """`iso20k serve`'s environment: the Slack and the Teams credentials, both at the fakes."""
    env = {k: v for k, v in serve_env(url, slack, processes_).items() if not k.startswith("TEAMS_")}
    env.update(
        {
            "TEAMS_APP_ID": APP_ID,
            "TEAMS_APP_PASSWORD": APP_PASSWORD,
            "TEAMS_OPENID_METADATA_URL": identity.metadata_url,
            "TEAMS_TOKEN_URL": tokens.token_url,
            "PUBLIC_URL": "http://127.0.0.1",  # download links only; status offers none
            "REPORT_PROCESSES": "1",
        }
    )
    return env


def prepare(world: World, url: str, args: argparse.Namespace) -> None:
    """Both organisations set up as people do it, the answers given, one status each."""
    base = world.served.base_url
    set_up_slack(SlackPeople(world.slack, base), team=TEAM, user=USER)
    set_up_teams(world.person)
    answered = answer_everything(url) if args.answers else 0
    want = f"{answered} of {answered}" if answered else "0 of "
    for name in PLATFORMS:
        found = burst(world, (name,), f"check-{name}", 1)
        if found[name][1] == [] or world.errors:
            raise Failed(f"the first {name} status failed: {dict(world.errors)}")
    # one more of each with the fakes' checks in place: what they show, and what checks cost
    sample_slack = slack_requests(base, world.slack, "probe", 1)
    sample_teams = teams_requests(base, world.person, 1)
    world.pool.submit(send_all, sample_slack + sample_teams).result()
    process = world.served.process
    waited(lambda left: world.slack.wait_for("response_url", timeout=left), process)
    calls = world.slack.calls_to("response_url")
    if not calls:
        raise Failed("no Slack reply to the probe status")
    got = teams_replies(world.person.connector, world.person.chat, {sample_teams[0].key}, process)
    if not got:
        raise Failed("no Teams reply to the probe status")
    teams_reply = next(s for s in world.person.messages() if s.reply_to_id == sample_teams[0].key)
    for name, text in (
        ("slack", block_text(calls[0].args.get("blocks") or [])),
        ("teams", card_text(teams_reply.cards[0])),
    ):
        if HEADING not in text or want not in text:
            raise Failed(f"the {name} status is not the expected dashboard ({want}): {text[:300]}")
    slack_ms, teams_ms = check_costs(calls[0], teams_reply)
    world.slack.reset()
    print(
        f"organisations: one per platform, set up through the modal and the card"
        f"{f', {answered} answers each' if answered else ', nothing answered'}; "
        f"both dashboards checked"
    )
    print(
        f"the fakes' own checks of one status reply: Slack blocks {slack_ms:.2f} ms, Teams card "
        f"{teams_ms:.2f} ms (deferred past the timing)\n"
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--concurrency", type=int, default=None, help="per burst (default 50)")
    parser.add_argument("--rounds", type=int, default=None, help="counted (default 20)")
    parser.add_argument("--warmup", type=int, default=None, help="rounds not counted (3)")
    parser.add_argument("--dialog-processes", type=int, default=2)
    parser.add_argument(
        "--together", action="store_true", help="both platforms' bursts at once (2C in flight)"
    )
    parser.add_argument(
        "--no-answers",
        dest="answers",
        action="store_false",
        help="status of an organisation with nothing answered",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 10 per burst, 1 warm-up, 2 rounds"
    )
    args = parser.parse_args()
    quick = {"concurrency": 10, "rounds": 2, "warmup": 1}
    full = {"concurrency": 50, "rounds": 20, "warmup": 3}
    for name, value in (quick if args.quick else full).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.concurrency = min(max(args.concurrency, 1), 500)
    args.rounds = min(max(args.rounds, 1), 1000)
    args.warmup = min(max(args.warmup, 0), 100)
    args.dialog_processes = min(max(args.dialog_processes, 1), 64)
    return args


@contextlib.contextmanager
def client_process() -> Iterator[ProcessPoolExecutor]:
    # spawn, not fork: this process runs the fakes' threads, which fork would copy half-way.
    pool = ProcessPoolExecutor(
        max_workers=1, mp_context=mp.get_context("spawn"), initializer=ignore_interrupts
    )
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def benchmark(args: argparse.Namespace, work: Path) -> None:
    url = f"sqlite:///{work / 'bench.db'}"
    upgrade(url)
    with contextlib.ExitStack() as stack:
        checks = stack.enter_context(DeferredChecks())
        slack = stack.enter_context(FakeSlack(token=TOKEN))
        slack.invite_bot(REMINDER_CHANNEL)
        identity = stack.enter_context(FakeIdentity())
        tokens = stack.enter_context(FakeTokenService())
        connector = stack.enter_context(FakeConnector(tokens))
        pool = stack.enter_context(client_process())
        pool.submit(time.monotonic).result()  # started before the server: not in its figures
        env = server_env(url, slack, identity, tokens, args.dialog_processes)
        served = stack.enter_context(serve_served(env, work / "serve.log"))
        stack.enter_context(stopped_gently(served))
        person = TeamsPerson(identity, connector, served.base_url)
        world = World(served, slack, person, checks, pool)
        prepare(world, url, args)
        figures = run(world, args)
        report(figures, world.errors, args)
        connector.check_all()  # nothing refused outside the deferred checks either
        if slack.refused:
            raise Failed(f"the fake Slack refused {len(slack.refused)} call(s)")


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # clean up as on Ctrl-C
    work = Path(tempfile.mkdtemp(prefix="iso20k-teams-bench-"))
    cpus = os.cpu_count() or 1
    mode = "both at once" if args.together else "Slack and Teams alternately"
    print(f"Python {platform.python_version()}, {cpus} CPUs; {uptime()}")
    print(
        f"iso20k serve (Slack and Teams, DIALOG_PROCESSES={args.dialog_processes}, "
        f"REPORT_PROCESSES=1, SQLite), log {work / 'serve.log'}"
    )
    print(
        f"bursts of {args.concurrency} concurrent `status` per platform, {mode}; "
        f"{args.warmup} warm-up + {args.rounds} counted round(s); client in its own process"
    )
    try:
        benchmark(args, work)
    except KeyboardInterrupt:
        print("\ninterrupted: the server, its workers, the client and the fakes are stopped")
        return 130
    except (Failed, AssertionError) as exc:
        print(f"\nFAILED: {exc}")
        return 1
    # multiprocessing's resource tracker (of the client's pool) ends when this process does
    left = [
        p
        for p in (processes.descendants(os.getpid()) if processes.available() else [])
        if "resource_tracker" not in p.cmdline
    ]
    if left:
        print(f"FAILED: processes left running: {[(p.pid, p.cmdline[:80]) for p in left]}")
        return 1
    print(f"after: {uptime()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
