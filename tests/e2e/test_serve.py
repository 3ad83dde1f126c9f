"""`iso20k serve` and `iso20k worker` as production runs them: their own processes, worker
processes, env settings; killed workers, and SIGTERM/SIGINT stopping everything they started."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType, web

from tests import processes
from tests.e2e.harness import (
    ROOT,
    SECRET,
    TOKEN,
    block_text,
    free_port,
    health,
    serve_process,
    serve_served,
    serving,
    wait_until,
)
from tests.slackfake.server import FakeSlack
from tests.slackfake.signing import post, slash_command_body

HELP = "What you can ask:"
needs_proc = pytest.mark.skipif(not processes.available(), reason="needs /proc (Linux)")


def migrated(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        check=True,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
    )
    return url


def serve_env(url: str, slack: FakeSlack, processes: int = 2) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.url,
        "DIALOG_PROCESSES": str(processes),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("SLACK_APP_TOKEN", None)
    return env


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN) as fake:
        yield fake


def command(base: str, slack: FakeSlack, key: str = "serve") -> None:
    body = slash_command_body(text="", response_url=slack.response_url(key))
    status, _, _ = post(base, "/slack/events", body, SECRET)
    assert status == 200


def test_serve_answers_a_signed_command_from_its_worker_processes(
    tmp_path: Path, slack: FakeSlack
) -> None:
    with serve_process(serve_env(migrated(tmp_path), slack, processes=1)) as base:
        command(base, slack)
        reply = slack.wait_for("response_url", timeout=60)[0]
        assert HELP in block_text(reply.args["blocks"])
        body = slash_command_body(text="", response_url=slack.response_url("serve"))
        assert post(base, "/slack/events", body, "wrong-secret")[0] == 401
        assert health(base) == (200, {"status": "ok"})
    # serve_process has checked that SIGTERM stopped it with status 0, children and all.


@needs_proc
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_ends_serve_and_everything_it_started(
    tmp_path: Path, slack: FakeSlack, sig: signal.Signals
) -> None:
    with serve_served(serve_env(migrated(tmp_path), slack), tmp_path / "serve.log") as served:
        command(served.base_url, slack)
        slack.wait_for("response_url", timeout=60)
        wait_until(lambda: len(processes.forkserver_workers(served.process.pid)) == 2)
        started = served.stop(sig)
    assert len(started) >= 4  # forkserver, resource tracker, two dialog workers
    assert "stopped" in served.output()


def replies_to(slack: FakeSlack, key: str) -> list[str]:
    return [
        block_text(call.args["blocks"])
        for call in slack.calls_to("response_url")
        if call.path.endswith(f"/{key}")
    ]


@needs_proc
def test_serve_replaces_a_killed_worker_and_answers_again(tmp_path: Path, slack: FakeSlack) -> None:
    with serve_served(serve_env(migrated(tmp_path), slack), tmp_path / "serve.log") as served:
        command(served.base_url, slack, "first")
        wait_until(lambda: replies_to(slack, "first"))
        before = {p.pid for p in processes.forkserver_workers(served.process.pid)}
        os.kill(min(before), signal.SIGKILL)

        def replaced() -> bool:
            now = {p.pid for p in processes.forkserver_workers(served.process.pid)}
            return len(now) == 2 and not now & before

        wait_until(replaced, what="for a new pool of two worker processes")
        wait_until(lambda: health(served.base_url) == (200, {"status": "ok"}))
        command(served.base_url, slack, "after-the-kill")
        answered = wait_until(lambda: replies_to(slack, "after-the-kill"))
        assert HELP in answered[0]
        assert "a dialog worker process died; starting a new pool" in served.output()


@needs_proc
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_ends_the_reminder_worker(tmp_path: Path, sig: signal.Signals) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": migrated(tmp_path),
        "REMINDER_TICK_SECONDS": "0.2",
        "PYTHONUNBUFFERED": "1",
    }
    with serving(["worker"], env, tmp_path / "worker.log") as served:
        wait_until(lambda: "ticking every" in served.output(), what="for the worker to start")
        served.stop(sig)
    assert "iso20k worker: stopped" in served.output()
    assert "Traceback" not in served.output()


class SocketModeServer:
    """A WebSocket endpoint standing in for Slack's Socket Mode server: it accepts the app's
    connection, sends it the `envelopes` given, keeps what the app sends back (`received`:
    its acknowledgements) and notes when the app closes it."""

    def __init__(self, envelopes: tuple[dict[str, Any], ...] = ()) -> None:
        self.port = free_port()
        self.envelopes = envelopes
        self.received: list[dict[str, Any]] = []
        self.answered = threading.Event()
        self.connected = threading.Event()
        self.closed = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link"

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        self.connected.set()
        for envelope in self.envelopes:
            await ws.send_json(envelope)
        async for message in ws:
            if message.type == WSMsgType.PING:
                await ws.pong(message.data)
            elif message.type == WSMsgType.TEXT:
                self.received.append(json.loads(message.data))
                self.answered.set()
        self.closed.set()
        return ws

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def __enter__(self) -> SocketModeServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(30)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)
        self._loop.close()


@needs_proc
def test_a_stop_signal_ends_serve_in_socket_mode(tmp_path: Path) -> None:
    app_token = "xapp-test-token"
    with FakeSlack(token=app_token) as slack, SocketModeServer() as socket_mode:
        slack.answer("apps.connections.open", {"ok": True, "url": socket_mode.url})
        env = {**serve_env(migrated(tmp_path), slack), "SLACK_APP_TOKEN": app_token}
        del env["SLACK_SIGNING_SECRET"]  # Socket Mode has no signed requests, so needs none
        with serving(["serve"], env, tmp_path / "serve.log") as served:
            assert socket_mode.connected.wait(60), served.output()
            wait_until(lambda: len(processes.forkserver_workers(served.process.pid)) == 2)
            started = served.stop(signal.SIGTERM)
        assert len(started) >= 4
        assert socket_mode.closed.wait(60)
        assert "Slack Socket Mode: connected" in served.output()


@needs_proc
def test_socket_mode_acknowledges_a_command_and_a_worker_answers_it(tmp_path: Path) -> None:
    """Over the WebSocket too the acknowledgement leaves as soon as the listener returns
    (process_before_response), and the dialog's answer follows from a worker."""
    app_token = "xapp-test-token"
    # The fake knows one token; the app uses it as bot and app token (Bolt authorizes each
    # request with the bot token, Socket Mode connects with the app token).
    with FakeSlack(token=app_token) as slack:
        payload = {
            "command": "/iso20k",
            "text": "",
            "team_id": "T1",
            "team_domain": "t1",
            "user_id": "U1",
            "channel_id": "C1",
            "trigger_id": "1.2.socket",
            "response_url": slack.response_url("socket"),
        }
        envelope = {
            "envelope_id": "env-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": payload,
        }
        with SocketModeServer((envelope,)) as socket_mode:
            slack.answer("apps.connections.open", {"ok": True, "url": socket_mode.url})
            env = {**serve_env(migrated(tmp_path), slack), "SLACK_APP_TOKEN": app_token}
            env["SLACK_BOT_TOKEN"] = app_token
            del env["SLACK_SIGNING_SECRET"]
            with serving(["serve"], env, tmp_path / "serve.log") as served:
                assert socket_mode.answered.wait(60), served.output()
                assert socket_mode.received[0]["envelope_id"] == "env-1"
                reply = slack.wait_for("response_url", timeout=60)[0]
                assert HELP in block_text(reply.args["blocks"])
                served.stop(signal.SIGTERM)
