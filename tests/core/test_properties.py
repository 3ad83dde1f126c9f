"""Properties of the engine that hold for every valid profile and answer set (hypothesis)."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iso20k_core.answers import AnswerValue
from iso20k_core.calendar import BusinessCalendar
from iso20k_core.evaluate import evaluate
from iso20k_core.inputs import parse_input_text
from iso20k_core.profile import Profile
from iso20k_core.results import Evaluation
from iso20k_core.standard import Question, load_bank
from tests.core.helpers import examples
from tests.core.strategies import TODAY, answer_values, answers, best_values, profiles

BANK = load_bank()
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "itil-service-provider.yaml"
VERDICTS = {"ready to start", "feasible with preparation", "not yet feasible"}

# ISO20K_PROPERTY_EXAMPLES=5000 runs a long bug hunt; the default keeps the suite quick.
PROPERTY = settings(
    max_examples=examples(int(os.environ.get("ISO20K_PROPERTY_EXAMPLES", "100"))),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def run(profile: Profile, given_answers: dict[str, AnswerValue]) -> Evaluation:
    return evaluate(profile, given_answers, TODAY, BANK)


def years_later(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (28 February for 29 February): written here, not with the
    plan's own month arithmetic, which this checks."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 2, 28)


def _questions(kind: str) -> list[Question]:
    return [q for q in BANK.questions if q.type == kind]


# --- 1. totals are the sums of their parts ---------------------------------------------------


def _sum(amounts: Iterable[int | None]) -> int | None:
    listed = list(amounts)
    return None if None in listed else sum(x for x in listed if x is not None)


@PROPERTY
@given(profiles(), answers(BANK))
def test_totals_equal_the_sum_of_their_parts(profile: Profile, given: dict[str, Any]) -> None:
    e = run(profile, given)
    c = e.costs
    # An amount resting on a rate nobody gave (a currency without a rate table) is None and
    # names the rate; every sum over it is None too, never a partial figure.
    for part in c.parts:
        assert part.amount == _sum(line.amount for line in part.lines), part.key
    assert c.project_total == _sum(p.amount for p in c.parts)
    assert c.total_with_internal == _sum([c.project_total, c.internal_cost])
    for step in c.cycle_steps:
        assert step.amount == _sum(line.amount for line in step.lines), step.key
    assert [s.key for s in c.cycle_steps] == [
        "initial",
        "surveillance1",
        "surveillance2",
        "recertification",
    ]
    assert c.cycle_total == _sum(s.amount for s in c.cycle_steps)
    # the initial certification carries the whole project, part by part
    initial = {line.key: line.amount for line in c.cycle_steps[0].lines}
    for part in c.parts:
        assert initial[part.key] == part.amount
    # every amount is a non-negative whole number, or unknown with the rates it needs
    for part in c.parts:
        for line in part.lines:
            if line.amount is None:
                assert line.needs and set(line.needs) <= set(c.missing_rates), line.key
            else:
                assert isinstance(line.amount, int) and line.amount >= 0, line.key
                assert not line.needs, line.key
    assert c.internal_days >= 0
    assert (c.internal_cost is None) == ("internal_day_rate" in c.missing_rates)
    assert c.internal_cost is None or c.internal_cost >= 0
    assert c.complete == (c.total_with_internal is not None and c.cycle_total is not None)

    done = e.completion
    assert done.answered == sum(s.answered for s in done.sections)
    assert done.total == sum(s.total for s in done.sections)
    assert done.total == len(BANK.questions)
    assert done.answered == len([k for k, v in given.items() if v is not None])
    for s in done.sections:
        assert 0 <= s.answered <= s.total


# --- 2. the plan's dates are in order -------------------------------------------------------


@PROPERTY
@given(profiles(), answers(BANK))
def test_stage_and_audit_dates_never_overlap_or_go_backwards(
    profile: Profile, given: dict[str, Any]
) -> None:
    plan = run(profile, given).plan
    cal = BusinessCalendar(profile.country)
    stages = plan.stages
    assert [s.number for s in stages] == [1, 2, 3, 4, 5]
    for s in stages:
        assert s.start <= s.end, s.key
        assert s.business_days >= 1, s.key
        assert cal.is_business_day(s.start) and cal.is_business_day(s.end), s.key
        assert cal.count(s.start, s.end) == s.business_days, s.key
    for before, after in itertools.pairwise(stages):
        assert after.start > before.end, (before.key, after.key)
        assert after.start == cal.next_after(before.end), (before.key, after.key)
    assert plan.start == stages[0].start
    assert plan.certification_date == stages[-1].end
    assert plan.business_days == sum(s.business_days for s in stages)

    # milestones lie within the plan: kick-off on its first day, the decision on its last
    dates = {m.key: m.date for m in plan.milestones}
    assert dates["kickoff"] == plan.start
    assert dates["certification_decision"] == plan.certification_date
    for m in plan.milestones:
        assert plan.start <= m.date <= plan.certification_date, m.key
    assert [m.date for m in plan.milestones] == sorted(m.date for m in plan.milestones)
    # the application in time for stage 1's booking (or at kick-off when that is too late),
    # the documents a week before stage 1, the nonconformities closed before the decision
    stage1 = plan.audit_batches[0]
    assert stage1.booking_deadline is not None
    assert dates["certification_application"] == max(
        cal.add(stage1.booking_deadline, -15), plan.start
    )
    assert dates["stage1_documents"] == cal.add(stage1.planned_date, -5)
    assert dates["stage1_documents"] < dates["stage1_audit"]
    nc_start, nc_end = plan.nonconformity_window
    assert nc_start == cal.next_after(plan.audit_batches[1].window_end)
    assert cal.count(nc_start, nc_end) == 30 and dates["nonconformities_closed"] == nc_end
    assert plan.certification_date == cal.add(nc_end, 10)

    # audit batches: booked ahead, planned, then the certification body's reserve window
    lead = profile.assumptions.audit_booking_lead_days
    batches = {b.key: b for b in plan.audit_batches}
    assert set(batches) == {
        "stage1",
        "stage2",
        "surveillance1",
        "surveillance2",
        "recertification",
    }
    for b in plan.audit_batches:
        assert b.booking_deadline is not None, b.key
        if lead > 0:
            assert b.booking_deadline < b.planned_date, b.key
        else:
            assert b.booking_deadline == b.planned_date, b.key
        assert b.planned_date <= b.window_end, b.key
        assert b.on_site_days >= 1, b.key
    stage1, stage2 = batches["stage1"], batches["stage2"]
    certification = stages[-1]
    assert certification.start <= stage1.planned_date
    assert stage1.planned_date < stage2.planned_date
    assert stage1.window_end < plan.improvement_window[0]
    assert plan.improvement_window[0] <= plan.improvement_window[1] < stage2.planned_date
    assert stage2.window_end <= plan.certification_date

    decision = plan.certification_date
    s1, s2 = batches["surveillance1"], batches["surveillance2"]
    assert decision < s1.planned_date
    assert s1.window_end < years_later(decision, 1)
    assert s1.window_end < s2.planned_date
    assert s2.window_end < years_later(decision, 2)
    expiry = plan.certificate_expiry
    assert expiry == years_later(decision, 3) - dt.timedelta(days=1)
    assert 3 * 365 - 1 <= (expiry - decision).days <= 3 * 366
    recert = batches["recertification"]
    assert s2.window_end < recert.planned_date
    assert recert.window_end < expiry

    # tasks lie inside the process-establishment stage
    process = stages[2]
    assert process.key == "process_establishment"
    for t in plan.tasks:
        assert process.start <= t.start <= t.end <= process.end, t.area
        assert t.effort_days >= 1, t.area


# --- 3. raising an answer never lengthens the plan nor raises the cost ----------------------

LADDERS: dict[str, tuple[AnswerValue | None, ...]] = {
    "maturity": (None, 0, 1, 2, 3, 4, 5),
    "yes_partial_no": (None, "no", "partial", "yes"),
}


@st.composite
def _raised(draw: st.DrawFn, kind: str) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Two answer sets equal but for some questions of `kind`, each raised in the second."""
    base = draw(answers(BANK))
    candidates = [q.id for q in _questions(kind)]
    chosen = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=5, unique=True))
    ladder = LADDERS[kind]
    low_answers, high_answers = dict(base), dict(base)
    for qid in chosen:
        low = draw(st.integers(min_value=0, max_value=len(ladder) - 2))
        high = draw(st.integers(min_value=low + 1, max_value=len(ladder) - 1))
        for target, rung in ((low_answers, ladder[low]), (high_answers, ladder[high])):
            if rung is None:
                target.pop(qid, None)
            else:
                target[qid] = rung
    return low_answers, high_answers, chosen


