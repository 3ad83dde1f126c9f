"""Every Slack end-to-end test runs twice: on SQLite (the embedded default) and on PostgreSQL
(production), each with a database of its own."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import SlackWorld, start_world, stop_world


@pytest.fixture(params=["sqlite", "postgresql"])
def slack_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database for one test: a SQLite file, or a scratch database on the session's
    PostgreSQL (tests/conftest.py; skipped on a laptop without the server binaries, a failure
    on CI)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'slack.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


@pytest.fixture
def world(tmp_path: Path, slack_database_url: str) -> Iterator[SlackWorld]:
    w = start_world(tmp_path, database_url=slack_database_url)
    try:
        yield w
        w.check_all()  # nothing refused, every payload of every test held to Slack's limits
    finally:
        stop_world(w)
