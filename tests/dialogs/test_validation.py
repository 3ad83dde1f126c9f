import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dialogs.model import Field, Form, Option
from bot.dialogs.validation import clean_value, validate

COUNT = Field("persons", "Persons", "number", minimum=1, maximum=1000, integer=True)
FTE = Field("fte", "FTE", "number", minimum=0.1, maximum=50)
LEVEL = Field("level", "Level", "choice", options=(Option("0", "0"), Option("1", "1")))
CERTS = Field(
    "certs", "Certs", "multi_choice", required=False, options=(Option("a", "A"), Option("b", "B"))
)
START = Field("start", "Start", "date", not_before=dt.date(2026, 11, 25), required=False)
TODAY = dt.date(2026, 11, 25)


def test_every_field_is_checked_and_every_error_named() -> None:
    form = Form(kind="t", title="T", items=(COUNT, FTE, LEVEL, CERTS, START))
    _, errors = validate(
        form,
        {"persons": "-3", "fte": "lots", "level": "7", "certs": ["a", "z"], "start": "2026-01-01"},
        TODAY,
    )
    assert set(errors) == {"persons", "fte", "level", "certs", "start"}
    assert errors["persons"] == "Enter at least 1."
    assert errors["fte"] == "Enter a number, not 'lots'."
    assert errors["start"] == "Choose a date from 2026-11-25 on."
    assert "z" in errors["certs"]


def test_clean_values_are_typed() -> None:
    form = Form(kind="t", title="T", items=(COUNT, FTE, LEVEL, CERTS, START))
    clean, errors = validate(
        form,
        {"persons": " 40 ", "fte": "2.5", "level": "1", "certs": ["b", "a"], "start": ""},
        TODAY,
    )
    assert errors == {}
    assert clean == {"persons": 40, "fte": 2.5, "level": "1", "certs": ("a", "b"), "start": None}


def test_required_fields_must_be_filled() -> None:
    with pytest.raises(ValueError, match="Please fill this in"):
        clean_value(COUNT, "  ", TODAY)
    assert clean_value(CERTS, None, TODAY) == ()


def test_absurd_numbers_are_refused() -> None:
    for bad in ("1e309", "nan", "2.5", "1001"):
        with pytest.raises(ValueError):
            clean_value(COUNT, bad, TODAY)


@given(st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_numbers_are_accepted_exactly_within_bounds(value: float) -> None:
    inside = 0.1 <= value <= 50
    try:
        result = clean_value(FTE, repr(value), TODAY)
    except ValueError:
        assert not inside
    else:
        assert inside and result == float(repr(value))


NAME = Field("name", "Name", "text", max_length=200)
NOTES = Field("notes", "Notes", "text", multiline=True, required=False)
COUNTRY = Field(
    "country",
    "Country",
    "choice",
    options=(Option("CN", "China (CN)", "A–G"), Option("DE", "Germany (DE)", "A–G")),
    lookup="country",
)


def test_full_width_digits_are_numbers() -> None:
    assert clean_value(COUNT, "４０", TODAY) == 40
    assert clean_value(FTE, "２．５", TODAY) == 2.5


def test_declared_limits_hold_on_the_server_whatever_the_client_sent() -> None:
    assert clean_value(NAME, "x" * 200, TODAY) == "x" * 200
    with pytest.raises(ValueError, match="Keep it to 200 characters; this has 1,000,000"):
        clean_value(NAME, "x" * 1_000_000, TODAY)
    with pytest.raises(ValueError, match="Keep it to 3,000 characters"):
        clean_value(NOTES, "y" * 5_000_000, TODAY)


def test_control_characters_are_refused_but_lines_kept_where_text_may_span_lines() -> None:
    with pytest.raises(ValueError, match=r"U\+0000"):
        clean_value(NAME, "Acme\x00", TODAY)
    with pytest.raises(ValueError, match="line break"):
        clean_value(NAME, "two\nlines", TODAY)
    assert clean_value(NOTES, "two\r\nlines", TODAY) == "two\nlines"


@pytest.mark.parametrize("text", ["9999-06-01", "1999-12-31", "2036-11-26"])
def test_dates_outside_the_horizon_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="from 2000-01-01 to 2036-11-25"):
        clean_value(Field("d", "D", "date"), text, TODAY)


@pytest.mark.parametrize("text", ["20270315", "2027-W11-1", "2027-074", "15/03/2027"])
def test_only_yyyy_mm_dd_is_read_as_a_date(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        clean_value(Field("d", "D", "date"), text, TODAY)


def test_a_lookup_takes_names_and_suggests_codes() -> None:
    assert clean_value(COUNTRY, "CN", TODAY) == "CN"
    assert clean_value(COUNTRY, "中国", TODAY) == "CN"
    assert clean_value(COUNTRY, "germany (de)", TODAY) == "DE"
    with pytest.raises(ValueError, match="did you mean"):
        clean_value(COUNTRY, "Chna", TODAY)


def test_long_lists_come_in_groups_of_at_most_a_hundred() -> None:
    many = tuple(Option(str(n), f"Option {n}", f"G{n // 100}") for n in range(450))
    assert len(Field("f", "F", "choice", options=many).options) == 450
    with pytest.raises(ValueError, match="1 to 100 options"):
        Field("f", "F", "choice", options=tuple(Option(o.value, o.label) for o in many))
    with pytest.raises(ValueError, match="groups of 100"):
        Field("f", "F", "choice", options=tuple(Option(o.value, o.label, "one") for o in many))


@given(st.text(max_size=50))
def test_any_typed_text_is_refused_with_a_sentence_or_stored_clean(text: str) -> None:
    for field in (NAME, NOTES, COUNT, Field("d", "D", "date", required=False)):
        try:
            value = clean_value(field, text, TODAY)
        except ValueError as exc:
            assert str(exc)[:1].isupper() or str(exc)[:1] == "'"
        else:
            if isinstance(value, str):
                assert "\x00" not in value and len(value) <= field.max_length
