"""The dates the product accepts: one spelling (YYYY-MM-DD) and one horizon.

A date typed with a Chinese input method is the same date: full-width digits and dashes
(`２０２７－０３－１５`) become ASCII by Unicode NFKC, and the way Chinese readers write a day,
`2027年3月15日` (one or two digits for the month and the day), is read as the YYYY-MM-DD it
means. Nothing else is: `2027-3-15`, `2027/01/11`, `15.03.2027`, `20270315` stay refused,
since they are ambiguous or a slip in a field that says YYYY-MM-DD (the command line's
tests hold `2027/01/11` refused).

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
import unicodedata

from iso20k_core import figures as fig
from iso20k_core.language import _, _n

EARLIEST = dt.date(2000, 1, 1)
HORIZON_YEARS = 10
# Python's fromisoformat also takes 20270315, 2027-W11-1 and 2027-074: people mean none of
# those, and a form that says YYYY-MM-DD should take exactly that.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# How a day is written in Chinese: 2027年3月15日 (or 15号, or the 日 left off).
_CHINESE_DATE = re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})[日号]?")


class DateError(ValueError):
    """A date that is misspelt or outside the horizon, told in the person's words."""


def latest(today: dt.date) -> dt.date:
    """The last date accepted on `today`: `HORIZON_YEARS` ahead (28 February for 29th)."""
    year = today.year + HORIZON_YEARS
    try:
        return today.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        return dt.date(year, 2, 28)


def as_iso_text(text: str) -> str:
    """`text` as the YYYY-MM-DD it means when typed in full width or written the Chinese
    way (`２０２７－０３－１５`, `2027年3月15日` → `2027-03-15`); else NFKC and stripped."""
    candidate = unicodedata.normalize("NFKC", text).strip()
    found = _CHINESE_DATE.fullmatch(candidate)
    if found:
        year, month, day = found.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return candidate


def parse_iso_date(text: str) -> dt.date:
    """`YYYY-MM-DD` (in full width too, or written the Chinese way) and nothing else; a real
    calendar date."""
    candidate = as_iso_text(text)
    if not _ISO_DATE.fullmatch(candidate):
        raise DateError(
            _(
                "Enter a date as YYYY-MM-DD, for example 2027-03-15 (not {text}).",
                text=repr(text),
            )
        )
    try:
        return dt.date.fromisoformat(candidate)
    except ValueError:
        raise DateError(_("{date} is not a date in the calendar.", date=candidate)) from None


def check_horizon(day: dt.date, today: dt.date) -> dt.date:
    """`day` itself when it lies from `EARLIEST` to `latest(today)`; else a `DateError`."""
    last = latest(today)
    if not EARLIEST <= day <= last:
        raise DateError(
            _n(
                "Choose a date from {first} to {last} (at most {n} year ahead).",
                "Choose a date from {first} to {last} (at most {n} years ahead).",
                HORIZON_YEARS,
                first=fig.date(EARLIEST),
                last=fig.date(last),
            )
        )
    return day
