"""PostgreSQL restarted and a dialog worker killed while people save assessment pages.

    .venv/bin/python benchmarks/faults.py [--people P] [--seconds S]
                                          [--outage-at A] [--outage D] [--kill-at K]

What runs: `iso20k serve` as its own process, as production runs it (DIALOG_PROCESSES=2), on a
PostgreSQL 15 this script starts from the server binaries (tests/pg_server.py), against the
fake Slack of tests/slackfake, which refuses what Slack refuses (its trigger ids do not
expire: the figures are about the bot, not about Slack's 3 s).

P people (default 6), each in a workspace of their own, set it up once. Then, for S seconds
(default 60), each goes through the assessment in a closed loop, section by section: types
`/iso20k assess SECTION`, answers every question of the modal and submits it, follows
`response_action: update` to the next page as Slack does, and after each section types
`/iso20k status` and waits for the dashboard. Each pass through the bank gives every question
another answer than the pass before, so each save of a page adds one revision per question.
A page handed back (the modal kept open, "Not saved … press Save again") is submitted again
with the same entries a second later, as a person presses Save again; so is one answered 5xx,
not answered in 10 s, or answered with something Slack could not use. When the time is up,
everyone finishes the page in hand.

Faults, counted from the start of the load: at A s (15) PostgreSQL is stopped (`fast`: its
connections are cut) and D s (10) later started again on the same port; at K s (40) one
dialog worker process is killed with SIGKILL. Afterwards the server gets SIGTERM.
PostgreSQL, the server and the fake Slack are stopped also when the script is interrupted
(Ctrl-C or SIGTERM).

How to read the figures:
- acknowledged saves: submissions answered with the next page or with closing the modal;
- saves in the database: acknowledged saves each of whose answers is in the history
  (answer_revision) in the order they were saved; then the number of revisions;
- lost: acknowledged saves not in the database. Must be 0;
- duplicated: revisions no save accounts for (a save recorded twice adds one per question of
  its page). Must be 0;
- handed back: answers keeping the page open to press Save again (each press counted);
- 5xx answers, no answer (10 s for an acknowledgement, 60 s for a command's reply), answers
  Slack could not use: each is a person pressing again or typing the command again;
- status p50 / p99: from typing `/iso20k status` to the dashboard at its response_url;
  apologies are status replies that said the request could not be completed;
- recovery: from the fault (PostgreSQL accepting connections again; the SIGKILL) to the
  first save, and the first status, sent after it that succeeded;
- SIGTERM -> all gone: until the server and every process it started had exited.
It prints figures, it is not a test: the exit status is 0 (130 when interrupted).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlmodel import Session, col, select  # noqa: E402

from bot.store.db import make_engine  # noqa: E402
from bot.store.migrate import upgrade  # noqa: E402
from bot.store.models import AnswerRevision, Organisation  # noqa: E402
from iso20k_core.standard import Bank, load_bank  # noqa: E402
from tests import pg_server, processes  # noqa: E402
from tests.e2e.harness import TOKEN, Served, SlackPeople, block_text, serve_served  # noqa: E402
from tests.e2e.test_serve import serve_env  # noqa: E402
from tests.e2e.test_slack_basics import set_up  # noqa: E402
from tests.slackfake.server import FakeSlack, ManualClock  # noqa: E402

PRESS_AGAIN = 1.0  # seconds a person takes to press Save again, or to type a command again
REPLY_WAIT = 60.0  # how long a person waits for a command's reply before typing it again
GIVE_UP = 180.0  # a page not saved after pressing Save this long is left (counted)
SLACK_WAIT = 3.0  # Slack shows a timeout for an acknowledgement later than this
STATUS = "ISO/IEC 20000-1 status:"
HANDED_BACK = "Not saved"  # bot/slack/sender.py not_saved, not_saved_yet
DATES = ("2026-09-01", "2026-10-01", "2026-11-02")
REMINDER_CHANNEL = "C42"  # the channel test_slack_basics.setup_values chooses


@dataclass
class Save:
    """One page as a person saved it: the answers it must leave in the history."""

    team: str
    answers: dict[str, str]  # question id -> the value as stored, as text
    acknowledged: bool = False


@dataclass
class Tally:
    """What the people saw, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    saves: list[Save] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    unusable: list[str] = field(default_factory=list)
    status_seconds: list[float] = field(default_factory=list)
    successes: list[tuple[float, float, str]] = field(default_factory=list)  # sent, done, kind

    def count(self, what: str, detail: str = "") -> None:
        with self.lock:
            self.counts[what] += 1
            if detail:
                self.unusable.append(detail[:300])

    def succeeded(self, kind: str, sent: float, done: float) -> None:
        with self.lock:
            self.successes.append((sent, done, kind))
            if kind == "status":
                self.status_seconds.append(done - sent)