@st.composite
def _raised_numbers(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """The same for number questions with a target: a larger (or a first) number."""
    base = draw(answers(BANK))
    candidates = [q for q in _questions("number") if q.target is not None]
    chosen = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=3, unique=True))
    low_answers, high_answers = dict(base), dict(base)
    for q in chosen:
        # spelt as a file may spell them (`１２`, " 12 "): ordered by what they say
        a, b = sorted(
            draw(st.lists(answer_values(q), min_size=2, max_size=2)),
            key=lambda v: float(unicodedata.normalize("NFKC", str(v))),
        )
        if draw(st.booleans()):
            low_answers.pop(q.id, None)
        else:
            low_answers[q.id] = a
        high_answers[q.id] = b
    return low_answers, high_answers, [q.id for q in chosen]


def _assert_not_worse(low: Evaluation, high: Evaluation) -> None:
    assert high.readiness_percent >= low.readiness_percent
    for a_low, a_high in zip(low.areas, high.areas, strict=True):
        assert a_high.maturity >= a_low.maturity, a_low.id
        assert a_high.gap <= a_low.gap, a_low.id
    p_low, p_high = low.plan, high.plan
    assert p_high.business_days <= p_low.business_days
    for s_low, s_high in zip(p_low.stages, p_high.stages, strict=True):
        assert s_high.business_days <= s_low.business_days, s_low.key
    assert p_high.certification_date <= p_low.certification_date
    assert p_high.earliest_certification_date <= p_low.earliest_certification_date
    c_low, c_high = low.costs, high.costs
    assert c_high.internal_days <= c_low.internal_days
    # Same profile, same rates: an amount is unknown on both sides or known on both.
    for name in ("project_total", "internal_cost", "total_with_internal", "cycle_total"):
        amount_low, amount_high = getattr(c_low, name), getattr(c_high, name)
        assert (amount_low is None) == (amount_high is None), name
        if amount_low is not None:
            assert amount_high <= amount_low, name


