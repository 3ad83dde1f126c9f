"""Log lines (bot/logs.py): one JSON object a line from `iso20k serve`, with the request's
organisation, id and platform; secrets redacted; text on request; APScheduler's per-tick
lines quiet; a bad LOG_FORMAT or LOG_LEVEL refused before anything starts; a job in a dialog
worker process logs as its parent does, with the request's context."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import logging
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot import logs
from bot.dialogs.worker import ThreadWorker
from bot.reminders.dispatch import tick
from bot.reminders.scheduler import scheduler
from bot.settings import Settings
from bot.store.db import make_engine
from bot.store.models import Reminder
from iso20k_core.standard import load_bank
from tests import worker_jobs
from tests.e2e.harness import ROOT, SECRET, TOKEN, serve_served, wait_until
from tests.e2e.teams_harness import ALICE, TENANT, start_teams_world, stop_teams_world
from tests.migrated import migrated
from tests.reminders.test_dispatch import BANK, add
from tests.reminders.test_outbox import MONDAY_TEN, FakeChannel, engine, nudge
from tests.slackfake.server import FakeSlack
from tests.slackfake.signing import post, slash_command_body

__all__ = ["engine"]  # the fixture, on SQLite and PostgreSQL


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger's handler replaced by one writing here; the old state put back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quiet = {name: logging.getLogger(name).level for name in logs.QUIET_LOGGERS}
    stream = io.StringIO()
    yield stream
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, old in quiet.items():
        logging.getLogger(name).setLevel(old)


def lines(text: str) -> list[dict[str, Any]]:
    """Every line parsed as JSON: a line that is not fails the test."""
    parsed = []
    for line in text.splitlines():
        if line.strip():
            try:
                parsed.append(json.loads(line))
            except ValueError:
                raise AssertionError(f"not a JSON log line: {line!r}") from None
    return parsed


def test_serve_logs_a_json_line_per_request_with_its_context(tmp_path: Path) -> None:
    url = migrated(f"sqlite:///{tmp_path / 'serve.db'}")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "DIALOG_PROCESSES": "0",
        "REPORT_PROCESSES": "0",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("SLACK_APP_TOKEN", "LOG_FORMAT", "LOG_LEVEL"):
        env.pop(name, None)
    with FakeSlack(token=TOKEN, team_id="T1") as slack:
        env["SLACK_API_URL"] = slack.url
        with serve_served(env, tmp_path / "serve.log") as served:
            for team in ("T1", "T2"):
                body = slash_command_body(
                    text="help", team_id=team, response_url=slack.response_url(team)
                )
                status, _, _ = post(served.base_url, "/slack/events", body, SECRET)
                assert status == 200

            def requests() -> list[dict[str, Any]]:
                found = [
                    line
                    for line in lines(served.output())
                    if line["logger"] == "bot.requests" and line["message"].startswith("slack")
                ]
                return found if len(found) == 2 else []

            seen = wait_until(requests, 60, "for a log line per request")
        everything = lines(served.output())  # every line, uvicorn's too, after the stop
    for line, team in zip(seen, ("T1", "T2"), strict=True):
        assert line["message"] == "slack /iso20k: 200"
        assert line["level"] == "INFO"
        assert line["platform"] == "slack" and line["organisation"] == team
        assert len(line["request_id"]) == 16
        when = dt.datetime.fromisoformat(line["time"])
        assert when.utcoffset() == dt.timedelta(0)
    assert seen[0]["request_id"] != seen[1]["request_id"]
    assert any(line["logger"].startswith("uvicorn") for line in everything)
    assert not any(TOKEN in json.dumps(line) for line in everything)


def test_a_teams_activity_logs_a_json_line_with_its_tenant(
    tmp_path: Path, captured: io.StringIO
) -> None:
    logs.configure("json", "INFO", stream=captured)
    world = start_teams_world(tmp_path)
    try:
        assert world.say("help").status == 202
        world.next_message(world.chat_of(ALICE), 1)  # the reply reached the fake connector
    finally:
        stop_teams_world(world)
    (line,) = [line for line in lines(captured.getvalue()) if line["logger"] == "bot.requests"]
    assert line["message"] == "teams activity: 202"
    assert line["platform"] == "teams" and line["organisation"] == TENANT
    assert len(line["request_id"]) == 16


def test_a_reminder_s_lines_name_it_its_organisation_and_platform(
    engine: Engine, captured: io.StringIO
) -> None:
    add(engine, nudge("U-good", MONDAY_TEN), nudge("U-bad", MONDAY_TEN))
    with Session(engine) as session:  # a row damaged by hand: it cannot be written
        bad = session.exec(select(Reminder).where(Reminder.target == "U-bad")).one()
        bad.kind, bad.dedupe_key = "milestone", "milestone:gap"
        session.add(bad)
        session.commit()
        bad_id = bad.id
    logs.configure("json", "INFO", stream=captured)
    assert tick(engine, BANK, {"slack": FakeChannel()}, lambda: MONDAY_TEN).retried == 1
    logged = lines(captured.getvalue())
    (line,) = [line for line in logged if "could not be written" in line["message"]]
    assert line["request_id"] == f"reminder-{bad_id}"
    assert (line["organisation"], line["platform"]) == ("acme", "slack")
    assert "IndexError" in line["exception"]


def test_tokens_secrets_and_bearer_headers_are_redacted(captured: io.StringIO) -> None:
    settings = Settings(slack_signing_secret="very-secret-signing-value", _env_file=None)
    logs.configure("json", "INFO", settings.secret_values(), stream=captured)
    log = logging.getLogger("tests.logs")
    with logs.bound(platform="slack", organisation="T1", request_id="r1"):
        log.warning("token %s and %s", "xoxb-1234-5678-abcdef", "xapp-1-A0-123-ff")
        log.warning("rotated xoxe.xoxp-1-abc, refresh xoxe-1-def, user xoxp-9-zz")
        log.warning("headers: Authorization: Bearer eyJhbGciOi.abc.def-_")
        try:
            raise RuntimeError("refused with very-secret-signing-value")
        except RuntimeError:
            log.exception("it failed")
    log.info("outside")
    out = captured.getvalue()
    for secret in ("xoxb-1234", "xapp-1", "xoxe", "xoxp-9", "eyJhbGciOi", "very-secret"):
        assert secret not in out
    parsed = lines(out)
    assert parsed[0]["message"] == "token [redacted] and [redacted]"
    assert parsed[2]["message"] == "headers: Authorization: Bearer [redacted]"
    assert "RuntimeError: refused with [redacted]" in parsed[3]["exception"]
    assert parsed[3]["organisation"] == "T1" and parsed[3]["request_id"] == "r1"
    assert "organisation" not in parsed[4] and "platform" not in parsed[4]


def test_context_follows_tasks_and_threads_a_request_starts(captured: io.StringIO) -> None:
    import asyncio

    logs.configure("json", "INFO", stream=captured)
    log = logging.getLogger("tests.logs")

    async def request() -> None:
        with logs.bound(platform="teams", request_id="r2"):
            logs.bind(organisation="tenant-1")
            await asyncio.create_task(asyncio.to_thread(log.info, "on a thread"))

    asyncio.run(request())
    (line,) = lines(captured.getvalue())
    assert (line["platform"], line["organisation"], line["request_id"]) == (
        "teams",
        "tenant-1",
        "r2",
    )


def test_log_format_text_gives_text(tmp_path: Path) -> None:
    env = {**os.environ, "LOG_FORMAT": "text", "PYTHONUNBUFFERED": "1"}
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "TEAMS_APP_ID", "LOG_LEVEL"):
        env.pop(name, None)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'serve.db'}"
    env["TEAMS_ALLOW_ANONYMOUS"] = "false"
    with serve_served(env, tmp_path / "serve.log") as served:
        wait_until(lambda: "serving only /healthz" in served.output(), 60, "for the warning")
    out = served.output()
    warning = next(line for line in out.splitlines() if "serving only /healthz" in line)
    assert " WARNING bot.serve no Slack or Teams credentials" in warning
    with pytest.raises(ValueError):
        json.loads(warning)


def test_apscheduler_per_tick_lines_are_quiet_unless_debug(captured: io.StringIO) -> None:
    for level, expect_ticks in (("INFO", False), ("DEBUG", True)):
        captured.seek(0)
        captured.truncate()
        logs.configure("text", level, stream=captured)
        ticks = threading.Semaphore(0)
        ticker = scheduler(ticks.release, 0.1, blocking=False)
        ticker.start()
        try:
            for _ in range(3):
                assert ticks.acquire(timeout=60), "the ticker did not tick"
        finally:
            assert ticker.stop(10)
        out = captured.getvalue()
        assert ("Running job" in out) is expect_ticks, out
        assert ("executed successfully" in out) is expect_ticks, out


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("LOG_FORMAT", "xml", "iso20k: LOG_FORMAT: 'xml' is no log format; use json or text"),
        (
            "LOG_LEVEL",
            "loud",
            "iso20k: LOG_LEVEL: 'loud' is no log level; use DEBUG, INFO, WARNING or ERROR",
        ),
    ],
)
def test_a_bad_log_setting_is_refused_in_one_line(
    tmp_path: Path, name: str, value: str, problem: str
) -> None:
    env = {**os.environ, name: value, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    for command in (["serve"], ["worker", "--once"]):
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2
        assert done.stderr.strip() == problem
        assert not (tmp_path / "x.db").exists()  # refused before anything was done


def test_a_step_on_the_web_process_s_thread_logs_with_the_request_s_context(
    captured: io.StringIO, tmp_path: Path
) -> None:
    logs.configure("json", "INFO", stream=captured)
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    worker = ThreadWorker(engine, load_bank())
    try:
        with logs.bound(request_id="req-on-thread", platform="teams"):
            asyncio.run(worker.call(worker_jobs.log_lines, "on a thread"))
    finally:
        worker.close()
        engine.dispose()
    mine = [line for line in lines(captured.getvalue()) if line["logger"] == "tests.worker_jobs"]
    assert len(mine) == 2
    assert all(line["request_id"] == "req-on-thread" for line in mine)
    assert all(line["platform"] == "teams" for line in mine)


# Run as its own process: the worker processes' stderr is the one the forkserver inherited
# when it started, which under pytest's capture is not the test's; a parent of our own
# makes it a pipe the test reads.
WORKER_PARENT = """
import asyncio, os, sys
from bot import logs
from bot.dialogs.worker import ProcessWorker
from iso20k_core.standard import load_bank
from tests import worker_jobs

