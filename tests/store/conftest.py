"""Store fixtures: migrated databases and sessions on them."""

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from bot.store.db import make_engine
from bot.store.migrate import upgrade


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """An empty database, once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "fresh_postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
def session(sqlite_url: str) -> Iterator[Session]:
    """A session on a SQLite database migrated to head."""
    yield from _migrated_session(sqlite_url)


@pytest.fixture
def any_session(database_url: str) -> Iterator[Session]:
    """A session on a database migrated to head, on SQLite and on PostgreSQL."""
    yield from _migrated_session(database_url)


def _migrated_session(url: str) -> Iterator[Session]:
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()
