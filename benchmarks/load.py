"""The load proof of issue 13: several web processes and reminder workers on PostgreSQL.

    .venv/bin/python benchmarks/load.py [--people 200] [--workspaces 20] [--seconds 60]
                                        [--web 3] [--workers 2] [--think 30]
                                        [--reminders 100] [--quick]

What runs: a PostgreSQL 15 this script starts in a temporary directory (tests/pg_server.py),
migrated to head; the fake Slack of tests/slackfake in this process (it refuses what Slack
refuses; its trigger ids never expire, so the figures are the bot's, not Slack's 3 s);
`--web` processes of `iso20k serve`, each on a port of its own with DIALOG_PROCESSES=1,
REPORT_PROCESSES=0 and REMINDERS_IN_WEB=false; and `--workers` processes of `iso20k worker`
(REMINDER_TICK_SECONDS=1). This script is the load balancer: it sends each signed request to
the next web process in turn. Every child runs in a process group of its own and is stopped
(SIGTERM, then SIGKILL for what is left of its group) when the script ends, also on Ctrl-C,
SIGTERM or an error; with setpriv(1) a child also gets SIGTERM should this script die.

Why one dialog worker per web process and no report worker: the machine this was written on
has 2 cores, shared by 3 web processes, their 3 dialog workers, 2 reminder workers, PostgreSQL
and this script (the people and the fake Slack). More dialog workers would only contend for
the same cores and memory; nothing in this load goes to the report lane (no report, export or
plan), which with REPORT_PROCESSES=0 is a thread of the web process.

The people: `--people` across `--workspaces` distinct team ids (T01, T02, …). In each
workspace the first person types `/iso20k setup` and submits the profile (and so is admin);
the others start once that is acknowledged. Then everyone answers the whole assessment: for
each section `/iso20k assess SECTION` (the modal at views.open), then each page submitted with
valid answers that differ from person to person (a choice, a number within its bounds, a date
within the last year, a text naming the person), following `response_action: update` to the
next page as Slack does, until the last page closes the modal; and `/iso20k status` after
every section and, one time in five, before a page. People come in one by one over the
first `--think` seconds; between two requests a person pauses `--think` seconds on average
(exponential). The default, 30 s, is still quick for reading and answering a page of ten
questions; with 1 s every person is busy all the time, which this machine cannot serve
within Slack's 3 s (README "Benchmarks"). They stop when everyone is done or `--seconds` are
up (finishing the request in hand).

The reminders: `--reminders` assignment nudges in organisations of their own (T…R, which
nobody answers in, so no re-planning cancels them), each to a user of its own, due at even
intervals over the run, in working hours from 00:00 to 23:59 (on a weekend or a public
holiday the workers would defer them, so none are seeded then). The 2 workers share the
outbox while the web processes write answers to the same database.

Printed, per kind of request and in all: how many, acknowledgements (HTTP response time of
each signed request) p50 / p99, and the reply — from sending the request to the fake Slack
receiving what answers it: the modal (views.open, by trigger id), the dashboard (the
response_url), the "saved" message after a section's last page (chat.postMessage to the
person); a page that is not the last is answered in its acknowledgement (the next page), so
its reply is its acknowledgement. Then throughput (acknowledged requests per second of load)
and the errors, which must be 0: HTTP statuses other than 200 and requests not answered in
30 s; acknowledgements over Slack's 3 s; modals opened more than 3 s after the command (Slack
would refuse their expired trigger id); pages handed back ("Not saved yet … press Save
again", the app's answer when a page's step takes over 2.5 s: the person presses Save again a
second later, and gives up after 30 s); submissions refused, answers Slack could not use,
apologies in what the fake received, calls the fake refused, replies not received within
60 s. Then the exactly-once check of the database (benchmarks/load_checks.py): every answer
acknowledged is in `answer` exactly once per (assessment, question), each revision by its
person is one of their submissions and no submission has two, and each question's revisions
form one chain (each one's old value the previous one's new, the last one's new the current
answer); and the reminders, each sent exactly once (the fake's chat.postMessage calls
against the outbox). The machine's load average is printed before, during and after, and
this script's own CPU time: the machine is shared, and the people and the fake Slack run on
the same 2 cores as the servers.

The exit status is 0 when there were no errors and both checks hold, 1 otherwise, 130 when
interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from benchmarks.faults import REMINDER_CHANNEL, percentile, row  # noqa: E402
from benchmarks.load_checks import (  # noqa: E402
    AnswersChecked,
    RemindersChecked,
    SavedPage,
    check_answers,
    check_reminders,
    seed_reminders,
    wait_for_reminders,
)
from bot.dialogs.apologies import APOLOGY, NOT_SHOWN, UNAVAILABLE  # noqa: E402
from bot.store.migrate import upgrade  # noqa: E402
from iso20k_core.standard import Bank, Question, load_bank  # noqa: E402
from tests import pg_server  # noqa: E402
from tests.e2e.harness import SECRET, TOKEN, block_text  # noqa: E402
from tests.e2e.test_slack_basics import setup_values  # noqa: E402
from tests.slackfake.interactions import ack_problems, submission_state  # noqa: E402
from tests.slackfake.server import Call, FakeSlack, ManualClock  # noqa: E402
from tests.slackfake.signing import sign, slash_command_body, view_submission_body  # noqa: E402
from tests.slackfake.views import ViewError  # noqa: E402

TRIGGER_LIFETIME = 3.0  # Slack refuses views.open with a trigger id older than this
SLACK_WAIT = 3.0  # Slack shows the person a timeout for an acknowledgement later than this
PRESS_AGAIN = 1.0  # seconds a person takes to press Save again on a page handed back
GIVE_UP = 30.0  # a page not saved after pressing Save this long is left (an error)
HANDED_BACK = "Not saved"  # bot/slack/sender.py not_saved, not_saved_yet
AGAIN = "again"
REPLY_WAIT = 60.0  # a reply that has not reached the fake by then is counted as missing
REQUEST_TIMEOUT = 30.0
START_WAIT = 120.0  # for a web process to answer /healthz
STOP_WAIT = 30.0  # for a child to exit after SIGTERM
APOLOGIES = tuple(str(m.heading) for m in (APOLOGY, NOT_SHOWN, UNAVAILABLE))
# `status`'s headings for managers and for members (bot/dialogs/reports.py)
STATUS = ("ISO/IEC 20000-1 status:", "Your part of the assessment")
SAVED = ": saved"  # the message after a section's last page (bot/dialogs/assess.py)
BUSY = "could not be started"  # bot/dialogs/lanes.py: the slow lane was full
STATUS_SHARE = 0.2  # the chance that a person asks for the status before saving a page
KINDS = ("setup", "setup save", "assess", "save", "status")
DIALOG_PROCESSES, REPORT_PROCESSES = 1, 0
# A smoke run of the machinery, not of capacity: far enough below what one dialog process
# answers that a 2-core machine busy with other test suites stays below it too. With a 1 s
# think time a CI machine running other tests took 0.66 s a step, and a command was shed.
QUICK = {
    "people": 6,
    "workspaces": 2,
    "seconds": 15.0,
    "web": 1,
    "workers": 1,
    "reminders": 6,
    "think": 3.0,
}


# -- the children ---------------------------------------------------------------------------


@dataclass
class Child:
    """A process this script started, in a process group of its own."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    base_url: str = ""

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass
class Children:
    """Everything started here, stopped together whatever happens (`stop_all`)."""

    work: Path
    started: list[Child] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str]) -> Child:
        # setpriv --pdeathsig: the child gets SIGTERM if this script dies without cleaning up
        # (SIGKILL); `iso20k serve` and `worker` then stop their own children.
        guard = ["setpriv", "--pdeathsig", "TERM", "--"] if shutil.which("setpriv") else []
        log = self.work / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*guard, sys.executable, "-m", "bot.cli", *args],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg reaches its workers
            )
        child = Child(name, process, log)
        self.started.append(child)
        return child

    def check_alive(self) -> None:
        for child in self.started:
            if child.process.poll() is not None:
                raise RuntimeError(
                    f"{child.name} exited with status {child.process.returncode}:\n"
                    f"{child.output()[-2000:]}"
                )

    def stop_all(self) -> list[str]:
        """SIGTERM to every child at once, then wait; SIGKILL to whatever is left of each
        group. Returns the children that did not exit cleanly (status 0, group gone)."""
        for child in self.started:
            if child.process.poll() is None:
                child.process.terminate()
        unclean = []
        for child in self.started:
            try:
                code = child.process.wait(STOP_WAIT)
            except subprocess.TimeoutExpired:
                code = None
            if not _group_gone(child.process.pid, STOP_WAIT if code is not None else 0):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()
                unclean.append(f"{child.name}: killed")
            elif code != 0:
                unclean.append(f"{child.name}: exit status {code}")
        self.started.clear()
        return unclean