logs.configure(sys.argv[2], sys.argv[3], ["signing-secret-in-parent"])
worker = ProcessWorker(sys.argv[1], load_bank(), 1)
try:
    with logs.bound(organisation="T-worker", request_id="req-in-worker", platform="slack"):
        pid = asyncio.run(worker.call(worker_jobs.log_lines, "signing-secret-in-parent"))
    print(pid, os.getpid(), flush=True)
finally:
    worker.close()
"""


def run_worker_parent(tmp_path: Path, fmt: str, level: str) -> tuple[str, str]:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(WORKER_PARENT), url, fmt, level],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr


def test_a_job_in_a_worker_process_logs_json_with_the_request_s_context(tmp_path: Path) -> None:
    out, err = run_worker_parent(tmp_path, "json", "INFO")
    worker, parent = (int(word) for word in out.split())
    assert worker != parent
    mine = [line for line in lines(err) if line["logger"] == "tests.worker_jobs"]
    assert [line["level"] for line in mine] == ["INFO", "WARNING"]
    for line in mine:
        assert line["request_id"] == "req-in-worker"
        assert line["organisation"] == "T-worker"
        assert line["platform"] == "slack"
        assert line["message"].endswith(": [redacted]")  # the parent's secrets, redacted too


def test_a_worker_process_takes_the_parent_s_level_and_text_format(tmp_path: Path) -> None:
    _out, err = run_worker_parent(tmp_path, "text", "WARNING")
    mine = [line for line in err.splitlines() if "tests.worker_jobs" in line]
    assert len(mine) == 1, err  # INFO is below the parent's level
    assert " WARNING tests.worker_jobs warning from a worker: [redacted] [" in mine[0]
    assert "request_id=req-in-worker" in mine[0]
