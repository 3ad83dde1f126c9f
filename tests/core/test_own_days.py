"""The organisation's own days off and working days, on top of its country's calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iso20k_core.calendar import BusinessCalendar, calendar_of, calendar_of_stored
from iso20k_core.errors import InputError
from iso20k_core.evaluate import evaluate
from iso20k_core.inputs import parse_profile
from tests.core.helpers import TODAY, all_at, profile
from tests.core.test_properties import PROPERTY

# Germany, December 2027: Christmas Day and Boxing Day fall on a Saturday and a Sunday.
CLOSURE = tuple(dt.date(2027, 12, d) for d in (27, 28, 29, 30, 31))  # Monday to Friday
WORKED_SATURDAY = dt.date(2027, 3, 13)


def test_own_days_off_close_and_own_working_days_open() -> None:
    cal = BusinessCalendar("DE", days_off=CLOSURE, working_days=(WORKED_SATURDAY,))
    assert cal.closed_because(dt.date(2027, 12, 28)) == "a day off of the organisation"
    assert cal.is_business_day(WORKED_SATURDAY)
    assert cal.closed_because(dt.date(2027, 3, 20)) == "a Saturday"  # the next one is not
    # 2027-12-23 (Thursday) + 1 business day: Friday 24th; + 2: past the closure and New
    # Year's Day (a Saturday) to Monday 2028-01-03.
    assert cal.add(dt.date(2027, 12, 23), 2) == dt.date(2028, 1, 3)
    assert BusinessCalendar("DE").add(dt.date(2027, 12, 23), 2) == dt.date(2027, 12, 27)
    # Five weekdays fewer in December 2027; one Saturday more in March.
    plain = BusinessCalendar("DE")
    december = (dt.date(2027, 12, 1), dt.date(2027, 12, 31))
    assert cal.count(*december) == plain.count(*december) - 5
    march = (dt.date(2027, 3, 1), dt.date(2027, 3, 31))
    assert cal.count(*march) == plain.count(*march) + 1


def test_ms_project_exceptions_carry_the_own_days() -> None:
    cal = BusinessCalendar("DE", days_off=CLOSURE, working_days=(WORKED_SATURDAY,))
    year = (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert set(CLOSURE) <= set(cal.holidays_between(*year))
    assert cal.worked_weekend_days_between(*year) == [WORKED_SATURDAY]
    # A public holiday the organisation works is no exception any more: Easter Monday.
    open_easter = BusinessCalendar("DE", working_days=(dt.date(2027, 3, 29),))
    assert dt.date(2027, 3, 29) not in open_easter.holidays_between(*year)
    assert open_easter.is_business_day(dt.date(2027, 3, 29))


def test_the_plan_counts_with_the_own_days_and_carries_them() -> None:
    # A closure of five weekdays inside the plan: the same business days of work, each stage
    # after it five weekdays later, and the plan says so in its calendar.
    base = evaluate(profile(), all_at(1), TODAY).plan
    assert base.start < CLOSURE[0] < base.certification_date
    closed = evaluate(profile(days_off=CLOSURE), all_at(1), TODAY).plan
    assert closed.business_days == base.business_days
    assert closed.certification_date > base.certification_date
    assert closed.days_off == CLOSURE
    assert "5 own days off" in closed.calendar
    assert calendar_of(closed).closed_because(CLOSURE[0]) == "a day off of the organisation"
    # The start is a day off: the plan starts on the next business day.
    first = profile().start_date
    assert first is not None
    late = evaluate(profile(days_off=(first,)), all_at(1), TODAY).plan
    assert late.start == BusinessCalendar("DE").next_after(first)


def test_the_profile_checks_the_own_days_and_names_the_field() -> None:
    p = profile(days_off=["2027-12-31", "2027-12-27", "2027-12-27"])
    assert p.days_off == (dt.date(2027, 12, 27), dt.date(2027, 12, 31))  # sorted, once each
    with pytest.raises(InputError) as both:
        parse_profile({**_raw(), "days_off": ["2027-12-27"], "working_days": ["2027-12-27"]})
    assert "working_days" in str(both.value)
    assert "also among days_off" in str(both.value)
    with pytest.raises(InputError) as early:
        parse_profile({**_raw(), "days_off": ["1999-12-31"]})
    assert "days_off" in str(early.value)
    with pytest.raises(InputError) as junk:
        parse_profile({**_raw(), "working_days": ["next Saturday"]})
    assert "working_days" in str(junk.value)


def test_a_stored_profile_gives_the_same_calendar() -> None:
    p = profile(days_off=CLOSURE, working_days=(WORKED_SATURDAY,))
    stored = calendar_of_stored(p.model_dump(mode="json"))
    assert (stored.country, stored.days_off, stored.working_days) == (
        "DE",
        frozenset(CLOSURE),
        frozenset({WORKED_SATURDAY}),
    )
    assert calendar_of_stored(None).country is None


@PROPERTY
@given(
    off=st.lists(
        st.dates(min_value=dt.date(2027, 1, 11), max_value=dt.date(2029, 12, 31)), max_size=20
    )
)
def test_days_off_never_bring_certification_earlier(off: list[dt.date]) -> None:
    base = evaluate(profile(), all_at(2), TODAY).plan
    closed = evaluate(profile(days_off=off), all_at(2), TODAY).plan
    assert closed.certification_date >= base.certification_date
    assert closed.business_days == base.business_days


def _raw() -> dict[str, object]:
    return profile().model_dump(mode="json")