@PROPERTY
@given(profiles(), answers(BANK), st.integers(min_value=1, max_value=12))
def test_the_cycle_and_the_fiscal_years_sum_to_the_same_total(
    profile: Profile, given: dict[str, Any], month: int
) -> None:
    """Issue 11, item 6: the two views of the cycle's costs are the same money, to the unit,
    for every plan and every fiscal year start; each line lies within its fiscal year, and
    the years follow each other without a gap."""
    c = run(profile.model_copy(update={"fiscal_year_start_month": month}), given).costs
    assert c.fiscal_year_start_month == month
    years = c.fiscal_years
    assert _sum(fy.amount for fy in years) == c.cycle_total
    for fy in years:
        assert fy.amount == _sum(line.amount for line in fy.lines), fy.key
        assert fy.start.month == month and fy.start.day == 1, fy.key
        for line in fy.lines:
            assert line.date is not None and fy.start <= line.date <= fy.end, (fy.key, line.key)
    for earlier, later in itertools.pairwise(years):
        assert later.start == earlier.end + dt.timedelta(days=1)
    # every line of the cycle is in exactly one fiscal year: the known amounts agree too
    known = [line.amount for fy in years for line in fy.lines if line.amount is not None]
    steps = [s.amount for s in c.cycle_steps]
    if None not in steps:
        assert sum(known) == c.cycle_total


