"""`GET /readyz` over real HTTP: the database answers, its migrations are at head, the dialog
workers serve; 503 naming what failed otherwise, and ready again once it is mended."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

from bot.dialogs.worker import Health
from bot.readiness import ReadinessProbe
from bot.store.db import make_engine
from bot.web import create_web_app
from tests.migrated import migrated
from tests.pg_server import PostgresServer

LIMIT = 60.0  # generous: a loaded 2-core machine


def wait_until(condition: Callable[[], Any], what: str, timeout: float = LIMIT) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"gave up waiting {timeout:g} s for {what}"
        time.sleep(0.02)
    return value


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def served(app: Starlette) -> Iterator[str]:
    """`app` under uvicorn on 127.0.0.1 in a thread; its base URL; stopped afterwards."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, "uvicorn to start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(LIMIT)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=LIMIT) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read().decode()


def readyz(base: str) -> tuple[int, Any]:
    status, body = get(f"{base}/readyz")
    return status, json.loads(body)


def probe_app(url: str, health: Callable[[], Health] | None = None, **given: Any) -> Starlette:
    return create_web_app(None, readiness=ReadinessProbe(make_engine(url), health, **given))


def test_ready_on_a_migrated_database(tmp_path: Path) -> None:
    with served(probe_app(migrated(f"sqlite:///{tmp_path / 'ready.db'}"))) as base:
        assert readyz(base) == (200, {"status": "ready"})


def test_not_ready_before_the_migrations_ran(tmp_path: Path) -> None:
    with served(probe_app(f"sqlite:///{tmp_path / 'empty.db'}")) as base:
        status, body = readyz(base)
    assert status == 503 and body["status"] == "not ready"
    checks = body["checks"]
    assert checks["database"] == "ok" and checks["workers"] == "ok"
    assert checks["migrations"].startswith("at none, head is ")


def test_not_ready_while_the_dialog_workers_do_not_serve(tmp_path: Path) -> None:
    url = migrated(f"sqlite:///{tmp_path / 'ready.db'}")
    state = [Health(False, "dialog workers starting")]
    with served(probe_app(url, lambda: state[0])) as base:
        status, body = readyz(base)
        assert status == 503
        assert body["checks"] == {
            "database": "ok",
            "migrations": "ok",
            "workers": "dialog workers starting",
        }
        state[0] = Health(True)
        assert readyz(base) == (200, {"status": "ready"})


def test_not_ready_while_postgresql_is_down_and_ready_again_after_it_restarts(
    restartable_postgres: PostgresServer,
) -> None:
    url = migrated(restartable_postgres.url)
    app = probe_app(url)
    with served(app) as base:
        assert readyz(base) == (200, {"status": "ready"})
        restartable_postgres.stop()
        status, body = readyz(base)
        assert status == 503
        assert body["checks"]["database"].startswith("unreachable (")
        assert body["checks"]["migrations"] == "not checked"
        assert "postgres" not in json.dumps(body)  # no host, user or URL in the answer
        restartable_postgres.start()
        # The pool's dead connections are pre-pinged and replaced: no restart of the app.
        assert readyz(base) == (200, {"status": "ready"})


def test_a_database_that_does_not_answer_is_not_ready_and_the_server_keeps_serving() -> None:
    """A server that accepts connections and never answers: the probe gives up after its
    timeout while the event loop goes on serving /healthz."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    url = f"postgresql+psycopg://nobody@127.0.0.1:{silent.getsockname()[1]}/db"
    try:
        with served(probe_app(url, timeout=0.5)) as base:
            answered: list[tuple[int, Any]] = []
            waiting = threading.Thread(target=lambda: answered.append(readyz(base)))
            waiting.start()
            assert get(f"{base}/healthz")[0] == 200  # while the probe waits
            waiting.join(LIMIT)
            status, body = answered[0]
            assert status == 503
            assert body["checks"]["database"] == "no answer within 0.5 s"
            # The next probe gives up as quickly, the check still hanging.
            assert readyz(base)[1]["checks"]["database"] == "no answer within 0.5 s"
            # Closing the listener resets the waiting connection: the check's thread ends
            # and the server can stop.
            silent.close()
    finally:
        silent.close()