class Person:
    """One simulated person in their own workspace, in a closed loop until `stop` is set."""

    def __init__(
        self, n: int, people: SlackPeople, bank: Bank, tally: Tally, stop: threading.Event
    ) -> None:
        self.team, self.user = f"T{n}", f"U{n}"
        self.people, self.slack, self.bank = people, people.slack, bank
        self.tally, self.stop = tally, stop

    def run(self) -> None:
        try:
            for round_ in itertools.count():
                for section in self.bank.sections:
                    view = self.open(section.id)
                    while view is not None and not self.stop.is_set():
                        view = self.save(view, round_)
                    if self.stop.is_set():
                        return
                    self.status()
        except Exception as error:  # the figures must say so, not a thread dying quietly
            self.tally.count("unusable", f"{self.user} stopped: {error!r}")

    def open(self, section: str) -> dict[str, Any] | None:
        """`/iso20k assess SECTION` until the modal opens; None once the time is up."""
        while not self.stop.is_set():
            trigger, url = self.slack.trigger_id(), self.slack.new_response_url()
            if self.command(f"assess {section}", trigger, url) is not None:
                opened = self.wait(self.opened_or_replied, trigger, url)
                if isinstance(opened, dict):
                    return opened
            time.sleep(PRESS_AGAIN)  # an apology, or nothing: type it again
        return None

    def save(self, view: dict[str, Any], round_: int) -> dict[str, Any] | None:
        """Submit the page until it is saved; the next page, or None when the modal closed."""
        values = page_answers(view, round_)
        save = Save(self.team, dict(values))
        with self.tally.lock:
            self.tally.saves.append(save)
        deadline = time.monotonic() + GIVE_UP
        while time.monotonic() < deadline:
            sent = time.monotonic()
            try:
                response = self.people.submit(view, values, team=self.team, user=self.user)
            except AssertionError as problem:  # the harness checks the ack as Slack would
                self.tally.count("unusable", str(problem))
                time.sleep(PRESS_AGAIN)
                continue
            except OSError:
                self.tally.count("no answer")
                time.sleep(PRESS_AGAIN)
                continue
            if time.monotonic() - sent > SLACK_WAIT:
                self.tally.count("slow acks")
            if response.status >= 500:
                self.tally.count("5xx")
                time.sleep(PRESS_AGAIN)
                continue
            ack = response.json() if response.status == 200 else None
            if response.status != 200 or (ack and ack.get("response_action") == "errors"):
                errors = list((ack or {}).get("errors", {}).values())
                if errors and all(e.startswith(HANDED_BACK) for e in errors):
                    self.tally.count("handed back")
                    time.sleep(PRESS_AGAIN)
                    continue
                # The answers are valid: a refusal of them is a finding, not a retry.
                self.tally.count("unusable", f"HTTP {response.status}: {errors}")
                return None
            save.acknowledged = True
            self.tally.succeeded("save", sent, time.monotonic())
            return response.view  # the next page after `update`; None: the modal closed
        self.tally.count("given up")
        return None

    def status(self) -> None:
        trigger, url = self.slack.trigger_id(), self.slack.new_response_url()
        sent = self.command("status", trigger, url)
        if sent is None:
            return
        reply = self.wait(self.replies, url)
        if reply is None:
            return
        text, at = reply
        if STATUS in text:
            self.tally.succeeded("status", sent, at)
        else:
            self.tally.count("apologies")

    def command(self, text: str, trigger: str, url: str) -> float | None:
        """Type `/iso20k TEXT`; when it was sent, or None if it was not acknowledged."""
        sent = time.monotonic()
        try:
            response = self.people.command(
                text, team=self.team, user=self.user, trigger_id=trigger, response_url=url
            )
        except AssertionError as problem:
            self.tally.count("unusable", str(problem))
            return None
        except OSError:
            self.tally.count("no answer")
            return None
        if response.status >= 500:
            self.tally.count("5xx")
            return None
        if response.status != 200:
            self.tally.count("unusable", f"/iso20k {text}: HTTP {response.status}")
            return None
        return sent

    def opened_or_replied(self, trigger: str, url: str) -> Any:
        """The modal opened for `trigger`, or the reply to `url` (an apology), or None."""
        return self.opened(trigger) or self.replies(url)

    def opened(self, trigger: str) -> dict[str, Any] | None:
        for call in self.slack.calls_to("views.open"):
            if call.args.get("trigger_id") == trigger and call.refusal is None:
                view: dict[str, Any] = call.response["view"]
                return view
        return None

    def replies(self, url: str) -> tuple[str, float] | None:
        """The first reply posted to the response_url `url`: its text and when it came."""
        path = url.removeprefix(self.slack.root_url)
        for call in self.slack.calls_to("response_url"):
            if call.path == path:
                return block_text(call.args.get("blocks", [])), call.at
        return None

    def wait(self, found: Callable[..., Any], *args: str) -> Any:
        """What `found(*args)` finds, waiting for it; None (counted) after REPLY_WAIT."""
        deadline = time.monotonic() + REPLY_WAIT
        while time.monotonic() < deadline:
            if result := found(*args):
                return result
            time.sleep(0.02)
        self.tally.count("no answer")
        return None


