"""Database pools per process: DB_POOL_SIZE, DB_MAX_OVERFLOW, DB_POOL_TIMEOUT and
DB_POOL_RECYCLE reach the engine of this process and of each worker process, pre-ping stays
on, and a pool that is used up makes the next caller wait no longer than its timeout."""

from __future__ import annotations

import asyncio
import time

import pytest
from pydantic import ValidationError
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

from bot.dialogs.worker import ProcessWorker
from bot.settings import Settings
from bot.store.db import PoolSettings, make_engine
from iso20k_core.standard import load_bank
from tests import processes, worker_jobs

NOWHERE = "postgresql+psycopg://iso20k@127.0.0.1:1/iso20k"  # an engine that never connects
POOL_ENV = {
    "DB_POOL_SIZE": "3",
    "DB_MAX_OVERFLOW": "2",
    "DB_POOL_TIMEOUT": "1.5",
    "DB_POOL_RECYCLE": "60",
}


def pool_of(engine: Engine) -> tuple[int, int, float, int]:
    pool = engine.pool
    assert isinstance(pool, QueuePool)
    return pool.size(), pool._max_overflow, pool._timeout, pool._recycle


def test_the_defaults_are_sqlalchemy_s_pool_and_a_recycle_of_half_an_hour() -> None:
    assert Settings().pool == PoolSettings(size=5, max_overflow=10, timeout=30.0, recycle=1800)


def test_the_settings_reach_the_engine_with_pre_ping_on(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in POOL_ENV.items():
        monkeypatch.setenv(name, value)
    pool = Settings().pool
    assert pool == PoolSettings(size=3, max_overflow=2, timeout=1.5, recycle=60)
    engine = make_engine(NOWHERE, pool)
    try:
        assert pool_of(engine) == (3, 2, 1.5, 60)
        assert engine.pool._pre_ping
    finally:
        engine.dispose()


def test_a_recycle_of_zero_means_never() -> None:
    engine = make_engine(NOWHERE, PoolSettings(recycle=0))
    try:
        assert pool_of(engine)[3] == -1  # SQLAlchemy's "never"
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DB_POOL_SIZE", "0"),
        ("DB_MAX_OVERFLOW", "-1"),
        ("DB_POOL_TIMEOUT", "0"),
        ("DB_POOL_RECYCLE", "-5"),
    ],
)
def test_a_pool_setting_out_of_range_is_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name.lower()):
        Settings()


def test_a_used_up_pool_makes_the_next_caller_wait_only_its_timeout(postgres_url: str) -> None:
    engine = make_engine(postgres_url, PoolSettings(size=1, max_overflow=0, timeout=0.5))
    try:
        with engine.connect():
            started = time.monotonic()
            with pytest.raises(sa_exc.TimeoutError):
                engine.connect()
            waited = time.monotonic() - started
        assert 0.4 <= waited < 10.0
        with engine.connect():  # returned, so free again
            pass
    finally:
        engine.dispose()


@pytest.mark.skipif(not processes.available(), reason="needs /proc (Linux)")
def test_worker_processes_get_the_pool_given_or_the_environment_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given = ProcessWorker(NOWHERE, load_bank(), 1, pool=PoolSettings(2, 1, 4.0, 120))
    try:
        assert asyncio.run(given.call(worker_jobs.pool_of)) == (2, 1, 4.0, 120)
    finally:
        given.close()
    for name, value in POOL_ENV.items():
        monkeypatch.setenv(name, value)
    # bot/workers.py builds its workers without a pool: they read this process's settings.
    from_environment = ProcessWorker(NOWHERE, load_bank(), 1, name="report")
    try:
        assert asyncio.run(from_environment.call(worker_jobs.pool_of)) == (3, 2, 1.5, 60)
    finally:
        from_environment.close()
