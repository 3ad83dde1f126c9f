"""Transactions run again while the database is briefly away: SQLite locked, PostgreSQL down."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, exc, func, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.store.crud import get_or_create_organisation
from bot.store.db import make_engine
from bot.store.migrate import upgrade
from bot.store.models import Organisation
from bot.store.transactions import (
    StoreUnavailable,
    committed,
    concurrent_write,
    in_transaction,
    unavailable,
)
from tests.pg_server import PostgresServer


def wrapped(orig: BaseException, kind: type[exc.DBAPIError] = exc.OperationalError) -> Exception:
    """A driver error as SQLAlchemy raises it."""
    return kind("SELECT 1", {}, orig)


def test_what_counts_as_the_database_being_away() -> None:
    assert unavailable(wrapped(sqlite3.OperationalError("database is locked")))
    assert unavailable(wrapped(psycopg.OperationalError("connection refused")))  # no SQLSTATE
    assert unavailable(wrapped(psycopg.errors.AdminShutdown()))  # 57P01: server restarting
    assert unavailable(wrapped(psycopg.errors.CannotConnectNow()))  # 57P03: starting up
    assert unavailable(wrapped(psycopg.errors.SerializationFailure()))  # 40001
    assert unavailable(wrapped(psycopg.errors.DeadlockDetected()))  # 40P01
    assert unavailable(exc.TimeoutError("pool exhausted"))
    # Mistakes are not retried: they would fail the same way every time.
    assert not unavailable(wrapped(sqlite3.OperationalError("no such table: organisation")))
    assert not unavailable(wrapped(psycopg.errors.UndefinedTable(), exc.ProgrammingError))
    assert not unavailable(wrapped(psycopg.errors.UniqueViolation(), exc.IntegrityError))
    assert not unavailable(ValueError("not a database error"))


def test_what_counts_as_a_concurrent_first_write() -> None:
    unique = sqlite3.IntegrityError("UNIQUE constraint failed: organisation.external_id")
    assert concurrent_write(wrapped(unique, exc.IntegrityError))
    assert concurrent_write(wrapped(psycopg.errors.UniqueViolation(), exc.IntegrityError))
    foreign = sqlite3.IntegrityError("FOREIGN KEY constraint failed")
    assert not concurrent_write(wrapped(foreign, exc.IntegrityError))
    assert not concurrent_write(wrapped(psycopg.errors.ForeignKeyViolation(), exc.IntegrityError))


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[tuple[Engine, sqlite3.Connection]]:
    """A migrated SQLite file, an engine that gives up on a lock after 50 ms, and a second
    connection the test uses to hold the write lock."""
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    upgrade(url)
    engine = create_engine(url, connect_args={"timeout": 0.05})
    holder = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    try:
        yield engine, holder
    finally:
        holder.close()
        engine.dispose()


def add_organisation(session: Session, name: str) -> str:
    get_or_create_organisation(session, "console", name, name)
    return name


def count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Organisation)).one())


def test_a_locked_sqlite_database_is_waited_for(
    sqlite_file: tuple[Engine, sqlite3.Connection],
) -> None:
    engine, holder = sqlite_file
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    attempts: list[int] = []

    def work(session: Session) -> str:
        attempts.append(1)
        if len(attempts) == 3:
            holder.execute("COMMIT")  # the other writer finishes while we retry
        return add_organisation(session, "acme")

    assert in_transaction(engine, work, budget=30) == "acme"
    assert len(attempts) == 3 and count(engine) == 1


def test_a_database_locked_for_longer_than_the_budget_is_unavailable(
    sqlite_file: tuple[Engine, sqlite3.Connection],
) -> None:
    engine, holder = sqlite_file
    holder.execute("BEGIN IMMEDIATE")
    attempts: list[int] = []

    def work(session: Session) -> str:
        attempts.append(1)
        return add_organisation(session, "acme")

    # 3 s: room for several 50 ms lock waits and their backoff even on a loaded machine
    # (with 0.5 s, a slow first attempt once used the whole budget in CI).
    with pytest.raises(StoreUnavailable) as raised:
        in_transaction(engine, work, budget=3.0)
    assert isinstance(raised.value.__cause__, exc.OperationalError)
    assert len(attempts) > 1
    holder.execute("ROLLBACK")
    assert count(engine) == 0  # nothing was committed


def test_a_mistake_is_raised_at_once(sqlite_file: tuple[Engine, sqlite3.Connection]) -> None:
    engine, _ = sqlite_file
    attempts: list[int] = []

    def work(session: Session) -> None:
        attempts.append(1)
        session.exec(text("SELECT * FROM no_such_table"))  # type: ignore[call-overload]

    with pytest.raises(exc.OperationalError, match="no such table"):
        in_transaction(engine, work, budget=30)
    assert attempts == [1]


def test_a_unique_violation_is_run_again_a_few_times_then_raised(
    sqlite_file: tuple[Engine, sqlite3.Connection],
) -> None:
    engine, _ = sqlite_file
    in_transaction(engine, lambda s: add_organisation(s, "acme"), budget=30)
    attempts: list[int] = []

    def work(session: Session) -> None:
        attempts.append(1)
        session.add(Organisation(platform="console", external_id="acme", name="again"))
        session.flush()

    with pytest.raises(exc.IntegrityError):
        in_transaction(engine, work, budget=30)
    # README ("Records"): "a unique violation from a concurrent first write is run again up
    # to three times"
    assert len(attempts) == 3


def test_a_session_bound_transaction_is_redone_after_a_rollback(
    sqlite_file: tuple[Engine, sqlite3.Connection],
) -> None:
    engine, holder = sqlite_file
    holder.execute("BEGIN IMMEDIATE")
    attempts: list[int] = []
    statement = text(
        "INSERT INTO organisation (platform, external_id, name, timezone, currency, created_at,"
        " updated_at) VALUES ('console', 'x', 'X', 'UTC', 'EUR', '2026-11-25', '2026-11-25')"
    )

    with Session(engine) as session:

        def work() -> int:
            attempts.append(1)
            if len(attempts) == 2:
                holder.execute("COMMIT")
            return int(session.exec(statement).rowcount)  # type: ignore[call-overload]

        assert committed(session, work, budget=30) == 1
    assert len(attempts) == 2 and count(engine) == 1


def test_a_postgresql_restart_is_waited_for_and_the_pool_reconnects(
    restartable_postgres: PostgresServer,
) -> None:
    url = restartable_postgres.url
    upgrade(url)
    engine = make_engine(url)
    try:
        assert in_transaction(engine, lambda s: add_organisation(s, "before"), budget=10)
        restartable_postgres.stop()  # the pooled connection is now dead
        attempts: list[int] = []
        failed_once = threading.Event()
        results: list[str] = []

        def work(session: Session) -> str:
            attempts.append(1)
            if len(attempts) > 1:
                failed_once.set()
            return add_organisation(session, "during")

        saver = threading.Thread(
            target=lambda: results.append(in_transaction(engine, work, budget=60))
        )
        saver.start()
        assert failed_once.wait(60), "the transaction was not run again"
        restartable_postgres.start()
        saver.join(60)
        assert results == ["during"]
        assert count(engine) == 2
    finally:
        engine.dispose()
