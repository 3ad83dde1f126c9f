"""The real app served as in production, a fake Slack Web API, and signed requests.

`SlackWorld` starts the fake Slack, serves `bot.web.create_web_app` under uvicorn on
127.0.0.1 with its Web API client pointed at the fake, and offers the three things a person
does in Slack: type a command, press a button, submit a modal. Every request is signed as
Slack signs it; every payload the app sends can be checked against Slack's limits.
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
from sqlalchemy.engine import Engine

from bot.dialogs.worker import ProcessWorker, Setup, WorkerState
from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.deps import SlackDeps, make_worker
from bot.slack.sender import install_sender
from bot.store.db import make_engine
from bot.store.migrate import upgrade
from bot.web import create_web_app
from iso20k_core.standard import load_bank
from tests import processes
from tests.slackfake.limits import check_message, check_view
from tests.slackfake.server import Call, FakeSlack
from tests.slackfake.signing import (
    block_actions_body,
    button_action,
    event_body,
    post,
    slash_command_body,
    state_values,
    view_submission_body,
)

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


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

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


@dataclass
class SlackWorld:
    slack: FakeSlack
    engine: Engine
    base_url: str
    deps: SlackDeps
    _server: uvicorn.Server
    _thread: threading.Thread
    checked: int = field(default=0)

    # -- what a person does ------------------------------------------------------------------

    def command(
        self,
        text: str,
        *,
        team: str = "T1",
        user: str = "U1",
        timestamp: int | None = None,
        secret: str = SECRET,
    ) -> Response:
        body = slash_command_body(
            text=text,
            team_id=team,
            user_id=user,
            team_domain=team.lower(),
            response_url=self.slack.response_url(f"{team}-{user}"),
        )
        return self._post(body, secret=secret, timestamp=timestamp)

    def click(
        self, button: dict[str, Any], *, team: str = "T1", user: str = "U1", in_message: bool = True
    ) -> Response:
        action = button_action(button["action_id"], button["value"])
        if in_message:
            body = block_actions_body(
                [action],
                team_id=team,
                user_id=user,
                response_url=self.slack.response_url(f"{team}-{user}"),
            )
        else:
            body = block_actions_body(
                [action], team_id=team, user_id=user, view={"type": "home", "blocks": []}
            )
        return self._post(body)

    def submit(
        self, view: dict[str, Any], values: dict[str, Any], *, team: str = "T1", user: str = "U1"
    ) -> Response:
        submitted = {
            "callback_id": view["callback_id"],
            "private_metadata": view.get("private_metadata", ""),
            "blocks": view.get("blocks", []),
            "state": state_values({k: {"value": v} for k, v in values.items()}),
        }
        return self._post(view_submission_body(submitted, team_id=team, user_id=user))

    def event(
        self,
        event: dict[str, Any],
        *,
        team: str = "T1",
        event_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        body = event_body(event, team_id=team, event_id=event_id)
        status, got, text = post(
            self.base_url, "/slack/events", body, SECRET, extra_headers=headers
        )
        return Response(status, got, text)

    def _post(self, body: str, *, secret: str = SECRET, timestamp: int | None = None) -> Response:
        status, headers, text = post(
            self.base_url, "/slack/events", body, secret, timestamp=timestamp
        )
        return Response(status, headers, text)

    # -- what Slack received -----------------------------------------------------------------

    def last(self, method: str, count: int = 1) -> Call:
        """The `count`-th call of `method` (1-based), waiting for it (generously: a loaded
        machine is slow): replies come after acks."""
        return self.slack.wait_for(method, count, timeout=60)[count - 1]

    def opened_view(self, count: int = 1) -> dict[str, Any]:
        """The `count`-th modal the app opened."""
        view = self.last("views.open", count).json("view")
        assert isinstance(view, dict)
        return view

    def check_all(self) -> None:
        """Every message, modal and Home view the app sent fits Slack's limits."""
        for call in self.slack.calls:
            if call.method in ("views.open", "views.update", "views.push", "views.publish"):
                check_view(call.json("view"))
            elif call.method in ("chat.postMessage", "chat.postEphemeral", "response_url"):
                check_message(call.args)
            self.checked += 1


def start_world(
    tmp_path: Path,
    database_url: str | None = None,
    processes: int = 0,
    worker_setup: Setup | None = None,
) -> SlackWorld:
    """The real app under uvicorn against a fake Slack; dialog steps on a thread of this
    process, or in `processes` worker processes (each also running `worker_setup` when it
    starts, after the app's own setup)."""
    slack = FakeSlack(token=TOKEN).start()
    url = database_url or f"sqlite:///{tmp_path / 'slack.db'}"
    upgrade(url)
    engine = make_engine(url)
    settings = Settings(
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=slack.url,
        database_url=url,
    )
    bank = load_bank()
    if worker_setup is None:
        worker = make_worker(settings, engine, bank, processes)
    else:
        assert processes, "worker_setup runs in worker processes"
        own = functools.partial(install_sender, TOKEN, slack.url)
        worker = ProcessWorker(url, bank, processes, functools.partial(_both, own, worker_setup))
    deps = SlackDeps(engine=engine, bank=bank, worker=worker, clock=fixed_now)
    app = create_web_app(build_app(settings, deps), health=worker.health)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, 60, "for uvicorn to start")
    return SlackWorld(slack, engine, f"http://127.0.0.1:{port}", deps, server, thread)


def _both(first: Setup, second: Setup, state: WorkerState) -> None:
    first(state)
    second(state)


def stop_world(world: SlackWorld) -> None:
    world._server.should_exit = True
    world._thread.join(timeout=30)
    world.deps.worker.close()
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
