"""The retention purge as the reminder worker runs it: at start and then every interval,
logged by organisation id only, and a failing run stops neither it nor the ticks."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.reminders.scheduler import Ticker
from bot.store.crud import get_or_create_organisation
from bot.store.db import make_engine
from bot.store.lifecycle import purge_job
from bot.store.models import Organisation
from tests.migrated import migrated

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
WAIT = 60.0


def test_the_purge_runs_at_start_and_again_and_survives_a_failure() -> None:
    ticks, purges = threading.Semaphore(0), threading.Semaphore(0)
    runs = []

    def purge() -> None:
        runs.append(len(runs))
        purges.release()
        if len(runs) == 1:
            raise RuntimeError("database away")  # logged; the next run retries

    ticker = Ticker(ticks.release, 0.1, blocking=False, purge=purge, purge_seconds=0.2)
    ticker.start()
    try:
        for _ in range(3):
            assert purges.acquire(timeout=WAIT), "the purge did not run"
        assert ticks.acquire(timeout=WAIT), "the ticks stopped"
    finally:
        assert ticker.stop(10)


def test_the_first_purge_is_at_start_not_an_interval_later() -> None:
    purged = threading.Event()
    ticker = Ticker(lambda: None, 3600, blocking=False, purge=purged.set, purge_seconds=3600)
    ticker.start()
    try:
        assert purged.wait(WAIT), "no purge at start"
    finally:
        assert ticker.stop(10)


def test_a_purge_deletes_past_the_retention_and_logs_only_ids(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = migrated(f"sqlite:///{tmp_path / 'p.db'}")
    engine = make_engine(url)
    with Session(engine) as session:
        gone = get_or_create_organisation(session, "slack", "T1", "Secret Name Ltd")
        kept = get_or_create_organisation(session, "slack", "T2", "Kept Ltd")
        gone.uninstalled_at = NOW - dt.timedelta(days=8)
        kept.uninstalled_at = NOW - dt.timedelta(days=6)
        session.add_all([gone, kept])
        session.commit()
        gone_id = gone.id
    purge = purge_job(engine, 7, lambda: NOW)
    with caplog.at_level(logging.INFO, logger="bot.store.lifecycle"):
        assert purge() == 1
        assert purge() == 0
    (line,) = [r.getMessage() for r in caplog.records]
    assert f": {gone_id}" in line and "Secret Name" not in line and "T1" not in line
    with Session(engine) as session:
        assert [o.name for o in session.exec(select(Organisation))] == ["Kept Ltd"]
    engine.dispose()
