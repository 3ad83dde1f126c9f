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
from babel.dates import format_date

from iso20k_core.language import _, _n, active
from iso20k_core.results import Plan

if TYPE_CHECKING:  # profile.py needs no calendar; the calendar only reads a profile
    from iso20k_core.profile import Profile

ONE_DAY = dt.timedelta(days=1)
DEFAULT_WEEKEND = frozenset({5, 6})  # Saturday, Sunday
# Weekday names are CLDR's in the reader's language (`Saturday`, `星期六`), not strftime("%A"):
# that follows the process locale.


@functools.cache
def _official(country: str, year: int) -> holidays.HolidayBase:
    """The package's holidays of one country and year: built once, read for the holidays,
    the worked weekend days and whether the year is estimated."""
    return holidays.country_holidays(country, years=year)


def holiday_name(country: str, day: dt.date) -> str:
    """A public holiday's name in the reader's language where the holidays package has it
    (`National Day`, `国庆节`), else as the package names it by default."""
    language = _holiday_language(country, str(active().locale))
    if language is None:
        return str(_official(country, day.year).get(day))
    return str(_named(country, day.year, language).get(day))


@functools.cache
def _holiday_language(country: str, locale: str) -> str | None:
    """The package's language for a Babel locale (`zh_Hans_CN` → `zh_CN`), if it has one for
    the country; keyed by the locale: names are text a person reads."""
    parts = locale.split("_")
    wanted = [f"{parts[0]}_{parts[-1]}", parts[0]] if len(parts) > 1 else [parts[0]]
    supported = holidays.country_holidays(country).supported_languages
    return next((w for w in wanted if w in supported), None)


@functools.cache
def _named(country: str, year: int, language: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year, language=language)


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
        if country is None:
            raise ValueError(_("no business days in {year} on the default weekend", year=year))
        raise ValueError(_("no business days in {year} for {country}", year=year, country=country))
    return days


def _own_year(
    base: tuple[int, ...], year: int, off: frozenset[dt.date], worked: frozenset[dt.date]
) -> tuple[int, ...]:
    """A year's business days with the organisation's own days off and working days."""
    closed = {d.toordinal() for d in off if d.year == year}
    opened = {d.toordinal() for d in worked if d.year == year}
    days = tuple(sorted((set(base) - closed) | opened))
    if not days:
        raise ValueError(
            _("no business days left in {year} after the organisation's days off", year=year)
        )
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
        """The calendar in words: whose days, and the organisation's own."""
        country = self._describe_country()
        off, worked = len(self.days_off), len(self.working_days)
        if off and worked:
            return _(
                "{calendar}; the organisation's {days_off}, {working_days}",
                calendar=country,
                days_off=_n("{n} own day off", "{n} own days off", off),
                working_days=_n("{n} own working day", "{n} own working days", worked),
            )
        if off:
            return _n(
                "{calendar}; the organisation's {n} own day off",
                "{calendar}; the organisation's {n} own days off",
                off,
                calendar=country,
            )
        if worked:
            return _n(
                "{calendar}; the organisation's {n} own working day",
                "{calendar}; the organisation's {n} own working days",
                worked,
                calendar=country,
            )
        return country

    def _describe_country(self) -> str:
        if self.country is None:
            return _("Monday to Friday, no public holidays (no country given)")
        if not _exchanges_days(self.country):
            return _(
                "working days and public holidays of {country} (holidays package)",
                country=self.country,
            )
        return _(
            "working days and public holidays of {country}, with the weekend days worked "
            "in exchange (holidays package)",
            country=self.country,
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
            return _("a day off of the organisation")
        worked = self.country is not None and day in _weekend_workdays(self.country, day.year)
        if day.weekday() in self.weekend and not worked:
            weekday = format_date(day, "EEEE", locale=active().locale)
            return _("a {weekday}", weekday=weekday)
        if self.country is None or day not in _holidays(self.country, day.year):
            return None
        return holiday_name(self.country, day)

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
