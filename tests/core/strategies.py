"""Hypothesis strategies for the engine's property tests: valid profiles and answer sets over
the real input domains (the horizon of dates.py, the profile's bounds, any printable text)."""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

from hypothesis import strategies as st

from iso20k_core import places
from iso20k_core.answers import AnswerValue
from iso20k_core.dates import EARLIEST, latest
from iso20k_core.profile import (
    MAX_AMOUNT,
    MAX_BAND_DAYS,
    MAX_BANDS,
    MAX_COUNT,
    MAX_HOURS,
    Assumptions,
    AuditDayBand,
    Certification,
    Profile,
)
from iso20k_core.standard import Bank, Question
from iso20k_core.text import NAME_LIMIT, TEXT_LIMIT, TextError, clean_text
from tests.core.helpers import TODAY, best_value

# The real input domains: every country with a holiday calendar, every current currency,
# every timezone offered, names in any script (NFKC-changing forms, emoji, up to the limit),
# any date in the horizon, sizes up to the profile's bounds, rates up to theirs.
COUNTRIES: tuple[str | None, ...] = (None, *sorted(places.codes("country")))
CURRENCIES = tuple(sorted(places.codes("currency")))
TIMEZONES = tuple(sorted(places.codes("timezone")))
CERTIFICATIONS: tuple[str, ...] = get_args(Certification)
LAST = latest(TODAY)  # the last date the horizon of TODAY takes
# Printable text: what clean_text keeps (control, surrogate and private-use characters are
# refused with an InputError, which tests/core/test_input_fuzz.py covers).
_PRINTABLE = st.characters(exclude_categories=("Cc", "Cs", "Co"))


def _accepted(text: str, limit: int) -> bool:
    try:
        return bool(clean_text(text, limit=limit))
    except TextError:
        return False


def names() -> st.SearchStrategy[str]:
    """Organisation names a profile takes: any script, up to 200 characters after NFKC."""
    return st.text(_PRINTABLE, min_size=1, max_size=NAME_LIMIT).filter(
        lambda s: _accepted(s, NAME_LIMIT)
    )


def texts() -> st.SearchStrategy[str]:
    """Text answers: any printable text, line breaks and tabs too, up to 3,000 characters."""
    return st.text(st.sampled_from("\n\t") | _PRINTABLE, min_size=1, max_size=TEXT_LIMIT).filter(
        lambda s: bool(s.strip()) and _multiline_ok(s)
    )


def _multiline_ok(text: str) -> bool:
    try:
        return bool(clean_text(text, multiline=True))
    except TextError:
        return False


FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


def spelt(value: float) -> st.SearchStrategy[object]:
    """A number as a file or a chat may give it: as a number, in ASCII or in full-width digits
    (a Chinese input method), with spaces around."""
    text = str(value)
    return st.sampled_from([value, text, text.translate(FULL_WIDTH), f" {text} "])


def _table(steps: list[tuple[int, float]]) -> tuple[AuditDayBand, ...]:
    """An audit-day table that ascends, as the profile requires: cumulative steps."""
    bands, persons, days = [], 0, 0.0
    for more_persons, more_days in steps:
        persons, days = persons + more_persons, min(days + more_days, MAX_BAND_DAYS)
        bands.append(AuditDayBand(max_persons=persons, days=days))
    return tuple(bands)


_money = st.one_of(
    st.integers(min_value=0, max_value=MAX_AMOUNT),
    st.floats(min_value=0, max_value=MAX_AMOUNT, allow_nan=False, allow_infinity=False),
)

ASSUMPTION_OVERRIDES: dict[str, st.SearchStrategy[Any]] = {
    "integration_reduction_percent": st.floats(min_value=0, max_value=100),
    "consultant_day_rate": _money,
    "auditor_day_rate": _money,
    "internal_day_rate": _money,
    "awareness_hours_per_person": st.floats(min_value=0, max_value=MAX_HOURS),
    "awareness_cost_per_person": _money,
    "internal_auditors_to_train": st.integers(min_value=0, max_value=MAX_COUNT),
    "internal_auditor_course_cost": _money,
    "process_owner_course_cost": _money,
    "standard_copies_cost": _money,
    "reference_material_cost": _money,
    "publicity_cost": _money,
    "tool_software_cost": _money,
    "tool_software_annual_cost": _money,
    "certificate_management_fee": _money,
    "application_fee": _money,
    "registration_fee": _money,
    "travel_expenses_per_audit_day": _money,
    "consulting_share": st.floats(min_value=0, max_value=1),
    "audit_days_table": st.lists(
        st.tuples(st.integers(1, 1000), st.floats(0.5, 5)), min_size=1, max_size=MAX_BANDS
    ).map(_table),
    "stage1_share": st.floats(min_value=0, max_value=1, exclude_min=True, exclude_max=True),
    "audit_booking_lead_days": st.integers(min_value=0, max_value=260),
    "certification_body_reserve_days": st.integers(min_value=0, max_value=130),
    "quote_includes_surveillance": st.sampled_from([None, True, False]),
}


