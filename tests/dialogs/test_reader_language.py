"""Who reads which language: the person's own locale, else the organisation's language, else
the deployment's (ISO20K_LOCALE), else English; and what is kept is kept per language."""

from __future__ import annotations

import pytest

from bot.dialogs.context import Person, bank_for, organisation_language, reader_language
from bot.store.models import Organisation
from bot.web import _accepted
from iso20k_core.language import english, language_for, using
from iso20k_core.standard import load_bank

ZH = language_for("zh-CN")


def org(language: str | None) -> Organisation:
    profile = None if language is None else {"organisation": "Acme", "language": language}
    return Organisation(platform="slack", external_id="T1", name="Acme", profile=profile)


def person(locale: str | None) -> Person:
    return Person("U1", frozenset({"T1"}), locale=locale)


@pytest.mark.parametrize(
    ("own", "organisation", "deployment", "reads"),
    [
        ("zh-CN", None, None, "zh-CN"),
        ("zh-Hans", "en", None, "zh-CN"),
        ("en-US", "zh-CN", "zh-CN", "en"),  # their own wins over the organisation's
        (None, "zh-CN", None, "zh-CN"),
        ("", "zh-CN", None, "zh-CN"),
        ("fr-FR", "zh-CN", None, "zh-CN"),  # no catalog for French: the next one
        (None, None, "zh-CN", "zh-CN"),  # ISO20K_LOCALE, for whoever names none
        (None, None, None, "en"),
        ("zh-TW", None, None, "en"),  # Traditional Chinese is not Simplified
    ],
)
def test_who_reads_which_language(
    own: str | None, organisation: str | None, deployment: str | None, reads: str
) -> None:
    found = reader_language(person(own) if own is not None else None, org(organisation), deployment)
    assert found.tag == reads


def test_a_channel_reads_the_organisation_s_language() -> None:
    assert organisation_language(org("zh-CN"), None).tag == "zh-CN"
    assert organisation_language(org(None), "zh-CN").tag == "zh-CN"
    assert organisation_language(org(None), None).tag == "en"


def test_the_bank_a_step_reads_follows_its_language() -> None:
    assert ZH is not None
    bank = load_bank()
    assert bank_for(bank, english()) is bank
    with using(ZH):
        chinese = load_bank()
    assert bank_for(bank, ZH) is chinese  # the shipped bank as Chinese readers read it
    assert bank_for(chinese, english()) is bank
    assert [s.id for s in bank_for(bank, ZH).sections] == [s.id for s in bank.sections]


def test_a_browser_s_accept_language_in_order_of_preference() -> None:
    assert _accepted("en;q=0.5, zh-CN, zh;q=0.9") == ["zh-CN", "zh", "en"]
    assert _accepted("*, de;q=0") == []
    assert _accepted(None) == []
    assert _accepted("zh-CN;q=nonsense, en") == ["en"]
