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
from iso20k_core.evaluate import evaluate
from iso20k_core.profile import Profile
from iso20k_core.results import CostLine, Costs, DayRange, Evaluation, Plan
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
    # trial coaching 2 + 0.775 = 2.77 -> 3 (2.08 -> 3, 4.16 -> 5); audit support the initial
    # audit's 4 days (3-8: the default table's range, see test_audit_time).
    # Together 30 days (21-47), x 1,200 EUR = 36,000 (25,200-56,400): a third of the 91 days
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
        "audit_support": (3, 4, 8),
    }
    assert effort.total == DayRange(low=21, expected=30, high=47)
    line = e.costs.parts[0].lines[0]
    assert (line.amount, line.low, line.high) == (36_000, 25_200, 56_400)
    # The own staff's process work is less the consultants' 15 documentation days.
    assert e.costs.internal_effort[0].days == 299 - 15


def test_the_rule_by_hand_for_a_large_organisation() -> None:
    # The same answers for 3,000 persons: size unit sqrt(60) = 7.75 (under the cap of 8);
    # process work 1,487 person-days (the plan's size scale stops at 4); 17 audit days.
    # preparation 2 + 3.87 = 5.87 -> 6 (4.40 -> 5, 7.34 -> 8); gap analysis 2 + 23.24 = 25.24
    # -> 26 (18.93 -> 19, 37.86 -> 38); documentation 1,487 x 0.05 = 74.35 -> 75 (44.61 -> 45,
    # 118.96 -> 119); trial coaching 2 + 7.75 = 9.75 -> 10 (7.31 -> 8, 14.62 -> 15); audit
    # support 17 (12-34, the audit's range). Together 134 days (89-214).
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
        "audit_support": (12, 17, 34),
    }
    assert effort.total == DayRange(low=89, expected=134, high=214)


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


def test_stage_1_and_stage_2_split_each_figure_of_the_initial_range_by_one_rule() -> None:
    # 60 persons: initial 5 days (3.5-10). Stage 1 is 30 % in half days, rounded up, the
    # rest stage 2: low 3.5 -> 1.05 -> 1.5 + 2.0; expected 5 -> 1.5 + 3.5; high 10 -> 3 + 7.
    audit = audit_days(profile())
    r = audit.initial_range
    assert (r.low, r.expected, r.high) == (3.5, 5.0, 10.0)
    s1, s2 = audit.stage1_range, audit.stage2_range
    assert (s1.low, s1.expected, s1.high) == (1.5, 1.5, 3.0)
    assert (s2.low, s2.expected, s2.high) == (2.0, 3.5, 7.0)
    # A profile's own table is known: each stage is a point.
    table = ({"max_persons": 100, "days": 4}, {"max_persons": 1000, "days": 8})
    own = audit_days(profile(assumptions={"audit_days_table": table}))
    assert own.stage1_range == point(own.stage1) and own.stage2_range == point(own.stage2)


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
    # The cycle, by step and by fiscal year: each in order, each the sum of its lines, and
    # both views' ranges the same as the cycle total's.
    for view in (c.cycle_steps, c.fiscal_years):
        for group in view:
            for line in group.lines:
                assert _ordered(line.amount, line.low, line.high), (group.key, line.key)
            assert _ordered(group.amount, group.low, group.high), group.key
            assert group.low == _sum([x.low for x in group.lines]), group.key
            assert group.high == _sum([x.high for x in group.lines]), group.key
        assert c.cycle_low == _sum([g.low for g in view])
        assert c.cycle_high == _sum([g.high for g in view])
    assert _ordered(c.cycle_total, c.cycle_low, c.cycle_high)


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