def assumptions() -> st.SearchStrategy[Assumptions]:
    """Defaults, with a random few of them overridden (as a profile file would)."""
    return st.fixed_dictionaries({}, optional=ASSUMPTION_OVERRIDES).map(
        lambda overrides: Assumptions(**overrides)
    )


@st.composite
def _dates(draw: st.DrawFn) -> tuple[dt.date | None, dt.date | None]:
    """Any start date in the horizon of TODAY, and a target after it, also in the horizon."""
    start = draw(st.none() | st.dates(EARLIEST, LAST))
    base = start or TODAY
    if base >= LAST:
        return start, None
    target = draw(st.none() | st.dates(base + dt.timedelta(days=1), LAST))
    return start, target


@st.composite
def profiles(draw: st.DrawFn, *, with_target: bool | None = None) -> Profile:
    """A valid profile. `with_target` forces a target date (True) or none (False)."""
    start, target = draw(_dates())
    if with_target is False:
        target = None
    elif with_target is True and target is None:
        if start is not None and start >= LAST:
            start = LAST - dt.timedelta(days=1)
        target = draw(st.dates((start or TODAY) + dt.timedelta(days=1), LAST))
    return Profile(
        organisation=draw(names()),
        persons_in_scope=draw(st.integers(min_value=1, max_value=1_000_000)),
        it_staff=draw(st.integers(min_value=1, max_value=1_000_000)),
        staff_available_fte=draw(
            st.floats(min_value=0, max_value=10_000, exclude_min=True, allow_infinity=False)
        ),
        services_in_scope=draw(st.integers(min_value=1, max_value=10_000)),
        sites=draw(st.integers(min_value=1, max_value=10_000)),
        complexity=draw(st.sampled_from(["low", "normal", "high"])),
        outsourced_processes=draw(st.integers(min_value=0, max_value=100)),
        country=draw(st.sampled_from(COUNTRIES)),
        timezone=draw(st.sampled_from(TIMEZONES)),
        currency=draw(st.sampled_from(CURRENCIES)),
        itil_adoption=draw(st.sampled_from(["none", "partial", "broad"])),
        existing_certifications=tuple(
            draw(st.lists(st.sampled_from(CERTIFICATIONS), unique=True, max_size=6))
        ),
        start_date=start,
        target_certification_date=target,
        use_consultants=draw(st.booleans()),
        fiscal_year_start_month=draw(st.integers(min_value=1, max_value=12)),
        assumptions=draw(assumptions()),
    )


def answer_values(q: Question) -> st.SearchStrategy[AnswerValue]:
    """Every valid answer to one question, in the forms a file or a chat gives it: numbers
    also as text in ASCII or full-width digits, dates anywhere in the horizon, also as text,
    any printable text."""
    match q.type:
        case "maturity" | "rating":
            return st.integers(min_value=0, max_value=5).flatmap(spelt)  # type: ignore[return-value]
        case "yes_partial_no":
            return st.sampled_from(["no", "partial", "yes", " Yes ", "PARTIAL", "No"])
        case "number":
            low = q.min if q.min is not None else 0.0
            high = q.max if q.max is not None else max(low, 0) + 1_000_000
            return st.one_of(
                st.integers(min_value=int(-(-low // 1)), max_value=int(high // 1)),
                st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False),
            ).flatmap(spelt)  # type: ignore[return-value]
        case "date":
            return st.dates(EARLIEST, LAST).flatmap(lambda d: st.sampled_from([d, d.isoformat()]))  # type: ignore[return-value]
        case "text":
            return texts()
    raise AssertionError(f"unknown question type {q.type}")  # pragma: no cover


@st.composite
def answers(draw: st.DrawFn, bank: Bank) -> dict[str, AnswerValue]:
    """A random subset of the bank answered with valid values (missing key = unanswered)."""
    mode = draw(st.sampled_from(["some", "all", "none"]))
    result: dict[str, AnswerValue] = {}
    if mode == "none":
        return result
    for q in bank.questions:
        if mode == "all" or draw(st.booleans()):
            result[q.id] = draw(answer_values(q))
    return result


def best_values(q: Question, today: dt.date = TODAY) -> st.SearchStrategy[AnswerValue]:
    """Every answer that scores as well as the best one (full marks for scored questions)."""
    match q.type:
        case "maturity" | "yes_partial_no":
            return st.just(best_value(q, today))
        case "number" if q.target is not None:
            high = q.max if q.max is not None else q.target * 10
            return st.sampled_from(sorted({q.target, high})) | st.floats(
                min_value=q.target, max_value=high, allow_nan=False
            )
        case "date" if q.max_age_days is not None:
            return st.just(today) | st.dates(today - dt.timedelta(days=q.max_age_days), today)
    return answer_values(q)
