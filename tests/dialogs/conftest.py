"""Fixtures of the dialog tests: a migrated SQLite database (`session`) and, in it, an
organisation's admin after setup with everything answered at its best but change and
incident management (`organisation`, the hand-worked case of
tests/core/test_figures_agree.py). tests/dialogs/people.py enters as anyone else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.dialogs.commands import handle_submit
from bot.dialogs.context import DialogContext
from bot.store.crud import record_answer
from bot.store.db import make_engine
from bot.store.migrate import upgrade
from tests.core.helpers import all_best
from tests.dialogs.people import BANK, SETUP, as_user


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    url = f"sqlite:///{tmp_path / 'views.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as s:
        yield s
    engine.dispose()


@pytest.fixture
def organisation(session: Session) -> DialogContext:
    """Set up by the admin; everything answered at its best but change and incident
    management (the hand-worked case of tests/core/test_figures_agree.py)."""
    admin = as_user(session, "admin")
    outcome = handle_submit(admin, "setup", {}, SETUP)
    assert not outcome.errors, outcome.errors
    assessment = admin.assessment()
    for question, value in all_best(BANK).items():
        if not question.startswith(("change.", "incident.")):
            stored = value.isoformat() if isinstance(value, dt.date) else value
            record_answer(session, assessment, question, stored, admin.member)
    session.flush()
    admin.replan()
    return admin
