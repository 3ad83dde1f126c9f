"""A business-day calendar: weekends and public holidays of one country.

Public holidays come from the `holidays` package (maintained, per country and year, with the
country's own weekend days). Holiday sets are cached per (country, year): pure memoisation of
static data, which keeps an evaluation within its time budget.
"""

from __future__ import annotations

import datetime as dt
import functools

import holidays

ONE_DAY = dt.timedelta(days=1)
DEFAULT_WEEKEND = frozenset({5, 6})  # Saturday, Sunday


@functools.cache
def _holidays(country: str, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays(country, years=year))


@functools.cache
def _weekend(country: str | None) -> frozenset[int]:
    if country is None:
        return DEFAULT_WEEKEND
    return frozenset(holidays.country_holidays(country).weekend)


@functools.cache
def supported_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


class BusinessCalendar:
    """Business days of one country (weekends only when no country is given)."""

    def __init__(self, country: str | None = None) -> None:
        self.country = country
        self._weekend = _weekend(country)

    def describe(self) -> str:
        if self.country is None:
            return "Monday to Friday, no public holidays (no country given)"
        return f"working days and public holidays of {self.country} (holidays package)"

    def is_business_day(self, day: dt.date) -> bool:
        if day.weekday() in self._weekend:
            return False
        return self.country is None or day not in _holidays(self.country, day.year)

    def on_or_after(self, day: dt.date) -> dt.date:
        while not self.is_business_day(day):
            day += ONE_DAY
        return day

    def on_or_before(self, day: dt.date) -> dt.date:
        while not self.is_business_day(day):
            day -= ONE_DAY
        return day

    def next_after(self, day: dt.date) -> dt.date:
        return self.on_or_after(day + ONE_DAY)

    def add(self, day: dt.date, count: int) -> dt.date:
        """The business day `count` business days after `day` (before it when negative)."""
        step = ONE_DAY if count >= 0 else -ONE_DAY
        for _ in range(abs(count)):
            day += step
            while not self.is_business_day(day):
                day += step
        return day

    def span_end(self, start: dt.date, days: int) -> dt.date:
        """Last day of a span of `days` business days (at least one) starting at `start`."""
        return self.add(self.on_or_after(start), max(days, 1) - 1)

    def span_start(self, end: dt.date, days: int) -> dt.date:
        """First day of a span of `days` business days (at least one) ending at `end`."""
        return self.add(self.on_or_before(end), -(max(days, 1) - 1))

    def count(self, start: dt.date, end: dt.date) -> int:
        """Business days from `start` to `end`, both included."""
        days = 0
        day = start
        while day <= end:
            days += self.is_business_day(day)
            day += ONE_DAY
        return days
