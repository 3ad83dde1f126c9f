"""The Directory port of the dialogs: who people are, passed in by each channel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import Session

from bot.dialogs.commands import handle_command
from bot.dialogs.context import DirectoryError, OpenDirectory, Person, enter
from bot.dialogs.model import Message
from bot.store.db import make_engine
from iso20k_core.standard import load_bank
from tests.migrated import migrated

TODAY = dt.date(2026, 11, 25)


class Broken:
    def person(self, user_id: str) -> Person | None:
        raise DirectoryError("no answer")


class Shanghai:
    def person(self, user_id: str) -> Person | None:
        return Person(user_id, frozenset({"T1"}), "Li", "Asia/Shanghai", "zh-CN")


def test_the_acting_person_is_known_to_the_dialog_and_kept_on_the_member_row(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'd.db'}"
    migrated(url)
    engine = make_engine(url)
    with Session(engine) as session:
        ctx = enter(session, "slack", "T1", "T1", "U1", TODAY, load_bank(), directory=Shanghai())
        assert ctx.person() == Person("U1", frozenset({"T1"}), "Li", "Asia/Shanghai", "zh-CN")
        assert (ctx.member.timezone, ctx.member.display_name) == ("Asia/Shanghai", "Li")
        session.commit()
    # a directory that cannot answer costs the request nothing, and refuses every colleague
    with Session(engine) as session:
        ctx = enter(session, "slack", "T1", "T1", "U1", TODAY, load_bank(), directory=Broken())
        assert ctx.person() is None and ctx.member.timezone == "Asia/Shanghai"
        ctx.member.role = "manager"
        reply = handle_command(ctx, "assign <@U2> resolution").reply
        assert isinstance(reply, Message) and reply.heading == "Could not look that person up"
    engine.dispose()


def test_the_console_directory_knows_everyone_of_its_workspace() -> None:
    person = OpenDirectory("local").person("bob")
    assert person is not None and person.workspaces == {"local"}
