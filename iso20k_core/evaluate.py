"""`evaluate(profile, answers, today)`: the whole analysis in one pure call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from iso20k_core.answers import AnswerValue, parse_answers
from iso20k_core.assumptions import list_assumptions
from iso20k_core.costs import estimate
from iso20k_core.plan import build_plan, sized_tasks
from iso20k_core.profile import Profile
from iso20k_core.results import Evaluation
from iso20k_core.risks import RiskContext, assess_risks
from iso20k_core.scoring import (
    area_results,
    completion,
    feasibility,
    readiness_percent,
    weakest_areas,
)
from iso20k_core.standard import Bank, load_bank


def evaluate(
    profile: Profile,
    answers: Mapping[str, object],
    today: dt.date,
    bank: Bank | None = None,
) -> Evaluation:
    """Same inputs, same output: nothing here reads a clock, a file or the network."""
    bank = bank or load_bank()
    checked: dict[str, AnswerValue] = parse_answers(answers, bank)
    done = completion(bank, checked)
    areas = area_results(bank, checked, today)
    readiness = readiness_percent(areas)
    feas = feasibility(bank, checked, areas, readiness, done.percent)
    plan = build_plan(profile, bank, areas, readiness, today)
    costs = estimate(profile, checked, sized_tasks(profile, bank, areas), plan)
    risks = assess_risks(
        RiskContext(
            answers=checked,
            areas={a.id: a for a in areas},
            completion=done,
            feasibility=feas,
            plan=plan,
            costs=costs,
            persons_in_scope=profile.persons_in_scope,
            services_in_scope=profile.services_in_scope,
            sites=profile.sites,
            staff_available_fte=profile.staff_available_fte,
            itil_adoption=profile.itil_adoption,
            certifications=profile.existing_certifications,
            today=today,
        )
    )
    return Evaluation(
        organisation=profile.organisation,
        today=today,
        standard=bank.standard,
        bank_version=bank.version,
        completion=done,
        areas=areas,
        readiness_percent=readiness,
        weakest_areas=weakest_areas(areas),
        feasibility=feas,
        plan=plan,
        costs=costs,
        risks=risks,
        assumptions=list_assumptions(profile),
        sources=bank.sources,
    )
