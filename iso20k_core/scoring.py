"""Maturity, compliance, gaps, readiness and the feasibility verdict.

Maturity (0-5) and compliance (met / partly met / not met) are kept apart on purpose:
maturity says how well an area works, compliance says whether the
evidence for the standard's "shall" requirements exists. An unanswered question scores zero
towards maturity, so an incomplete assessment errs on the cautious side, and completion is
reported next to it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.numbers import format_decimal

from iso20k_core import figures as fig
from iso20k_core.answers import YES_PARTIAL_NO_SCORE, AnswerValue, question_score
from iso20k_core.language import _, _p, active
from iso20k_core.results import (
    AreaResult,
    BenefitResult,
    Completion,
    Compliance,
    Feasibility,
    Plan,
    SectionCompletion,
    Verdict,
)
from iso20k_core.standard import Area, Bank, Section

# Management feasibility weighs more than technical feasibility: without leadership,
# policy and resources a certification fails however good the tools (an estimate).
MANAGEMENT_WEIGHT = 0.65
WEAKEST_COUNT = 5
# Below these the project is not yet feasible: without leadership (clause 5.1 makes top
# management accountable) and a minimal foundation an SMS cannot be established.
MIN_LEADERSHIP_MATURITY = 2.0
MIN_FEASIBILITY_SCORE = 35.0
# "Ready to start" means the remaining work is confirmation, not construction.
READY_READINESS_PERCENT = 90.0
READY_MAX_GAP = 1.0
LOW_BENEFIT_SCORE = 30.0
PROVISIONAL_COMPLETION = 80.0


def _pct(part: float, whole: float) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def completion(bank: Bank, answers: dict[str, AnswerValue]) -> Completion:
    sections = []
    for section in bank.sections:
        questions = section.questions
        answered = sum(1 for q in questions if q.id in answers)
        sections.append(
            SectionCompletion(
                section=section.id,
                title=section.title,
                answered=answered,
                total=len(questions),
                percent=_pct(answered, len(questions)),
            )
        )
    answered = sum(s.answered for s in sections)
    total = sum(s.total for s in sections)
    return Completion(
        answered=answered, total=total, percent=_pct(answered, total), sections=tuple(sections)
    )


def area_result(
    section: Section, area: Area, answers: dict[str, AnswerValue], today: dt.date
) -> AreaResult:
    weighted = 0.0
    weights = 0.0
    evidence: list[float] = []
    answered = 0
    for q in area.questions:
        value = answers.get(q.id)
        if value is not None:
            answered += 1
        if q.type == "yes_partial_no" and value is not None:
            evidence.append(YES_PARTIAL_NO_SCORE[str(value)])
        if q.scored:
            weights += q.weight
            if value is not None:
                weighted += q.weight * question_score(q, value, today)
    # One decimal is the resolution answers support; finer digits would only show noise.
    maturity = round(5 * weighted / weights, 1) if weights else 0.0
    required = area.required_maturity
    gap = round(max(required - maturity, 0.0), 1) if required is not None else 0.0
    return AreaResult(
        id=area.id,
        title=area.title,
        section=section.id,
        kind=section.kind,
        clause=area.clause,
        dimension=area.dimension,
        owner_role=area.owner_role,
        answered=answered,
        total=len(area.questions),
        maturity=maturity,
        required=required,
        gap=gap,
        compliance=_compliance(evidence),
    )


def _compliance(evidence: list[float]) -> Compliance:
    if not evidence:
        return "not assessed"
    if all(e == 1.0 for e in evidence):
        return "met"
    if all(e == 0.0 for e in evidence):
        return "not met"
    return "partly met"


def area_results(
    bank: Bank, answers: dict[str, AnswerValue], today: dt.date
) -> tuple[AreaResult, ...]:
    return tuple(
        area_result(section, area, answers, today)
        for section in bank.sections
        if section.kind != "benefits"
        for area in section.areas
    )


def readiness_percent(areas: tuple[AreaResult, ...]) -> float:
    """Mean share of the required maturity reached, over the standard's requirement areas."""
    shares = [
        min(a.maturity / a.required, 1.0) if a.required else 1.0
        for a in areas
        if a.kind == "requirements"
    ]
    return round(100 * sum(shares) / len(shares), 1) if shares else 0.0


def weakest_areas(areas: tuple[AreaResult, ...], count: int = WEAKEST_COUNT) -> tuple[str, ...]:
    gaps = sorted(
        (a for a in areas if a.kind == "requirements" and a.gap > 0),
        key=lambda a: (-a.gap, a.maturity, a.id),
    )
    return tuple(a.id for a in gaps[:count])


def _dimension_score(areas: tuple[AreaResult, ...], dimension: str) -> float:
    chosen = [a.maturity for a in areas if a.kind == "foundation" and a.dimension == dimension]
    return round(20 * sum(chosen) / len(chosen), 1) if chosen else 0.0


def benefits(
    bank: Bank, answers: dict[str, AnswerValue], areas: tuple[AreaResult, ...]
) -> tuple[BenefitResult, ...]:
    maturity = {a.id: a.maturity for a in areas}
    results = []
    for section in bank.sections:
        if section.kind != "benefits":
            continue
        for q in section.questions:
            raw = answers.get(q.id)
            importance = int(raw) if isinstance(raw, int | float) else None
            current = (
                sum(maturity[a] for a in q.delivered_by) / len(q.delivered_by)
                if q.delivered_by
                else 0.0
            )
            # 0-5 figures are kept to one decimal, like maturity (figures.py)
            gain = round((importance or 0) * (1 - current / 5), 1)
            current = round(current, 1)
            results.append(
                BenefitResult(
                    id=q.id,
                    text=q.text,
                    importance=importance,
                    delivered_by=q.delivered_by,
                    current_maturity=current,
                    expected_gain=gain,
                )
            )
    return tuple(sorted(results, key=lambda b: (-b.expected_gain, b.id)))