def page_answers(view: dict[str, Any], round_: int) -> dict[str, str]:
    """What a person enters on every question of the page in pass `round_` (block id ->
    option value, number, date or text): another answer than in the pass before, and the
    value the store keeps, as text."""
    pick = round_ % 3
    values: dict[str, str] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        match element["type"]:
            case "radio_buttons" | "static_select":
                values[block["block_id"]] = element["options"][pick]["value"]
            case "number_input":
                values[block["block_id"]] = str(pick + 1)
            case "datepicker":
                values[block["block_id"]] = DATES[pick]
            case _:
                values[block["block_id"]] = f"Answered in pass {round_ + 1}."
    return values


# -- faults ---------------------------------------------------------------------------------


@dataclass
class Fault:
    name: str
    at: float  # when it happened (time.monotonic)
    over: float  # from when recovery is measured


def restart_postgres(server: pg_server.PostgresServer, seconds: float) -> Fault:
    stopping = time.monotonic()
    server.stop()
    time.sleep(seconds)
    server.start()  # on the same port; returns once it accepts connections
    return Fault(
        f"PostgreSQL stopped {time.monotonic() - stopping:.1f} s", stopping, time.monotonic()
    )


def kill_a_worker(served: Served) -> Fault:
    def workers() -> list[processes.Proc]:
        return processes.forkserver_workers(served.process.pid)

    while not workers():  # the pool may be starting
        pause_until(time.monotonic() + 0.05, served)
    victim = min(p.pid for p in workers())
    killed = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    return Fault("a dialog worker killed (SIGKILL)", killed, killed)


def pause_until(moment: float, served: Served) -> None:
    """Sleep until `moment` (time.monotonic), unless the server exits meanwhile."""
    while (left := moment - time.monotonic()) > 0:
        if served.process.poll() is not None:
            raise RuntimeError(f"the server exited with status {served.process.returncode}")
        time.sleep(min(left, 0.2))


