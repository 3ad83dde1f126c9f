"""`log` in the terminal: the audit trail shows a role grant, by whom, in console words."""

from __future__ import annotations

import re

from sqlalchemy.engine import Engine

from tests.console.test_console import SETUP, engine, run

__all__ = ["engine"]  # the fixture


def test_the_log_shows_a_role_grant(engine: Engine) -> None:
    out = run(engine, [*SETUP, "role @carol manager", "log", "quit"])
    assert "@carol is now manager." in out
    trail = out[out.rindex("Audit trail") :]
    assert "Entries 1–3 of 3, newest first. Times in Europe/Berlin." in trail
    assert "Role of @carol: member → manager" in trail
    assert "Role of @alice: member → admin" in trail  # the first to run setup
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d · alice", trail)
    assert not re.search("[\ue000\ue001]", trail)  # every mention rendered

    # carol manages, but the trail is the admins'.
    refused = run(engine, ["log", "quit"], user="carol")
    assert "Only admins can see the audit trail" in refused
    assert "Role of" not in refused
