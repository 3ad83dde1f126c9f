"""Reminders in their recipient's language: a person's own locale (asked of the platform at
send time, cached), else the organisation's language; a channel the organisation's. Nothing
is frozen in the language of whoever generated them: the outbox keeps parts, and the text
is written when it is sent."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, select

from bot.dialogs.context import Person, remember
from bot.dialogs.model import Message
from bot.reminders.dispatch import tick
from bot.reminders.generate import ReminderSpec
from bot.reminders.outbox import sync_reminders
from bot.slack.reminder_channel import SlackReminderChannel
from bot.store.crud import get_or_create_organisation, upsert_member
from bot.store.db import make_engine
from bot.store.models import Member
from iso20k_core import figures as fig
from iso20k_core.language import Language, _, _p, active, english, language_for, using
from iso20k_core.standard import load_bank
from tests.e2e.harness import block_text
from tests.migrated import migrated
from tests.slackfake.server import FakeSlack

MONDAY_TEN = dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)
ZH = language_for("zh-CN")
CJK = re.compile(r"[\u4e00-\u9fff]")
BANK = load_bank()


def written(language: Language, text: str, **params: object) -> str:
    with using(language):
        return _(text, **params)


def nudge_heading(language: Language) -> str:
    with using(language):
        section = load_bank().section("resolution").title  # the bank as they read it
        return _("Reminder: please answer {section}", section=section)


def nudge_text(language: Language) -> str:
    with using(language):
        return _(
            "It was due {date}. It takes a few minutes per page; your answers are saved "
            "page by page.",
            date=fig.date(dt.date(2027, 2, 26)),
        )


def nudge(target: str) -> ReminderSpec:
    title = BANK.section("resolution").title  # as the generator stores it: English
    payload = {"section": "resolution", "title": title, "due": "2027-02-26"}
    return ReminderSpec("assignment_nudge", "resolution", 0, target, MONDAY_TEN, payload)


def digest(target: str) -> ReminderSpec:
    return ReminderSpec("digest", "2027-W09", 0, target, MONDAY_TEN, {})


class Channel:
    """A channel that knows people's locales and notes the language each message was
    rendered in."""

    def __init__(self, locales: dict[str, str]) -> None:
        self.locales = locales
        self.sent: dict[str, tuple[Message, str]] = {}
        self.asked: list[str] = []

    def send(self, target: str, message: Message) -> str | None:
        self.sent[target] = (message, active().tag)
        return "ts"

    def timezone_of(self, user_id: str) -> str | None:
        return None

    def locale_of(self, user_id: str) -> str | None:
        self.asked.append(user_id)
        return self.locales.get(user_id)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'language.db'}"
    migrated(url)
    e = make_engine(url)
    yield e
    e.dispose()


def organisation(engine: Engine, language: str | None, *members: str) -> int:
    with Session(engine) as session:
        org = get_or_create_organisation(session, "slack", "acme", "acme")
        if language is not None:
            org.profile = {"language": language}
            flag_modified(org, "profile")
        for user in members:
            upsert_member(session, org, user)
        session.add(org)
        session.commit()
        assert org.id is not None
        return org.id


def add(engine: Engine, org_id: int, *specs: ReminderSpec) -> None:
    with Session(engine) as session:
        sync_reminders(session, org_id, list(specs))
        session.commit()


def test_a_chinese_reader_gets_chinese_and_an_english_reader_english(engine: Engine) -> None:
    assert ZH is not None
    org = organisation(engine, None, "U-ZH", "U-EN")
    add(engine, org, nudge("U-ZH"), nudge("U-EN"))
    channel = Channel({"U-ZH": "zh-CN", "U-EN": "en-US"})
    assert tick(engine, BANK, {"slack": channel}, lambda: MONDAY_TEN).sent == 2
    chinese, rendered_in = channel.sent["U-ZH"]
    assert rendered_in == "zh-CN"  # the blocks are made in the language it is written in
    assert chinese.heading == nudge_heading(ZH)
    assert chinese.text == nudge_text(ZH)
    assert CJK.search(chinese.text) and "2027年2月26日" in chinese.text
    with using(ZH):
        assert chinese.buttons[0].label == _p("button", "Answer now")
    english_one, rendered_in = channel.sent["U-EN"]
    assert rendered_in == "en"
    assert english_one.heading == "Reminder: please answer Resolution and fulfilment"
    assert english_one.text == (
        "It was due 2027-02-26. It takes a few minutes per page; your answers are saved "
        "page by page."
    )
    assert english_one.heading == nudge_heading(english())


def test_a_person_without_a_locale_and_a_channel_read_the_organisation_s_language(
    engine: Engine,
) -> None:
    assert ZH is not None
    org = organisation(engine, "zh-CN", "U-NONE", "U-EN")
    add(engine, org, nudge("U-NONE"), nudge("U-EN"), digest("C42"))
    channel = Channel({"U-EN": "en-US"})
    assert tick(engine, BANK, {"slack": channel}, lambda: MONDAY_TEN).sent == 3
    assert channel.sent["U-NONE"][0].heading == nudge_heading(ZH)
    assert channel.sent["U-EN"][0].heading == nudge_heading(english())  # their own wins
    weekly, rendered_in = channel.sent["C42"]
    assert rendered_in == "zh-CN"
    assert weekly.heading == written(ZH, "Weekly digest")
    assert weekly.text == written(ZH, "No organisation profile yet.")
    assert "C42" not in channel.asked  # a channel is no person: no locale is asked for


def test_an_english_organisation_s_channel_reads_english(engine: Engine) -> None:
    org = organisation(engine, None)
    add(engine, org, digest("C42"))
    channel = Channel({})
    tick(engine, BANK, {"slack": channel}, lambda: MONDAY_TEN)
    weekly, rendered_in = channel.sent["C42"]
    assert (weekly.heading, weekly.text, rendered_in) == (
        "Weekly digest",
        "No organisation profile yet.",
        "en",
    )


def test_slack_s_locale_is_asked_once_and_the_blocks_are_chinese(engine: Engine) -> None:
    assert ZH is not None
    org = organisation(engine, None, "U2")
    later = MONDAY_TEN + dt.timedelta(minutes=1)
    second = ReminderSpec("assignment_nudge", "context", 0, "U2", later, {"section": "context"})
    add(engine, org, nudge("U2"), second)
    with FakeSlack(token="xoxb-test-token") as slack:
        slack.set_user("U2", locale="zh-CN", tz="Europe/Berlin")
        channel = SlackReminderChannel.from_settings("xoxb-test-token", slack.url)
        assert tick(engine, BANK, {"slack": channel}, lambda: later).sent == 2
        posts = slack.calls_to("chat.postMessage")
        assert all(CJK.search(block_text(p.args["blocks"])) for p in posts)
        assert nudge_heading(ZH) in block_text(posts[0].args["blocks"])
        asked = slack.calls_to("users.info")
        assert [c.args["user"] for c in asked] == ["U2"]  # timezone and locale in one, kept
        assert str(asked[0].args.get("include_locale")).lower() in ("1", "true")


class TeamsLike(Channel):
    """A channel that, like Teams, cannot say a person's locale outside their own turn."""

    def locale_of(self, user_id: str) -> str | None:
        return None


def test_without_a_platform_locale_the_one_kept_from_the_person_s_last_turn_is_used(
    engine: Engine,
) -> None:
    """Teams gives a locale only on a person's own activities: the member row keeps it
    (dialogs' `remember`), and their reminders are written in it."""
    assert ZH is not None
    org = organisation(engine, None, "U-ZH", "U-NONE")
    with Session(engine) as session:
        member = session.exec(select(Member).where(Member.platform_user_id == "U-ZH")).one()
        remember(session, member, Person("U-ZH", frozenset({"acme"}), locale="zh-CN"))
        session.commit()
    add(engine, org, nudge("U-ZH"), nudge("U-NONE"))
    channel = TeamsLike({})
    assert tick(engine, BANK, {"slack": channel}, lambda: MONDAY_TEN).sent == 2
    assert channel.sent["U-ZH"][0].heading == nudge_heading(ZH)
    assert channel.sent["U-NONE"][0].heading == nudge_heading(english())
