"""How every figure is written, in every rendering: one place, one rounding rule.

The rule: the engine rounds each figure once, where it computes it — scores and percentages
(0-100), maturity levels and gaps (0-5) to one decimal; money to whole currency units per
line; days and person-days to whole days per line, so that every total is the exact sum of
the lines shown. Renderings never round again: they write those figures with exactly the
precision the engine kept, through these functions. So a feasibility score of 10.9 reads
"10.9" in the verdict's reasons, in the report and in a chat reply — never "11" in one
place — and the process work a risk names is the figure the cost estimate splits.

Chat replies (bot/dialogs/reports.py), the summaries and the report (templates, via the
filters of `report.render.make_environment`), the charts and the exports all use them.

They write in the active language (`iso20k_core.language`): English as shown here; other
languages as CLDR writes them for their locale (`¥128,000`, `2027年3月15日`, `34.6%`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from iso20k_core.language import _, _n, active


def _decimal(value: float, pattern: str) -> str:
    return str(format_decimal(value, format=pattern, locale=active().locale))


def score(value: float) -> str:
    """A 0-100 score or a percentage without its sign, as the engine kept it: `10.9`."""
    if active().cldr_figures:
        return _decimal(value, "#,##0.0")
    return f"{value:.1f}"


def percent(value: float) -> str:
    """`34.6 %`: a share the engine rounded to one decimal."""
    return _("{value} %", value=score(value))


def level(value: float) -> str:
    """A maturity level or gap (0-5), one decimal: `2.5`, `3.0`."""
    if active().cldr_figures:
        return _decimal(value, "0.0")
    return f"{value:.1f}"


def count(value: int) -> str:
    """Whole days, person-days or persons: `1,234`."""
    if active().cldr_figures:
        return _decimal(value, "#,##0")
    return f"{value:,}"


def date(day: dt.date | None) -> str:
    """A day: `2027-03-15` in English (sortable, what the exports carry), `2027年3月15日`;
    no day is `—`."""
    if day is None:
        return "—"
    if active().cldr_figures:
        return str(format_date(day, "long", locale=active().locale))
    return day.isoformat()


def _amount(amount: int, currency: str) -> str:
    if active().cldr_figures:
        pattern = "¤#,##0;-¤#,##0"
        return str(
            format_currency(
                amount, currency, format=pattern, currency_digits=False, locale=active().locale
            )
        )
    return f"{amount:,} {currency}"


def rate(value: float, currency: str) -> str:
    """A rate with its currency, with the decimals it has: `1,400 EUR`, `¥3,000`,
    `1,250.75 EUR` (a rate a person entered is not rounded to whole units)."""
    tiny = value and abs(value) < 0.005  # CLDR would write it as 0
    if active().cldr_figures and not tiny:
        return str(
            format_currency(
                value, currency, format="¤#,##0.##", currency_digits=False, locale=active().locale
            )
        )
    return f"{number(value)} {currency}"


def _bare(amount: int) -> str:
    """An amount without its currency, inside a range whose other end carries it."""
    return count(amount)


def money(amount: int | None, currency: str, needs: Sequence[str] = ()) -> str:
    """A whole amount in its currency: `128,000 EUR`. An unknown amount (it rests on a rate
    the profile's currency has no table for) is never written as a figure: `rate needed:
    auditor_day_rate`, naming the rates in `needs`."""
    if amount is None:
        return needed(needs)
    return _amount(amount, currency)


def money_in_text(amount: int | None, currency: str, needs: Sequence[str] = ()) -> str:
    """An amount inside a sentence: `128,000 EUR`, or `an amount not yet known (rate needed:
    auditor_day_rate)`."""
    if amount is None:
        return _("an amount not yet known ({needed})", needed=needed(needs))
    return money(amount, currency)


def money_range(
    amount: int | None,
    low: int | None,
    high: int | None,
    currency: str,
    needs: Sequence[str] = (),
) -> str:
    """The expected amount with its range where it is uncertain: `22,800 EUR (19,200–31,200)`;
    a point range reads like `money`."""
    if amount is None or low is None or high is None or low == high:
        return money(amount, currency, needs)
    return _(
        "{amount} ({low}–{high})", amount=money(amount, currency), low=_bare(low), high=_bare(high)
    )


def money_range_in_text(
    amount: int | None,
    low: int | None,
    high: int | None,
    currency: str,
    needs: Sequence[str] = (),
) -> str:
    """Inside a sentence: `35,500 EUR (between 31,900 and 43,900 EUR)`."""
    if amount is None or low is None or high is None or low == high:
        return money_in_text(amount, currency, needs)
    return _(
        "{amount} (between {low} and {high})",
        amount=money(amount, currency),
        low=_bare(low),
        high=money(high, currency),
    )


def needed(rates: Sequence[str]) -> str:
    """What stands in place of an unknown amount: `rates needed: a, b`."""
    if not rates:
        return _("rate needed")
    return _n("rate needed: {rates}", "rates needed: {rates}", len(rates), rates=", ".join(rates))


def number(value: float) -> str:
    """A figure a person entered or the standard fixes (a rate, FTE, audit days in half
    days, a percentage of reduction), with the decimals it has, at most two:
    `1,400`, `2.5`, `1,250.75`; a tiny value keeps its first digits (`1e-05`), never `0`."""
    if value and abs(value) < 0.005:
        return f"{value:.2g}"
    if active().cldr_figures:
        return _decimal(value, "#,##0.##")
    return f"{value:,.2f}".rstrip("0").rstrip(".")
