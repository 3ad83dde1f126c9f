"""The Directory port of the dialogs: who people are, passed in by each channel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import Session

from bot.dialogs.commands import handle_command
from bot.dialogs.context import DirectoryError, OpenDirectory, Person, enter
from bot.dialogs.model import Message
from bot.store.db import make_engine
from iso20k_core.language import language_for, using
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


class Mixed:
    """U1 reads Chinese, U2 English: each notice is written in its reader's language."""

    def person(self, user_id: str) -> Person | None:
        locale = "zh-CN" if user_id == "U1" else "en-US"
        return Person(user_id, frozenset({"T1"}), user_id, "Asia/Shanghai", locale)


def test_a_notice_to_a_colleague_is_written_in_the_colleague_s_language(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.db'}"
    migrated(url)
    engine = make_engine(url)
    zh = language_for("zh-CN")
    assert zh is not None
    with Session(engine) as session:
        ctx = enter(session, "slack", "T1", "T1", "U1", TODAY, load_bank(), directory=Mixed())
        ctx.member.role = "admin"
        with using(zh):  # the manager acts in Chinese
            role = handle_command(ctx, "role <@U2> manager")
            assign = handle_command(ctx, "assign <@U2> resolution")
        assert isinstance(role.reply, Message) and role.reply.heading == zh.gettext("Role granted")
        (granted,) = role.notices
        assert granted.message.heading == "You are now manager for ISO/IEC 20000 preparation"
        (asked,) = assign.notices
        english_title = load_bank().section("resolution").title
        assert asked.message.heading == f"Please answer: {english_title}"
        # and the other way round: an English manager, a Chinese colleague
        ctx2 = enter(session, "slack", "T1", "T1", "U2", TODAY, load_bank(), directory=Mixed())
        (to_chinese,) = handle_command(ctx2, "assign <@U1> resolution").notices
        with using(zh):
            chinese_title = load_bank().section("resolution").title
        assert to_chinese.message.heading == zh.gettext("Please answer: {section}").format(
            section=chinese_title
        )
    engine.dispose()
