"""The real app served as in production, a fake Slack Web API, and signed requests.

`SlackWorld` starts the fake Slack, serves `bot.web.create_web_app` under uvicorn on
127.0.0.1 with its Web API client pointed at the fake, and offers the three things a person
does in Slack: type a command, press a button, submit a modal. Every request is signed as
Slack signs it; every payload the app sends can be checked against Slack's limits.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from slack_sdk.signature import Clock
from sqlalchemy.engine import Engine

from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.deps import SlackDeps, make_worker
from bot.store.db import make_engine
from bot.store.migrate import upgrade
from bot.web import create_web_app
from iso20k_core.standard import load_bank
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


@contextlib.contextmanager
def serve_process(env: dict[str, str]) -> Iterator[str]:
    """`iso20k serve` as its own process on a free port, once `/healthz` answers; yields its
    base URL and stops it afterwards."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"],
        cwd=ROOT,
        env={**env, "PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


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
        enterprise: str | None = None,
        org_wide: bool = False,
    ) -> Response:
        self._seen(user, team)
        body = slash_command_body(
            text=text,
            team_id=team,
            user_id=user,
            team_domain=team.lower(),
            response_url=self.slack.response_url(f"{team}-{user}"),
            enterprise_id=enterprise,
            is_enterprise_install=org_wide,
        )
        return self._post(body, secret=secret, timestamp=timestamp)

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
        self._seen(user, team)
        action = button_action(button["action_id"], button["value"])
        grid = {"enterprise_id": enterprise, "is_enterprise_install": org_wide}
        if in_message:
            body = block_actions_body(
                [action],
                team_id=team,
                user_id=user,
                response_url=self.slack.response_url(f"{team}-{user}"),
                **grid,
            )
        else:
            body = block_actions_body(
                [action], team_id=team, user_id=user, view={"type": "home", "blocks": []}, **grid
            )
        return self._post(body)

    def submit(
        self,
        view: dict[str, Any],
        values: dict[str, Any],
        *,
        team: str = "T1",
        user: str = "U1",
        enterprise: str | None = None,
        org_wide: bool = False,
    ) -> Response:
        self._seen(user, team)
        submitted = {
            "callback_id": view["callback_id"],
            "private_metadata": view.get("private_metadata", ""),
            "blocks": view.get("blocks", []),
            "state": state_values({k: {"value": v} for k, v in values.items()}),
        }
        body = view_submission_body(
            submitted,
            team_id=team,
            user_id=user,
            enterprise_id=enterprise,
            is_enterprise_install=org_wide,
        )
        return self._post(body)

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
        """The `count`-th call of `method` (1-based), waiting for it: replies come after acks."""
        return self.slack.wait_for(method, count)[count - 1]

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
    clock: Clock | None = None,
) -> SlackWorld:
    # The fake's own workspace is T1, the tests' default: people named in a command who never
    # acted themselves are members of T1 (users.info), as colleagues of U1 would be.
    slack = FakeSlack(token=TOKEN, team_id="T1").start()
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
    worker = make_worker(settings, engine, bank, processes)
    deps = SlackDeps(engine=engine, bank=bank, worker=worker, clock=fixed_now)
    app = create_web_app(build_app(settings, deps), clock)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    return SlackWorld(slack, engine, f"http://127.0.0.1:{port}", deps, server, thread)


def stop_world(world: SlackWorld) -> None:
    world._server.should_exit = True
    world._thread.join(timeout=10)
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
