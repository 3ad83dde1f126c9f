"""Slack in Simplified Chinese, end to end: who reads which language.

A person whose `users.info` locale is zh-CN sets up, answers a page, meets an inline error,
asks for the status and opens the Home tab, all in Chinese, checked on what the fake Slack
receives. A person whose locale is English reads English in an organisation whose language
is Chinese; a person whose platform gives no locale reads the organisation's language.

Expected texts are the catalog's, evaluated under `using(zh)` (`zh(...)`), so a reworded
translation does not break the test. Assertions marked "dialogs" hold once the dialogs'
own texts are translated (another branch); those marked "plumbing" hold now.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, select

from bot.slack.blocks import progress_text
from bot.store.models import Organisation
from iso20k_core.language import _, _p, language_for, using
from tests.e2e.harness import SlackWorld, block_text, start_world, stop_world
from tests.e2e.test_slack_assessment import answer_everything
from tests.e2e.test_slack_basics import date, number, setup_values

ZH = language_for("zh-CN")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Three or more English words in a row: a sentence left untranslated.
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}(?: [a-z]{2,}){2,}\b")


def zh(message: str, **params: object) -> str:
    assert ZH is not None
    with using(ZH):
        return _(message, **params)


def zh_p(context: str, message: str) -> str:
    assert ZH is not None
    with using(ZH):
        return _p(context, message)


def progress_in_chinese(text: str) -> bool:
    """Whether `text` holds a progress bar as the catalog writes it in Chinese."""
    assert ZH is not None
    with using(ZH):
        shown = _("`{bar}` {done} of {total}", bar="BAR", done="DONE", total="TOTAL")
    pattern = re.escape(shown).replace("BAR", "[█░]+").replace("DONE", r"\d+")
    return re.search(pattern.replace("TOTAL", r"\d+"), text) is not None


@pytest.fixture
def world(tmp_path: Path) -> Iterator[SlackWorld]:
    w = start_world(tmp_path)  # SQLite: the language does not depend on the database
    try:
        yield w
        w.check_all()
    finally:
        stop_world(w)


def set_organisation_language(world: SlackWorld, tag: str) -> None:
    with Session(world.engine) as session:
        org = session.exec(select(Organisation)).one()
        assert org.profile is not None
        org.profile = {**org.profile, "language": tag}
        flag_modified(org, "profile")
        session.add(org)
        session.commit()


def test_a_chinese_reader_sets_up_answers_and_asks_status_in_chinese(world: SlackWorld) -> None:
    world.slack.set_user("U1", locale="zh-CN", team_id="T1")
    world.command("setup")
    setup = world.opened_view()
    # plumbing: the modal's own buttons
    assert setup["close"]["text"] == zh_p("button", "Cancel")
    # dialogs: the form's title and labels
    assert CJK.search(setup["title"]["text"]), setup["title"]
    assert CJK.search(block_text(setup["blocks"]))

    # An inline error, in Chinese (dialogs: the validation's sentences).
    bad = world.submit(setup, setup_values(persons_in_scope=number("-5"), it_staff=number("")))
    errors = bad.json()["errors"]
    assert set(errors) == {"persons_in_scope", "it_staff"}
    assert all(CJK.search(e) for e in errors.values()), errors

    assert world.submit(setup, setup_values(start_date=date("2027-01-11"))).text == ""
    saved = world.last("chat.postMessage")  # the profile saved, in the direct messages
    assert CJK.search(block_text(saved.args["blocks"]))  # dialogs

    # A page of the assessment: the next page comes back in the same language.
    world.command("assess resolution")
    first = world.opened_view(2)
    assert first["close"]["text"] == zh_p("button", "Cancel")  # plumbing
    page_two = world.submit(first, answer_everything(first)).json()
    assert page_two["response_action"] == "update"
    second = page_two["view"]
    assert progress_in_chinese(block_text(second["blocks"][:1]))  # plumbing
    assert second["close"]["text"] == zh_p("button", "Cancel")
    assert CJK.search(second["title"]["text"])  # dialogs

    # The status: made and rendered in the reader's language (plumbing: its progress bar and
    # its money as Chinese readers write them), its sentences and dates Chinese (dialogs).
    world.command("status")
    status = block_text(world.last("response_url").args["blocks"])
    assert progress_in_chinese(status), status  # plumbing
    assert re.search(r"€[\d,]+（", status), status  # plumbing: CLDR money, full-width bracket
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", status), status  # dialogs (fig.date)
    assert not ENGLISH_RUN.search(status), ENGLISH_RUN.findall(status)  # dialogs

    # The Home tab, in the viewer's language.
    world.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"})
    home = block_text(world.last("views.publish").json("view")["blocks"])
    assert progress_in_chinese(home), home  # plumbing
    assert not ENGLISH_RUN.search(home), ENGLISH_RUN.findall(home)  # dialogs


def test_an_english_reader_in_a_chinese_organisation_reads_english(world: SlackWorld) -> None:
    world.slack.set_user("U1", locale="zh-CN", team_id="T1")
    world.command("setup")
    assert world.submit(world.opened_view(), setup_values()).text == ""
    set_organisation_language(world, "zh-CN")
    world.slack.set_user("U2", locale="en-US", team_id="T1")
    world.command("status", user="U2")
    status = block_text(world.last("response_url").args["blocks"])
    assert not CJK.search(status), status
    assert progress_text(0, 157) in status  # "0 of 157", as English always had it


def test_a_reader_without_a_locale_reads_the_organisation_s_language(world: SlackWorld) -> None:
    world.command("setup")  # U1: the fake's default locale, en-US
    assert world.submit(world.opened_view(), setup_values()).text == ""
    set_organisation_language(world, "zh-CN")
    world.slack.set_user("U3", locale="", team_id="T1")  # Slack gives no locale
    world.command("status", user="U3")
    status = block_text(world.last("response_url").args["blocks"])
    assert progress_in_chinese(status), status  # plumbing: the reply rendered in Chinese
    assert not ENGLISH_RUN.search(status), ENGLISH_RUN.findall(status)  # dialogs