@PROPERTY
@given(profiles(), _raised("maturity"))
def test_raising_a_maturity_never_lengthens_the_plan_nor_raises_the_cost(
    profile: Profile, pair: tuple[dict[str, Any], dict[str, Any], list[str]]
) -> None:
    low, high, _ = pair
    _assert_not_worse(run(profile, low), run(profile, high))


@PROPERTY
@given(profiles(), _raised("yes_partial_no"))
def test_raising_yes_partial_no_never_lengthens_the_plan_nor_raises_the_cost(
    profile: Profile, pair: tuple[dict[str, Any], dict[str, Any], list[str]]
) -> None:
    low, high, _ = pair
    _assert_not_worse(run(profile, low), run(profile, high))


@PROPERTY
@given(profiles(), _raised_numbers())
def test_raising_a_targeted_number_never_lengthens_the_plan_nor_raises_the_cost(
    profile: Profile, pair: tuple[dict[str, Any], dict[str, Any], list[str]]
) -> None:
    low, high, _ = pair
    _assert_not_worse(run(profile, low), run(profile, high))


# --- 4. a fully mature organisation is ready to start ---------------------------------------


@st.composite
def _best_answers(draw: st.DrawFn, *, maturity_at_required: bool) -> dict[str, Any]:
    """Every scored question at full marks (or, optionally, maturity exactly at the area's
    required level); unscored questions (text, ratings, untargeted numbers) anything or blank."""
    result: dict[str, Any] = {}
    for q in BANK.questions:
        if q.scored:
            if maturity_at_required and q.type == "maturity":
                required = BANK.area_of_question[q.id].required_maturity
                assert required is not None
                result[q.id] = required
            else:
                result[q.id] = draw(best_values(q))
        elif draw(st.booleans()):
            result[q.id] = draw(answer_values(q))
    return result


@PROPERTY
@given(profiles(), _best_answers(maturity_at_required=False))
def test_every_scored_question_at_its_best_is_ready_to_start(
    profile: Profile, given: dict[str, Any]
) -> None:
    e = run(profile, given)
    assert e.readiness_percent == 100.0
    for a in e.areas:
        assert a.maturity == 5.0, a.id
        assert a.gap == 0.0, a.id
    assert e.weakest_areas == ()
    assert e.plan.tasks == ()
    assert e.feasibility.verdict == "ready to start", e.feasibility.reasons


@PROPERTY
@given(profiles(), _best_answers(maturity_at_required=True))
def test_maturity_exactly_at_the_required_level_is_ready_to_start(
    profile: Profile, given: dict[str, Any]
) -> None:
    e = run(profile, given)
    for a in e.areas:
        if a.required is not None:
            assert a.maturity >= a.required, a.id
            assert a.gap == 0.0, a.id
    assert e.readiness_percent == 100.0
    assert e.feasibility.verdict == "ready to start", e.feasibility.reasons


# --- 5. deterministic output ----------------------------------------------------------------


@PROPERTY
@given(profiles(), answers(BANK))
def test_same_inputs_give_byte_identical_output(profile: Profile, given: dict[str, Any]) -> None:
    first = run(profile, given).model_dump_json()
    again = run(profile, given).model_dump_json()
    reordered = run(profile, dict(reversed(list(given.items())))).model_dump_json()
    # a profile stored and read back (every field now explicit) evaluates the same
    copied = run(Profile.model_validate(profile.model_dump()), dict(given)).model_dump_json()
    assert first == again == reordered == copied


