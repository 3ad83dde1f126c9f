"""The console speaks console: people and channels by name, never chat markup."""

from __future__ import annotations

import re

from sqlalchemy.engine import Engine

from tests.console.test_console import SETUP, engine, run

__all__ = ["engine"]  # the fixture


def test_mentions_and_channels_are_names_in_the_console(engine: Engine) -> None:
    setup = [*SETUP[:-1], "general"]  # reminders to the channel "general"
    out = run(
        engine,
        [*setup, "assign @bob resolution 2026-12-15", "role @carol manager", "remind", "quit"],
    )
    assert "@bob will answer it." in out
    assert "@carol is now manager." in out
    assert "#general" in out
    out += run(engine, ["status", "quit"], user="bob")
    assert "@alice asked you to answer" in out  # the direct message to bob
    assert not re.search("<[@#!]", out)
    assert not re.search("[\ue000\ue001]", out)  # no marker left unrendered