def _group_gone(pgid: int, patience: float) -> bool:
    """Whether no process of the group `pgid` runs, waiting up to `patience` s for it."""
    deadline = time.monotonic() + patience
    while _group_running(pgid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def _group_running(pgid: int) -> bool:
    # Exited members wait as zombies for whoever adopted them (a test run's subreaper may
    # never reap them): those run no more, so /proc is read, not kill(0), where there is one.
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for entry in proc.iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:  # it ended while we looked
            continue
        if stat:
            state, _, group = stat[stat.rindex(")") + 2 :].split()[:3]
            if int(group) == pgid and state not in ("Z", "X"):
                return True
    return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_env(url: str, slack: FakeSlack, **more: str) -> dict[str, str]:
    """This environment for a child, pointed at the database and the fake Slack, in the
    single-token mode (no Socket Mode, no OAuth) whatever the shell has set."""
    env = dict(os.environ)
    for unwanted in ("SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "PORT"):
        env.pop(unwanted, None)
    return env | {
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.url,
        "PYTHONUNBUFFERED": "1",
        **more,
    }


def start_servers(
    children: Children, url: str, slack: FakeSlack, web: int, workers: int
) -> list[Child]:
    """`web` x `iso20k serve` and `workers` x `iso20k worker`; the web ones once each
    answers /healthz."""
    servers = []
    for n in range(1, web + 1):
        port = free_port()
        env = child_env(
            url,
            slack,
            PORT=str(port),
            DIALOG_PROCESSES=str(DIALOG_PROCESSES),
            REPORT_PROCESSES=str(REPORT_PROCESSES),
            REMINDERS_IN_WEB="false",
        )
        server = children.start(f"web{n}", ["serve", "--host", "127.0.0.1"], env)
        server.base_url = f"http://127.0.0.1:{port}"
        servers.append(server)
    for n in range(1, workers + 1):
        children.start(f"worker{n}", ["worker"], child_env(url, slack, REMINDER_TICK_SECONDS="1"))
    deadline = time.monotonic() + START_WAIT
    for server in servers:
        while not healthy(server.base_url):
            children.check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f"{server.name} did not answer /healthz:\n{server.output()}")
            time.sleep(0.1)
    return servers


def healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as response:
            return bool(response.status == 200)
    except OSError:  # not listening yet, or 503 while its workers start
        return False


# -- what reaches the fake Slack ------------------------------------------------------------

Key = tuple[str, ...]


class Replies:
    """Follows every call the fake Slack receives, on a thread of its own, and hands each to
    whoever waits for it: by trigger id (views.open), by response_url (its path) or, for
    chat.postMessage, by channel and number (the person's first, second, … message)."""

    def __init__(self, slack: FakeSlack, loop: asyncio.AbstractEventLoop) -> None:
        self.slack, self.loop = slack, loop
        self.lock = threading.Lock()
        self.waiting: dict[Key, asyncio.Future[Call]] = {}
        self.arrived: dict[Key, Call] = {}
        self.posts: Counter[str] = Counter()  # chat.postMessage calls per channel
        self.apologies: list[str] = []
        self.stop = threading.Event()
        self.seen = 0
        self.thread = threading.Thread(target=self._follow, name="replies", daemon=True)

    def __enter__(self) -> Replies:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(10)

    def expect(self, key: Key) -> asyncio.Future[Call]:
        """A future for the call of `key`; ask before sending what it answers."""
        future: asyncio.Future[Call] = self.loop.create_future()
        with self.lock:
            call = self.arrived.pop(key, None)
            if call is None:
                self.waiting[key] = future
        if call is not None:
            future.set_result(call)
        return future

    def next_post(self, channel: str) -> Key:
        """The key of the next chat.postMessage to `channel`, from now on."""
        with self.lock:
            return ("post", channel, str(self.posts[channel] + 1))

    def forget(self, key: Key) -> None:
        with self.lock:
            self.waiting.pop(key, None)

    def _follow(self) -> None:
        while not self.stop.is_set():
            for call in self.slack.calls_after(self.seen, 0.2):
                self.seen += 1
                self._take(call)

    def _take(self, call: Call) -> None:
        key: Key | None = None
        if call.method == "views.open":
            key = ("trigger", str(call.args.get("trigger_id")))
        elif call.method == "response_url":
            key = ("url", call.path)
        elif call.method == "chat.postMessage":
            channel = str(call.args.get("channel"))
            with self.lock:
                self.posts[channel] += 1
                key = ("post", channel, str(self.posts[channel]))
        if call.method in ("response_url", "chat.postMessage"):
            said = block_text(call.args.get("blocks", [])) + str(call.args.get("text", ""))
            if any(apology in said for apology in APOLOGIES) or BUSY in said:
                self.apologies.append(f"{call.method} {call.args.get('channel', call.path)}")
        if key is None:
            return
        with self.lock:
            future = self.waiting.pop(key, None)
            if future is None:
                self.arrived[key] = call
        if future is not None:
            self.loop.call_soon_threadsafe(_resolve, future, call)


def _resolve(future: asyncio.Future[Call], call: Call) -> None:
    if not future.done():
        future.set_result(call)


# -- the figures ----------------------------------------------------------------------------


@dataclass
class Figures:
    acks: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    replies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    details: list[str] = field(default_factory=list)
    pages: list[SavedPage] = field(default_factory=list)
    refusals: Counter[str] = field(default_factory=Counter)  # calls the fake refused
    apologies: list[str] = field(default_factory=list)  # apologies the fake received
    first_sent: float = float("inf")
    last_ack: float = 0.0
    finished: int = 0  # people who answered every section

    def error(self, what: str, detail: str = "") -> None:
        self.errors[what] += 1
        if detail and len(self.details) < 20:
            self.details.append(detail[:300])

    def acked(self, kind: str, sent: float, done: float) -> None:
        self.acks[kind].append(done - sent)
        self.first_sent = min(self.first_sent, sent)
        self.last_ack = max(self.last_ack, done)


# -- the people -----------------------------------------------------------------------------


@dataclass
class Web:
    """The load balancer: each request goes to the next web process in turn."""

    session: aiohttp.ClientSession
    urls: Iterator[str]

    async def post(self, body: str) -> tuple[int, str]:
        headers = sign(SECRET, body)
        url = next(self.urls) + "/slack/events"
        async with self.session.post(url, data=body.encode(), headers=headers) as response:
            return response.status, await response.text()


@dataclass
class World:
    slack: FakeSlack
    web: Web
    replies: Replies
    bank: Bank
    figures: Figures
    deadline: float
    think: float


class Person:
    """One person of one workspace, answering the whole assessment once."""

    def __init__(self, world: World, team: str, user: str, seed: int) -> None:
        self.world, self.team, self.user = world, team, user
        self.slack, self.figures = world.slack, world.figures
        self.random = random.Random(seed)

    def time_is_up(self) -> bool:
        return time.monotonic() >= self.world.deadline

    async def pause(self) -> bool:
        """A person's pause between two requests, cut short at the end; whether to go on."""
        if self.world.think > 0:
            left = self.world.deadline - time.monotonic()
            await asyncio.sleep(max(0.0, min(left, self.random.expovariate(1 / self.world.think))))
        return not self.time_is_up()

    async def set_up(self) -> bool:
        view = await self.open("setup", "setup")
        if view is None:
            return False
        sent = time.monotonic()
        submitted = await self.submit_until_saved(
            "setup save", view, setup_values(organisation=_text(self.team))
        )
        if submitted is None:
            return False
        self.figures.replies["setup save"].append(submitted[0] - sent)  # closed in the ack
        return True

    async def answer_everything(self) -> None:
        for section in self.world.bank.assessed_sections:
            if self.time_is_up():
                return
            view = await self.open("assess", f"assess {section.id}")
            while view is not None and await self.pause():
                if self.random.random() < STATUS_SHARE:  # how far are we now?
                    await self.status()
                    if not await self.pause():
                        return
                view = await self.save(view)
            if not await self.pause():
                return
            await self.status()
        self.figures.finished += 1

    # -- a command --------------------------------------------------------------------------

    async def command(self, kind: str, text: str, answered_by: str) -> tuple[float, Call] | None:
        """Type `/iso20k TEXT` and wait for the call that answers it, found by its "trigger"
        id or its response "url"; when it was sent and that call, or None (an error)."""
        trigger, url = self.slack.trigger_id(), self.slack.new_response_url()
        key = ("trigger", trigger) if answered_by == "trigger" else ("url", _path(url))
        body = slash_command_body(
            text=text,
            team_id=self.team,
            team_domain=self.team.lower(),
            user_id=self.user,
            response_url=url,
            trigger_id=trigger,
        )
        reply = self.world.replies.expect(key)
        sent = time.monotonic()
        status = await self.send(kind, body, sent)
        if status is None:
            self.world.replies.forget(key)
            return None
        try:
            call = await asyncio.wait_for(reply, REPLY_WAIT)
        except TimeoutError:
            self.world.replies.forget(key)
            self.figures.error(f"no {kind} reply in 60 s", f"{self.user}: /iso20k {text}")
            return None
        self.figures.replies[kind].append(call.at - sent)
        if answered_by == "trigger" and call.at - sent > TRIGGER_LIFETIME:
            # The fake's trigger ids never expire, so that the load goes on; Slack's do.
            self.figures.error(f"modals opened after {TRIGGER_LIFETIME:g} s (expired trigger)")
        return sent, call

    async def send(self, kind: str, body: str, sent: float) -> tuple[str, float] | None:
        """POST a signed request; its body and when it came, or None when it was no 200."""
        try:
            status, text = await self.world.web.post(body)
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.figures.error("no acknowledgement", f"{kind}: {type(exc).__name__}: {exc}")
            return None
        done = time.monotonic()
        self.figures.acked(kind, sent, done)
        if done - sent > SLACK_WAIT:
            self.figures.error(f"acks over {SLACK_WAIT:g} s")
        if status != 200:
            self.figures.error(f"HTTP {status}", f"{kind}: {text[:200]}")
            return None
        return text, done

    async def open(self, kind: str, text: str) -> dict[str, Any] | None:
        """A command that opens a modal: the view as Slack shows it, or None."""
        got = await self.command(kind, text, "trigger")
        if got is None:
            return None
        view = got[1].response.get("view") if isinstance(got[1].response, dict) else None
        if not isinstance(view, dict):
            self.figures.error("modal refused", f"{self.user}: /iso20k {text}")
            return None
        return view

    async def status(self) -> None:
        got = await self.command("status", "status", "url")
        if got is None:
            return
        said = block_text(got[1].args.get("blocks", [])) or str(got[1].args.get("text"))
        if not any(heading in said for heading in STATUS):
            self.figures.error("status without the dashboard", f"{self.user}: {said[:200]}")

    # -- a modal submission -----------------------------------------------------------------

    async def save(self, view: dict[str, Any]) -> dict[str, Any] | None:
        """Submit one assessment page; the next page as Slack shows it, or None when the
        modal closed (the section is done) or the page could not be saved."""
        values = page_answers(view, self.world.bank, self.random, self.user)
        page = SavedPage(self.team, self.user, stored_answers(values, self.world.bank))
        self.figures.pages.append(page)
        # A section's last page closes the modal and is answered with a message to the person.
        post = self.world.replies.next_post(self.user)
        message = self.world.replies.expect(post)
        sent = time.monotonic()
        submitted = await self.submit_until_saved("save", view, values)
        if submitted is None or submitted[1] is not None:
            self.world.replies.forget(post)
            if submitted is None:
                return None
            page.acknowledged = True  # the next page came in the acknowledgement: the reply
            self.figures.replies["save"].append(submitted[0] - sent)
            return submitted[1]
        page.acknowledged = True
        deadline = sent + REPLY_WAIT
        while True:  # other messages to the person (a reminder, setup's) are not this reply
            try:
                call = await asyncio.wait_for(message, max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                self.world.replies.forget(post)
                self.figures.error("no saved message in 60 s", f"{self.user}: {view['id']}")
                return None
            if SAVED in block_text(call.args.get("blocks", [])):
                break
            post = (*post[:2], str(int(post[2]) + 1))
            message = self.world.replies.expect(post)
        self.figures.replies["save"].append(call.at - sent)
        return None

    async def submit_until_saved(
        self, kind: str, view: dict[str, Any], values: dict[str, Any]
    ) -> tuple[float, dict[str, Any] | None] | None:
        """`submit`, pressing Save again a moment after each hand-back, as the page asks;
        `sent` of the reply is the first press."""
        deadline = time.monotonic() + GIVE_UP
        while time.monotonic() < deadline:
            submitted = await self.submit(kind, view, values)
            if submitted != AGAIN:
                assert not isinstance(submitted, str)
                return submitted
            await asyncio.sleep(PRESS_AGAIN)
        self.figures.error("pages given up", f"{self.user}: not saved after {GIVE_UP:g} s")
        return None

    async def submit(
        self, kind: str, view: dict[str, Any], values: dict[str, Any]
    ) -> tuple[float, dict[str, Any] | None] | str | None:
        """Submit `view` filled in with `values`, and do with the acknowledgement what Slack
        does; when it came and the view it updated the modal to (None: it closed the modal),
        AGAIN when the page was handed back to press Save again, or None when it was no
        usable acceptance. Anything but an acceptance is counted as an error."""
        shown = self.slack.shown_view(view)
        if shown is None:
            self.figures.error("modal not shown", f"{self.user}: {view.get('callback_id')}")
            return None
        submitted = {**shown, "state": submission_state(shown["blocks"], values)}
        body = view_submission_body(
            submitted,
            team_id=self.team,
            user_id=self.user,
            trigger_id=self.slack.trigger_id(shown["id"]),
        )
        sent = time.monotonic()
        answered = await self.send(kind, body, sent)
        if answered is None:
            return None
        text, done = answered
        ack: dict[str, Any] = json.loads(text) if text else {}
        problems = ack_problems(ack or None, submitted)
        if problems:
            self.figures.error("answers Slack can't use", f"{kind}: {problems}")
            return None
        action = ack.get("response_action")
        if action == "errors":
            said = list(ack.get("errors", {}).values())
            if said and all(e.startswith(HANDED_BACK) for e in said):
                self.figures.error("pages handed back (Save pressed again)")
                return AGAIN
            self.figures.error("submissions refused", f"{kind}: {ack.get('errors')}")
            return None
        try:
            if action == "update":
                return done, self.slack.update_from_ack(shown["id"], ack["view"])
            self.slack.close_view(shown["id"], whole_stack=action == "clear")
        except ViewError as refusal:
            self.figures.error("answers Slack can't use", f"{kind}: {refusal.code}")
            return None
        return done, None


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def _text(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": f"Workspace {value}"}


def page_answers(view: dict[str, Any], bank: Bank, rng: random.Random, user: str) -> dict[str, Any]:
    """What a person enters on every question of the page: block id (the question id) ->
    an option value, a number within the question's bounds, a date within the last year,
    or a text naming them."""
    today = dt.date.today()
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        question = bank.question_index.get(block["block_id"])
        match element["type"]:
            case "radio_buttons" | "static_select":
                values[block["block_id"]] = rng.choice(element["options"])["value"]
            case "number_input":
                values[block["block_id"]] = str(rng.randint(*_bounds(question)))
            case "datepicker":
                values[block["block_id"]] = (today - dt.timedelta(rng.randint(1, 300))).isoformat()
            case _:
                values[block["block_id"]] = f"Answered by {user}, {rng.randint(1, 10**6)}."
    return values


def _bounds(question: Question | None) -> tuple[int, int]:
    low = int(question.min) if question is not None and question.min is not None else 0
    high = int(question.max) if question is not None and question.max is not None else 10
    return low, high


def stored_answers(values: dict[str, Any], bank: Bank) -> dict[str, Any]:
    """The page's answers by question id, as `load_checks.same` compares them with the
    database's."""
    return {qid: value for qid, value in values.items() if qid in bank.question_index}


# -- the load -------------------------------------------------------------------------------


async def drive(args: argparse.Namespace, slack: FakeSlack, servers: list[Child]) -> Figures:
    loop = asyncio.get_running_loop()
    figures, bank = Figures(), load_bank()
    teams = [f"T{w:02d}" for w in range(1, args.workspaces + 1)]
    people = [(teams[n % len(teams)], f"U{n + 1:04d}") for n in range(args.people)]
    for team, user in people:  # Slack knows whoever acts as a member of their workspace
        slack.set_user(user, team_id=team)
    # A connection per request, as Slack's requests come: a kept-alive one that uvicorn
    # closes after its 5 s keep-alive (a person's pause is longer) fails the next request.
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        web = Web(session, itertools.cycle([s.base_url for s in servers]))
        with Replies(slack, loop) as replies:
            world = World(
                slack, web, replies, bank, figures, time.monotonic() + args.seconds, args.think
            )
            ready = {team: asyncio.Event() for team in teams}

            async def one(n: int, team: str, user: str) -> None:
                person = Person(world, team, user, seed=n)
                # People come in one by one over the first pause, not all in the same instant.
                await asyncio.sleep(person.random.uniform(0, min(args.think, args.seconds / 2)))
                if n < len(teams):  # the first person of each workspace (round robin)
                    if not await person.set_up():
                        figures.error("setup failed", f"{team}")
                    ready[team].set()  # the others find out themselves if it failed
                else:
                    await ready[team].wait()
                await person.answer_everything()

            await asyncio.gather(*(one(n, t, u) for n, (t, u) in enumerate(people)))
            figures.apologies = replies.apologies
    return figures


# -- the report -----------------------------------------------------------------------------


def ms(values: list[float], p: int) -> str:
    return f"{percentile(values, p) * 1000:.0f}" if values else "-"


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


@dataclass
class LoadSamples:
    """The machine's 1-minute load average, sampled while the people work."""

    values: list[float] = field(default_factory=list)
    cpu: float = 0.0  # seconds of CPU this process used meanwhile (its share of the cores)

    def watch(self, stop: threading.Event) -> None:
        started = time.process_time()
        while not stop.wait(2.0):
            self.values.append(os.getloadavg()[0])
        self.cpu = time.process_time() - started


def report(
    args: argparse.Namespace,
    figures: Figures,
    answers: AnswersChecked,
    reminders: RemindersChecked | None,
    load: LoadSamples,
) -> int:
    """Print the figures; the number of errors and failed checks."""
    print(
        f"{'kind':<12}{'count':>7}{'ack p50':>9}{'ack p99':>9}{'reply p50':>11}{'reply p99':>11}"
        "   (ms)"
    )
    for kind in KINDS:
        acks, replies = figures.acks.get(kind, []), figures.replies.get(kind, [])
        print(
            f"{kind:<12}{len(acks):>7}{ms(acks, 50):>9}{ms(acks, 99):>9}"
            f"{ms(replies, 50):>11}{ms(replies, 99):>11}"
        )
    acks = [s for kind in KINDS for s in figures.acks.get(kind, [])]
    replies = [s for kind in KINDS for s in figures.replies.get(kind, [])]
    print(
        f"{'all':<12}{len(acks):>7}{ms(acks, 50):>9}{ms(acks, 99):>9}"
        f"{ms(replies, 50):>11}{ms(replies, 99):>11}"
    )
    wall = figures.last_ack - figures.first_sent if acks else float("nan")
    row("throughput", f"{len(acks) / wall:.1f} acknowledged requests/s over {wall:.1f} s")
    row("people done", f"{figures.finished} of {args.people} answered every section")
    errors = figures.errors + Counter(
        {f"Slack refused {k}": n for k, n in figures.refusals.items()}
    )
    if figures.apologies:
        errors["apologies"] = len(figures.apologies)
    total = sum(errors.values())
    row("errors (must be 0)", f"{total}" + "".join(f"; {k}: {n}" for k, n in errors.items()))
    for detail in figures.details[:5]:
        print(f"    {detail}")
    pages = sum(1 for p in figures.pages if p.acknowledged)
    row(
        "answers",
        f"{answers.acknowledged} acknowledged on {pages} pages, {answers.questions} "
        f"questions in {args.workspaces} workspaces; "
        f"{answers.revisions} revisions",
    )
    row(
        "in the database",
        f"{answers.in_answer_table} of {answers.questions} questions once in `answer`; "
        f"{answers.own_revision} answers as their person's revision, "
        f"{answers.already_current} equal to the answer then current",
    )
    row(
        "lost, duplicated",
        f"{answers.lost} lost, {answers.duplicates} duplicate revisions, "
        f"{answers.unexplained} unexplained, {answers.broken_chains} broken chains",
    )
    verdict = "exactly once" if answers.exactly_once else "NOT exactly once"
    row("check", f"every acknowledged answer is in the database {verdict}")
    failed = total + (0 if answers.exactly_once else 1)
    if reminders is None:
        row("reminders", "none seeded (today is no working day: the workers would defer them)")
    else:
        once = "each sent exactly once" if reminders.exactly_once else "NOT each sent once"
        row(
            "reminders",
            f"{reminders.seeded} seeded, {reminders.sent} marked sent, {reminders.delivered} "
            f"received, {reminders.duplicates} duplicates: {once} ({dict(reminders.states)})",
        )
        failed += 0 if reminders.exactly_once else 1
    if load.values:
        average = sum(load.values) / len(load.values)
        row("load average", f"{average:.2f} during the load (max {max(load.values):.2f})")
    row("this script's CPU", f"{load.cpu:.1f} s during the load (the people and the fake Slack)")
    return failed


# -- running it -----------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--workspaces", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--web", type=int, default=3, help="iso20k serve processes")
    parser.add_argument("--workers", type=int, default=2, help="iso20k worker processes")
    parser.add_argument("--think", type=float, default=30.0, help="mean pause, seconds")
    parser.add_argument("--reminders", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="a small smoke run: " + str(QUICK))
    if parser.parse_known_args()[0].quick:  # the small sizes, unless given as well
        parser.set_defaults(**QUICK)
    args = parser.parse_args()
    if args.people < args.workspaces or min(args.workspaces, args.web) < 1:
        parser.error("at least one web process and workspace, and a person per workspace")
    return args


def working_day(today: dt.date) -> bool:
    # The seeded organisations have no country: only weekends are days off.
    return today.weekday() < 5


def run(args: argparse.Namespace, work: Path) -> int:
    bindir = pg_server.find_bindir()
    if bindir is None:
        print(pg_server.MISSING)
        return 1
    print(
        f"{args.people} people in {args.workspaces} workspaces, {args.seconds:g} s, think "
        f"{args.think:g} s; {args.web} web processes (DIALOG_PROCESSES={DIALOG_PROCESSES}, "
        f"REPORT_PROCESSES={REPORT_PROCESSES}), {args.workers} reminder workers, PostgreSQL "
        f"{bindir.parent.name}; logs in {work}"
    )
    print(f"machine: {os.cpu_count()} CPUs; load average before {load_average()}")
    children = Children(work)
    with (
        pg_server.running_postgres(bindir) as url,
        FakeSlack(token=TOKEN, clock=ManualClock()) as slack,
    ):
        slack.invite_bot(REMINDER_CHANNEL)  # setup_values() chooses it for the reminders
        try:
            upgrade(url)
            servers = start_servers(children, url, slack, args.web, args.workers)
            seeded = working_day(dt.date.today())
            targets = seed_reminders(url, args.reminders if seeded else 0, args.seconds)
            load, stop = LoadSamples(), threading.Event()
            watcher = threading.Thread(target=load.watch, args=(stop,), daemon=True)
            watcher.start()
            try:
                figures = asyncio.run(drive(args, slack, servers))
            finally:
                stop.set()
                watcher.join()
            children.check_alive()
            states = wait_for_reminders(url, targets, time.monotonic() + 60) if seeded else None
        finally:
            unclean = children.stop_all()
        # Everything the fake refused, the reminders' calls after the load included.
        figures.refusals = Counter(f"{c.method}: {c.refusal}" for c in slack.refused)
        answers = check_answers(url, figures.pages)
        reminders = check_reminders(slack, targets, states) if states is not None else None
        failed = report(args, figures, answers, reminders, load)
    if unclean:
        row("stopping", f"NOT clean: {unclean}")
        failed += 1
    print(f"machine: load average after {load_average()}")
    return 1 if failed else 0


def main() -> int:
    args = parse_args()
    # SIGTERM and SIGHUP end it as Ctrl-C does: every `finally` above stops what it started.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGHUP, signal.default_int_handler)
    work = Path(tempfile.mkdtemp(prefix="iso20k-load-"))
    return run(args, work)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print(
            "interrupted: the web processes, the workers, PostgreSQL and the fake Slack are stopped"
        )
        sys.exit(130)
