"""The console when a form cannot be saved: what was typed is kept and can be saved again."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.console import app
from bot.console.app import Console
from bot.store.migrate import upgrade
from bot.store.models import Organisation
from iso20k_core.standard import load_bank
from tests.console.test_console import SETUP, TODAY


class Script(io.StringIO):
    """Standard input from a list of lines; `before[n]` runs just before line n is read."""

    def __init__(self, lines: list[str], before: dict[int, Callable[[], None]]) -> None:
        super().__init__("\n".join(lines) + "\n")
        self.before, self.read_lines = before, 0

    def readline(self, size: int | None = -1) -> str:
        if self.read_lines in self.before:
            self.before[self.read_lines]()
        self.read_lines += 1
        return super().readline(size)


@pytest.fixture
def locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Engine, sqlite3.Connection]]:
    """A console database, an engine that gives up on a lock after 50 ms, a short retry
    budget, and a second connection to hold the write lock with."""
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    engine = create_engine(url, connect_args={"timeout": 0.05})
    monkeypatch.setattr(app, "REPLY_BUDGET", 0.3)
    holder = sqlite3.connect(tmp_path / "console.db", isolation_level=None)
    try:
        yield engine, holder
    finally:
        holder.close()
        engine.dispose()


def run(engine: Engine, script: Script) -> str:
    out = io.StringIO()
    assert Console(engine, load_bank(), "alice", script, out, lambda: TODAY).run() == 0
    return out.getvalue()


def profile(engine: Engine) -> object:
    with Session(engine) as session:
        return session.exec(select(Organisation.profile)).one()


def test_a_form_whose_save_failed_is_saved_on_the_next_try(
    locked: tuple[Engine, sqlite3.Connection],
) -> None:
    engine, holder = locked
    last_field = len(SETUP) - 1  # the database is busy from the last answer on
    script = Script(
        [*SETUP, "", "quit"],
        {
            last_field: lambda: holder.execute("BEGIN IMMEDIATE"),
            len(SETUP): lambda: holder.execute("COMMIT"),
        },
    )

    out = run(engine, script)

    assert "✖ Not saved: something went wrong on our side. Your answers are kept." in out
    assert "Press Enter to try saving again" in out
    assert "✔ Profile saved" in out  # the same answers, not typed again
    assert "Traceback" not in out
    saved = profile(engine)
    assert isinstance(saved, dict) and saved["organisation"] == "Lindenau IT"


def test_leaving_a_form_whose_save_failed_says_nothing_was_saved(
    locked: tuple[Engine, sqlite3.Connection],
) -> None:
    engine, holder = locked
    script = Script(
        [*SETUP, "quit", "quit"], {len(SETUP) - 1: lambda: holder.execute("BEGIN IMMEDIATE")}
    )

    out = run(engine, script)

    holder.execute("ROLLBACK")
    assert "You left the form; nothing of it was saved." in out
    assert "Profile saved" not in out
    assert profile(engine) is None


def test_a_command_while_the_database_is_away_says_nothing_changed(
    locked: tuple[Engine, sqlite3.Connection],
) -> None:
    engine, holder = locked
    # `assign` writes; with the write lock held elsewhere it cannot, within the budget.
    script = Script(
        [*SETUP, "assign @bob resolution", "status", "quit"],
        {
            len(SETUP): lambda: holder.execute("BEGIN IMMEDIATE"),
            len(SETUP) + 1: lambda: holder.execute("ROLLBACK"),
        },
    )

    out = run(engine, script)

    assert "✖ The database did not answer, so nothing was done or changed." in out
    assert "Traceback" not in out
    assert "ISO/IEC 20000-1 status: Lindenau IT" in out  # and the next command works