def feasibility(
    bank: Bank,
    answers: dict[str, AnswerValue],
    areas: tuple[AreaResult, ...],
    readiness: float,
    completion_percent: float,
    plan: Plan | None = None,
) -> Feasibility:
    management = _dimension_score(areas, "management")
    technical = _dimension_score(areas, "technical")
    score = round(MANAGEMENT_WEIGHT * management + (1 - MANAGEMENT_WEIGHT) * technical, 1)
    benefit_list = benefits(bank, answers, areas)
    rated = [b.importance for b in benefit_list if b.importance is not None]
    benefit_score = round(20 * sum(rated) / len(rated), 1) if rated else None

    blockers: list[str] = []
    leadership = [a for a in areas if a.id == "leadership"]
    if leadership and leadership[0].maturity < MIN_LEADERSHIP_MATURITY:
        blockers.append(
            _(
                "Leadership commitment is weak (maturity {maturity} of 5): clause 5.1 needs "
                "top management to lead the SMS.",
                maturity=fig.level(leadership[0].maturity),
            )
        )
    if score < MIN_FEASIBILITY_SCORE:
        blockers.append(
            _(
                "The management and technical foundation is thin (feasibility score {score} "
                "of 100, management weighted {weight} %).",
                score=fig.score(score),
                weight=fig.number(MANAGEMENT_WEIGHT * 100),
            )
        )
    if plan is not None and plan.process_capped:
        blockers.append(
            _(
                "The process work ({days} person-days) would take {needed} with {fte} FTE "
                "available; the plan is capped at {years} years of process work. Add staff "
                "or consultants, or narrow the scope.",
                days=fig.count(plan.process_work_days),
                needed=years_text(plan.process_years_needed),
                fte=fig.number(plan.staff_available_fte),
                years=plan.max_process_years,
            )
        )

    # Area titles come from the bank, in the reader's language; sorted as they read.
    foundation_short = sorted(
        a.title
        for a in areas
        if a.kind == "foundation" and a.required is not None and a.maturity < a.required
    )
    requirement_gaps = [a for a in areas if a.kind == "requirements"]
    max_gap = max((a.gap for a in requirement_gaps), default=0.0)
    largest_gap = _(
        "Readiness is {readiness}; the largest gap is {gap} maturity levels.",
        readiness=fig.percent(readiness),
        gap=fig.level(max_gap),
    )

    verdict: Verdict
    reasons: list[str] = []
    if blockers:
        verdict = "not yet feasible"
        reasons.extend(blockers)
        reasons.append(largest_gap)
    elif not foundation_short and readiness >= READY_READINESS_PERCENT and max_gap <= READY_MAX_GAP:
        verdict = "ready to start"
        reasons.append(
            _(
                "Readiness is {readiness} and no requirement area is more than {gap} maturity "
                "level short of what certification needs.",
                readiness=fig.percent(readiness),
                gap=fig.number(READY_MAX_GAP),
            )
        )
    else:
        verdict = "feasible with preparation"
        if foundation_short:
            reasons.append(
                _(
                    "Foundation below the level needed: {areas}.",
                    areas=_p("list separator", ", ").join(foundation_short),
                )
            )
        reasons.append(largest_gap)
    if management >= technical:
        reasons.append(
            _(
                "Management foundation {management}/100 carries the project; technical "
                "foundation {technical}/100.",
                management=fig.score(management),
                technical=fig.score(technical),
            )
        )
    else:
        reasons.append(
            _(
                "Technical foundation ({technical}/100) is ahead of the management foundation "
                "({management}/100): tools will not make up for weak management.",
                management=fig.score(management),
                technical=fig.score(technical),
            )
        )
    if benefit_score is not None and benefit_score < LOW_BENEFIT_SCORE:
        reasons.append(
            _(
                "The expected benefits are rated low ({score}/100): confirm the business case "
                "with senior management before starting.",
                score=fig.score(benefit_score),
            )
        )
    if completion_percent < PROVISIONAL_COMPLETION:
        reasons.append(
            _(
                "Only {percent} of the questions are answered: unanswered questions count as "
                "absent, so the verdict is provisional.",
                percent=fig.percent(completion_percent),
            )
        )
    return Feasibility(
        management_score=management,
        technical_score=technical,
        score=score,
        management_weight=MANAGEMENT_WEIGHT,
        benefit_score=benefit_score,
        benefits=benefit_list,
        verdict=verdict,
        reasons=tuple(reasons),
    )


def years_text(years: float) -> str:
    """`3.4 years`, `431.5 years`, `more than 1,000 years`: kept to one decimal by the plan."""
    if years > 1000:
        return _("more than {years} years", years=fig.count(1000))
    return _("{years} years", years=_one_decimal(years))


def _one_decimal(value: float) -> str:
    """A figure the plan kept to one decimal, with the reader's grouping: `1,000.0` in
    English as in `f"{value:,.1f}"`, which fig.score does not group (scores stay below 100)."""
    # Rounded as English always was, then grouped: the same digits in every language.
    return str(format_decimal(Decimal(f"{value:.1f}"), format="#,##0.0", locale=active().locale))
