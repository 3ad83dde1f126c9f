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
"""

from __future__ import annotations


def score(value: float) -> str:
    """A 0-100 score or a percentage without its sign, as the engine kept it: `10.9`."""
    return f"{value:.1f}"


def percent(value: float) -> str:
    """`34.6 %`: a share the engine rounded to one decimal."""
    return f"{score(value)} %"


def level(value: float) -> str:
    """A maturity level or gap (0-5), one decimal: `2.5`, `3.0`."""
    return f"{value:.1f}"


def count(value: int) -> str:
    """Whole days, person-days or persons: `1,234`."""
    return f"{value:,}"


def money(amount: int, currency: str) -> str:
    """A whole amount in its currency: `128,000 EUR`."""
    return f"{amount:,} {currency}"


def number(value: float) -> str:
    """A figure a person entered or the standard fixes (a rate, FTE, audit days in half
    days, a percentage of reduction), with the decimals it has, at most two:
    `1,400`, `2.5`, `1,250.75`; a tiny value keeps its first digits (`1e-05`), never `0`."""
    if value and abs(value) < 0.005:
        return f"{value:.2g}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")
