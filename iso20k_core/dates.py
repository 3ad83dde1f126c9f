"""The dates the product accepts: one spelling (YYYY-MM-DD) and one horizon.

A certification project is planned from now to a few years ahead, and its history (the last
internal audit, the last management review) lies a few years back. A date far outside that
is a typing slip (9999-06-01, 2206-01-01), and taken at its word it would make the plan
overflow the calendar or compute holidays for centuries. So every date a person or a file
gives is checked here, in every channel and on the command line: not before `EARLIEST`, and
at most `HORIZON_YEARS` after the day of the request.
"""

from __future__ import annotations

import datetime as dt
import re

EARLIEST = dt.date(2000, 1, 1)
HORIZON_YEARS = 10
# Python's fromisoformat also takes 20270315, 2027-W11-1 and 2027-074: people mean none of
# those, and a form that says YYYY-MM-DD should take exactly that.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DateError(ValueError):
    """A date that is misspelt or outside the horizon, told in the person's words."""


def latest(today: dt.date) -> dt.date:
    """The last date accepted on `today`: `HORIZON_YEARS` ahead (28 February for 29th)."""
    year = today.year + HORIZON_YEARS
    try:
        return today.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        return dt.date(year, 2, 28)


def parse_iso_date(text: str) -> dt.date:
    """`YYYY-MM-DD` and nothing else; a real calendar date."""
    candidate = text.strip()
    if not _ISO_DATE.fullmatch(candidate):
        raise DateError(f"Enter a date as YYYY-MM-DD, for example 2027-03-15 (not {text!r}).")
    try:
        return dt.date.fromisoformat(candidate)
    except ValueError:
        raise DateError(f"{candidate} is not a date in the calendar.") from None


def check_horizon(day: dt.date, today: dt.date) -> dt.date:
    """`day` itself when it lies from `EARLIEST` to `latest(today)`; else a `DateError`."""
    last = latest(today)
    if not EARLIEST <= day <= last:
        raise DateError(
            f"Choose a date from {EARLIEST.isoformat()} to {last.isoformat()} "
            f"(at most {HORIZON_YEARS} years ahead)."
        )
    return day
