"""The report's findings, worked out here from the evaluation and looked for in the Markdown
report (the HTML and PDF say the same: test_report.py): which foundation areas are in which
table and which fall short, the benefits and risks the conclusion names, what the quote
checks say about audit days and reductions, the audits after certification, the charts' alt
texts, and the notice for unanswered questions.

Each expected sentence is written out here, not built with the code under test.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest

from iso20k_core.evaluate import evaluate
from iso20k_core.profile import Profile
from iso20k_core.report.document import render_html, render_markdown
from iso20k_core.results import AreaResult, Evaluation
from tests.core.helpers import TODAY, all_at, all_best, profile
from tests.core.test_report import CASES, NO_ANSWERS, evaluation


def section(text: str, heading: str) -> str:
    """The text under `heading` up to the next heading of the same or a higher level."""
    level = heading.split(" ", 1)[0]
    start = re.search(rf"^{re.escape(heading)}[^\n]*\n", text, re.M)
    assert start is not None, heading
    rest = text[start.end() :]
    ends = [m.start() for m in re.finditer(rf"^#{{1,{len(level)}}} ", rest, re.M)]
    return rest[: min(ends)] if ends else rest


def table_titles(text: str) -> list[str]:
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    return [row.split(" | ")[0].removeprefix("| ") for row in rows[1:]]


def short_of(area: AreaResult) -> bool:
    return area.required is not None and area.maturity < area.required


def foundation(e: Evaluation, dimension: str) -> list[AreaResult]:
    return [a for a in e.areas if a.kind == "foundation" and a.dimension == dimension]


@pytest.mark.parametrize("case", CASES)
def test_each_foundation_table_lists_its_own_areas(case: str) -> None:
    e = evaluation(case)
    report = render_markdown(e)
    for heading, dimension in (
        ("### Management foundation", "management"),
        ("### Technical foundation", "technical"),
    ):
        areas = foundation(e, dimension)
        assert areas, dimension
        assert table_titles(section(report, heading)) == [a.title for a in areas]


@pytest.mark.parametrize("case", CASES)
def test_the_foundation_verdict_names_the_areas_short_of_the_level(case: str) -> None:
    e = evaluation(case)
    report = render_markdown(e)
    short = [a for d in ("management", "technical") for a in foundation(e, d) if short_of(a)]
    if short:
        listed = ", ".join(f"{a.title} ({a.maturity:.1f} of {a.required})" for a in short)
        assert f"Below the level certification needs: {listed}." in report
        names = ", ".join(a.title for a in short)
        assert f"Strengthen the foundation first: {names}." in report
    else:
        assert "Every foundation area is at or above the level certification needs." in report
        assert "Strengthen the foundation first" not in report


def test_an_area_exactly_at_its_required_level_is_not_short() -> None:
    e = evaluation("small-it-department")
    areas = tuple(
        a.model_copy(update={"maturity": float(a.required)})
        if a.kind == "foundation" and a.required is not None
        else a
        for a in e.areas
    )
    report = render_markdown(e.model_copy(update={"areas": areas}))
    assert "Every foundation area is at or above the level certification needs." in report
    alt = re.search(r"areas, by clause: (\d+) below the required level", report)
    assert alt is not None
    requirements = [a for a in areas if a.kind == "requirements"]
    assert int(alt[1]) == sum(short_of(a) for a in requirements)


@pytest.mark.parametrize("case", CASES)
def test_the_conclusion_names_the_top_benefits_and_risks(case: str) -> None:
    e = evaluation(case)
    report = render_markdown(e)
    f = e.feasibility
    gaining = [b for b in f.benefits if b.importance and b.expected_gain > 0][:3]
    if f.benefit_score is None:
        assert "The expected benefits have not been rated: the business case is still open." in (
            report
        )
    elif gaining:
        assert f"(benefit score {f.benefit_score:.1f} of 100)" in report
        conclusion = section(report, "## 9 Conclusion")
        named = conclusion.split("most room to grow: ", 1)[1].split(" (benefit score")[0]
        assert len(named.split("; ")) == len(gaining)
    low = f.benefit_score is not None and f.benefit_score < 30
    assert ("The benefits are rated low" in report) == low
    if e.risks:
        titles = "; ".join(r.title for r in e.risks[:3])
        assert f"Put the countermeasures for the highest risks into the plan: {titles}." in report


def test_benefits_rated_low_are_flagged_and_unrated_ones_are_not_named() -> None:
    e = evaluation("small-it-department")
    rated = e.feasibility.model_copy(update={"benefit_score": 29.9})
    low = render_markdown(e.model_copy(update={"feasibility": rated}))
    assert "The benefits are rated low: confirm the business case" in low
    at = e.feasibility.model_copy(update={"benefit_score": 30.0})
    assert "rated low" not in render_markdown(e.model_copy(update={"feasibility": at}))
    unrated = tuple(b.model_copy(update={"importance": 0}) for b in e.feasibility.benefits)
    none = e.feasibility.model_copy(update={"benefits": unrated, "benefit_score": 50.0})
    report = render_markdown(e.model_copy(update={"feasibility": none}))
    assert "most room to grow" not in report


@pytest.mark.parametrize("case", CASES)
def test_the_quote_checks_give_the_smallest_audit_time_the_standard_allows(case: str) -> None:
    e = evaluation(case)
    report = render_markdown(e)
    days = e.costs.audit_days
    floor = math.ceil(days.table_days * 0.7 * 2) / 2  # at most 30 % off, in half days
    written = f"{floor:g}" if floor != int(floor) else f"{int(floor)}"
    assert f"no fewer than {written} audit days for the initial certification" in report


def reducing(percent: float) -> Profile:
    return profile(assumptions={"integration_reduction_percent": percent})


def test_a_requested_reduction_beyond_the_cap_is_named() -> None:
    asked = evaluate(reducing(50), all_at(2), TODAY)
    report = render_markdown(asked)
    applied = asked.costs.audit_days.reduction_percent
    assert applied < 50
    assert "the profile asked for 50 %, more than the standard allows" in report
    within = evaluate(reducing(10), all_at(2), TODAY)
    assert "more than the standard allows" not in render_markdown(within)


@pytest.mark.parametrize("case", CASES)
def test_own_staff_time_is_valued_at_the_internal_day_rate(case: str) -> None:
    e = evaluation(case)
    rate = next(a.value for a in e.assumptions if a.key == "internal_day_rate")
    report = render_markdown(e)
    assert f"valued at {float(rate):,g} {e.costs.currency} a day" in report


@pytest.mark.parametrize("case", CASES)
def test_the_audits_after_certification_are_listed_with_their_booking(case: str) -> None:
    e = evaluation(case)
    later = [b for b in e.plan.audit_batches if b.planned_date > e.plan.certification_date]
    assert len(later) == 3  # two surveillance audits and the recertification
    parts = [
        f"{b.title.lower()} on {b.planned_date.isoformat()} (book by {b.booking_deadline})"
        for b in later
    ]
    assert f"After certification: {', '.join(parts)}." in render_markdown(e)


@pytest.mark.parametrize("case", CASES)
def test_the_charts_alt_texts_say_what_they_show(case: str) -> None:
    e = evaluation(case)
    p, c = e.plan, e.costs
    audits = "; ".join(
        f"{b.title} {b.planned_date.isoformat()}, "
        + ("booked" if b.booked or b.booking_deadline is None else f"book by {b.booking_deadline}")
        for b in p.audit_batches
    )
    gantt = (
        f"Gantt chart of the plan: {len(p.stages)} stages from {p.start.isoformat()} to "
        f"certification on {p.certification_date.isoformat()}, {len(p.tasks)} tasks, "
        f"{len(p.milestones)} milestones. Audits: {audits}."
    )
    requirements = [a for a in e.areas if a.kind == "requirements"]
    maturity = (
        f"for {len(requirements)} requirement areas, by clause: "
        f"{sum(short_of(a) for a in requirements)} below the required level."
    )
    spread = f" ({c.project_low:,}–{c.project_high:,})" if c.project_uncertain else ""
    cost = f"Bar chart of the project cost, {c.project_total:,} {c.currency}{spread}: "
    markdown, html = render_markdown(e), render_html(e)
    for alt in (gantt, maturity, cost):
        assert alt in markdown
        assert alt.replace("'", "&#39;") in html
    for title in (
        "Implementation plan and certification cycle",
        "Project cost by part, and internal effort",
        "Maturity against the required level",
    ):
        assert f"<figcaption>{title}</figcaption>" in html or f">{title}<" in html
    assert html.count('src="data:image/png;base64,') == 3
    assert "data:image" not in markdown


def test_a_booked_audit_reads_as_booked_in_the_gantt_alt_text() -> None:
    e = evaluation("small-it-department")
    stage1 = next(b for b in e.plan.audit_batches if b.key == "stage1")
    booked = stage1.model_copy(update={"booked": True, "booking_deadline": None})
    batches = tuple(booked if b.key == "stage1" else b for b in e.plan.audit_batches)
    plan = e.plan.model_copy(update={"audit_batches": batches})
    report = render_markdown(e.model_copy(update={"plan": plan}))
    assert f"Stage 1 audit {stage1.planned_date.isoformat()}, booked;" in report


def test_unanswered_questions_are_counted_in_the_notice() -> None:
    e = evaluation(NO_ANSWERS)
    report = render_markdown(e)
    total = e.completion.total
    assert f"Not yet assessed: {total} of {total} questions unanswered." in report
    assert f"Complete the assessment: {total} of {total} questions are still unanswered" in report
    complete = render_markdown(evaluate(profile(), all_best(), TODAY))
    assert "Not yet assessed" not in complete and "Complete the assessment" not in complete


def test_the_report_is_provisional_below_the_completion_threshold_only() -> None:
    e = evaluation("small-it-department")
    for percent, provisional in ((79.9, True), (80.0, False)):
        completion = e.completion.model_copy(update={"percent": percent})
        report = render_markdown(e.model_copy(update={"completion": completion}))
        assert ("Provisional report" in report) == provisional, percent


def test_dates_missing_from_the_plan_print_as_a_dash() -> None:
    e = evaluation("small-it-department")
    plan = e.plan.model_copy(update={"target_date": None})
    assert "No target certification date is set" in render_markdown(
        e.model_copy(update={"plan": plan})
    )
    assert dt.date.fromisoformat(e.plan.start.isoformat()) == e.plan.start


@pytest.mark.parametrize("case", CASES)
def test_the_cover_gives_the_stage_1_audit(case: str) -> None:
    e = evaluation(case)
    stage1 = next(b for b in e.plan.audit_batches if b.key == "stage1")
    booked = " (booked)" if stage1.booked else ""
    assert f"| Stage 1 audit | {stage1.planned_date.isoformat()}{booked} |" in render_markdown(e)


def test_a_pipe_or_a_line_break_in_a_title_keeps_the_markdown_table_whole() -> None:
    e = evaluation("small-it-department")
    first = next(a for a in e.areas if a.kind == "requirements")
    odd = first.model_copy(update={"title": "Incidents | requests\nand problems"})
    areas = tuple(odd if a is first else a for a in e.areas)
    report = render_markdown(e.model_copy(update={"areas": areas}))
    rows = [line for line in report.splitlines() if "Incidents" in line and line.startswith("|")]
    assert rows and all("Incidents \\| requests and problems |" in row for row in rows)
