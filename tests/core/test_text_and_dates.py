"""The shared rules for typed text and dates (iso20k_core.text, iso20k_core.dates)."""

import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iso20k_core.dates import DateError, check_horizon, latest, parse_iso_date
from iso20k_core.text import TextError, clean_text
from tests.core.helpers import examples

TODAY = dt.date(2026, 12, 1)


def test_full_width_input_from_a_chinese_keyboard_becomes_ascii() -> None:
    assert clean_text("１２０") == "120"
    assert clean_text("ＣＮ") == "CN"
    assert clean_text("  深圳市信息技术有限公司  ") == "深圳市信息技术有限公司"


def test_control_characters_are_refused_with_their_code_point() -> None:
    with pytest.raises(TextError, match=r"U\+0000"):
        clean_text("Acme\x00 Ltd")
    with pytest.raises(TextError, match="line break"):
        clean_text("two\nlines")
    assert clean_text("two\r\nlines", multiline=True) == "two\nlines"
    assert clean_text("old\rMac", multiline=True) == "old\nMac"  # a lone CR too
    with pytest.raises(TextError, match=r"U\+0000"):  # after an allowed line break
        clean_text("two\nlines\x00", multiline=True)
    with pytest.raises(TextError, match=r"U\+E000"):
        clean_text("private \ue000 use")


def test_the_limit_counts_what_is_stored() -> None:
    assert clean_text("x" * 3000) == "x" * 3000
    with pytest.raises(TextError, match="3,000 characters; this has 3,001"):
        clean_text("x" * 3001)
    # NFKC expands U+FDFA to 18 characters: the expanded text is what counts.
    with pytest.raises(TextError):
        clean_text("\ufdfa", limit=5)


def test_new_emoji_and_joiners_are_kept() -> None:
    assert clean_text("👩‍💻 team") == "👩‍💻 team"


@settings(max_examples=examples(100))
@given(st.text())
def test_any_text_is_either_refused_clearly_or_clean(value: str) -> None:
    try:
        text = clean_text(value, multiline=True)
    except TextError as exc:
        assert str(exc).startswith(("Remove", "Keep it to"))
        return
    assert len(text) <= 3000
    assert text == unicodedata.normalize("NFKC", text) or "\n" in value or "\r" in value
    assert all(unicodedata.category(c) != "Cc" or c in "\n\t" for c in text)


def test_only_yyyy_mm_dd_is_a_date() -> None:
    assert parse_iso_date(" 2027-03-15 ") == dt.date(2027, 3, 15)
    for text in ("20270315", "2027-W11-1", "2027-074", "15.03.2027", "2027-3-15", ""):
        with pytest.raises(DateError, match="YYYY-MM-DD"):
            parse_iso_date(text)
    with pytest.raises(DateError, match="not a date in the calendar"):
        parse_iso_date("2026-02-30")


def test_the_horizon_runs_from_2000_to_ten_years_ahead() -> None:
    assert latest(TODAY) == dt.date(2036, 12, 1)
    assert latest(dt.date(2028, 2, 29)) == dt.date(2038, 2, 28)
    assert check_horizon(dt.date(2000, 1, 1), TODAY) == dt.date(2000, 1, 1)
    assert check_horizon(dt.date(2036, 12, 1), TODAY) == dt.date(2036, 12, 1)
    for day in (dt.date(1999, 12, 31), dt.date(2036, 12, 2), dt.date(9999, 6, 1)):
        with pytest.raises(DateError, match="from 2000-01-01 to 2036-12-01"):
            check_horizon(day, TODAY)


def test_unicode_line_separators_are_line_breaks() -> None:
    with pytest.raises(TextError, match="line break"):
        clean_text("Acme\u2028Ltd")
    assert clean_text("one\u2029two", multiline=True) == "one\ntwo"
    assert clean_text("one\u2028two", multiline=True) == "one\ntwo"


@pytest.mark.parametrize(
    "char", ["\ufdd0", "\ufdef", "\ufffe", "\uffff", "\U0001fffe", "\U0010ffff"]
)
def test_non_characters_are_refused(char: str) -> None:
    with pytest.raises(TextError) as caught:
        clean_text(f"a{char}b")
    assert str(caught.value) == (
        f"Remove an unprintable character (U+{ord(char):04X}); it cannot be stored or shown."
    )


@pytest.mark.parametrize("char", ["\ufdcf", "\ufffd", "\U0001fffd", "😀"])
def test_characters_next_to_them_are_kept(char: str) -> None:
    assert clean_text(f"a{char}b") == unicodedata.normalize("NFKC", f"a{char}b")


def test_the_words_of_each_refusal() -> None:
    with pytest.raises(TextError) as caught:
        clean_text("one\ttwo")
    assert str(caught.value) == (
        "Remove a line break or tab character (U+0009); it cannot be stored or shown."
    )
    assert clean_text(" one\ttwo ", multiline=True) == "one\ttwo"
    with pytest.raises(TextError) as caught:
        clean_text("x" * 201, limit=200)
    assert str(caught.value) == "Keep it to 200 characters; this has 201."
    assert clean_text("  Ｍüller  ") == "Müller"  # NFKC, then stripped
