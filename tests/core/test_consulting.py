"""The consulting effort rule (consulting.py) by hand, its plausibility, and the money ranges
it and the audit days give: low <= expected <= high everywhere, sums of ranges."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from iso20k_core.audit import audit_days
from iso20k_core.consulting import PLAUSIBLE_SMALL_LOW_MATURITY, consulting_effort
from iso20k_core.costs import stage_ranges
from iso20k_core.evaluate import evaluate
from iso20k_core.profile import Profile
from iso20k_core.results import AuditDays, CostLine, Costs, DayRange, Evaluation, Plan
from iso20k_core.standard import load_bank
from tests.core.helpers import TODAY, all_best, profile
from tests.core.strategies import answers, profiles
from tests.core.test_properties import PROPERTY

BANK = load_bank()
ROOT = Path(__file__).resolve().parents[2]
SMALL = yaml.safe_load((ROOT / "examples" / "small-it-department.yaml").read_text("utf-8"))


def run(p: Profile, given: dict[str, Any]) -> Evaluation:
    return evaluate(p, given, TODAY, BANK)


def small(**fields: Any) -> tuple[Profile, Evaluation]:
    p = Profile.model_validate({**SMALL["profile"], **fields})
    return p, run(p, SMALL["answers"])


def point(x: float) -> DayRange:
    return DayRange(low=x, expected=x, high=x)


def test_the_rule_by_hand_for_the_small_low_maturity_example() -> None:
    # small-it-department.yaml: 30 persons, size unit sqrt(30 / 50) = 0.775; process work 299
    # person-days (the plan's tasks from its gaps); 4 audit days (the band up to 45 persons).
    # Expected (low-high), each rounded up to whole days:
    # preparation 2 + 0.5 x 0.775 = 2.39 -> 3 (x 0.75 = 1.79 -> 2, x 1.25 = 2.98 -> 3);
    # gap analysis 2 + 3 x 0.775 = 4.32 -> 5 (3.24 -> 4, 6.49 -> 7);
    # documentation 299 x 0.05 = 14.95 -> 15 (x 0.6 = 8.97 -> 9, x 1.6 = 23.92 -> 24);
    # trial coaching 2 + 0.775 = 2.77 -> 3 (2.08 -> 3, 4.16 -> 5); audit support 4 (a point).
    # Together 30 days (22-43), x 1,200 EUR = 36,000 (26,400-51,600): a third of the 91 days
    # (109,200 EUR) the earlier quarter-of-the-process-work rule gave.
    p, e = small()
    assert e.plan.process_work_days == 299
    effort = consulting_effort(p, e.plan, audit_days(p))
    by_key = {a.key: (a.days.low, a.days.expected, a.days.high) for a in effort.activities}
    assert by_key == {
        "preparation": (2, 3, 3),
        "gap_analysis": (4, 5, 7),
        "documentation": (9, 15, 24),
        "trial_coaching": (3, 3, 5),
        "audit_support": (4, 4, 4),
    }
    assert effort.total == DayRange(low=22, expected=30, high=43)
    line = e.costs.parts[0].lines[0]
    assert (line.amount, line.low, line.high) == (36_000, 26_400, 51_600)
    # The own staff's process work is less the consultants' 15 documentation days.
    assert e.costs.internal_effort[0].days == 299 - 15


def test_the_rule_by_hand_for_a_large_organisation() -> None:
    # The same answers for 3,000 persons: size unit sqrt(60) = 7.75 (under the cap of 8);
    # process work 1,487 person-days (the plan's size scale stops at 4); 17 audit days.
    # preparation 2 + 3.87 = 5.87 -> 6 (4.40 -> 5, 7.34 -> 8); gap analysis 2 + 23.24 = 25.24
    # -> 26 (18.93 -> 19, 37.86 -> 38); documentation 1,487 x 0.05 = 74.35 -> 75 (44.61 -> 45,
    # 118.96 -> 119); trial coaching 2 + 7.75 = 9.75 -> 10 (7.31 -> 8, 14.62 -> 15); audit
    # support 17. Together 134 days (94-197).
    p, e = small(persons_in_scope=3000)
    assert e.plan.process_work_days == 1487
    assert audit_days(p).initial == 17
    effort = consulting_effort(p, e.plan, audit_days(p))
    by_key = {a.key: (a.days.low, a.days.expected, a.days.high) for a in effort.activities}
    assert by_key == {
        "preparation": (5, 6, 8),
        "gap_analysis": (19, 26, 38),
        "documentation": (45, 75, 119),
        "trial_coaching": (8, 10, 15),
        "audit_support": (17, 17, 17),
    }
    assert effort.total == DayRange(low=94, expected=134, high=197)


def test_a_small_low_maturity_organisation_gets_a_plausible_number_of_consultant_days() -> None:
    # The band (consulting.py): 20-45 expected days, two or three days a month over a project
    # of about a year; low and high within 10-60. Checked over the sizes a "small"
    # organisation has, with the low-maturity answers of the example.
    band_low, band_high = PLAUSIBLE_SMALL_LOW_MATURITY
    for persons in (10, 20, 30, 40, 50):
        p, e = small(persons_in_scope=persons)
        total = consulting_effort(p, e.plan, audit_days(p)).total
        assert band_low <= total.expected <= band_high, (persons, total)
        assert total.low >= 10 and total.high <= 60, (persons, total)


def test_without_consultants_there_are_no_consultant_days() -> None:
    p, e = small(use_consultants=False)
    assert consulting_effort(p, e.plan, audit_days(p)).activities == ()
    line = e.costs.parts[0].lines[0]
    assert (line.amount, line.low, line.high) == (0, 0, 0)


def test_stage_1_and_stage_2_share_the_initial_audits_range_in_proportion() -> None:
    # An initial audit of 5 days (4-7) split 1.5 / 3.5: stage 1 takes 30 % of each figure,
    # 1.2-2.1; stage 2 70 %, 2.8-4.9.
    base = audit_days(profile())
    audit = AuditDays.model_validate(
        {
            **base.model_dump(),
            "initial": 5.0,
            "stage1": 1.5,
            "stage2": 3.5,
            "initial_range": DayRange(low=4, expected=5, high=7),
        }
    )
    stage1, stage2 = stage_ranges(audit)
    assert (stage1.low, stage1.expected, stage1.high) == (1.2, 1.5, 2.1)
    assert (round(stage2.low, 6), stage2.expected, round(stage2.high, 6)) == (2.8, 3.5, 4.9)
    # A point range (the audit days known) stays a point, exactly.
    assert stage_ranges(base) == (point(base.stage1), point(base.stage2))


def test_a_line_built_without_a_range_is_a_point_and_an_unknown_one_has_none() -> None:
    known = CostLine(key="k", title="t", amount=5, basis="b")
    assert (known.low, known.high, known.uncertain) == (5, 5, False)
    unknown = CostLine(key="k", title="t", amount=None, basis="b", needs=("x",))
    assert (unknown.low, unknown.high, unknown.uncertain) == (None, None, False)


# --- properties -------------------------------------------------------------------------------


def _ordered(amount: int | None, low: int | None, high: int | None) -> bool:
    if amount is None:
        return low is None and high is None
    return low is not None and high is not None and low <= amount <= high


def _sum(values: list[int | None]) -> int | None:
    return None if None in values else sum(x for x in values if x is not None)


def _check_ranges(c: Costs) -> None:
    for part in c.parts:
        for line in part.lines:
            assert _ordered(line.amount, line.low, line.high), line.key
        assert _ordered(part.amount, part.low, part.high), part.key
        assert part.low == _sum([x.low for x in part.lines]), part.key
        assert part.high == _sum([x.high for x in part.lines]), part.key
    assert _ordered(c.project_total, c.project_low, c.project_high)
    assert c.project_low == _sum([p.low for p in c.parts])
    assert c.project_high == _sum([p.high for p in c.parts])
    assert _ordered(c.total_with_internal, c.total_with_internal_low, c.total_with_internal_high)
    assert c.total_with_internal_low == _sum([c.project_low, c.internal_cost])
    assert c.total_with_internal_high == _sum([c.project_high, c.internal_cost])
    for year in c.three_years:
        assert _ordered(year.amount, year.low, year.high), year.year
        assert year.low == _sum([x.low for x in year.lines]), year.year


@PROPERTY
@given(profiles(), answers(BANK))
def test_every_line_and_total_has_low_at_most_expected_at_most_high(
    p: Profile, given: dict[str, Any]
) -> None:
    e = run(p, given)
    _check_ranges(e.costs)
    total = _effort(p, e.plan)
    assert total.low <= total.expected <= total.high


def _effort(p: Profile, plan: Plan) -> DayRange:
    return consulting_effort(p, plan, audit_days(p)).total


def _not_fewer(smaller: DayRange, larger: DayRange) -> None:
    assert smaller.low <= larger.low
    assert smaller.expected <= larger.expected
    assert smaller.high <= larger.high


@PROPERTY
@given(profiles(), st.integers(min_value=1, max_value=100_000))
def test_consultant_days_never_fall_as_the_organisation_grows(p: Profile, more: int) -> None:
    best = all_best(BANK)
    without = {k: v for k, v in best.items() if not k.startswith(("change.", "incident."))}
    bigger = p.model_copy(update={"persons_in_scope": min(p.persons_in_scope + more, 1_000_000)})
    low, high = run(p, without), run(bigger, without)
    _not_fewer(_effort(p, low.plan), _effort(bigger, high.plan))


@PROPERTY
@given(profiles(), st.sampled_from(sorted({q.id.split(".")[0] for q in BANK.questions})))
def test_consultant_days_never_fall_as_the_gaps_grow(p: Profile, area: str) -> None:
    # Leaving an area's answers out widens its gap (unanswered counts as 0), never narrows it.
    best = all_best(BANK)
    wider = {k: v for k, v in best.items() if not k.startswith(area + ".")}
    _not_fewer(_effort(p, run(p, best).plan), _effort(p, run(p, wider).plan))
