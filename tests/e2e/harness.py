"""The real app served as in production, a fake Slack Web API, and signed requests.

`SlackWorld` starts the fake Slack, serves `bot.web.create_web_app` under uvicorn on
127.0.0.1 with its Web API client pointed at the fake, and offers the three things a person
does in Slack: type a command, press a button, submit a modal. Every request is signed as
Slack signs it and carries what Slack hands out with it (a fresh trigger id and
`response_url`); a modal submission carries `state.values` built from the view's own input
blocks (`tests.slackfake.interactions.submission_state`).

Every surface is validated: what the app sends to the Web API is refused by the fake as Slack
refuses it, and what it answers in an acknowledgement (a command's text, a submission's
``response_action``) is checked here, as Slack would take it — an unusable answer fails the
test at once with the reason. `check_all` then holds every payload to Slack's limits and
fails if the fake refused anything the test did not expect (`allow_refusal`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from slack_sdk.signature import Clock
from sqlalchemy.engine import Engine

from bot.dialogs.worker import ProcessWorker, Setup, chain
from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.sender import install_sender
from bot.store.db import make_engine
from bot.web import create_web_app
from bot.workers import Deps, make_slow_lane, make_worker
from iso20k_core.standard import load_bank
from tests import processes
from tests.migrated import migrated
from tests.slackfake.interactions import ack_problems, submission_state
from tests.slackfake.limits import check_message, check_view, message_refusals
from tests.slackfake.server import Call, FakeSlack, ManualClock
from tests.slackfake.signing import (
    block_actions_body,
    button_action,
    event_body,
    post,
    slash_command_body,
    view_submission_body,
)
from tests.slackfake.views import ViewError

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
WAIT = 60.0  # seconds a test waits for the app's work after an acknowledgement, at most


def fixed_now() -> dt.datetime:
    return NOW


@dataclass
class Served:
    """A running `iso20k serve` (or `iso20k worker`): its process and where it logs."""

    process: subprocess.Popen[bytes]
    log: Path
    base_url: str = ""

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60.0) -> list[int]:
        """Send `sig` and check the process exits cleanly (status 0) and that everything it
        started (worker processes, forkserver, resource tracker) is gone too; returns the
        pids of what it had started."""
        started = [p.pid for p in processes.descendants(self.process.pid)]
        self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"did not stop on {sig!r}:\n{self.output()}") from None
        assert code == 0, f"exit status {code} after {sig!r}:\n{self.output()}"
        wait_until(lambda: not any(processes.running(pid) for pid in started), timeout)
        return started


def wait_until(condition: Callable[[], Any], timeout: float = 60.0, what: str = "") -> Any:
    """Wait for `condition()` to be truthy (polling, with a generous limit); returns it."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"gave up waiting {timeout:g} s {what}".strip()
        time.sleep(0.02)