def _input_file(tmp_path: Path) -> Path:
    if EXAMPLE.exists():
        return EXAMPLE
    text = yaml.safe_dump(
        {
            "profile": {
                "organisation": "Hash Seed Services GmbH",
                "persons_in_scope": 420,
                "it_staff": 85,
                "staff_available_fte": 4.5,
                "services_in_scope": 23,
                "sites": 3,
                "country": "DE",
                "itil_adoption": "partial",
                "existing_certifications": ["ISO 9001", "ISO/IEC 27001"],
                "start_date": "2027-01-11",
                "target_certification_date": "2028-06-30",
                "assumptions": {"integration_reduction_percent": 20},
            },
            "answers": {
                q.id: (
                    [3, 2, 1, 4][i % 4]
                    if q.type in ("maturity", "rating")
                    else ["yes", "partial", "no"][i % 3]
                    if q.type == "yes_partial_no"
                    else (q.target or q.min or 0)
                    if q.type == "number"
                    else "2026-06-30"
                    if q.type == "date"
                    else "Described in the process manual."
                )
                for i, q in enumerate(BANK.questions)
                if i % 7 != 3  # leave some unanswered
            },
        },
        sort_keys=False,
        allow_unicode=True,
    )
    path = tmp_path / "hash-seed.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("iso20k")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_output_does_not_depend_on_the_hash_seed(tmp_path: Path, fmt: str) -> None:
    path = _input_file(tmp_path)
    outputs = []
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [*_cli(), "evaluate", str(path), "--format", fmt, "--today", TODAY.isoformat()],
            capture_output=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode()
        outputs.append(done.stdout)
    assert outputs[0]
    assert outputs[0] == outputs[1] == outputs[2]
    if fmt == "json":
        given = parse_input_text(path.read_text(encoding="utf-8"))
        here = evaluate(given.profile, given.answers, TODAY, given.bank)
        assert outputs[0].decode("utf-8") == here.model_dump_json(indent=2) + "\n"


# --- 6. ranges ------------------------------------------------------------------------------


@PROPERTY
@given(profiles(), answers(BANK))
def test_scores_stay_in_range(profile: Profile, given: dict[str, Any]) -> None:
    e = run(profile, given)
    assert 0.0 <= e.readiness_percent <= 100.0
    assert 0.0 <= e.completion.percent <= 100.0
    for a in e.areas:
        assert 0.0 <= a.maturity <= 5.0, a.id
        assert a.gap >= 0.0, a.id
        if a.required is not None:
            assert a.gap == pytest.approx(max(a.required - a.maturity, 0.0), abs=0.011), a.id
        assert 0 <= a.answered <= a.total, a.id
    f = e.feasibility
    assert f.verdict in VERDICTS
    for score in (f.management_score, f.technical_score, f.score):
        assert 0.0 <= score <= 100.0
    if f.benefit_score is not None:
        assert 0.0 <= f.benefit_score <= 100.0
    for b in f.benefits:
        assert 0.0 <= b.current_maturity <= 5.0 and 0.0 <= b.expected_gain <= 5.0, b.id
    for r in e.risks:
        assert 1 <= r.score <= 9, r.id
    assert set(e.weakest_areas) <= {a.id for a in e.areas if a.gap > 0}


# --- 7. backward planning -------------------------------------------------------------------


@PROPERTY
@given(profiles(with_target=True), answers(BANK))
def test_backward_planning_meets_a_feasible_target_or_says_it_cannot(
    profile: Profile, given: dict[str, Any]
) -> None:
    plan = run(profile, given).plan
    target = profile.target_certification_date
    assert target is not None and plan.target_date == target
    earliest_start = profile.start_date or TODAY
    assert plan.start >= earliest_start
    if plan.target_feasible:
        assert plan.mode == "backward"
        assert plan.certification_date <= target
        assert plan.earliest_certification_date <= target
        assert plan.certification_date >= plan.earliest_certification_date
    else:
        assert plan.target_feasible is False
        assert plan.mode == "forward"
        assert plan.earliest_certification_date > target
        assert plan.certification_date == plan.earliest_certification_date


@PROPERTY
@given(profiles(with_target=False), answers(BANK))
def test_without_a_target_the_plan_runs_forward_from_the_start(
    profile: Profile, given: dict[str, Any]
) -> None:
    plan = run(profile, given).plan
    assert plan.mode == "forward"
    assert plan.target_date is None and plan.target_feasible is None
    cal = BusinessCalendar(profile.country)
    assert plan.start == cal.on_or_after(profile.start_date or TODAY)
    assert plan.certification_date == plan.earliest_certification_date
