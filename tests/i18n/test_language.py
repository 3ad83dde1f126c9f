"""Which language a tag finds, which one is active, and figures written in it."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from iso20k_core import figures as fig
from iso20k_core.language import _, active, english, language_for, resolve, using

ZH = language_for("zh-CN")


@pytest.mark.parametrize("tag", ["zh-CN", "zh_CN", "zh-Hans", "zh-Hans-CN", "zh", "zh-SG"])
def test_simplified_chinese_is_found_from_every_way_of_writing_it(tag: str) -> None:
    found = language_for(tag)
    assert found is not None and found.tag == "zh-CN"


@pytest.mark.parametrize("tag", ["zh-TW", "zh-Hant", "zh-HK", "ja-JP", "xx", "", "  ", None, "!!"])
def test_a_language_without_a_catalog_is_not_found(tag: str | None) -> None:
    assert language_for(tag) is None


def test_english_from_any_english_locale() -> None:
    for tag in ("en", "en-US", "en-GB", "en_AU"):
        assert language_for(tag) == english()


def test_resolve_takes_the_first_tag_there_is_a_catalog_for() -> None:
    assert resolve("ja-JP", None, "zh-CN", "en") == ZH
    assert resolve("ja-JP", "zh-TW") == english()
    assert resolve() == english()


def test_using_is_scoped_and_nests() -> None:
    assert ZH is not None
    assert active() == english()
    with using(ZH):
        assert active() == ZH
        with using(english()):
            assert active() == english()
        assert active() == ZH
    assert active() == english()


def test_each_thread_keeps_its_own_language() -> None:
    assert ZH is not None
    seen: list[str] = []
    inside = threading.Event()
    done = threading.Event()

    def other() -> None:
        inside.wait(timeout=30)
        seen.append(active().tag)
        done.set()

    thread = threading.Thread(target=other)
    thread.start()
    with using(ZH):
        inside.set()
        assert done.wait(timeout=30)
    thread.join(timeout=30)
    assert seen == ["en"]


def test_figures_follow_the_active_language() -> None:
    assert ZH is not None
    day = dt.date(2027, 3, 15)
    assert fig.money(128000, "CNY") == "128,000 CNY"
    assert fig.date(day) == "2027-03-15"
    assert fig.percent(34.6) == "34.6 %"
    with using(ZH):
        assert fig.money(128000, "CNY") == "¥128,000"
        assert fig.money(-5, "CNY") == "-¥5"
        assert fig.date(day) == "2027年3月15日"
        assert fig.percent(34.6) == "34.6%"
        assert fig.count(1234) == "1,234"
        assert fig.number(2.5) == "2.5"
        assert fig.money_range(22800, 19200, 31200, "CNY") == "¥22,800（19,200–31,200）"
        assert fig.needed(["auditor_day_rate"]) == "需要费率：auditor_day_rate"
        assert fig.rate(1600, "GBP") == "£1,600"
        assert fig.rate(1250.75, "EUR") == "€1,250.75"
        assert fig.rate(0.00001, "EUR") == "1e-05 EUR"  # never written as 0
    assert fig.date(None) == "—"
    assert fig.rate(1250.75, "EUR") == "1,250.75 EUR"


def test_a_message_is_formatted_with_its_named_placeholders() -> None:
    assert ZH is not None
    with using(ZH):
        assert _("{amount} ({low}–{high})", amount="a", low="b", high="c") == "a（b–c）"
    assert _("not in any catalog {x}", x=1) == "not in any catalog 1"