@contextlib.contextmanager
def serving(args: list[str], env: dict[str, str], log: Path) -> Iterator[Served]:
    """`python -m bot.cli ARGS` as its own process, output to `log`; stopped with SIGTERM
    (and checked to stop cleanly) unless the body stopped it."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = Served(process, log)
    try:
        yield served
    except BaseException:
        process.kill()
        process.wait()
        raise
    if process.poll() is None:
        served.stop()


@contextlib.contextmanager
def serve_process(env: dict[str, str], log: Path | None = None) -> Iterator[str]:
    """`iso20k serve` as its own process on a free port, once `/healthz` answers 200; yields
    its base URL, then stops it with SIGTERM and checks that it exits with status 0 and that
    every process it started is gone."""
    with serve_served(env, log) as served:
        yield served.base_url


@contextlib.contextmanager
def serve_served(env: dict[str, str], log: Path | None = None) -> Iterator[Served]:
    """Like `serve_process`, yielding the `Served` (to stop it with another signal)."""
    port = free_port()
    if log is None:
        log = Path(tempfile.mkdtemp(prefix="iso20k-serve-")) / "serve.log"
    args = ["serve", "--host", "127.0.0.1"]
    with serving(args, {**env, "PORT": str(port)}, log) as served:
        served.base_url = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            assert served.process.poll() is None, served.output()
            try:
                with urllib.request.urlopen(f"{served.base_url}/healthz", timeout=5):
                    return True
            except OSError:  # not listening yet, or 503 while its workers start
                return False

        wait_until(healthy, 60, "for serve to come up")
        yield served


def health(base_url: str) -> tuple[int, Any]:
    """GET /healthz: its status and JSON body."""
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        with err:
            return err.code, json.loads(err.read())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str
    view: dict[str, Any] | None = None  # after an update or push ack: the view Slack now shows

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


@dataclass
class SlackPeople:
    """People in Slack in front of the app at `base_url`, with the fake Slack between: what
    they do and what Slack received. `SlackWorld` adds the app served in this process; alone,
    it drives a server running as its own process (`serve_served`), as benchmarks do."""

    slack: FakeSlack
    base_url: str

    # -- what a person does ------------------------------------------------------------------

    def command(
        self,
        text: str,
        *,
        team: str = "T1",
        user: str = "U1",
        timestamp: int | None = None,
        secret: str = SECRET,
        enterprise: str | None = None,
        org_wide: bool = False,
        response_url: str | None = None,
        trigger_id: str | None = None,
    ) -> Response:
        """Type `/iso20k TEXT`. Slack hands out a fresh `response_url` and trigger id with
        it; pass ones from `slack` to find what the app did with this command among many."""
        self._seen(user, team)
        body = slash_command_body(
            text=text,
            team_id=team,
            user_id=user,
            team_domain=team.lower(),
            response_url=response_url or self.slack.new_response_url(),
            trigger_id=trigger_id or self.slack.trigger_id(),
            enterprise_id=enterprise,
            is_enterprise_install=org_wide,
        )
        response = self._post(body, secret=secret, timestamp=timestamp)
        if response.status == 200 and response.text:
            # The answer in the body is a message: JSON, or plain text Slack shows as its text.
            is_json = response.headers.get("content-type", "").startswith("application/json")
            problems = message_refusals(response.json() if is_json else {"text": response.text})
            assert not problems, f"Slack cannot show the answer to /iso20k {text}: {problems}"
        return response

    def click(
        self,
        button: dict[str, Any],
        *,
        team: str = "T1",
        user: str = "U1",
        in_message: bool = True,
        enterprise: str | None = None,
        org_wide: bool = False,
    ) -> Response:
        """Press `button` in a message (the app's last reply) or on the person's Home tab."""
        self._seen(user, team)
        action = button_action(button["action_id"], button["value"])
        grid = {"enterprise_id": enterprise, "is_enterprise_install": org_wide}
        if in_message:
            body = block_actions_body(
                [action],
                team_id=team,
                user_id=user,
                response_url=self.slack.new_response_url(),
                trigger_id=self.slack.trigger_id(),
                **grid,
            )
        else:
            home = self.slack.home_of(user)
            assert home is not None, f"{user} has no Home tab to click in: none was published"
            assert button in _elements(home["blocks"]), f"no such button on the Home tab: {button}"
            body = block_actions_body(
                [action],
                team_id=team,
                user_id=user,
                view=home,
                trigger_id=self.slack.trigger_id(),
                **grid,
            )
        return self._post(body)

    def submit(
        self,
        view: dict[str, Any],
        values: dict[str, Any],
        *,
        team: str = "T1",
        user: str = "U1",
        forged: bool = False,
        enterprise: str | None = None,
        org_wide: bool = False,
    ) -> Response:
        """Submit the modal `view` after filling in `values` (block_id → what the person
        chose; see `submission_state`), and check the app's answer as Slack would.
        `forged=True` sends what Slack's client never would (an option not offered), to test
        the app's own checks."""
        self._seen(user, team)
        shown = self.slack.shown_view(view)
        assert shown is not None, f"Slack never showed this view: {view.get('callback_id')!r}"
        submitted = {
            **shown,
            "callback_id": view.get("callback_id", shown["callback_id"]),
            "private_metadata": view.get("private_metadata", shown["private_metadata"]),
            "blocks": view.get("blocks", shown["blocks"]),
        }
        submitted["state"] = submission_state(submitted["blocks"], values, forged=forged)
        body = view_submission_body(
            submitted,
            team_id=team,
            user_id=user,
            trigger_id=self.slack.trigger_id(shown["id"]),
            enterprise_id=enterprise,
            is_enterprise_install=org_wide,
        )
        response = self._post(body)
        if response.status == 200:
            self._answered(submitted, response)
        return response

    def _answered(self, submitted: dict[str, Any], response: Response) -> None:
        """What Slack does with the acknowledgement of a submission — or why it cannot."""
        ack = response.json()
        problems = ack_problems(ack, submitted)
        assert not problems, (
            f"Slack cannot use the app's answer to the submission of "
            f"{submitted['callback_id']!r}: {problems}"
        )
        view_id = submitted["id"]
        action = ack.get("response_action") if ack else None
        try:
            if action == "update":
                response.view = self.slack.update_from_ack(view_id, ack["view"])
            elif action == "push":
                response.view = self.slack.push_from_ack(view_id, ack["view"])
            elif action in (None, "clear"):
                self.slack.close_view(view_id, whole_stack=action == "clear")
        except ViewError as refusal:
            raise AssertionError(
                f"Slack refuses the {action} of view {view_id}: {refusal.code}"
            ) from None

    def event(
        self,
        event: dict[str, Any],
        *,
        team: str = "T1",
        event_id: str | None = None,
        headers: dict[str, str] | None = None,
        enterprise: str | None = None,
        org_wide: bool = False,
    ) -> Response:
        if isinstance(event.get("user"), str):
            self._seen(event["user"], team)
        body = event_body(
            event,
            team_id=team,
            event_id=event_id,
            enterprise_id=enterprise,
            is_enterprise_install=org_wide,
        )
        status, got, text = post(
            self.base_url, "/slack/events", body, SECRET, extra_headers=headers
        )
        return Response(status, got, text)

    def _seen(self, user: str, team: str) -> None:
        """Slack knows whoever acts in a workspace as a member of it (users.info says so)."""
        self.slack.set_user(user, team_id=team)

    def _post(self, body: str, *, secret: str = SECRET, timestamp: int | None = None) -> Response:
        status, headers, text = post(
            self.base_url, "/slack/events", body, secret, timestamp=timestamp
        )
        return Response(status, headers, text)

    # -- what Slack received -----------------------------------------------------------------

    def last(self, method: str, count: int = 1) -> Call:
        """The `count`-th call of `method` (1-based), waiting for it: replies come after acks.
        The wait is generous (a loaded machine is slow); it ends as soon as the call arrives."""
        return self.slack.wait_for(method, count, timeout=WAIT)[count - 1]

    def opened_view(self, count: int = 1) -> dict[str, Any]:
        """The `count`-th modal the app opened, as Slack shows it (with its id and hash)."""
        call = self.last("views.open", count)
        assert call.refusal is None, f"Slack refused the modal: {call.response}"
        view = call.response["view"]
        assert isinstance(view, dict)
        return view


@dataclass
class SlackWorld(SlackPeople):
    """The real app served under uvicorn in this process (`start_world`), and its people."""

    engine: Engine
    deps: Deps
    _server: uvicorn.Server
    _thread: threading.Thread
    checked: int = field(default=0)
    allowed_refusals: set[str] = field(default_factory=set)

    def allow_refusal(self, *errors: str) -> None:
        """Refusals this test provokes on purpose (e.g. ``"not_in_channel"``): `check_all`
        lets them pass."""
        self.allowed_refusals.update(errors)

    def check_all(self) -> None:
        """Slack refused nothing the test did not expect, and every message, modal and Home
        view the app sent fits Slack's limits."""
        refused = [c for c in self.slack.refused if c.refusal not in self.allowed_refusals]
        assert not refused, "Slack refused what the app sent:\n" + "\n".join(
            f"- {c.method}: {c.refusal} {_messages(c.response)}" for c in refused
        )
        for call in self.slack.calls:
            if call.method in ("views.open", "views.update", "views.push", "views.publish"):
                check_view(call.json("view"))
            elif call.method in ("chat.postMessage", "chat.postEphemeral", "response_url"):
                check_message(call.args)
            self.checked += 1


def _messages(response: Any) -> str:
    if isinstance(response, dict):
        return "; ".join(response.get("response_metadata", {}).get("messages", []))
    return ""


def _elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for block in blocks:
        found += block.get("elements", [])
        if block.get("accessory"):
            found.append(block["accessory"])
    return found


def start_world(
    tmp_path: Path,
    database_url: str | None = None,
    processes: int = 0,
    worker_setup: Setup | None = None,
    clock: Clock | None = None,
    **settings_given: Any,
) -> SlackWorld:
    """The real app under uvicorn against a fake Slack; dialog steps on a thread of this
    process, or in `processes` worker processes (each also running `worker_setup` when it
    starts, after the app's own setup). The slow lane (reports, exports, the plan) has a
    thread of its own, or one process beside `processes`; `settings_given` overrides the
    settings (e.g. `report_queue=0`)."""
    # Trigger ids and response_urls expire on this clock only when a test advances it: a busy
    # machine never makes a test fail on Slack's 3-second rule.
    # The fake's own workspace is T1, the tests' default: people named in a command who never
    # acted themselves are members of T1 (users.info), as colleagues of U1 would be.
    slack = FakeSlack(token=TOKEN, team_id="T1", clock=ManualClock()).start()
    url = database_url or f"sqlite:///{tmp_path / 'slack.db'}"
    migrated(url)
    engine = make_engine(url)
    settings = Settings(
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=slack.url,
        database_url=url,
        **{"report_processes": 1 if processes else 0, **settings_given},
    )
    bank = load_bank()
    if worker_setup is None:
        worker = make_worker(settings, engine, bank, processes)
    else:
        assert processes, "worker_setup runs in worker processes"
        own = functools.partial(install_sender, TOKEN, slack.url)
        worker = ProcessWorker(url, bank, processes, functools.partial(chain, (own, worker_setup)))
    deps = Deps(
        engine=engine,
        bank=bank,
        worker=worker,
        clock=fixed_now,
        slow=make_slow_lane(settings, engine, bank),
    )
    app = create_web_app(
        build_app(settings, deps),
        health=deps.health,
        clock=clock,
        on_shutdown=functools.partial(deps.background.drain, 30.0),
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, 60, "for uvicorn to start")
    return SlackWorld(slack, f"http://127.0.0.1:{port}", engine, deps, server, thread)


def stop_world(world: SlackWorld) -> None:
    world._server.should_exit = True
    world._thread.join(timeout=30)
    world.deps.close()
    world.engine.dispose()
    world.slack.close()


def button(blocks: list[dict[str, Any]], label: str) -> dict[str, Any]:
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("type") == "button" and element["text"]["text"] == label:
                return dict(element)
    raise AssertionError(f"no button {label!r}")


def block_text(blocks: list[dict[str, Any]]) -> str:
    """All visible text of some blocks, for assertions."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("plain_text", "mrkdwn"):
                out.append(str(node.get("text", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return "\n".join(out)
