import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from iso20k_core.calendar import BusinessCalendar
from tests.core.helpers import examples

D = dt.date


def test_weekends_only_without_a_country() -> None:
    cal = BusinessCalendar()
    assert cal.is_business_day(D(2027, 1, 1))  # a Friday; no holidays without a country
    assert not cal.is_business_day(D(2027, 1, 2))
    assert cal.add(D(2027, 1, 1), 1) == D(2027, 1, 4)


def test_german_public_holidays_are_skipped() -> None:
    cal = BusinessCalendar("DE")
    assert not cal.is_business_day(D(2027, 1, 1))  # New Year
    assert not cal.is_business_day(D(2027, 3, 29))  # Easter Monday 2027
    assert cal.on_or_after(D(2026, 12, 24)) == D(2026, 12, 24)
    assert cal.next_after(D(2026, 12, 24)) == D(2026, 12, 28)  # 25th, 26th, weekend
    assert cal.count(D(2027, 3, 22), D(2027, 4, 2)) == 8  # Good Friday and Easter Monday out


def test_spans_are_inverse_of_each_other() -> None:
    cal = BusinessCalendar("GB")
    start = D(2027, 12, 20)
    for days in (1, 5, 23, 130):
        end = cal.span_end(start, days)
        assert cal.span_start(end, days) == start
        assert cal.count(start, end) == days


def test_country_weekend_comes_from_the_holidays_package() -> None:
    cal = BusinessCalendar("AE")  # Saturday and Sunday since 2022, per the package
    assert cal.describe().startswith("working days and public holidays of AE")


# --- the indexed calendar against the day-by-day definition -------------------------------

ONE_DAY = dt.timedelta(days=1)
# Weekends differ (AE, IL, SA), some holidays fall on weekends or are observed in the
# neighbouring year (US), some follow the lunar calendar (CN, IN).
COUNTRIES = (None, "DE", "GB", "US", "CN", "IN", "AE", "IL", "SA", "JP", "FR", "NL")


class SteppingCalendar:
    """The definition, one day at a time: what the index must answer exactly alike."""

    def __init__(self, country: str | None) -> None:
        self.inner = BusinessCalendar(country)

    def is_business_day(self, day: dt.date) -> bool:
        return self.inner.is_business_day(day)

    def on_or_after(self, day: dt.date) -> dt.date:
        while not self.is_business_day(day):
            day += ONE_DAY
        return day

    def on_or_before(self, day: dt.date) -> dt.date:
        while not self.is_business_day(day):
            day -= ONE_DAY
        return day

    def add(self, day: dt.date, count: int) -> dt.date:
        step = ONE_DAY if count >= 0 else -ONE_DAY
        for _ in range(abs(count)):
            day += step
            while not self.is_business_day(day):
                day += step
        return day

    def count(self, start: dt.date, end: dt.date) -> int:
        days, day = 0, start
        while day <= end:
            days += self.is_business_day(day)
            day += ONE_DAY
        return days

    def holidays_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        found, day = [], start
        while day <= end:
            if day.weekday() not in self.inner.weekend and not self.is_business_day(day):
                found.append(day)
            day += ONE_DAY
        return found


days = st.dates(D(2000, 1, 1), D(2045, 12, 31))


@settings(max_examples=examples(400), deadline=None)
@given(st.sampled_from(COUNTRIES), days, st.integers(-800, 800))
def test_indexed_steps_equal_stepping_one_day_at_a_time(
    country: str | None, day: dt.date, count: int
) -> None:
    cal, ref = BusinessCalendar(country), SteppingCalendar(country)
    assert cal.add(day, count) == ref.add(day, count)
    assert cal.on_or_after(day) == ref.on_or_after(day)
    assert cal.on_or_before(day) == ref.on_or_before(day)
    assert cal.next_after(day) == ref.on_or_after(day + ONE_DAY)
    assert cal.span_end(day, count) == ref.add(ref.on_or_after(day), max(count, 1) - 1)
    assert cal.span_start(day, count) == ref.add(ref.on_or_before(day), -(max(count, 1) - 1))


@settings(max_examples=examples(200), deadline=None)
@given(st.sampled_from(COUNTRIES), days, st.integers(-30, 900))
def test_indexed_counts_equal_counting_day_by_day(
    country: str | None, start: dt.date, length: int
) -> None:
    cal, ref = BusinessCalendar(country), SteppingCalendar(country)
    end = start + dt.timedelta(days=length)
    assert cal.count(start, end) == ref.count(start, end)
    assert cal.holidays_between(start, end) == ref.holidays_between(start, end)


