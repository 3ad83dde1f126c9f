"""Every date the engine takes lies in the horizon, and no input makes a plan endless.

The horizon (iso20k_core.dates): not before 2000-01-01, at most ten years after the day of the
request. Process work is capped at plan.MAX_PROCESS_YEARS; beyond it the verdict says why.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iso20k_core.errors import InputError
from iso20k_core.evaluate import LAST_TODAY, evaluate
from iso20k_core.inputs import parse_input_text, parse_profile
from iso20k_core.profile import Profile
from iso20k_core.standard import load_bank
from tests.core.helpers import TODAY, all_at, examples, profile

BANK = load_bank()
RAW: dict[str, Any] = {
    "organisation": "Example IT",
    "persons_in_scope": 60,
    "it_staff": 40,
    "staff_available_fte": 3,
    "services_in_scope": 8,
}


def problem(raw: dict[str, Any], today: dt.date | None = TODAY) -> tuple[str, str]:
    with pytest.raises(InputError) as caught:
        parse_profile(raw, today=today)
    return caught.value.field, caught.value.problem


# --- dates in the horizon ----------------------------------------------------------------


def test_a_far_start_date_is_refused_on_its_field() -> None:
    assert problem({**RAW, "start_date": "9999-06-01"}) == (
        "profile.start_date",
        "choose a date from 2000-01-01 to 2036-11-25 (at most 10 years ahead).",
    )
    field, message = problem({**RAW, "target_certification_date": "2206-01-01"})
    assert field == "profile.target_certification_date" and message.startswith("choose a date")


def test_the_target_must_come_after_the_start_and_the_error_sits_on_the_target() -> None:
    raw = {**RAW, "start_date": "2027-01-04", "target_certification_date": "2027-01-04"}
    assert problem(raw) == (
        "profile.target_certification_date",
        "choose a target date after the start date (2027-01-04).",
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "2026-02-30 is not a date in the calendar."),
        ("20270315", "enter a date as YYYY-MM-DD, for example 2027-03-15 (not '20270315')."),
        (20270315, "enter a date as YYYY-MM-DD, for example 2027-03-15."),
        ("2027-03-15T10:00", "enter a date as YYYY-MM-DD, for example 2027-03-15"),
    ],
)
def test_dates_are_words_not_pydantic_messages(value: object, message: str) -> None:
    field, text = problem({**RAW, "start_date": value})
    assert field == "profile.start_date" and text.startswith(message)


def test_a_stored_profile_is_read_back_without_the_horizon_of_today() -> None:
    # Saved on 2026-11-25 with the latest start date then allowed; read back years later
    # (or on a machine whose clock is a day behind) it must still be readable.
    stored = parse_profile({**RAW, "start_date": "2036-11-25"}, today=TODAY).model_dump(
        mode="json", exclude_defaults=True
    )
    assert parse_profile(stored).start_date == dt.date(2036, 11, 25)
    assert parse_profile(stored, today=TODAY + dt.timedelta(days=4000)).start_date


@settings(max_examples=examples(200), deadline=None)
@given(
    saved=st.dates(dt.date(2000, 1, 1), dt.date(2090, 12, 31)),
    offset=st.integers(0, 365 * 10),
    later=st.integers(0, 365 * 30),
)
def test_a_date_valid_when_saved_stays_valid_as_time_moves_on(
    saved: dt.date, offset: int, later: int
) -> None:
    day = saved + dt.timedelta(days=offset)
    try:
        stored = parse_profile({**RAW, "start_date": day.isoformat()}, today=saved)
    except InputError:
        return  # outside the horizon on the day it was entered: never stored
    assert parse_profile(stored.model_dump(mode="json"), today=saved + dt.timedelta(later))


def test_date_answers_lie_in_the_horizon_when_given() -> None:
    text = (
        "profile:\n  organisation: X\n  persons_in_scope: 5\n  it_staff: 3\n"
        "  staff_available_fte: 1\n  services_in_scope: 1\n"
        "answers:\n  continuity.last_test: 1999-12-31\n"
    )
    with pytest.raises(InputError) as caught:
        parse_input_text(text, today=TODAY)
    assert caught.value.field == "answers.continuity.last_test"
    assert caught.value.problem.startswith("choose a date from 2000-01-01 to 2036-11-25")
    assert parse_input_text(text).answers  # stored answers are read back as they are


def test_unquoted_yaml_dates_are_text_checked_by_the_one_date_rule() -> None:
    base = "profile:\n  organisation: X\n  persons_in_scope: 5\n  it_staff: 3\n"
    base += "  staff_available_fte: 1\n  services_in_scope: 1\n"
    ok = parse_input_text(base + "  start_date: 2027-03-15\n", today=TODAY)
    assert ok.profile.start_date == dt.date(2027, 3, 15)
    for line, expected in (
        ("  start_date: 2026-02-30\n", "2026-02-30 is not a date in the calendar."),
        ("  start_date: !!timestamp 2026-02-30\n", "2026-02-30 is not a date in the calendar."),
        ("  start_date: 2027-03-15 10:00:00\n", "enter a date as YYYY-MM-DD"),
    ):
        with pytest.raises(InputError) as caught:
            parse_input_text(base + line, today=TODAY)
        assert caught.value.field == "profile.start_date"
        assert caught.value.problem.startswith(expected)


@pytest.mark.parametrize(
    ("text", "where"),
    [("a: !!int many\n", "line 1"), ("a: 0x_\n", "line 1"), ("a: " + "[" * 3000, "file")],
)
def test_unreadable_yaml_values_are_one_line_errors(text: str, where: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_input_text(text)
    assert caught.value.field.startswith(where)


def test_evaluate_refuses_a_today_or_profile_date_outside_the_horizon() -> None:
    for today in (dt.date(1999, 12, 31), LAST_TODAY + dt.timedelta(days=1), dt.date.max):
        with pytest.raises(InputError) as caught:
            evaluate(profile(), {}, today, BANK)
        assert caught.value.field == "today"
    # A profile built in code skips the form's checks: evaluate still refuses to plan for
    # millennia (it used to spin at 100 % CPU on 9999-06-01).
    far = Profile.model_validate({**RAW, "start_date": dt.date(9999, 6, 1)})
    with pytest.raises(InputError) as caught:
        evaluate(far, {}, TODAY, BANK)
    assert caught.value.field == "profile.start_date"


# --- bounded plans ------------------------------------------------------------------------


def test_process_work_that_does_not_fit_is_capped_and_the_verdict_says_why() -> None:
    # 100,000 persons in scope and a tenth of a person: decades of process work.
    tiny = profile(persons_in_scope=100_000, staff_available_fte=0.1)
    e = evaluate(tiny, all_at(3), TODAY, BANK)
    p = e.plan
    assert p.process_capped
    process = p.stages[2]
    assert process.business_days == 780  # three years of 260 business days
    assert all(process.start <= t.start <= t.end <= process.end for t in p.tasks)
    assert e.feasibility.verdict == "not yet feasible"
    reason = next(r for r in e.feasibility.reasons if r.startswith("The process work"))
    assert reason == (
        f"The process work ({p.process_work_days:,} person-days) would take "
        f"{p.process_years_needed:,.1f} years with 0.1 FTE available; the plan is capped "
        "at 3 years of process work. Add staff or consultants, or narrow the scope."
    )
    risk = next(r for r in e.risks if r.id == "too_few_people")
    assert risk.trigger.startswith(f"{p.process_work_days:,} person-days of process work for 0.1")
    assert "more than the 3 years a plan allows" in risk.trigger


def test_the_same_work_with_enough_staff_is_not_capped() -> None:
    e = evaluate(profile(persons_in_scope=100_000, staff_available_fte=50), all_at(3), TODAY)
    assert not e.plan.process_capped
    assert e.plan.stages[2].business_days < 780


extreme_profiles = st.fixed_dictionaries(
    {
        "persons_in_scope": st.integers(1, 1_000_000),
        "staff_available_fte": st.floats(5e-324, 10_000) | st.sampled_from([5e-324, 1e-300]),
        "services_in_scope": st.integers(1, 10_000),
        "sites": st.integers(1, 10_000),
        "country": st.sampled_from([None, "DE", "CN", "SA", "US"]),
        "start_date": st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2036, 11, 25)),
        "assumptions": st.fixed_dictionaries(
            {
                "audit_booking_lead_days": st.integers(0, 260),
                "certification_body_reserve_days": st.integers(0, 130),
            },
            optional={"audit_days_table": st.just(({"max_persons": 1, "days": 500},))},
        ),
    }
)


@settings(max_examples=examples(60), deadline=None)
@given(extreme_profiles, st.sampled_from([0, 1, 3]))
def test_no_input_makes_the_plan_run_past_its_documented_bound(
    fields: dict[str, Any], level: int
) -> None:
    p = Profile.model_validate({**RAW, **fields})
    e = evaluate(p, all_at(level), TODAY, BANK)
    # Start within ten years, process work capped at three, the rest of the project (with
    # the largest audits, about three more) and the three-year cycle: within 20 years.
    last = max(e.plan.certificate_expiry, *(b.window_end for b in e.plan.audit_batches))
    assert last < TODAY.replace(year=TODAY.year + 20)
    assert e.plan.stages[2].business_days <= 780


AMOUNTS = (
    "consultant_day_rate",
    "auditor_day_rate",
    "internal_day_rate",
    "awareness_cost_per_person",
    "internal_auditor_course_cost",
    "tool_software_cost",
    "tool_software_annual_cost",
    "certificate_management_fee",
    "application_fee",
    "travel_expenses_per_audit_day",
)
any_number = (
    st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.sampled_from(["inf", "nan", "1e308", "-0"])
)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([*AMOUNTS, "awareness_hours_per_person", "internal_auditors_to_train"]),
        any_number,
        max_size=4,
    ),
    st.sampled_from(["staff_available_fte", "persons_in_scope", "sites"]),
    any_number,
)
def test_any_number_is_a_clear_error_or_an_evaluation(
    assumptions: dict[str, object], field: str, value: object
) -> None:
    """Once `inf` rates and 10**400 auditors overflowed inside the cost estimate."""
    try:
        p = parse_profile({**RAW, field: value, "assumptions": assumptions}, today=TODAY)
    except InputError as exc:
        assert exc.field.startswith("profile.") and exc.problem
        return
    e = evaluate(p, all_at(2), TODAY, BANK)
    assert e.costs.total_with_internal >= e.costs.project_total >= 0
    assert e.plan.certificate_expiry < TODAY.replace(year=TODAY.year + 20)


def test_an_audit_table_of_too_many_bands_is_refused() -> None:
    bands = [{"max_persons": n, "days": 1 + n / 1000} for n in range(1, 200)]
    field, message = problem({**RAW, "assumptions": {"audit_days_table": bands}})
    assert field == "profile.assumptions.audit_days_table"
    assert "at most 100" in message


def test_evaluate_names_what_it_refuses_in_words() -> None:
    with pytest.raises(InputError) as caught:
        evaluate(profile(), {}, dt.date(1999, 12, 31), BANK)
    assert str(caught.value) == "today: choose a day from 2000-01-01 to 9900-12-31."
    assert evaluate(profile(start_date=None), {}, dt.date(9900, 12, 31), BANK).today == dt.date(
        9900, 12, 31
    )
    late = Profile.model_validate({**RAW, "target_certification_date": dt.date(2040, 1, 1)})
    with pytest.raises(InputError) as caught:
        evaluate(late, {}, TODAY, BANK)
    assert str(caught.value) == (
        "profile.target_certification_date: choose a date from 2000-01-01 to 2036-11-25 (at "
        "most 10 years ahead)."
    )
    with pytest.raises(InputError) as caught:
        evaluate(profile(), {"nosuch.question": 1}, TODAY, BANK)
    assert str(caught.value) == "answers.nosuch.question: unknown question id"
    with pytest.raises(InputError) as caught:
        evaluate(profile(), {}, TODAY, BANK, bookings={"stage1": "2027-13-01"})
    assert str(caught.value) == "bookings.stage1: 2027-13-01 is not a date in the calendar."


def test_an_evaluation_says_what_it_is_of() -> None:
    e = evaluate(profile(organisation="Müller IT"), {}, TODAY)
    assert (e.organisation, e.today, e.standard, e.bank_version) == (
        "Müller IT",
        TODAY,
        "ISO/IEC 20000-1:2018",
        "2018.1",
    )
    assert e.sources and all(e.sources)
    # Nothing answered: every area of required 3 is 3.0 short; ties go alphabetically.
    assert e.weakest_areas == (
        "asset",
        "availability",
        "budgeting",
        "business_relationship",
        "capacity",
    )