def run_load(
    args: argparse.Namespace,
    server: pg_server.PostgresServer,
    served: Served,
    people: SlackPeople,
    tally: Tally,
) -> tuple[float, list[Fault]]:
    """The people's loops with the faults on their schedule; when it started, and the faults."""
    bank, stop = load_bank(), threading.Event()
    threads = [
        threading.Thread(target=Person(n, people, bank, tally, stop).run, daemon=True)
        for n in range(1, args.people + 1)
    ]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    schedule: list[tuple[float, Callable[[], Fault]]] = [
        (args.outage_at, lambda: restart_postgres(server, args.outage)),
        (args.kill_at, lambda: kill_a_worker(served)),
    ]
    faults = []
    try:
        for at, inject in sorted(schedule, key=lambda item: item[0]):
            pause_until(start + at, served)
            faults.append(inject())
        pause_until(start + args.seconds, served)
    finally:
        stop.set()  # on an interruption the threads, daemons, end with the script
    for thread in threads:  # everyone finishes the page in hand
        thread.join(GIVE_UP + REPLY_WAIT)
    return start, faults


# -- what the database holds --------------------------------------------------------------


def history(url: str) -> dict[tuple[str, str], list[str]]:
    """Every answer revision by workspace and question, in the order they were written."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            rows = session.exec(
                select(
                    Organisation.external_id, AnswerRevision.question_id, AnswerRevision.new_value
                )
                .select_from(AnswerRevision)
                .join(Organisation, col(Organisation.id) == AnswerRevision.organisation_id)
                .order_by(col(AnswerRevision.id))
            ).all()
    finally:
        engine.dispose()
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for team, question, value in rows:
        found[(team, question)].append(str(value))
    return found


@dataclass
class Reconciled:
    acknowledged: int
    found: int  # acknowledged saves all of whose answers are in the history
    lost: int
    revisions: int
    unaccounted: int  # revisions no save accounts for


def reconcile(saves: list[Save], revisions: dict[tuple[str, str], list[str]]) -> Reconciled:
    """Match each question's saved answers with its revisions, in order (a longest common
    subsequence: a save missing or recorded twice shows up however the rest lines up).
    Saves never acknowledged (left after GIVE_UP) may be in the history or not."""
    wanted: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for number, save in enumerate(saves):
        for question, value in save.answers.items():
            wanted[(save.team, question)].append((number, value))
    missing: set[int] = set()
    unaccounted = 0
    for key in wanted.keys() | revisions.keys():
        expected, got = wanted.get(key, []), revisions.get(key, [])
        matched = common([value for _, value in expected], got)
        missing |= {number for i, (number, _) in enumerate(expected) if i not in matched}
        unaccounted += len(got) - len(matched)
    acknowledged = [n for n, save in enumerate(saves) if save.acknowledged]
    lost = sum(1 for n in acknowledged if n in missing)
    return Reconciled(
        acknowledged=len(acknowledged),
        found=len(acknowledged) - lost,
        lost=lost,
        revisions=sum(len(v) for v in revisions.values()),
        unaccounted=unaccounted,
    )


def common(wanted: list[str], got: list[str]) -> set[int]:
    """The indexes of `wanted` in a longest common subsequence of `wanted` and `got`."""
    longest = [[0] * (len(got) + 1) for _ in range(len(wanted) + 1)]
    for i in reversed(range(len(wanted))):
        for j in reversed(range(len(got))):
            if wanted[i] == got[j]:
                longest[i][j] = longest[i + 1][j + 1] + 1
            else:
                longest[i][j] = max(longest[i + 1][j], longest[i][j + 1])
    matched, i, j = set(), 0, 0
    while i < len(wanted) and j < len(got):
        if wanted[i] == got[j]:
            matched.add(i)
            i, j = i + 1, j + 1
        elif longest[i + 1][j] >= longest[i][j + 1]:
            i += 1
        else:
            j += 1
    return matched


# -- the report ---------------------------------------------------------------------------


def first_success(tally: Tally, kind: str, after: float) -> str:
    done = [d for sent, d, k in tally.successes if k == kind and sent >= after]
    return f"{min(done) - after:.2f} s" if done else "none"


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def report(
    tally: Tally, result: Reconciled, start: float, faults: list[Fault], slack: FakeSlack
) -> None:
    counts, times = tally.counts, tally.status_seconds
    refused = Counter(f"{c.method}: {c.refusal}" for c in slack.refused)
    row("acknowledged saves", f"{result.acknowledged} pages")
    row("saves in the database", f"{result.found} pages, {result.revisions} answer revisions")
    row("lost (must be 0)", result.lost)
    row("duplicated (must be 0)", f"{result.unaccounted} revisions no save accounts for")
    row("handed back", f"{counts['handed back']} (the person pressed Save again)")
    row("pages left unsaved", f"{counts['given up']} (after pressing Save for {GIVE_UP:g} s)")
    row("5xx answers", counts["5xx"])
    row("no answer", counts["no answer"])
    row(f"acks over {SLACK_WAIT:g} s", counts["slow acks"])
    row("answers Slack can't use", counts["unusable"])
    for detail in tally.unusable[:5]:
        print(f"    {detail}")
    row(
        "status",
        f"{len(times)} dashboards, p50 {percentile(times, 50):.2f} s, "
        f"p99 {percentile(times, 99):.2f} s; {counts['apologies']} answered with the apology",
    )
    for fault in faults:
        print(f"{fault.name} at {fault.at - start:.1f} s")
        print(
            f"    recovered: first save {first_success(tally, 'save', fault.over)}, "
            f"first status {first_success(tally, 'status', fault.over)}"
        )
    row("Slack refused", " ".join([str(sum(refused.values())), *map(str, refused.items())]))


def row(label: str, value: object) -> None:
    print(f"{label:<25}{value}")


# -- running it ---------------------------------------------------------------------------


@contextlib.contextmanager
def stopped_gently(served: Served) -> Iterator[Served]:
    """On an interruption, let the server stop itself (SIGTERM) before `serving` kills it."""
    try:
        yield served
    except BaseException:
        if served.process.poll() is None:
            served.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                served.process.wait(30)
        raise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--outage-at", type=float, default=15.0)
    parser.add_argument("--outage", type=float, default=10.0)
    parser.add_argument("--kill-at", type=float, default=40.0)
    args = parser.parse_args()
    bindir = pg_server.find_bindir()
    if bindir is None:
        print(pg_server.MISSING)
        return
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # clean up as on Ctrl-C
    log = Path(tempfile.mkdtemp(prefix="iso20k-faults-")) / "serve.log"
    print(
        f"{args.people} people, {args.seconds:g} s, PostgreSQL {bindir.parent.name}, "
        f"DIALOG_PROCESSES=2; server log {log}"
    )
    # Trigger ids that never expire: a loaded machine is not Slack's 3 s (harness.start_world).
    with (
        pg_server.restartable_postgres(bindir) as server,
        FakeSlack(token=TOKEN, clock=ManualClock()) as slack,
    ):
        upgrade(server.url)
        slack.invite_bot(REMINDER_CHANNEL)
        with serve_served(serve_env(server.url, slack), log) as served, stopped_gently(served):
            people = SlackPeople(slack, served.base_url)
            for n in range(1, args.people + 1):  # set_up needs only what SlackPeople does
                set_up(people, team=f"T{n}", user=f"U{n}")
            tally = Tally()
            start, faults = run_load(args, server, served, people, tally)
            report(tally, reconcile(tally.saves, history(server.url)), start, faults, slack)
            stopping = time.monotonic()
            served.stop(signal.SIGTERM)
            row("SIGTERM -> all gone", f"{time.monotonic() - stopping:.2f} s (promise: 10 s)")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted: PostgreSQL, the server and the fake Slack are stopped")
        sys.exit(130)