def test_steps_cross_years_both_ways() -> None:
    cal = BusinessCalendar("DE")
    assert cal.add(D(2026, 12, 24), 1) == D(2026, 12, 28)  # 25th, 26th, weekend
    assert cal.add(D(2027, 1, 4), -1) == D(2026, 12, 31)
    assert cal.add(D(2026, 12, 31), 260 * 3) == SteppingCalendar("DE").add(D(2026, 12, 31), 780)
    assert cal.add(D(2027, 1, 2), 0) == D(2027, 1, 2)  # no step: the day itself, a Saturday


def test_why_a_day_is_no_business_day() -> None:
    """What a booking on a closed day is warned with (weekday names in English)."""
    assert BusinessCalendar("DE").closed_because(D(2027, 1, 1)) == "New Year's Day"
    assert BusinessCalendar("GB").closed_because(D(2026, 12, 25)) == "Christmas Day"
    assert BusinessCalendar("DE").closed_because(D(2027, 5, 1)) == "a Saturday"
    assert BusinessCalendar("DE").closed_because(D(2027, 1, 4)) is None
    assert BusinessCalendar().closed_because(D(2027, 1, 1)) is None  # no holidays without one
    assert BusinessCalendar().closed_because(D(2027, 1, 3)) == "a Sunday"
    assert BusinessCalendar("IL").closed_because(D(2027, 1, 1)) == "a Friday"


def test_the_calendar_says_what_it_counts() -> None:
    assert (
        BusinessCalendar().describe() == "Monday to Friday, no public holidays (no country given)"
    )
    assert BusinessCalendar("CN").describe() == (
        "working days and public holidays of CN, with the weekend days worked in exchange "
        "(holidays package)"
    )


def test_china_works_the_weekend_days_its_state_council_exchanges() -> None:
    """国务院办公厅关于2026年部分节假日安排的通知 (the State Council's 2026 holiday schedule,
    as the holidays package carries it): the Spring Festival runs 15-23 February 2026, and
    Saturday 14 February and Saturday 28 February are worked in exchange."""
    cal = BusinessCalendar("CN")
    assert cal.is_business_day(D(2026, 2, 14)) and cal.closed_because(D(2026, 2, 14)) is None
    assert cal.is_business_day(D(2026, 2, 28))
    for day in range(15, 24):  # the Spring Festival week, weekdays and weekend alike
        assert not cal.is_business_day(D(2026, 2, day)), day
    assert cal.closed_because(D(2026, 2, 21)) is not None
    # the worked Saturday counts as a step and in counts
    assert cal.add(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert cal.add(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert cal.count(D(2026, 2, 9), D(2026, 2, 28)) == 5 + 1 + 4 + 1  # 9-13, 14, 24-27, 28
    assert cal.worked_weekend_days_between(D(2026, 1, 1), D(2026, 12, 31))[:3] == [
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
    ]
    assert BusinessCalendar("DE").worked_weekend_days_between(D(2026, 1, 1), D(2026, 12, 31)) == []


def test_years_without_a_published_schedule_are_estimated() -> None:
    """China publishes each year's schedule in the autumn before; the package estimates the
    years after the last one it carries (2026 when this was written). Germany's holidays are
    fixed by law: never estimated."""
    estimated = BusinessCalendar("CN").estimated_years(D(2026, 1, 1), D(2030, 12, 31))
    assert 2026 not in estimated and 2030 in estimated
    assert estimated == tuple(range(estimated[0], 2031))  # from the first unpublished on
    assert BusinessCalendar("DE").estimated_years(D(2026, 1, 1), D(2030, 12, 31)) == ()
    assert BusinessCalendar().estimated_years(D(2026, 1, 1), D(2030, 12, 31)) == ()


def test_an_evaluation_says_which_years_holidays_are_estimated() -> None:
    from iso20k_core.evaluate import evaluate
    from iso20k_core.standard import load_bank
    from tests.core.helpers import TODAY, all_at, profile

    bank = load_bank()
    china = evaluate(profile(country="CN"), all_at(2, bank), TODAY, bank)
    estimated = BusinessCalendar("CN").estimated_years(
        china.plan.start, china.plan.certificate_expiry
    )
    assert estimated, "a plan from 2027 runs into years China has not published"
    listed = {a.key: a for a in china.assumptions}
    assert listed["public_holidays"].value == "estimated for " + ", ".join(map(str, estimated))
    assert "not yet published" in listed["public_holidays"].source
    assert "are estimated" in china.plan.calendar and str(estimated[-1]) in china.plan.calendar
    germany = evaluate(profile(country="DE"), all_at(2, bank), TODAY, bank)
    assert "public_holidays" not in {a.key for a in germany.assumptions}
    assert "estimated" not in germany.plan.calendar
