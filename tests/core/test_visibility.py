"""What members may see: risks in member-safe words, the plan's picture without its tasks.

README: costs and staffing are shown to managers and admins only; members see their own
assignments. The core decides it where the text is written (each risk rule) and where the
picture is drawn (the Gantt chart); the dialogs choose the version by role.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from iso20k_core.evaluate import evaluate
from iso20k_core.profile import Profile
from iso20k_core.report import charts
from iso20k_core.standard import load_bank
from tests.core.helpers import TODAY, all_at, examples, profile
from tests.core.strategies import answers, profiles

BANK = load_bank()
# What staffing and money look like in a text: the FTE, person-days, a currency amount.
STAFFING_OR_COST = ("FTE", "person-day", "EUR", "GBP", "USD", "CHF")


def test_too_few_people_reads_without_figures_for_members() -> None:
    e = evaluate(profile(staff_available_fte=0.5), all_at(3), TODAY, BANK)
    assert not e.plan.process_capped
    risk = next(r for r in e.risks if r.id == "too_few_people")
    assert "FTE available" in risk.trigger  # managers see the figures
    member = risk.for_members()
    assert member.trigger == "the process work needs more people than the project has"
    assert member.member_trigger is None
    assert (member.title, member.score, member.countermeasure) == (
        risk.title,
        risk.score,
        risk.countermeasure,
    )
    capped = evaluate(profile(staff_available_fte=0.1), all_at(1), TODAY, BANK)
    assert capped.plan.process_capped
    risk = next(r for r in capped.risks if r.id == "too_few_people")
    assert risk.for_members().trigger == (
        "the process work needs more people than the project has; it cannot be done within 3 years"
    )


@settings(max_examples=examples(60), deadline=None)
@given(profiles(), answers(BANK))
def test_no_member_version_of_a_risk_carries_staffing_or_money(
    p: Profile, given_answers: dict[str, Any]
) -> None:
    for risk in evaluate(p, given_answers, TODAY, BANK).risks:
        seen = risk.for_members()
        for text in (seen.title, seen.trigger, seen.countermeasure):
            assert not any(word in text for word in STAFFING_OR_COST), (risk.id, text)


def test_the_members_gantt_has_no_tasks() -> None:
    e = evaluate(profile(), all_at(1), TODAY, BANK)
    assert e.plan.tasks
    titles = {e.area(t.area).title[:20] for t in e.plan.tasks}

    def labels(figure: Any) -> list[str]:
        return [t.get_text() for ax in figure.axes for t in ax.get_yticklabels()]

    full = labels(charts.gantt_figure(e))
    members = labels(charts.gantt_figure(e, with_tasks=False))
    assert any(label.startswith(tuple(titles)) for label in full)
    assert not any(label.startswith(tuple(titles)) for label in members)
    assert "Milestones" in members and "Stage 1 audit" in members
    legend = [t.get_text() for t in charts.gantt_figure(e, with_tasks=False).legends[0].texts]
    assert not any(text.startswith("Task") for text in legend)
    assert charts.gantt_png(e, with_tasks=False) != charts.gantt_png(e)
    assert charts.gantt_png(e, with_tasks=False) == charts.chart(e, "gantt_members")
