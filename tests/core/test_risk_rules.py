"""Each risk rule: when it fires, with which likelihood, impact and words, and where it stops.

The figures in the triggers are worked out by hand from the bank's weights: at "all at 1"
every maturity question is 1 of 5 (0.2 of its weight) and every yes/partial/no question "no",
so e.g. leadership (commitment 3 of 10 weight) is 5 x 0.6 / 10 = 0.3.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from iso20k_core.evaluate import evaluate
from iso20k_core.results import Evaluation, Risk
from iso20k_core.standard import load_bank
from tests.core.helpers import TODAY, all_at, all_best, profile

BANK = load_bank()
SAFE = {"quote_includes_surveillance": True}
BEST = all_best(BANK)


def run(answers: dict[str, Any], today: dt.date = TODAY, **fields: Any) -> Evaluation:
    fields.setdefault("assumptions", SAFE)
    return evaluate(profile(**fields), answers, today, BANK)


def risk(e: Evaluation, rule: str) -> Risk | None:
    return next((r for r in e.risks if r.id == rule), None)


def fired(answers: dict[str, Any], rule: str, **fields: Any) -> tuple[str, str, str, str] | None:
    found = risk(run(answers, **fields), rule)
    return None if found is None else (found.title, found.likelihood, found.impact, found.trigger)


def test_a_weak_organisation_in_the_words_of_each_rule() -> None:
    # 633 person-days: every requirement area's gap x its effort a level x sqrt(60 / 50),
    # rounded up; at 0.5 FTE 1,266 business days, 4.9 years of 260.
    e = run(all_at(1, BANK), staff_available_fte=0.5, services_in_scope=30, assumptions={})
    got = {r.id: (r.title, r.likelihood, r.impact, r.score, r.trigger) for r in e.risks}
    assert got == {
        "weak_leadership": (
            "Weak leadership commitment",
            "high",
            "high",
            9,
            "leadership maturity 0.3; sponsor named: no",
        ),
        "budget_not_approved": ("Budget not approved", "medium", "high", 6, "budget approved: no"),
        "no_internal_audit": (
            "No internal audit capability",
            "high",
            "high",
            9,
            "trained internal auditors: 0",
        ),
        "audit_programme_incomplete": (
            "Internal audit programme does not cover the SMS",
            "medium",
            "high",
            6,
            "internal audit programme: no",
        ),
        "no_management_review": (
            "No management review yet",
            "medium",
            "high",
            6,
            "management review held: no",
        ),
        "too_few_people": (
            "Too few people for the process work",
            "high",
            "high",
            9,
            "633 person-days of process work for 0.5 FTE available: 4.9 years of work, more "
            "than the 3 years a plan allows",
        ),
        "wide_scope": (
            "Scope too wide for a first certification",
            "medium",
            "medium",
            4,
            "30 services at 1 sites in scope",
        ),
        "security_without_isms": (
            "Information security management below the requirement",
            "medium",
            "high",
            6,
            "information security gap 2.8; no ISO/IEC 27001",  # 5 x 0.5 / 11 = 0.2
        ),
        "weak_change_management": (
            "Uncontrolled changes endanger the trial operation",
            "medium",
            "high",
            6,
            "change management gap 2.8",
        ),
        "weak_supplier_management": (
            "Weak supplier management",
            "medium",
            "high",
            6,
            "supplier management gap 2.8; contracts reviewed: no",  # 5 x 0.4 / 9.5 = 0.2
        ),
        "no_itil_basis": (
            "No common service management language",
            "medium",
            "medium",
            4,
            "ITIL adoption: none; ITIL maturity 0.4",  # 5 x 0.4 / 5.5 = 0.36
        ),
        "roles_unclear": (
            "Roles and responsibilities unclear",
            "medium",
            "medium",
            4,
            "roles defined: no",
        ),
        "weak_service_culture": (
            "Weak service culture and customer focus",
            "medium",
            "medium",
            4,
            "service culture maturity 0.3",
        ),
        "unmanaged_current_risks": (
            "Weaknesses of the current management system unmanaged",
            "medium",
            "medium",
            4,
            "maturity of managing current risks 0.3",
        ),
        "weak_tooling": (
            "Records cannot be produced reliably",
            "medium",
            "medium",
            4,
            "ITSM tooling maturity 0.3",  # 5 x 0.5 / 7.5
        ),
        "tool_dependence": (
            "Processes exist only in the tool's configuration",
            "medium",
            "medium",
            4,
            "processes documented outside the tool: no",
        ),
        "three_year_cost_unclear": (
            "Three-year certification cost unclear",
            "low",
            "medium",
            2,
            "unknown whether the certification body's quote includes surveillance and "
            "recertification",
        ),
    }
    # highest score first, then by id
    assert [r.id for r in e.risks][:4] == [
        "no_internal_audit",
        "too_few_people",
        "weak_leadership",
        "audit_programme_incomplete",
    ]


def test_leadership_with_a_partial_sponsor_is_a_medium_risk() -> None:
    # Sponsor partly named: 5 x (1.5 + 2.5 + 3 + 1.5) / 10 = 4.25 -> 4.2.
    assert fired({**BEST, "leadership.sponsor_named": "partial"}, "weak_leadership") == (
        "Weak leadership commitment",
        "medium",
        "high",
        "leadership maturity 4.2; sponsor named: partial",
    )
    assert fired(BEST, "weak_leadership") is None
    unanswered = {k: v for k, v in BEST.items() if k != "leadership.sponsor_named"}
    assert fired(unanswered, "weak_leadership") == (
        "Weak leadership commitment",
        "medium",
        "high",
        "leadership maturity 3.5; sponsor named: unanswered",  # 5 x 7 / 10
    )


def test_staff_turnover_from_15_percent_high_from_30() -> None:
    def turnover(percent: float) -> tuple[str, str, str, str] | None:
        return fired({**BEST, "organisation.staff_turnover_percent": percent}, "staff_turnover")

    assert turnover(14) is None
    assert turnover(15) == (
        "Staff turnover erodes process knowledge",
        "medium",
        "medium",
        "annual staff turnover 15 %",
    )
    assert turnover(29.5) is not None and turnover(29.5)[1] == "medium"  # type: ignore[index]
    assert turnover(30) == (
        "Staff turnover erodes process knowledge",
        "high",
        "medium",
        "annual staff turnover 30 %",
    )


def test_processes_documented_only_partly_outside_the_tool_are_a_low_risk() -> None:
    answers = {**BEST, "tooling.processes_documented_outside_tool": "partial"}
    assert fired(answers, "tool_dependence") == (
        "Processes exist only in the tool's configuration",
        "low",
        "medium",
        "processes documented outside the tool: partial",
    )


def test_tooling_below_2_is_a_risk_and_2_is_not() -> None:
    # Tooling weighs 7.5: processes documented yes (2.0) and the ITSM tool at 2 of 5 (2.5 x
    # 0.4 = 1.0): 5 x 3.0 / 7.5 = 2.0. With the tool at 1: 5 x 2.5 / 7.5 = 1.67 -> 1.7.
    base = {k: v for k, v in BEST.items() if not k.startswith("tooling.")}
    two = {**base, "tooling.processes_documented_outside_tool": "yes", "tooling.itsm_tool": 2}
    assert fired(two, "weak_tooling") is None
    assert fired({**two, "tooling.itsm_tool": 1}, "weak_tooling") == (
        "Records cannot be produced reliably",
        "medium",
        "medium",
        "ITSM tooling maturity 1.7",
    )


def test_one_trained_internal_auditor_is_enough_for_the_rule() -> None:
    assert fired({**BEST, "performance.internal_auditors": 1}, "no_internal_audit") is None
    assert fired({**BEST, "performance.internal_auditors": 0}, "no_internal_audit") == (
        "No internal audit capability",
        "high",
        "high",
        "trained internal auditors: 0",
    )


def test_wide_scope_beyond_25_services_or_3_sites() -> None:
    assert fired(BEST, "wide_scope", services_in_scope=25, sites=3) is None
    assert fired(BEST, "wide_scope", services_in_scope=26, sites=1) is not None
    assert fired(BEST, "wide_scope", services_in_scope=8, sites=4) == (
        "Scope too wide for a first certification",
        "medium",
        "medium",
        "8 services at 4 sites in scope",
    )


def test_an_assessment_below_80_percent_is_incomplete() -> None:
    # 157 questions: 126 answered is 80.3 %, 125 is 79.6 %.
    ids = sorted(BEST)
    assert fired({k: BEST[k] for k in ids[:126]}, "incomplete_assessment") is None
    assert fired({k: BEST[k] for k in ids[:125]}, "incomplete_assessment") == (
        "Assessment incomplete: the picture may be wrong",
        "high",
        "medium",
        "79.6 % of questions answered",
    )


def test_benefits_below_30_of_100_weaken_the_business_case() -> None:
    benefits = [q.id for q in BANK.section("benefits").questions]
    # Nine benefits; ratings adding up to 14: 20 x 14 / 9 = 31.1; to 13: 28.9.
    fourteen = dict(zip(benefits, [2, 2, 2, 2, 2, 1, 1, 1, 1], strict=True))
    assert fired({**BEST, **fourteen}, "weak_business_case") is None
    thirteen = {**fourteen, benefits[0]: 1}
    assert fired({**BEST, **thirteen}, "weak_business_case") == (
        "Benefits rated low: support may fade",
        "medium",
        "high",
        "benefit score 28.9/100",
    )


def test_the_stage_1_booking_is_urgent_from_14_days_before_its_deadline() -> None:
    start = dt.date(2027, 1, 11)
    plan = run(BEST, start_date=start).plan
    deadline = plan.audit_batches[0].booking_deadline
    assert deadline is not None
    early = run(BEST, today=deadline - dt.timedelta(days=15), start_date=start)
    assert risk(early, "booking_deadline_close") is None
    late = run(BEST, today=deadline - dt.timedelta(days=14), start_date=start)
    assert fired_in(late, "booking_deadline_close") == (
        "Stage 1 audit must be booked now",
        "high",
        "high",
        f"booking deadline {deadline.isoformat()}",
    )


def fired_in(e: Evaluation, rule: str) -> tuple[str, str, str, str] | None:
    found = risk(e, rule)
    return None if found is None else (found.title, found.likelihood, found.impact, found.trigger)


def test_a_target_with_less_than_30_days_of_slack() -> None:
    # Nothing left to do: 10 + 9 + 15 + 65 + (2 + 10 + 10 + 4 + 10 + 30 + 10) = 175 business
    # days from Monday 2027-01-11: 35 weeks of weekdays end Friday 10 September, four German
    # holidays later the decision falls on Thursday 2027-09-16. A target 29 days later,
    # Friday 2027-10-15, is met 21 business days later than needed (17 September to 15
    # October; German Unity Day is a Sunday): start by Tuesday 2027-02-09, 29 days of slack.
    # 30 days later is a Saturday; the first target that leaves 30 days is Tuesday
    # 2027-10-19, 33 days.
    start = dt.date(2027, 1, 11)
    earliest = run(BEST, start_date=start).plan.certification_date
    assert earliest == dt.date(2027, 9, 16)
    tight = run(BEST, start_date=start, target_certification_date=dt.date(2027, 10, 15))
    assert fired_in(tight, "target_too_close") == (
        "Target certification date leaves no slack",
        "medium",
        "high",
        "29 days of slack: the plan must start by 2027-02-09 to certify by 2027-10-15",
    )
    roomy = run(BEST, start_date=start, target_certification_date=dt.date(2027, 10, 19))
    assert risk(roomy, "target_too_close") is None
    missed = run(BEST, start_date=start, target_certification_date=dt.date(2027, 9, 15))
    assert fired_in(missed, "target_too_close") == (
        "Target certification date cannot be met",
        "high",
        "high",
        "target 2027-09-15; earliest feasible 2027-09-16",
    )


def test_too_few_people_below_one_fte_or_above_120_days_each() -> None:
    # Change and incident short at 60 persons: (3 x 10 + 3 x 8) x sqrt(1.2) = 32.9 + 26.3
    # -> 33 + 27 = 60 person-days.
    short = {k: v for k, v in BEST.items() if not k.startswith(("change.", "incident."))}
    assert fired(short, "too_few_people", staff_available_fte=1) is None
    assert fired(short, "too_few_people", staff_available_fte=0.9) == (
        "Too few people for the process work",
        "high",
        "medium",
        "60 person-days of process work for 0.9 FTE available",
    )


def test_security_without_an_isms_stops_with_iso_27001_or_a_small_gap() -> None:
    weak = {k: v for k, v in BEST.items() if not k.startswith("information_security.")}
    assert fired(weak, "security_without_isms") is not None
    certified = fired(weak, "security_without_isms", existing_certifications=["ISO/IEC 27001"])
    assert certified is None
    assert fired(BEST, "security_without_isms") is None


def test_the_three_year_cost_is_clear_once_the_quote_is_known() -> None:
    for known in (True, False):
        assumptions = {"quote_includes_surveillance": known}
        assert fired(BEST, "three_year_cost_unclear", assumptions=assumptions) is None
    assert fired(BEST, "three_year_cost_unclear", assumptions={}) is not None


def test_no_itil_basis_only_without_adoption_and_below_maturity_2() -> None:
    weak = {k: v for k, v in BEST.items() if not k.startswith("itil.")}
    assert fired(weak, "no_itil_basis") is not None
    assert fired(weak, "no_itil_basis", itil_adoption="partial") is None
    assert fired(BEST, "no_itil_basis") is None


def test_leadership_at_3_with_a_named_sponsor_is_no_risk() -> None:
    # Sponsor yes (3) and commitment 5 of 5 (3): 5 x 6 / 10 = 3.0.
    base = {k: v for k, v in BEST.items() if not k.startswith("leadership.")}
    three = {**base, "leadership.sponsor_named": "yes", "leadership.commitment": 5}
    e = run(three)
    assert e.area("leadership").maturity == 3.0
    assert risk(e, "weak_leadership") is None
    assert risk(run({**three, "leadership.commitment": 4}), "weak_leadership") is not None  # 2.7


def test_supplier_management_needs_the_level_and_reviewed_contracts() -> None:
    base = {k: v for k, v in BEST.items() if not k.startswith("supplier.")}
    # Reviewed yes (2) and performance yes (1.5) of 9.5: 5 x 3.5 / 9.5 = 1.84 -> 1.8, 1.2 short.
    short = {**base, "supplier.contracts_reviewed": "yes", "supplier.performance": "yes"}
    assert fired(short, "weak_supplier_management") == (
        "Weak supplier management",
        "medium",
        "high",
        "supplier management gap 1.2; contracts reviewed: yes",
    )
    partly = {**BEST, "supplier.contracts_reviewed": "partial"}  # 5 x 8.5 / 9.5 = 4.5, no gap
    found = fired(partly, "weak_supplier_management")
    assert (
        found is not None and found[3] == "supplier management gap 0.0; contracts reviewed: partial"
    )
    assert fired(BEST, "weak_supplier_management") is None


def test_service_culture_at_2_is_no_risk() -> None:
    # Culture weighs 6: feedback yes (1.5), learning partial (0.5), focus 1 of 5 (0.4): 2.0.
    base = {k: v for k, v in BEST.items() if not k.startswith("culture.")}
    two = {
        **base,
        "culture.customer_feedback": "yes",
        "culture.learning_from_failure": "partial",
        "culture.customer_focus": 1,
    }
    assert run(two).area("culture").maturity == 2.0
    assert fired(two, "weak_service_culture") is None
    assert fired({**two, "culture.customer_focus": 0}, "weak_service_culture") == (
        "Weak service culture and customer focus",
        "medium",
        "medium",
        "service culture maturity 1.7",  # 5 x 2.0 / 6
    )


def test_more_than_120_days_of_process_work_a_person_is_too_much() -> None:
    # All at 1: 633 person-days. 5.5 FTE: 115 days each; 5 FTE: 126.6, too many.
    weak = all_at(1, BANK)
    assert fired(weak, "too_few_people", staff_available_fte=5.5) is None
    assert fired(weak, "too_few_people", staff_available_fte=5) == (
        "Too few people for the process work",
        "high",
        "medium",
        "633 person-days of process work for 5 FTE available",
    )


def test_thirty_days_of_slack_are_enough() -> None:
    # Three business days later than from 11 January: the decision on Tuesday 2027-09-21;
    # a target 30 days later, Thursday 2027-10-21, leaves exactly 30 days.
    start = dt.date(2027, 1, 14)
    assert run(BEST, start_date=start).plan.certification_date == dt.date(2027, 9, 21)
    e = run(BEST, start_date=start, target_certification_date=dt.date(2027, 10, 21))
    assert (e.plan.certification_date - e.plan.earliest_certification_date).days == 30
    assert risk(e, "target_too_close") is None


def test_a_target_the_plan_meets_but_the_bookings_miss() -> None:
    # Stage 2 booked for Monday 2027-10-04: four days on site to Thursday 7 October, 30
    # business days for its nonconformities to Thursday 18 November, then 10 to the
    # decision, Thursday 2027-12-02, after the target 2027-10-15 (which the plan meets).
    e = evaluate(
        profile(start_date=dt.date(2027, 1, 11), target_certification_date=dt.date(2027, 10, 15)),
        BEST,
        TODAY,
        BANK,
        bookings={"stage2": dt.date(2027, 10, 4)},
    )
    assert e.plan.certification_date == dt.date(2027, 12, 2)
    assert fired_in(e, "target_too_close") == (
        "Target certification date cannot be met",
        "high",
        "high",
        "target 2027-10-15; the audits as booked lead to a decision on 2027-12-02",
    )


def test_itil_at_2_without_adoption_is_no_risk() -> None:
    # ITIL weighs 5.5: practice 3 of 5 (2.0 x 0.6 = 1.2) and common terminology yes (1.0):
    # 5 x 2.2 / 5.5 = 2.0.
    base = {k: v for k, v in BEST.items() if not k.startswith("itil.")}
    two = {**base, "itil.practice_adoption": 3, "itil.common_terminology": "yes"}
    assert run(two).area("itil").maturity == 2.0
    assert fired(two, "no_itil_basis") is None
    assert fired({**two, "itil.practice_adoption": 2}, "no_itil_basis") == (
        "No common service management language",
        "medium",
        "medium",
        "ITIL adoption: none; ITIL maturity 1.6",  # 5 x 1.8 / 5.5 = 1.64
    )


def test_change_management_one_level_short_is_a_risk() -> None:
    # Change weighs 11: assessment yes (2.5) and practice 4 of 5 (2.5 x 0.8 = 2.0): 5 x 4.5 /
    # 11 = 2.05 -> 2.0, exactly one level short of 3.
    base = {k: v for k, v in BEST.items() if not k.startswith("change.")}
    one = {**base, "change.assessment": "yes", "change.practice": 4}
    assert fired(one, "weak_change_management") == (
        "Uncontrolled changes endanger the trial operation",
        "medium",
        "high",
        "change management gap 1.0",
    )


def test_a_target_on_the_earliest_day_missed_by_the_bookings() -> None:
    # The target is the earliest decision, 2027-09-16; stage 2 booked for Monday 6 September
    # moves the decision to Thursday 2027-11-04 (4 days on site to the 9th, 30 days for
    # nonconformities from the 10th to Thursday 21 October, 10 days after).
    e = evaluate(
        profile(
            start_date=dt.date(2027, 1, 11),
            target_certification_date=dt.date(2027, 9, 16),
            assumptions=SAFE,
        ),
        BEST,
        TODAY,
        BANK,
        bookings={"stage2": dt.date(2027, 9, 6)},
    )
    assert fired_in(e, "target_too_close") == (
        "Target certification date cannot be met",
        "high",
        "high",
        "target 2027-09-16; the audits as booked lead to a decision on 2027-11-04",
    )


def test_rules_exactly_at_their_thresholds() -> None:
    # Maturities are kept to one decimal. Leadership (weights 3, 2.5, 3, 1.5): sponsor no,
    # budget partial, commitment 2, objectives yes: (0 + 6.25 + 6 + 7.5) / 10 = 1.975, 2.0.
    # Still a risk, but "medium", not "high".
    leadership = {
        **BEST,
        "leadership.sponsor_named": "no",
        "leadership.budget_approved": "partial",
        "leadership.commitment": 2,
        "leadership.objectives_linked": "yes",
    }
    assert run(leadership).area("leadership").maturity == 2.0
    assert fired(leadership, "weak_leadership") == (
        "Weak leadership commitment",
        "medium",
        "high",
        "leadership maturity 2.0; sponsor named: no",
    )
    # Managing current risks (weights 2, 1.5, 1, 1.5; the text answer is not scored):
    # (2 x 1 + 0 + 2.5 + 7.5) / 6 = 2.0 exactly, its required level: no risk.
    current = {
        **BEST,
        "current_risks.risk_awareness": 1,
        "current_risks.single_points_of_knowledge": "no",
        "current_risks.shadow_it": "partial",
        "current_risks.risk_register": "yes",
    }
    assert run(current).area("current_risks").maturity == 2.0
    assert fired(current, "unmanaged_current_risks") is None
    # Information security (weights 3, 2.5, 2, 2.5 and a recent risk assessment, 1):
    # (0 + 0 + 5 + 12.5 + 5) / 11 = 2.05, 2.0: a whole level short of 3, no ISO/IEC 27001.
    security = {
        **BEST,
        "information_security.policy": "no",
        "information_security.risk_assessment": "no",
        "information_security.incidents": "partial",
        "information_security.practice": 5,
    }
    assert run(security).area("information_security").gap == 1.0
    assert fired(security, "security_without_isms") == (
        "Information security management below the requirement",
        "medium",
        "high",
        "information security gap 1.0; no ISO/IEC 27001",
    )
