import datetime as dt

from iso20k_core.calendar import BusinessCalendar

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
