"""Fixtures shared by every test: database URLs for SQLite and for a real PostgreSQL."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import pg_server


def _bindir() -> Path:
    """The PostgreSQL server binaries. Without them the PostgreSQL tests are skipped on a
    laptop, but fail on CI (env CI set), where skipping would hide that half the matrix never
    ran."""
    bindir = pg_server.find_bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail(pg_server.MISSING, pytrace=False)
        pytest.skip(pg_server.MISSING)
    return bindir


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for the whole run (see tests/pg_server.py), stopped at the end."""
    with pg_server.running_postgres(_bindir()) as url:
        yield url


@pytest.fixture
def restartable_postgres() -> Iterator[pg_server.PostgresServer]:
    """A PostgreSQL server of this test's own, which it may stop and start again."""
    with pg_server.restartable_postgres(_bindir()) as server:
        yield server


@pytest.fixture
def fresh_postgres_url(postgres_url: str) -> Iterator[str]:
    """An empty database of its own for one test, on the shared server."""
    with pg_server.scratch_database(postgres_url) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file of its own for one test."""
    return f"sqlite:///{tmp_path / 'iso20k.db'}"
