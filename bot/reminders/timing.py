"""When a reminder may go out: working hours on business days, in the recipient's timezone.

A reminder due at 03:00 local goes out at the start of the next working day; a Saturday one on
Monday (or Tuesday after a public holiday). Arithmetic is done in local wall-clock time and
converted to UTC with zoneinfo, so daylight-saving changes keep 09:00 at 09:00.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from iso20k_core.calendar import BusinessCalendar


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def at_work_start(day: dt.date, start: dt.time, tz: str | None) -> dt.datetime:
    """`start` o'clock local on `day`, as an aware UTC datetime."""
    return dt.datetime.combine(day, start, tzinfo=zone(tz)).astimezone(dt.UTC)


def next_working_moment(
    moment: dt.datetime,
    tz: str | None,
    calendar: BusinessCalendar,
    start: dt.time,
    end: dt.time,
) -> dt.datetime:
    """`moment` if it falls in working hours on a business day there, else the next start."""
    local = moment.astimezone(zone(tz))
    day = local.date()
    if calendar.is_business_day(day):
        if start <= local.time() < end:
            return moment
        if local.time() < start:
            return at_work_start(day, start, tz)
    return at_work_start(calendar.next_after(day), start, tz)
