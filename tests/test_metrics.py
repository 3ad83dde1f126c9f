"""`GET /metrics` over real HTTP: `iso20k serve` counts a signed Slack command, times its
acknowledgement and its dialog step, and keeps the metrics behind METRICS_TOKEN; in this
process, each `Metrics` has a registry of its own, reminders are counted from each tick, and
the lagging gauge reads the outbox; worker restarts are counted by lane and reason when a
worker is killed or recycled, and database errors, in this process and in worker processes,
when PostgreSQL is stopped; `iso20k worker` serves its own metrics on METRICS_PORT."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import Session

from bot.dialogs.repeats import InFlight
from bot.dialogs.worker import ProcessWorker, ThreadWorker
from bot.metrics import Metrics, kind_of
from bot.reminders.dispatch import TickResult
from bot.store.db import make_engine
from bot.store.models import Organisation, Reminder
from bot.store.transactions import (
    ERROR_KINDS,
    ERROR_OUTCOMES,
    ErrorTally,
    StoreUnavailable,
    in_transaction,
    watch_errors,
)
from bot.web import create_web_app
from iso20k_core.standard import load_bank
from tests import faults, processes, worker_jobs
from tests.e2e.harness import TOKEN, free_port, serve_process, serving, wait_until
from tests.e2e.test_serve import command, migrated, serve_env
from tests.migrated import migrated as migrated_copy
from tests.pg_server import PostgresServer
from tests.slackfake.server import FakeSlack
from tests.slackfake.signing import post, slash_command_body
from tests.test_readyz import get, served

METRICS_TOKEN = "s3cret-scrape-token"
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN) as fake:
        yield fake


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text, or None if it is not there."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "")
    found = re.search(rf"^{pattern} (\S+)$", text, re.MULTILINE)
    return None if found is None else float(found.group(1))


def test_serve_counts_a_signed_slack_command_behind_the_bearer_token(
    tmp_path: Path, slack: FakeSlack
) -> None:
    env = {**serve_env(migrated(tmp_path), slack, processes=0), "METRICS_TOKEN": METRICS_TOKEN}
    with serve_process(env, tmp_path / "serve.log") as base:
        assert get(f"{base}/readyz")[0] == 200
        command(base, slack)
        unsigned = slash_command_body(text="", response_url=slack.response_url("x"))
        assert post(base, "/slack/events", unsigned, "not-the-secret")[0] == 401

        assert get(f"{base}/metrics")[0] == 401
        assert get(f"{base}/metrics", {"Authorization": "Bearer wrong"})[0] == 401
        assert get(f"{base}/metrics", {"Authorization": METRICS_TOKEN})[0] == 401
        bearer = {"Authorization": f"Bearer {METRICS_TOKEN}"}

        def scraped() -> str:
            status, text = get(f"{base}/metrics", bearer)
            assert status == 200
            return text

        text = scraped()
        ok = {"platform": "slack", "kind": "command", "outcome": "ok"}
        assert sample(text, "iso20k_requests_total", **ok) == 1.0
        # Refused before it was read: its kind is unknown.
        refused = {"platform": "slack", "kind": "other", "outcome": "refused"}
        assert sample(text, "iso20k_requests_total", **refused) == 1.0
        assert sample(text, "iso20k_ack_seconds_count", platform="slack") == 2.0
        assert sample(text, "iso20k_ack_seconds_bucket", platform="slack", le="3.0") == 2.0
        assert sample(text, "iso20k_reminders_lagging") == 0.0
        assert sample(text, "iso20k_repeats_joined_total") == 0.0
        # The report lane runs in a process (REPORT_PROCESSES=1), the dialog lane on a thread.
        assert sample(text, "iso20k_worker_restarts_total", lane="report", reason="died") == 0.0
        assert 'lane="dialog"' not in text
        for process in ("web", "report"):
            labels = {"process": process, "kind": "unavailable", "outcome": "gave_up"}
            assert sample(text, "iso20k_database_errors_total", **labels) == 0.0
        # The command's step ran on the worker after the ack: timed once it is done.
        wait_until(lambda: (sample(scraped(), "iso20k_dialog_step_seconds_count") or 0) >= 1)
        assert METRICS_TOKEN not in text


def test_metrics_are_open_without_a_token_and_each_registry_is_its_own() -> None:
    first, second = Metrics(), Metrics()  # the global registry would refuse the second
    first.reminders_sent.inc()
    with served(create_web_app(None, metrics=second)) as base:
        status, text = get(f"{base}/metrics")
    assert status == 200
    assert sample(text, "iso20k_reminders_sent_total") == 0.0
    assert sample(first.render().decode(), "iso20k_reminders_sent_total") == 1.0
    assert "# TYPE iso20k_requests_total counter" in text
    assert "# TYPE iso20k_ack_seconds histogram" in text


def test_reminders_are_counted_from_each_tick_and_lagging_from_the_outbox(
    tmp_path: Path,
) -> None:
    engine = make_engine(migrated_copy(f"sqlite:///{tmp_path / 'outbox.db'}"))
    with Session(engine) as session:
        org = Organisation(platform="slack", external_id="T1", name="Acme IT")
        session.add(org)
        session.flush()
        assert org.id is not None
        org_id = org.id
        for n, (due, state) in enumerate(
            [(-60, "pending"), (-1, "claimed"), (-30, "sent"), (+60, "pending")]
        ):
            session.add(
                Reminder(
                    organisation_id=org.id,
                    kind="milestone",
                    target="U1",
                    subject="s",
                    due_at=NOW + dt.timedelta(minutes=due),
                    dedupe_key=f"k{n}",
                    state=state,  # type: ignore[arg-type]
                )
            )
        session.commit()
    metrics = Metrics()
    metrics.watch_outbox(engine, lambda: NOW)
    tick = metrics.observe_tick(lambda: TickResult(claimed=3, sent=2, retried=1))
    tick()
    tick()
    text = metrics.render().decode()
    assert sample(text, "iso20k_reminders_sent_total") == 4.0
    assert sample(text, "iso20k_reminders_failed_total") == 2.0
    assert sample(text, "iso20k_reminders_lagging") == 2.0  # the due ones not yet sent

    # An uninstalled organisation's reminders wait on purpose: they are not lagging.
    with Session(engine) as session:
        paused = session.get(Organisation, org_id)
        assert paused is not None
        paused.uninstalled_at = NOW
        session.add(paused)
        session.commit()
    assert sample(metrics.render().decode(), "iso20k_reminders_lagging") == 0.0
    engine.dispose()


def test_repeats_joined_in_flight_are_counted() -> None:
    metrics, in_flight = Metrics(), InFlight()
    metrics.watch_repeats(in_flight)
    with in_flight.acting("command:T1:trigger"), in_flight.acting("command:T1:trigger"):
        pass
    assert sample(metrics.render().decode(), "iso20k_repeats_joined_total") == 1.0


def test_kinds_are_kept_to_known_ones() -> None:
    assert kind_of("slack", "view_submission") == "view_submission"
    assert kind_of("teams", "message") == "message"
    assert kind_of("teams", "made-up-" + "x" * 50) == "other"
    assert kind_of("slack", None) == "other"


needs_proc = pytest.mark.skipif(not processes.available(), reason="needs /proc (Linux)")


def call(worker: ProcessWorker, fn: Any, *args: Any) -> Any:
    return asyncio.run(worker.call(fn, *args))


def restarts(metrics: Metrics, lane: str, reason: str) -> float | None:
    return sample(
        metrics.render().decode(), "iso20k_worker_restarts_total", lane=lane, reason=reason
    )


@needs_proc
def test_worker_restarts_are_counted_by_lane_and_reason(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    dialog = ProcessWorker(url, load_bank(), 2)
    report = ProcessWorker(url, load_bank(), 1, max_jobs=1, name="report")
    threaded = ThreadWorker(make_engine(url), load_bank())
    metrics = Metrics()
    metrics.watch_workers(dialog, report, threaded)
    try:
        for lane in ("dialog", "report"):
            for reason in ("died", "max_jobs", "max_rss"):
                assert restarts(metrics, lane, reason) == 0.0
        assert 'lane="thread"' not in metrics.render().decode()  # a thread has no restarts

        os.kill(call(dialog, faults.pid), signal.SIGKILL)
        wait_until(lambda: restarts(metrics, "dialog", "died") == 1.0, what="a death counted")
        wait_until(lambda: dialog.health().serving, what="the new dialog pool")
        assert isinstance(call(dialog, faults.pid), int)

        call(report, faults.pid)  # its one job wears the pool out: a rolling replacement
        wait_until(lambda: restarts(metrics, "report", "max_jobs") == 1.0, what="a recycling")
        assert restarts(metrics, "report", "died") == 0.0
        assert restarts(metrics, "dialog", "died") == 1.0  # once, not once per observer
        assert restarts(metrics, "dialog", "max_jobs") == 0.0
    finally:
        dialog.close()
        report.close()
        threaded.close()


@needs_proc
def test_a_worker_above_its_memory_ceiling_is_counted_as_max_rss(tmp_path: Path) -> None:
    worker = ProcessWorker(f"sqlite:///{tmp_path / 'w.db'}", load_bank(), 1, max_rss=1)
    metrics = Metrics()
    metrics.watch_workers(worker)
    try:
        call(worker, faults.pid)  # every process holds more than 1 byte
        wait_until(lambda: restarts(metrics, "dialog", "max_rss") == 1.0, what="a recycling")
        assert restarts(metrics, "dialog", "died") == 0.0
    finally:
        worker.close()


def errors(metrics: Metrics, process: str, kind: str, outcome: str) -> float:
    text = metrics.render().decode()
    found = sample(
        text, "iso20k_database_errors_total", process=process, kind=kind, outcome=outcome
    )
    assert found is not None, text
    return found


def select_one(engine: Any, budget: float) -> int:
    return int(in_transaction(engine, lambda s: s.execute(text("SELECT 1")).scalar_one(), budget))


@needs_proc
def attempts(journal: Path) -> int:
    return len(journal.read_text().splitlines()) if journal.exists() else 0


def test_database_errors_are_counted_here_and_in_workers_while_postgresql_is_down(
    restartable_postgres: PostgresServer, tmp_path: Path
) -> None:
    url = restartable_postgres.url
    engine = make_engine(url)
    tally = ErrorTally()
    watch_errors(engine, tally)
    worker = ProcessWorker(url, load_bank(), 1)
    metrics = Metrics()
    metrics.watch_database(tally, "web")
    metrics.watch_workers(worker)
    try:
        assert select_one(engine, 5.0) == 1
        assert call(worker, worker_jobs.select_one, 5.0) == 1
        for process in ("web", "dialog"):
            for kind in ("unavailable", "conflict", "other"):
                assert errors(metrics, process, kind, "retried") == 0.0
                assert errors(metrics, process, kind, "gave_up") == 0.0

        restartable_postgres.stop()
        with pytest.raises(StoreUnavailable):
            select_one(engine, 1.0)
        with pytest.raises(StoreUnavailable):  # raised in the worker, its count sent back
            call(worker, worker_jobs.select_one, 1.0)
        for process in ("web", "dialog"):
            assert errors(metrics, process, "unavailable", "retried") >= 1.0
            assert errors(metrics, process, "unavailable", "gave_up") == 1.0
            assert errors(metrics, process, "other", "gave_up") == 0.0

        # A job that meets the database away and succeeds once it is back: its retries
        # come back with its result.
        retried = errors(metrics, "dialog", "unavailable", "retried")
        journal = tmp_path / "attempts"

        async def across_the_restart() -> int:
            job = asyncio.ensure_future(
                worker.call(worker_jobs.select_one_noting, 60.0, str(journal))
            )
            await asyncio.to_thread(wait_until, lambda: attempts(journal) >= 2, what="retries")
            await asyncio.to_thread(restartable_postgres.start)
            return await job

        assert asyncio.run(across_the_restart()) == 1
        assert errors(metrics, "dialog", "unavailable", "retried") >= retried + 1
        assert errors(metrics, "dialog", "unavailable", "gave_up") == 1.0
        assert select_one(engine, 10.0) == 1  # pre-ping replaces the dead connections
        assert errors(metrics, "web", "unavailable", "gave_up") == 1.0
    finally:
        worker.close()
        engine.dispose()


def test_an_engine_nobody_watches_counts_nothing_and_shows_no_series(tmp_path: Path) -> None:
    metrics = Metrics()
    assert "iso20k_database_errors" not in metrics.render().decode()
    assert "iso20k_worker_restarts" not in metrics.render().decode()
    engine = make_engine(f"sqlite:///{tmp_path / 'missing' / 'no.db'}")  # cannot open
    tally = ErrorTally()
    with pytest.raises(Exception):  # noqa: B017 - SQLite's own error, whichever it is
        select_one(engine, 0.1)
    assert tally.counts() == {}
    watch_errors(engine, tally)
    with pytest.raises(Exception):  # noqa: B017
        select_one(engine, 0.1)
    assert tally.counts() == {("other", "gave_up"): 1}  # "unable to open": not transient
    engine.dispose()


def test_the_reminder_worker_serves_its_own_metrics_on_metrics_port(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": migrated(tmp_path),
        "REMINDER_TICK_SECONDS": "0.2",
        "METRICS_PORT": str(port),
        "METRICS_TOKEN": METRICS_TOKEN,
        "PYTHONUNBUFFERED": "1",
    }
    with serving(["worker"], env, tmp_path / "worker.log") as served:
        wait_until(lambda: "ticking every" in served.output(), what="for the worker to start")
        base = f"http://127.0.0.1:{port}"
        assert get(f"{base}/metrics")[0] == 401
        status, scraped = get(f"{base}/metrics", {"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert status == 200, scraped
        assert sample(scraped, "iso20k_reminders_lagging") == 0.0
        assert sample(scraped, "iso20k_reminders_sent_total") == 0.0
        labels = {"process": "reminders", "kind": "unavailable", "outcome": "gave_up"}
        assert sample(scraped, "iso20k_database_errors_total", **labels) == 0.0
        assert get(f"{base}/other")[0] == 404
    assert "iso20k worker: stopped" in served.output()
    assert "Traceback" not in served.output()


EVENTS = st.lists(
    st.tuples(
        st.sampled_from(("web", "reminders")),
        st.sampled_from(ERROR_KINDS),
        st.sampled_from(ERROR_OUTCOMES),
        st.booleans(),  # taken (as a worker does after each job) and handed on, or kept
    ),
    max_size=40,
)


@given(EVENTS)
def test_every_database_error_counted_is_shown_once_whoever_took_it(
    events: list[tuple[str, str, str, bool]],
) -> None:
    """However counts are split between tallies and handed on (a worker's `take` after each
    job, added up in the parent), /metrics shows each error exactly once."""
    metrics = Metrics()
    shown = {"web": ErrorTally(), "reminders": ErrorTally()}
    for process, tally in shown.items():
        metrics.watch_database(tally, process)
    in_a_worker = ErrorTally()
    expected: dict[tuple[str, str, str], int] = {}
    for process, kind, outcome, via_worker in events:
        expected[(process, kind, outcome)] = expected.get((process, kind, outcome), 0) + 1
        if via_worker:
            in_a_worker.count(kind, outcome)
            shown[process].add(in_a_worker.take())
        else:
            shown[process].count(kind, outcome)
    assert in_a_worker.take() == {}
    for process in shown:
        for kind in ERROR_KINDS:
            for outcome in ERROR_OUTCOMES:
                assert errors(metrics, process, kind, outcome) == expected.get(
                    (process, kind, outcome), 0
                )
