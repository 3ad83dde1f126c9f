"""`evaluate(profile, answers, today)`: the whole analysis in one pure call.

No input can make one evaluation slow: `today` and every date the plan starts from lie in the
horizon of `dates.py`, process work is capped (`plan.MAX_PROCESS_YEARS`), the business-day
calendar answers from an index, and the plan with its three-year cycle ends within 20 years
of `today`. `benchmarks/engine.py` measures the worst cases it can build.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from iso20k_core import figures as fig
from iso20k_core.answers import AnswerValue, parse_answers
from iso20k_core.assumptions import holiday_assumptions, list_assumptions
from iso20k_core.audit import audit_days
from iso20k_core.costs import estimate
from iso20k_core.dates import EARLIEST, DateError, check_horizon
from iso20k_core.documents import stage1_documents
from iso20k_core.errors import InputError, as_problem
from iso20k_core.inputs import parse_bookings
from iso20k_core.language import _
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
from iso20k_core.standard import Bank, in_active_language, load_bank

# The plan and its certification cycle end within 20 years of `today` (plan.py): a `today`
# after this would carry them past the last date Python can hold (9999-12-31).
LAST_TODAY = dt.date(9900, 12, 31)


def evaluate(
    profile: Profile,
    answers: Mapping[str, object],
    today: dt.date,
    bank: Bank | None = None,
    bookings: Mapping[str, object] | None = None,
) -> Evaluation:
    """Same inputs, same output: nothing here reads a clock, a file or the network.

    `bookings` maps an audit batch's key (`plan.AUDIT_KEYS`) to the date the certification
    body confirmed; the plan is laid out around them. Dates outside the horizon of `today`
    raise `InputError` naming the field."""
    _check_dates(profile, today)
    # The bank in the reader's language: its titles and texts go into the results.
    bank = in_active_language(bank or load_bank())
    booked = parse_bookings(bookings, today)
    checked: dict[str, AnswerValue] = parse_answers(answers, bank)
    done = completion(bank, checked)
    areas = area_results(bank, checked, today)
    readiness = readiness_percent(areas)
    audit = audit_days(profile)
    sizes = sized_tasks(profile, bank, areas)
    plan = build_plan(profile, bank, areas, readiness, today, booked, audit=audit, sizes=sizes)
    feas = feasibility(bank, checked, areas, readiness, done.percent, plan)
    costs = estimate(profile, checked, sizes, plan, audit)
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
        assumptions=list_assumptions(profile, audit) + holiday_assumptions(plan),
        sources=bank.sources,
        stage1_documents=stage1_documents(bank, checked),
    )


def _check_dates(profile: Profile, today: dt.date) -> None:
    if not EARLIEST <= today <= LAST_TODAY:
        raise InputError(
            "today",
            _(
                "choose a day from {first} to {last}.",
                first=fig.date(EARLIEST),
                last=fig.date(LAST_TODAY),
            ),
        )
    # Profiles are checked when entered; these guard the ones built in code or stored before
    # the horizon existed, which could otherwise plan for millennia.
    for name in ("start_date", "target_certification_date"):
        day = getattr(profile, name)
        if day is not None:
            try:
                check_horizon(day, today)
            except DateError as exc:
                raise InputError(f"profile.{name}", as_problem(str(exc))) from None
