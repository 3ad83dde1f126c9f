"""A business-day calendar: weekends and public holidays of one country, and the weekend days
worked in exchange.

Public holidays come from the `holidays` package (maintained, per country and year, with the
country's own weekend days). Some countries move working days around their holidays: China's
State Council publishes each year's schedule, in which Saturdays or Sundays next to a holiday
are worked (2026-02-14 and 2026-02-28 around the Spring Festival); the package lists them
(`weekend_workdays`), and they are business days here. A year whose official schedule is not
yet published is only estimated by the package (China: the years after its last decreed
schedule; elsewhere: holidays it names "estimated", such as Islamic holidays fixed by moon
sighting); `estimated_years` says which, so an evaluation can say so.

Every question the plan asks ("the 40th business day before this audit", "business days
from here to there") is answered from a per-year index: the sorted day numbers
(`date.toordinal()`) of that year's business days, built once per (country, year) and
searched with `bisect`. A step of n business days is then O(log n) within
a year plus one hop per year crossed, where stepping a day at a time was O(n) and two thirds
of an evaluation's time. The index is memoised static data, like the holiday sets it is built
from: nothing here reads a clock.

An organisation may add its own days off (a closure between the holidays) and its own working
days (a Saturday it works, a public holiday it stays open on): `BusinessCalendar(country,
days_off=..., working_days=...)`. They change only the years they fall in, and the plan
carries them (`Plan.days_off`, `Plan.working_days`) so that exports and reminders count the
same days (`calendar_of(plan)`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import holidays

from iso20k_core.results import Plan

if TYPE_CHECKING:  # profile.py needs no calendar; the calendar only reads a profile
    from iso20k_core.profile import Profile

ONE_DAY = dt.timedelta(days=1)
DEFAULT_WEEKEND = frozenset({5, 6})  # Saturday, Sunday
# Not strftime("%A"): that follows the process locale, and the engine's words are English.
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@functools.cache
def _official(country: str, year: int) -> holidays.HolidayBase:
    """The package's holidays of one country and year: built once, read for the holidays,
    the worked weekend days and whether the year is estimated."""
    return holidays.country_holidays(country, years=year)


@functools.cache
def _holidays(country: str, year: int) -> frozenset[dt.date]:
    return frozenset(_official(country, year))


@functools.cache
def _weekend_workdays(country: str, year: int) -> frozenset[dt.date]:
    """Saturdays and Sundays that are worked in `year` (China's exchanged days)."""
    days = _official(country, year).weekend_workdays
    return frozenset(day for day in days if day.year == year)


@functools.cache
def _exchanges_days(country: str) -> bool:
    """Whether the country works weekend days in exchange for holidays (seen in 2020-2030)."""
    return any(_weekend_workdays(country, year) for year in range(2020, 2031))


# Countries whose holidays are decreed year by year (the package's special holidays hold each
# published year); elsewhere the rules of the law fix them, years ahead.
DECREED = frozenset({"CN"})


@functools.cache
def _estimated(country: str, year: int) -> bool:
    found = _official(country, year)
    if country in DECREED:
        decreed = getattr(found, "special_public_holidays", None) or {}
        return not decreed or year > max(decreed)
    return any("estimated" in str(name).lower() for name in found.values())


@functools.cache
def _weekend(country: str | None) -> frozenset[int]:
    if country is None:
        return DEFAULT_WEEKEND
    return frozenset(holidays.country_holidays(country).weekend)


@functools.cache
def supported_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


@functools.cache
def _business_days(country: str | None, year: int) -> tuple[int, ...]:
    """The ordinals of `year`'s business days, ascending."""
    weekend = _weekend(country)
    closed = _holidays(country, year) if country is not None else frozenset()
    worked = {d.toordinal() for d in _weekend_workdays(country, year)} if country else set()
    first = dt.date(year, 1, 1).toordinal()
    last = dt.date(year, 12, 31).toordinal()
    days = tuple(
        n
        for n in range(first, last + 1)
        if ((n + 6) % 7 not in weekend or n in worked)  # fromordinal(1) is a Monday
        and (not closed or dt.date.fromordinal(n) not in closed)
    )
    if not days:  # no country has a year without a working day; a step would never end
        raise ValueError(f"no business days in {year} for {country or 'the default weekend'}")
    return days


def _own_year(
    base: tuple[int, ...], year: int, off: frozenset[dt.date], worked: frozenset[dt.date]
) -> tuple[int, ...]:
    """A year's business days with the organisation's own days off and working days."""
    closed = {d.toordinal() for d in off if d.year == year}
    opened = {d.toordinal() for d in worked if d.year == year}
    days = tuple(sorted((set(base) - closed) | opened))
    if not days:
        raise ValueError(f"no business days left in {year} after the organisation's days off")
    return days


class BusinessCalendar:
    """Business days of one country (weekends only when no country is given), with the
    organisation's own days off and working days."""

    def __init__(
        self,
        country: str | None = None,
        days_off: tuple[dt.date, ...] | frozenset[dt.date] = (),
        working_days: tuple[dt.date, ...] | frozenset[dt.date] = (),
    ) -> None:
        self.country = country
        self.weekend = _weekend(country)
        # A day in both lists is worked: the later decision to open wins.
        self.days_off = frozenset(days_off) - frozenset(working_days)
        self.working_days = frozenset(working_days)
        self._own: dict[int, tuple[int, ...]] = {}
        self._own_years = {d.year for d in self.days_off | self.working_days}

    def describe(self) -> str:
        own = []
        if self.days_off:
            own.append(
                f"{len(self.days_off)} own {'day' if len(self.days_off) == 1 else 'days'} off"
            )
        if self.working_days:
            n = len(self.working_days)
            own.append(f"{n} own working {'day' if n == 1 else 'days'}")
        return self._describe_country() + (f"; the organisation's {', '.join(own)}" if own else "")

    def _describe_country(self) -> str:
        if self.country is None:
            return "Monday to Friday, no public holidays (no country given)"
        if not _exchanges_days(self.country):
            return f"working days and public holidays of {self.country} (holidays package)"
        return (
            f"working days and public holidays of {self.country}, with the weekend days worked "
            "in exchange (holidays package)"
        )

    def estimated_years(self, start: dt.date, end: dt.date) -> tuple[int, ...]:
        """The years from `start` to `end` whose public holidays are only estimated: the
        official schedule is not yet published."""
        if self.country is None:
            return ()
        return tuple(y for y in range(start.year, end.year + 1) if _estimated(self.country, y))

    def _year(self, year: int) -> tuple[int, ...]:
        if year not in self._own_years:
            return _business_days(self.country, year)
        days = self._own.get(year)
        if days is None:
            base = _business_days(self.country, year)
            days = self._own[year] = _own_year(base, year, self.days_off, self.working_days)
        return days

    def closed_because(self, day: dt.date) -> str | None:
        """Why `day` is no business day (`"a Saturday"`, `"Labour Day"`), or None."""
        if day in self.working_days:
            return None
        if day in self.days_off:
            return "a day off of the organisation"
        worked = self.country is not None and day in _weekend_workdays(self.country, day.year)
        if day.weekday() in self.weekend and not worked:
            return f"a {_DAY_NAMES[day.weekday()]}"
        if self.country is None or day not in _holidays(self.country, day.year):
            return None
        return str(_official(self.country, day.year).get(day))

    def is_business_day(self, day: dt.date) -> bool:
        return self.closed_because(day) is None

    def on_or_after(self, day: dt.date) -> dt.date:
        return self._forward(day.year, bisect.bisect_left(self._year(day.year), day.toordinal()))

    def on_or_before(self, day: dt.date) -> dt.date:
        index = bisect.bisect_right(self._year(day.year), day.toordinal()) - 1
        return self._backward(day.year, index)

    def next_after(self, day: dt.date) -> dt.date:
        return self.on_or_after(day + ONE_DAY)

    def add(self, day: dt.date, count: int) -> dt.date:
        """The business day `count` business days after `day` (before it when negative);
        `day` itself when `count` is 0, business day or not."""
        if count == 0:
            return day
        days = self._year(day.year)
        if count > 0:  # the count-th business day strictly after `day`
            return self._forward(day.year, bisect.bisect_right(days, day.toordinal()) + count - 1)
        return self._backward(day.year, bisect.bisect_left(days, day.toordinal()) + count)

    def _forward(self, year: int, index: int) -> dt.date:
        """The business day at `index` of `year`'s list, counting on into later years."""
        days = self._year(year)
        while index >= len(days):
            index -= len(days)
            year += 1
            days = self._year(year)
        return dt.date.fromordinal(days[index])

    def _backward(self, year: int, index: int) -> dt.date:
        """The business day at `index` (negative: before the year) of `year`'s list."""
        days = self._year(year)
        while index < 0:
            year -= 1
            days = self._year(year)
            index += len(days)
        return dt.date.fromordinal(days[index])

    def span_end(self, start: dt.date, days: int) -> dt.date:
        """Last day of a span of `days` business days (at least one) starting at `start`."""
        return self.add(self.on_or_after(start), max(days, 1) - 1)

    def span_start(self, end: dt.date, days: int) -> dt.date:
        """First day of a span of `days` business days (at least one) ending at `end`."""
        return self.add(self.on_or_before(end), -(max(days, 1) - 1))

    def count(self, start: dt.date, end: dt.date) -> int:
        """Business days from `start` to `end`, both included."""
        if end < start:
            return 0
        total = 0
        for year in range(start.year, end.year + 1):
            days = self._year(year)
            low = bisect.bisect_left(days, start.toordinal()) if year == start.year else 0
            high = bisect.bisect_right(days, end.toordinal()) if year == end.year else len(days)
            total += high - low
        return total

    def holidays_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Working weekdays that are closed, public holidays and the organisation's own days
        off, in date order (MS Project's exceptions)."""
        found: set[dt.date] = {
            d for d in self.days_off if start <= d <= end and d.weekday() not in self.weekend
        }
        if self.country is not None:
            for year in range(start.year, end.year + 1):
                found.update(
                    day
                    for day in _holidays(self.country, year)
                    if day.year == year  # a set may hold a neighbour year's observed day
                    and start <= day <= end
                    and day.weekday() not in self.weekend
                )
        return sorted(found - self.working_days)

    def worked_weekend_days_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Weekend days that are worked, the country's exchanged days and the organisation's
        own, in date order (MS Project's working exceptions)."""
        found = {d for d in self.working_days if start <= d <= end and d.weekday() in self.weekend}
        if self.country is not None:
            for year in range(start.year, end.year + 1):
                found.update(d for d in _weekend_workdays(self.country, year) if start <= d <= end)
        return sorted(found - self.days_off)


def calendar_for(profile: Profile | None) -> BusinessCalendar:
    """The calendar of a profile: its country's days and the organisation's own."""
    if profile is None:
        return BusinessCalendar()
    return BusinessCalendar(profile.country, profile.days_off, profile.working_days)


def calendar_of(plan: Plan) -> BusinessCalendar:
    """The calendar a plan was laid out on: its country's and the organisation's own days."""
    return BusinessCalendar(plan.country, plan.days_off, plan.working_days)


def calendar_of_stored(profile: Mapping[str, Any] | None) -> BusinessCalendar:
    """The calendar of a profile as stored (JSON: dates as ISO text), for code that holds the
    stored form rather than a `Profile` (the reminder outbox)."""
    data = profile or {}

    def days(name: str) -> tuple[dt.date, ...]:
        return tuple(
            d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d))
            for d in data.get(name) or ()
        )

    return BusinessCalendar(data.get("country"), days("days_off"), days("working_days"))
