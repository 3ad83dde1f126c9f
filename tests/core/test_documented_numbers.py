"""The numbers README "How the engine decides" promises, each pinned by a literal example.

Nothing here reads the engine's constants: the expected values are the README's own words or
worked out by hand from the bank's weights (iso20k_core/standard/bank-2018.1.yaml), so a
changed weight, threshold or rule fails a test instead of moving the expectation with it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from iso20k_core.answers import AnswerValue
from iso20k_core.audit import audit_days
from iso20k_core.evaluate import evaluate
from iso20k_core.profile import Assumptions
from iso20k_core.results import Evaluation
from iso20k_core.risks import RULES
from iso20k_core.standard import load_bank
from tests.core.helpers import TODAY, all_at, all_best, best_value, profile, two_weak_processes

BANK = load_bank()
D = dt.date


def run(answers: dict[str, AnswerValue], **fields: Any) -> Evaluation:
    return evaluate(profile(**fields), answers, TODAY, BANK)


def best_in(*areas: str) -> dict[str, AnswerValue]:
    return {q.id: best_value(q) for a in BANK.areas if a.id in areas for q in a.questions}


def lowered(answers: dict[str, AnswerValue], area: str, given: dict[str, AnswerValue]):  # type: ignore[no-untyped-def]
    """`answers` with `area` answered only as `given` (its other questions unanswered)."""
    kept = {k: v for k, v in answers.items() if not k.startswith(area + ".")}
    return {**kept, **given}


# --- yes / partial / no count as 5 / 2.5 / 0 ------------------------------------------------


def test_yes_partial_no_score_five_two_and_a_half_and_zero() -> None:
    # Budgeting: two yes/partial/no questions of weight 2.0 each and a maturity question of
    # 2.0, unanswered (0). Both yes: 5 x (2 + 2) / 6 = 3.33 -> 3.3; both partial:
    # 2.5 x 4 / 6 = 1.67 -> 1.7; both no: 0.0.
    for value, maturity, compliance in (
        ("yes", 3.3, "met"),
        ("partial", 1.7, "partly met"),
        ("no", 0.0, "not met"),
    ):
        answers: dict[str, AnswerValue] = {
            "budgeting.budget": value,
            "budgeting.actuals_vs_budget": value,
        }
        area = run(answers).area("budgeting")
        assert (area.maturity, area.compliance) == (maturity, compliance), value
    # Maturity 5 on the same area: 5 x 2 / 6 = 1.67 -> 1.7 (answers "as given", over 5).
    assert run({"budgeting.practice": 5}).area("budgeting").maturity == 1.7


# --- readiness: the mean share over 28 requirement areas ------------------------------------


def test_readiness_is_the_mean_share_over_28_requirement_areas() -> None:
    requirement_areas = [a for a in run({}).areas if a.kind == "requirements"]
    assert len(requirement_areas) == 28
    # One area left unanswered, the other 27 at their level: 100 x 27 / 28 = 96.43 -> 96.4.
    assert run(lowered(all_best(BANK), "change", {})).readiness_percent == 96.4
    # Availability at 2.0 of 3 (monitoring partial 2.0 x 0.5 = 1.0, practice 4 of 5 over a
    # weight of 2.0 = 1.6; 5 x 2.6 / 6.5 = 2.0): (27 + 2/3) / 28 = 98.81 -> 98.8.
    half = lowered(
        all_best(BANK),
        "availability",
        {"availability.monitoring": "partial", "availability.practice": 4},
    )
    e = run(half)
    assert e.area("availability").maturity == 2.0
    assert e.readiness_percent == 98.8
    # An area above its level counts as reached, never more: all at best is 100.0.
    assert run(all_best(BANK)).readiness_percent == 100.0


# --- feasibility: management 65 %, technical 35 % --------------------------------------------


def test_management_weighs_65_percent_and_technical_35() -> None:
    # Every management foundation area at its best, nothing technical: 0.65 x 100 = 65.0;
    # the reverse: 0.35 x 100 = 35.0.
    management = best_in(
        "itil", "organisation", "culture", "leadership", "management_systems", "current_risks"
    )
    f = run(management).feasibility
    assert (f.management_score, f.technical_score, f.score) == (100.0, 0.0, 65.0)
    assert f.management_weight == 0.65
    f = run(best_in("tooling", "automation")).feasibility
    assert (f.management_score, f.technical_score, f.score) == (0.0, 100.0, 35.0)


# A combined score of exactly 35.0 with strong leadership. By hand: leadership at its best
# (5.0) and the other five management areas unanswered: management 20 x 5 / 6 = 16.67 ->
# 16.7. Tooling: its three yes/partial/no questions yes, 2 + 1.5 + 1.5 = 5 of 7.5, 5 x 5 / 7.5
# = 3.33 -> 3.3. Automation: monitoring 5 (weight 2) and both yes/partial/no yes (1 + 1), 4 of
# 5.5, 5 x 4 / 5.5 = 3.64 -> 3.6. Technical 20 x (3.3 + 3.6) / 2 = 69.0. Combined 0.65 x 16.7
# + 0.35 x 69.0 = 10.855 + 24.15 = 35.005 -> 35.0.
AT_35: dict[str, AnswerValue] = {
    **best_in("leadership"),
    "tooling.processes_documented_outside_tool": "yes",
    "tooling.cmdb_tool": "yes",
    "tooling.reporting": "yes",
    "automation.monitoring": 5,
    "automation.event_to_ticket": "yes",
    "automation.deployment_automation": "yes",
}
THIN = "The management and technical foundation is thin"


def test_a_combined_score_below_35_is_not_yet_feasible_and_35_is() -> None:
    f = run(AT_35).feasibility
    assert (f.management_score, f.technical_score, f.score) == (16.7, 69.0, 35.0)
    assert f.verdict == "feasible with preparation", f.reasons
    assert not any(r.startswith(THIN) for r in f.reasons)
    # Deployment automation only partly: automation 5 x 3.5 / 5.5 = 3.18 -> 3.2, technical
    # 20 x 6.5 / 2 = 65.0, combined 10.855 + 22.75 = 33.605 -> 33.6: below 35.
    f = run({**AT_35, "automation.deployment_automation": "partial"}).feasibility
    assert (f.technical_score, f.score) == (65.0, 33.6)
    assert f.verdict == "not yet feasible"
    assert (
        "The management and technical foundation is thin (feasibility score 33.6 of 100, "
        "management weighted 65 %)." in f.reasons
    )


def test_leadership_below_2_is_not_yet_feasible_and_2_is() -> None:
    # Leadership weighs 10: sponsor 3, budget 2.5, commitment 3 (maturity), objectives 1.5.
    # Budget and objectives yes: 5 x (2.5 + 1.5) / 10 = 2.0, not below 2. Objectives only
    # partly: 5 x (2.5 + 0.75) / 10 = 1.63 -> 1.6, below 2. The rest of the foundation at its
    # best, so nothing else blocks.
    rest = best_in(
        "itil", "organisation", "culture", "management_systems", "current_risks", "tooling"
    )
    rest |= best_in("automation")
    two = {**rest, "leadership.budget_approved": "yes", "leadership.objectives_linked": "yes"}
    e = run(two)
    assert e.area("leadership").maturity == 2.0
    assert e.feasibility.verdict == "feasible with preparation"
    assert not any(r.startswith("Leadership commitment is weak") for r in e.feasibility.reasons)
    e = run({**two, "leadership.objectives_linked": "partial"})
    assert e.area("leadership").maturity == 1.6
    assert e.feasibility.verdict == "not yet feasible"
    assert e.feasibility.reasons[0] == (
        "Leadership commitment is weak (maturity 1.6 of 5): clause 5.1 needs top management "
        "to lead the SMS."
    )


# --- ready to start: foundation met, readiness >= 90 %, no area more than one level short ---

# Answers that put a requirement area (required 3) at exactly 2.0, one level short, by hand
# from the bank's weights (e.g. budgeting: actuals yes 2.0 + practice 1 of 5 x 2.0 = 0.4,
# 5 x 2.4 / 6 = 2.0).
ONE_LEVEL_SHORT: dict[str, dict[str, AnswerValue]] = {
    "budgeting": {"budgeting.actuals_vs_budget": "yes", "budgeting.practice": 1},
    "availability": {"availability.monitoring": "partial", "availability.practice": 4},
    "asset": {"asset.inventory": "partial", "asset.lifecycle": 3},
    "service_level": {"service_level.agreements": "yes", "service_level.practice": 1},
    "sms_context": {"sms_context.scope": "yes", "sms_context.understanding": 1},
    "sms_planning": {"sms_planning.sms_plan": "yes", "sms_planning.practice": 4},
    "sms_support": {"sms_support.competence": "yes", "sms_support.practice": 4},
    "parties_control": {"parties_control.identified": "yes", "parties_control.integration": 2},
    "design_transition": {
        "design_transition.build_test": "yes",
        "design_transition.practice": 3,
    },
}


def short(count: int) -> dict[str, AnswerValue]:
    answers = all_best(BANK)
    for area in list(ONE_LEVEL_SHORT)[:count]:
        answers = lowered(answers, area, ONE_LEVEL_SHORT[area])
    return answers


def test_ready_to_start_needs_readiness_of_90_percent() -> None:
    # Eight areas at 2 of 3: 100 x (28 - 8/3) / 28 = 90.48 -> 90.5: ready to start. Nine:
    # 100 x (28 - 9/3) / 28 = 89.29 -> 89.3: feasible with preparation.
    e = run(short(8))
    assert [e.area(a).gap for a in list(ONE_LEVEL_SHORT)[:8]] == [1.0] * 8
    assert e.readiness_percent == 90.5
    assert e.feasibility.verdict == "ready to start"
    assert e.feasibility.reasons[0] == (
        "Readiness is 90.5 % and no requirement area is more than 1 maturity level short of "
        "what certification needs."
    )
    e = run(short(9))
    assert e.readiness_percent == 89.3
    assert e.feasibility.verdict == "feasible with preparation"


def test_ready_to_start_allows_no_area_more_than_one_level_short() -> None:
    # Availability at 1.9 (requirements yes only: 5 x 2.5 / 6.5 = 1.92 -> 1.9), 1.1 short,
    # although readiness is (27 + 1.9/3) / 28 = 98.69 -> 98.7 %.
    e = run(lowered(all_best(BANK), "availability", {"availability.requirements": "yes"}))
    assert (e.area("availability").gap, e.readiness_percent) == (1.1, 98.7)
    assert e.feasibility.verdict == "feasible with preparation"
    assert "Readiness is 98.7 %; the largest gap is 1.1 maturity levels." in e.feasibility.reasons
    # exactly one level short is allowed
    assert run(short(1)).feasibility.verdict == "ready to start"


def test_ready_to_start_needs_the_foundation_at_its_levels() -> None:
    # Existing management systems (required 1) left at 0: everything else at its best.
    e = run(lowered(all_best(BANK), "management_systems", {}))
    assert e.readiness_percent == 100.0
    assert e.feasibility.verdict == "feasible with preparation"
    assert e.feasibility.reasons[0] == (
        "Foundation below the level needed: Existing management systems."
    )


# --- the plan ---------------------------------------------------------------------------------


def test_trial_operation_lasts_at_least_65_business_days() -> None:
    # Nothing left to do: 65 exactly. Readiness 92.9 %: 65 + ceil(20 x 0.071) = 67.
    assert run(all_best(BANK)).plan.stages[3].business_days == 65
    assert two_weak_processes(BANK).plan.stages[3].business_days == 67


def test_surveillance_within_12_and_24_months_and_recertification_before_expiry() -> None:
    # By hand: the plan starts Monday 2027-01-11 in Germany and runs 273 business days. From
    # 11 January to Friday 17 December are 49 weeks, 245 weekdays, plus 20 and 21 December:
    # 247, less Good Friday (26 March), Easter Monday (29 March), Ascension (6 May) and Whit
    # Monday (17 May): 243; 30 more to close stage 2's nonconformities: 22-31 December (8),
    # 3-28 January 2028 (20), 31 January and 1 February. The certification decision is on
    # Tuesday 2028-02-01.
    p = two_weak_processes(BANK).plan
    assert (p.start, p.certification_date, p.business_days) == (
        D(2027, 1, 11),
        D(2028, 2, 1),
        273,
    )
    batches = {b.key: b for b in p.audit_batches}
    # Within 12 months: by Wednesday 2029-01-31; within 24: by Thursday 2030-01-31. Each is
    # planned so that its reserve window closes on that last day.
    assert batches["surveillance1"].window_end == D(2029, 1, 31)
    assert batches["surveillance2"].window_end == D(2030, 1, 31)
    # The certificate runs three years, to 2031-01-31 (a Friday); the recertification's
    # window closes 10 business days before it, for the decision: Friday 2031-01-17.
    assert p.certificate_expiry == D(2031, 1, 31)
    assert batches["recertification"].window_end == D(2031, 1, 17)


# --- audit time: reductions capped at 30 % --------------------------------------------------


def test_audit_time_reductions_are_capped_at_30_percent() -> None:
    # 900 persons: 13 days in the table (the band up to 1,175).
    for asked, applied, initial in (
        (20, 20.0, 10.5),  # 13 x 0.8 = 10.4 -> 10.5 (half days, rounded up)
        (30, 30.0, 9.5),  # 13 x 0.7 = 9.1 -> 9.5
        (31, 30.0, 9.5),
        (100, 30.0, 9.5),
    ):
        days = audit_days(
            profile(
                persons_in_scope=900, assumptions=Assumptions(integration_reduction_percent=asked)
            )
        )
        assert (days.table_days, days.reduction_percent, days.initial) == (13, applied, initial)


# --- the bound on process work --------------------------------------------------------------


def test_the_readmes_example_of_capped_process_work() -> None:
    e = run(all_at(1), persons_in_scope=100_000, staff_available_fte=0.5)
    assert e.plan.process_capped
    assert e.feasibility.verdict == "not yet feasible"
    assert (
        "The process work (2,280 person-days) would take 17.5 years with 0.5 FTE available; "
        "the plan is capped at 3 years of process work. Add staff or consultants, or narrow "
        "the scope." in e.feasibility.reasons
    )
    assert e.plan.stages[2].business_days == 780  # three years of 260 business days
    risk = next(r for r in e.risks if r.id == "too_few_people")
    assert (risk.likelihood, risk.impact) == ("high", "high")


# --- the 23 risk rules ------------------------------------------------------------------------

README_RULES = [
    "weak_leadership",  # weak leadership
    "budget_not_approved",
    "target_too_close",  # target date too close
    "staff_turnover",
    "tool_dependence",
    "weak_tooling",
    "weak_supplier_management",
    "no_internal_audit",  # no internal audit capability
    "audit_programme_incomplete",  # internal audit programme incomplete
    "no_management_review",
    "too_few_people",
    "wide_scope",  # scope too wide
    "incomplete_assessment",
    "weak_business_case",  # low benefits
    "booking_deadline_close",  # stage 1 booking due
    "bookings_contradict_plan",
    "security_without_isms",
    "weak_change_management",
    "no_itil_basis",
    "roles_unclear",  # unclear roles
    "weak_service_culture",
    "unmanaged_current_risks",
    "three_year_cost_unclear",  # unclear three-year cost
]


def test_there_are_the_23_rules_the_readme_names() -> None:
    assert len(README_RULES) == 23
    assert [rule.__name__ for rule in RULES] == README_RULES


# The advice each rule gives, as written: changing it is a deliberate edit of this list too.
COUNTERMEASURES = {
    "audit_programme_incomplete": (
        "Plan audits of every clause and process of the SMS at planned intervals, with "
        "criteria, scope and auditors who do not audit their own work (9.2)."
    ),
    "booking_deadline_close": (
        "Request quotes and dates from certification bodies this week; ask for their lead times."
    ),
    "bookings_contradict_plan": (
        "Ask the certification body to move the booking, or move the plan's work so that the "
        "trial operation, the internal audit and the management review come first."
    ),
    "budget_not_approved": (
        "Present the cost estimate and its fiscal years to the sponsor and get the budget "
        "approved before booking consultants or the certification body."
    ),
    "incomplete_assessment": (
        "Assign the open sections to their process owners with a due date and re-run the "
        "evaluation before committing to dates and budget."
    ),
    "no_internal_audit": (
        "Train at least two internal auditors now and plan a full internal audit of the SMS "
        "during trial operation; stage 2 needs its results (9.2)."
    ),
    "no_itil_basis": ("Run ITIL 4 Foundation training for process owners early in preparation."),
    "no_management_review": (
        "Schedule the management review in the trial operation, with the inputs listed in "
        "9.3, and keep its minutes as evidence."
    ),
    "roles_unclear": (
        "Name an SMS manager and an owner for every process, with authority written down (5.3)."
    ),
    "security_without_isms": (
        "Write the information security policy, assess information security risks for the "
        "services and put the controls in place (8.7.3); reuse ISO/IEC 27001 material."
    ),
    "staff_turnover": (
        "Document procedures as you establish them, name deputies for every process owner, "
        "and include the SMS in onboarding."
    ),
    "target_too_close": (
        "Start now, book the audits early, and agree a fallback date with the certification body."
    ),
    "three_year_cost_unclear": (
        "Ask each certification body for a quote covering the whole three-year cycle."
    ),
    "too_few_people": (
        "Free process owners from daily work for the project, bring in consultants for the "
        "largest gaps, or narrow the scope."
    ),
    "tool_dependence": (
        "Write each process down independently of the tool (purpose, roles, inputs, outputs, "
        "records) so auditors and new staff can follow it and a tool change does not lose it."
    ),
    "unmanaged_current_risks": (
        "Record the known weaknesses (single points of knowledge, undocumented practice) as "
        "SMS risks with owners and treat them in the plan (6.1)."
    ),
    "weak_business_case": (
        "Agree with senior management which benefits certification must bring and measure "
        "them; without them the project loses priority."
    ),
    "weak_change_management": (
        "Introduce the change policy and a change advisory routine first: changes touch every"
        " other process and auditors sample change records."
    ),
    "weak_leadership": (
        "Have top management sign the service management policy and project charter, name a "
        "sponsor from the board, and put SMS progress on the management meeting agenda."
    ),
    "weak_service_culture": (
        "Start customer satisfaction measurement and service reviews early; make service "
        "targets visible to every team."
    ),
    "weak_supplier_management": (
        "List the suppliers that contribute to the services, agree documented contracts with "
        "service targets, and review their performance at planned intervals (8.3.4)."
    ),
    "weak_tooling": (
        "Consolidate incidents, requests, changes and configuration records in one ITSM tool "
        "before trial operation: auditors sample records."
    ),
    "wide_scope": (
        "Certify a core set of services first and extend the scope at a surveillance audit."
    ),
}


def test_every_rule_fires_with_its_own_id_and_its_countermeasure() -> None:
    """Each of the 23 rules raises a risk under its id in some situation, with its advice."""
    safe = {"quote_includes_surveillance": True}
    advice: dict[str, str] = {}
    weak = run(all_at(1), staff_available_fte=0.5, services_in_scope=30)
    advice |= {r.id: r.countermeasure for r in weak.risks}
    answers = all_best(BANK)
    answers["organisation.staff_turnover_percent"] = 35
    answers["tooling.processes_documented_outside_tool"] = "no"
    advice |= {r.id: r.countermeasure for r in run(answers, assumptions=safe).risks}
    advice |= {r.id: r.countermeasure for r in run({"benefits.stable_delivery": 1}).risks}
    best = all_best(BANK)
    soon = run(best, start_date=TODAY, assumptions=safe).plan
    deadline = soon.audit_batches[0].booking_deadline
    assert deadline is not None
    late = evaluate(profile(start_date=TODAY, assumptions=safe), best, deadline, BANK)
    advice |= {r.id: r.countermeasure for r in late.risks}
    tight = run(best, start_date=None, target_certification_date=soon.certification_date)
    advice |= {r.id: r.countermeasure for r in tight.risks}
    early = evaluate(
        profile(start_date=TODAY), best, TODAY, BANK, bookings={"stage2": soon.stages[3].start}
    )
    advice |= {r.id: r.countermeasure for r in early.risks}
    assert set(advice) == set(README_RULES)
    assert advice == COUNTERMEASURES


def test_readiness_of_exactly_90_percent_is_ready_to_start() -> None:
    # The eight areas at 2 of 3 and capacity at 2.6 of 3 (plan yes 2.0, monitoring yes 1.5,
    # practice 1 of 5 x 2.0 = 0.4: 5 x 3.9 / 7.5): 19 + 8 x 2/3 + 2.6/3 = 25.2 of 28, 90.0 %.
    capacity = {"capacity.plan": "yes", "capacity.monitoring": "yes", "capacity.practice": 1}
    e = run(lowered(short(8), "capacity", capacity))
    assert (e.area("capacity").maturity, e.readiness_percent) == (2.6, 90.0)
    assert e.feasibility.verdict == "ready to start"


def test_a_foundation_area_exactly_at_its_level_is_not_short() -> None:
    # Service culture (required 2) at 2.0: feedback yes 1.5, learning partial 0.5, focus 1 of
    # 5 x 2.0 = 0.4, of 6.
    culture = {
        "culture.customer_feedback": "yes",
        "culture.learning_from_failure": "partial",
        "culture.customer_focus": 1,
    }
    e = run(lowered(all_best(BANK), "culture", culture))
    assert e.area("culture").maturity == 2.0
    assert e.feasibility.verdict == "ready to start"
    # Two areas short are both named, in alphabetical order.
    both = lowered(lowered(all_best(BANK), "culture", {}), "management_systems", {})
    assert run(both).feasibility.reasons[0] == (
        "Foundation below the level needed: Existing management systems, Service culture and "
        "customer focus."
    )


def test_equal_foundations_say_management_carries_the_project() -> None:
    reasons = run(all_best(BANK)).feasibility.reasons
    assert (
        "Management foundation 100.0/100 carries the project; technical foundation 100.0/100."
        in reasons
    )


def test_the_weakest_areas_are_the_largest_gaps_first() -> None:
    # Change unanswered (3.0 short), availability at 1.9 (1.1), budgeting at 2.0 (1.0).
    answers = lowered(all_best(BANK), "change", {})
    answers = lowered(answers, "availability", {"availability.requirements": "yes"})
    answers = lowered(answers, "budgeting", ONE_LEVEL_SHORT["budgeting"])
    assert run(answers).weakest_areas == ("change", "availability", "budgeting")


def test_expected_benefit_is_its_rating_times_what_is_not_yet_delivered() -> None:
    # Supplier management is delivered by supplier management (at 1.8: reviewed yes 2.0 and
    # performance yes 1.5 of 9.5) and control of parties (5.0): 3.4 of 5. Rated 4: the gain is
    # 4 x (1 - 3.4 / 5) = 1.28 -> 1.3. An unrated benefit gains nothing.
    answers = lowered(
        all_best(BANK),
        "supplier",
        {"supplier.contracts_reviewed": "yes", "supplier.performance": "yes"},
    )
    answers = {k: v for k, v in answers.items() if not k.startswith("benefits.")}
    answers["benefits.supplier_management"] = 4
    benefits = {b.id: b for b in run(answers).feasibility.benefits}
    rated = benefits["benefits.supplier_management"]
    assert (rated.importance, rated.current_maturity, rated.expected_gain) == (4, 3.4, 1.3)
    assert rated.delivered_by == ("supplier", "parties_control")
    unrated = benefits["benefits.less_time_cost"]
    assert (unrated.importance, unrated.expected_gain) == (None, 0.0)


def test_audit_teams_and_days_on_site() -> None:
    from iso20k_core.audit import auditors_for, on_site_days

    # Days on site: the audit days rounded up, at least one, at most a working week (5).
    assert [on_site_days(d) for d in (0.5, 1.5, 5, 5.5, 12, 12.5, 22)] == [1, 2, 5, 5, 5, 5, 5]
    # The team: as many auditors as the days need within that week, ceil(days / 5) beyond
    # 5 days: 5.5/5 -> 2, 10/5 = 2, 12/5 = 2.4 -> 3, 22/5 = 4.4 -> 5. The jump is gone:
    # a 5-day audit is one auditor for 5 days, a 5.5-day one two auditors in those 5 days.
    assert [auditors_for(d) for d in (0.5, 5, 5.5, 10, 12, 12.5, 22)] == [1, 1, 2, 2, 3, 3, 5]


def test_audit_days_have_their_floors() -> None:
    # A table of one day: initial 1.0 (30 % off would be 0.7), stage 1 0.5 (a third is 0.3),
    # stage 2 0.5, surveillance 0.5 (a third), recertification 1.0 (two thirds, 0.67).
    one = Assumptions(
        audit_days_table=({"max_persons": 100, "days": 1},), integration_reduction_percent=30
    )
    days = audit_days(profile(persons_in_scope=10, assumptions=one))
    assert (days.initial, days.stage1, days.stage2) == (1.0, 0.5, 0.5)
    assert (days.surveillance, days.recertification) == (0.5, 1.0)
    # stage 1 at most the initial less half a day, whatever its share
    late = audit_days(
        profile(persons_in_scope=60, assumptions=Assumptions(stage1_share=0.95))
    )  # 5 days: 4.75 -> 5.0, kept to 4.5
    assert (late.stage1, late.stage2) == (4.5, 0.5)
    # 300 persons: 10 days in the table; 10 % off is 9.0 exactly.
    assert (
        audit_days(
            profile(persons_in_scope=300, assumptions=Assumptions(integration_reduction_percent=10))
        ).initial
        == 9.0
    )


def test_every_assumption_with_its_documented_default() -> None:
    # README "Using the command line": the defaults of every rate and planning assumption.
    listed = {a.key: (a.value, a.origin) for a in run({}).assumptions}
    assert listed == {
        "consultant_day_rate": ("1200", "default"),
        "auditor_day_rate": ("1400", "default"),
        "internal_day_rate": ("480", "default"),
        "awareness_hours_per_person": ("2", "default"),
        "awareness_cost_per_person": ("25", "default"),
        "internal_auditors_to_train": ("2", "default"),
        "internal_auditor_course_cost": ("1900", "default"),
        "process_owner_course_cost": ("1100", "default"),
        "standard_copies_cost": ("450", "default"),
        "reference_material_cost": ("300", "default"),
        "publicity_cost": ("1500", "default"),
        "tool_software_cost": ("0", "default"),
        "tool_software_annual_cost": ("0", "default"),
        "certificate_management_fee": ("900", "default"),
        "application_fee": ("450", "default"),
        "registration_fee": ("900", "default"),
        "travel_expenses_per_audit_day": ("250", "default"),
        "consulting_share": ("0.05", "default"),
        "audit_days_table": ("23 bands", "default"),
        "stage1_share": ("0.3", "default"),
        "integration_reduction_percent": ("0", "default"),
        "audit_booking_lead_days": ("40", "default"),
        "certification_body_reserve_days": ("10", "default"),
        "quote_includes_surveillance": ("unknown", "default"),
        "use_consultants": ("True", "default"),
        "fiscal_year_start_month": ("1", "default"),
        "max_audit_reduction_percent": ("30", "standard"),
        "min_trial_operation_days": ("65", "standard"),
        "surveillance_within_months": ("12", "standard"),
        "certificate_validity_years": ("3", "standard"),
        "nonconformity_window_days": ("30", "default"),
        "application_lead_days": ("15", "default"),
        "documents_ahead_days": ("5", "default"),
        "management_weight": ("0.65", "default"),
    }
    sources = {a.key: a.source for a in run({}).assumptions}
    assert sources["max_audit_reduction_percent"] == "ISO/IEC 20000-6:2017 9.1.4.2"
    assert sources["certificate_validity_years"] == (
        "ISO/IEC 17021-1 9.1.3: three-year certification cycle"
    )
    assert sources["surveillance_within_months"].startswith("ISO/IEC 17021-1 9.6.2.2:")
    # the plan's stage 1 and decision windows are estimates, said so with what bounds them
    assert sources["nonconformity_window_days"].startswith("estimate: ")
    assert "at most 90 days" in sources["nonconformity_window_days"]
    assert sources["application_lead_days"].startswith("estimate: ")
    assert sources["documents_ahead_days"].startswith("estimate: ")
    assert all(sources.values())


def test_an_overridden_assumption_is_listed_as_the_profiles() -> None:
    e = run(
        {},
        use_consultants=False,
        assumptions={"auditor_day_rate": 1250.5, "quote_includes_surveillance": False},
    )
    listed = {a.key: (a.value, a.origin) for a in e.assumptions}
    assert listed["auditor_day_rate"] == ("1250.5", "profile")
    assert listed["quote_includes_surveillance"] == ("False", "profile")
    assert listed["use_consultants"] == ("False", "profile")
    assert listed["consultant_day_rate"] == ("1200", "default")
