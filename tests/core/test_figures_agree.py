"""One figure, one value, in every place it is written (iso20k_core/figures.py).

The expected values below are worked out by hand from the bank's data and the documented
rules, not computed with the code under test.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from iso20k_core.evaluate import evaluate
from iso20k_core.profile import Profile
from iso20k_core.report.document import render_markdown
from iso20k_core.report.render import render
from iso20k_core.standard import load_bank
from tests.core.helpers import TODAY, examples, profile, two_weak_processes
from tests.core.strategies import answers, profiles

BANK = load_bank()


def test_process_work_is_one_figure_in_risks_costs_and_the_report() -> None:
    e = two_weak_processes()
    assert e.plan.process_work_days == 54
    assert e.plan.business_days == 273  # helpers.two_weak_processes
    assert e.readiness_percent == 92.9
    risk = next(r for r in e.risks if r.id == "too_few_people")
    assert risk.trigger == "54 person-days of process work for 0.5 FTE available"
    effort = {line.key: (line.days, line.basis) for line in e.costs.internal_effort}
    assert effort == {
        "process_work": (51, "54 person-days of process work, less 3 done by consultants"),
        "coordination": (55, "20 % of the plan's 273 business days"),  # ceil(54.6)
        "awareness": (13, "50 persons × 2 hours"),
        "internal_audit": (6, "2 persons × 3 days"),
        "audit_escort": (10, "2 persons × 5 audit days"),
    }
    # 51 + 55 + 13 + 6 + 10 = 135, x 480
    assert (e.costs.internal_days, e.costs.internal_cost) == (135, 64_800)
    consulting = e.costs.parts[0].lines[0]
    # 19 (15-32) days x 1,200
    assert (consulting.amount, consulting.low, consulting.high) == (22_800, 18_000, 38_400)
    # The documentation days the consultants do are the days the process work line deducts.
    assert consulting.basis.startswith(
        "19 (15–32) days × 1,200 EUR: 3 (2–4) preparation, 5 (4–8) gap analysis, 3 (2–5) "
        "documentation and process support, 3 (3–5) trial coaching, 5 (4–10) audit support; "
    )
    report = render_markdown(e)
    assert "Biggest gaps first; 54 person-days of process work in total." in report
    assert "| Process work | 54 person-days of process work, less 3 done by consultants | 51 |" in (
        report
    )
    assert "| **Internal effort** | | **135** |" in report
    assert "| Internal effort | 135 person-days (64,800 EUR) |" in report
    assert "| Readiness | 92.9 % |" in report
    assert "Readiness is 92.9 %; the largest gap is 3.0 maturity levels." in report
    summary = render(e, "text")
    assert "Readiness     92.9 %" in summary
    assert "Process work" in summary and "51 days" in summary


def test_a_score_reads_the_same_in_the_reasons_and_the_report() -> None:
    # By hand: leadership.commitment 2 of 5 weighs 3.0 of the area's 10.0, so leadership
    # maturity is 5 x 3.0 x 2/5 / 10.0 = 0.6; the management foundation is 20 x 0.6 / 6
    # areas = 2.0. tooling.itsm_tool 3 weighs 2.5 of 7.5: 5 x 2.5 x 3/5 / 7.5 = 1.0; the
    # technical foundation 20 x 1.0 / 2 = 10.0. Score 0.65 x 2.0 + 0.35 x 10.0 = 4.8, which
    # the reasons once wrote as "5 of 100". Two of 157 questions answered: 1.27 -> 1.3 %.
    e = evaluate(profile(), {"leadership.commitment": 2, "tooling.itsm_tool": 3}, TODAY, BANK)
    f = e.feasibility
    assert (f.management_score, f.technical_score, f.score) == (2.0, 10.0, 4.8)
    assert f.reasons == (
        "Leadership commitment is weak (maturity 0.6 of 5): clause 5.1 needs top management "
        "to lead the SMS.",
        "The management and technical foundation is thin (feasibility score 4.8 of 100, "
        "management weighted 65 %).",
        "Readiness is 0.0 %; the largest gap is 3.0 maturity levels.",
        "Technical foundation (10.0/100) is ahead of the management foundation (2.0/100): "
        "tools will not make up for weak management.",
        "Only 1.3 % of the questions are answered: unanswered questions count as absent, so "
        "the verdict is provisional.",
    )
    report = render_markdown(e)
    assert "| Feasibility score | 4.8 / 100 (management 2.0, technical 10.0) |" in report
    assert "| Questions answered | 2 of 157 (1.3 %) |" in report
    incomplete = next(r for r in e.risks if r.id == "incomplete_assessment")
    assert incomplete.trigger == "1.3 % of questions answered"


def test_benefit_score_is_one_decimal_everywhere() -> None:
    # Four of the nine benefits rated 1, five rated 0: 20 x 4 / 9 = 8.89 -> 8.9.
    ratings = [1, 1, 1, 1, 0, 0, 0, 0, 0]
    benefits = [q.id for s in BANK.sections if s.kind == "benefits" for q in s.questions]
    e = evaluate(profile(), dict(zip(benefits, ratings, strict=True)), TODAY, BANK)
    assert e.feasibility.benefit_score == 8.9
    assert any("rated low (8.9/100)" in r for r in e.feasibility.reasons)
    assert next(r for r in e.risks if r.id == "weak_business_case").trigger == (
        "benefit score 8.9/100"
    )
    assert "| Expected benefits | 8.9 / 100 |" in render_markdown(e)


@settings(max_examples=examples(40), deadline=None)
@given(profiles(), answers(BANK))
def test_every_reason_writes_scores_as_the_engine_kept_them(
    p: Profile, given_answers: dict[str, Any]
) -> None:
    e = evaluate(p, given_answers, TODAY, BANK)
    f = e.feasibility
    report = render_markdown(e)
    assert f"| Readiness | {e.readiness_percent:.1f} % |" in report
    for reason in f.reasons:
        if reason.startswith("Readiness is"):
            assert reason.startswith(f"Readiness is {e.readiness_percent:.1f} %")
        if "feasibility score" in reason:
            assert f"feasibility score {f.score:.1f} of 100" in reason
