"""Hypothesis strategies for the engine's property tests: valid profiles and answer sets."""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

from hypothesis import strategies as st

from iso20k_core.answers import AnswerValue
from iso20k_core.profile import Assumptions, Certification, Profile
from iso20k_core.standard import Bank, Question
from tests.core.helpers import TODAY, best_value

COUNTRIES: tuple[str | None, ...] = (None, "DE", "GB", "NL", "US", "FR")
CURRENCIES = ("EUR", "GBP", "USD", "CHF")
CERTIFICATIONS: tuple[str, ...] = get_args(Certification)
ORGANISATIONS = ("Example IT", "Stadtwerke IT", "Acme Hosting B.V.", "Müller & Söhne IT", "x")
TEXT_ANSWERS = (
    "Documented in the SMS handbook.",
    "Ticket tool, CMDB and a wiki.",
    "  Spreadsheets  ",
    "Ünïcødé text with symbols: € / % & <>",
)

_money = st.one_of(
    st.integers(min_value=0, max_value=5000),
    st.floats(min_value=0, max_value=5000, allow_nan=False, allow_infinity=False),
)

ASSUMPTION_OVERRIDES: dict[str, st.SearchStrategy[Any]] = {
    "integration_reduction_percent": st.floats(min_value=0, max_value=100),
    "consultant_day_rate": _money,
    "auditor_day_rate": _money,
    "internal_day_rate": _money,
    "awareness_hours_per_person": st.floats(min_value=0, max_value=16),
    "awareness_cost_per_person": _money,
    "internal_auditors_to_train": st.integers(min_value=0, max_value=10),
    "tool_software_cost": _money,
    "tool_software_annual_cost": _money,
    "certificate_management_fee": _money,
    "consulting_share": st.floats(min_value=0, max_value=1),
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
    start = draw(st.none() | st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)))
    base = start or TODAY
    target = draw(
        st.none()
        | st.integers(min_value=1, max_value=1600).map(lambda d: base + dt.timedelta(days=d))
    )
    return start, target


@st.composite
def profiles(draw: st.DrawFn, *, with_target: bool | None = None) -> Profile:
    """A valid profile. `with_target` forces a target date (True) or none (False)."""
    start, target = draw(_dates())
    if with_target is False:
        target = None
    elif with_target is True and target is None:
        days = draw(st.integers(min_value=1, max_value=1600))
        target = (start or TODAY) + dt.timedelta(days=days)
    return Profile(
        organisation=draw(st.sampled_from(ORGANISATIONS)),
        persons_in_scope=draw(st.integers(min_value=1, max_value=20_000)),
        it_staff=draw(st.integers(min_value=1, max_value=5_000)),
        staff_available_fte=draw(
            st.floats(min_value=0.5, max_value=50, allow_nan=False, allow_infinity=False)
        ),
        services_in_scope=draw(st.integers(min_value=1, max_value=80)),
        sites=draw(st.integers(min_value=1, max_value=12)),
        country=draw(st.sampled_from(COUNTRIES)),
        currency=draw(st.sampled_from(CURRENCIES)),
        itil_adoption=draw(st.sampled_from(["none", "partial", "broad"])),
        existing_certifications=tuple(
            draw(st.lists(st.sampled_from(CERTIFICATIONS), unique=True, max_size=4))
        ),
        start_date=start,
        target_certification_date=target,
        use_consultants=draw(st.booleans()),
        assumptions=draw(assumptions()),
    )


def answer_values(q: Question) -> st.SearchStrategy[AnswerValue]:
    """Every valid answer to one question, in the form a file or a chat would give it."""
    match q.type:
        case "maturity" | "rating":
            return st.integers(min_value=0, max_value=5)
        case "yes_partial_no":
            return st.sampled_from(["no", "partial", "yes"])
        case "number":
            low = q.min if q.min is not None else 0.0
            high = q.max if q.max is not None else max(low, 0) + 1000
            return st.one_of(
                st.integers(min_value=int(-(-low // 1)), max_value=int(high // 1)),
                st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False),
            )
        case "date":
            return st.dates(TODAY - dt.timedelta(days=3 * 365), TODAY + dt.timedelta(days=365))
        case "text":
            return st.sampled_from(TEXT_ANSWERS)
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
