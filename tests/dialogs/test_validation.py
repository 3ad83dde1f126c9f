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


def test_every_field_is_checked_and_every_error_named() -> None:
    form = Form(kind="t", title="T", items=(COUNT, FTE, LEVEL, CERTS, START))
    _, errors = validate(
        form,
        {"persons": "-3", "fte": "lots", "level": "7", "certs": ["a", "z"], "start": "2026-01-01"},
    )
    assert set(errors) == {"persons", "fte", "level", "certs", "start"}
    assert errors["persons"] == "Enter at least 1."
    assert errors["fte"] == "Enter a number, not 'lots'."
    assert errors["start"] == "Choose a date from 2026-11-25 on."
    assert "z" in errors["certs"]


def test_clean_values_are_typed() -> None:
    form = Form(kind="t", title="T", items=(COUNT, FTE, LEVEL, CERTS, START))
    clean, errors = validate(
        form, {"persons": " 40 ", "fte": "2.5", "level": "1", "certs": ["b", "a"], "start": ""}
    )
    assert errors == {}
    assert clean == {"persons": 40, "fte": 2.5, "level": "1", "certs": ("a", "b"), "start": None}


def test_required_fields_must_be_filled() -> None:
    with pytest.raises(ValueError, match="Please fill this in"):
        clean_value(COUNT, "  ")
    assert clean_value(CERTS, None) == ()


def test_absurd_numbers_are_refused() -> None:
    for bad in ("1e309", "nan", "2.5", "1001"):
        with pytest.raises(ValueError):
            clean_value(COUNT, bad)


@given(st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_numbers_are_accepted_exactly_within_bounds(value: float) -> None:
    inside = 0.1 <= value <= 50
    try:
        result = clean_value(FTE, repr(value))
    except ValueError:
        assert not inside
    else:
        assert inside and result == float(repr(value))
