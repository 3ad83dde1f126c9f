"""The cost estimate's rules, each on a small example worked out by hand.

Default rates (README): consultants 1,200 a day, auditors 1,400, internal 480; awareness 25 a
person and 2 hours; internal auditor course 1,900 for 2 auditors; process owner course 1,100;
a fifth of the plan's days for coordination; 3 days of internal audit per auditor.
"""

from __future__ import annotations

from typing import Any

from iso20k_core.evaluate import evaluate
from iso20k_core.results import CostLine, Costs, EffortLine
from iso20k_core.standard import load_bank
from tests.core.helpers import TODAY, all_best, profile

BANK = load_bank()
BEST = all_best(BANK)  # every area at its level: no process work, no weak area


def costs(answers: dict[str, Any] | None = None, **fields: Any) -> Costs:
    return evaluate(profile(**fields), BEST if answers is None else answers, TODAY, BANK).costs


def line(c: Costs, key: str) -> CostLine:
    return next(x for part in c.parts for x in part.lines if x.key == key)


def effort(c: Costs, key: str) -> EffortLine:
    return next(x for x in c.internal_effort if x.key == key)


def without(*areas: str) -> dict[str, Any]:
    return {k: v for k, v in BEST.items() if not k.startswith(tuple(a + "." for a in areas))}


def test_money_is_rounded_half_up_per_line() -> None:
    # One person at 2.5 EUR of awareness: 2.5 -> 3 (banker's rounding would give 2).
    c = costs(persons_in_scope=1, assumptions={"awareness_cost_per_person": 2.5})
    awareness = line(c, "awareness")
    assert (awareness.amount, awareness.basis) == (3, "1 person × 2.5 EUR")
    # 3 persons at 0.5: 1.5 -> 2.
    assert (
        line(
            costs(persons_in_scope=3, assumptions={"awareness_cost_per_person": 0.5}), "awareness"
        ).amount
        == 2
    )


def test_internal_auditors_to_train_are_those_not_yet_trained() -> None:
    # 2 wanted; the answer says how many are trained already.
    unanswered = {k: v for k, v in BEST.items() if k != "performance.internal_auditors"}
    for answers, trainees, amount in (
        (unanswered, 2, 3_800),
        ({**BEST, "performance.internal_auditors": 1}, 1, 1_900),
        ({**BEST, "performance.internal_auditors": 2}, 0, 0),
        ({**BEST, "performance.internal_auditors": 7}, 0, 0),  # never below none
    ):
        course = line(costs(answers), "internal_auditors")
        person = "person" if trainees == 1 else "persons"
        assert (course.amount, course.basis) == (amount, f"{trainees} {person} × 1,900 EUR")


def test_internal_audit_days_per_auditor() -> None:
    for wanted, days, basis in (
        (0, 3, "1 person × 3 days"),
        (1, 3, "1 person × 3 days"),
        (5, 15, "5 persons × 3 days"),
    ):
        audit = effort(costs(assumptions={"internal_auditors_to_train": wanted}), "internal_audit")
        assert (audit.days, audit.basis) == (days, basis), wanted


def test_process_owners_of_weak_areas_are_trained_one_a_role_at_most_one_per_five_persons() -> None:
    # Change management alone short: its owner, the change manager.
    one = line(costs(without("change")), "process_owners")
    assert (one.amount, one.basis) == (1_100, "1 process owner of weak areas × 1,100 EUR")
    # Change and incident short, two roles; 60 persons allow 12 owners: 2 x 1,100.
    two = line(costs(without("change", "incident")), "process_owners")
    assert (two.amount, two.basis) == (2_200, "2 process owners of weak areas × 1,100 EUR")
    # The same with 5 persons in scope: one person owns both (ceil(5 / 5) = 1).
    small = line(costs(without("change", "incident"), persons_in_scope=5), "process_owners")
    assert (small.amount, small.basis) == (1_100, "1 process owner of weak areas × 1,100 EUR")
    # No weak area: nobody to train.
    assert line(costs(), "process_owners").amount == 0


def test_consultant_days_grow_with_size() -> None:
    # 200 persons: size unit sqrt(200 / 50) = 2 (consulting.py); change and incident 3 levels
    # short each, 6 levels. Expected (low-high), each rounded up to whole days:
    # preparation 2 + 0.5 x 2 = 3 (x 0.75 = 2.25 -> 3, x 1.25 = 3.75 -> 4); gap analysis
    # 2 + 3 x 2 = 8 (6, 12); documentation: process work change 3 x 10 x 2 = 60 and incident
    # 3 x 8 x 2 = 48, 108 person-days, x 0.05 = 5.4 -> 6 (x 0.6 = 3.24 -> 4, x 1.6 = 8.64 -> 9);
    # trial coaching 2 + 2 = 4 (3, 6); audit support 9 audit days (the band up to 275
    # persons). 3 + 8 + 6 + 4 + 9 = 30 days (25-40) x 1,200.
    c = costs(without("change", "incident"), persons_in_scope=200, staff_available_fte=0.5)
    consulting = line(c, "consultant_days")
    assert (consulting.amount, consulting.low, consulting.high) == (36_000, 30_000, 48_000)
    assert consulting.basis == (
        "30 (25–40) days × 1,200 EUR: 3 (3–4) preparation, 8 (6–12) gap analysis, 6 (4–9) "
        "documentation and process support, 4 (3–6) trial coaching, 9 audit support; an "
        "estimate (no published ISO/IEC 20000 consulting days): the range is how much the own "
        "staff do themselves"
    )
    # The own staff do the process work less the consultants' documentation days.
    assert effort(c, "process_work").days == 108 - 6


def test_without_consultants_the_own_staff_do_all_the_process_work() -> None:
    c = costs(without("change", "incident"), persons_in_scope=50, use_consultants=False)
    consulting = line(c, "consultant_days")
    assert (consulting.title, consulting.amount, consulting.basis) == (
        "Consultant days",
        0,
        "no consultants (use_consultants is false)",
    )
    assert [(p.title, p.amount) for p in c.parts if p.key == "consulting"] == [("Consulting", 0)]
    work = effort(c, "process_work")
    assert (work.days, work.basis) == (54, "all 54 person-days of process work")


def test_tool_software_one_off_and_licence() -> None:
    c = costs(assumptions={"tool_software_cost": 5_000, "tool_software_annual_cost": 1_200})
    tool = line(c, "tool_software")
    assert (tool.amount, tool.basis) == (6_200, "one-off and first-year licence")
    assert line(costs(), "tool_software").basis == "none planned"
    year2 = {x.key: (x.title, x.amount, x.basis) for x in c.three_years[1].lines}
    assert year2["tool_licence"] == ("Tool software licence", 1_200, "annual licence")


def test_the_three_years_line_by_line() -> None:
    # 60 persons: 5 audit days; surveillance 5 / 3 -> 2 days, recertification 10 / 3 -> 3.5.
    c = costs()
    assert [(y.year, y.title) for y in c.three_years] == [
        (1, "Year 1: preparation and initial certification"),
        (2, "Year 2: first surveillance"),
        (3, "Year 3: second surveillance and recertification"),
    ]
    # Year 1 repeats the five parts of the project, each at its amount, and the first fee.
    project = [(p.key, p.title, p.amount, "project, see above") for p in c.parts]
    fee = (
        "certificate_fee",
        "Certificate management fee",
        900,
        "annual fee of the certification body",
    )
    assert [(x.key, x.title, x.amount, x.basis) for x in c.three_years[0].lines] == [*project, fee]
    assert [(x.key, x.title, x.amount, x.basis) for x in c.three_years[1].lines] == [
        ("surveillance1", "Surveillance audit 1", 2_800, "2 audit days × 1,400 EUR"),
        (
            "certificate_fee",
            "Certificate management fee",
            900,
            "annual fee of the certification body",
        ),
        ("tool_licence", "Tool software licence", 0, "annual licence"),
    ]
    assert [(x.key, x.title, x.amount, x.basis) for x in c.three_years[2].lines] == [
        ("surveillance2", "Surveillance audit 2", 2_800, "2 audit days × 1,400 EUR"),
        ("recertification", "Recertification audit", 4_900, "3.5 audit days × 1,400 EUR"),
        (
            "certificate_fee",
            "Certificate management fee",
            900,
            "annual fee of the certification body",
        ),
        ("tool_licence", "Tool software licence", 0, "annual licence"),
    ]


def test_every_line_of_the_five_parts_by_name() -> None:
    c = costs()
    assert [(p.key, p.title, [(x.key, x.title) for x in p.lines]) for p in c.parts] == [
        ("consulting", "Consulting", [("consultant_days", "Consultant days")]),
        (
            "certification_body",
            "Certification body",
            [("stage1_audit", "Stage 1 audit"), ("stage2_audit", "Stage 2 audit")],
        ),
        (
            "training",
            "Training",
            [
                ("awareness", "SMS awareness for all staff in scope"),
                ("internal_auditors", "Internal auditor course"),
                ("process_owners", "Process owner training"),
            ],
        ),
        (
            "reference_publicity",
            "Reference material and publicity",
            [
                ("standards", "Copies of the standards"),
                ("reference", "Reference material"),
                ("publicity", "Internal publicity and certificate announcement"),
            ],
        ),
        (
            "tool_software",
            "Tool software (optional)",
            [("tool_software", "ITSM tool software, first year")],
        ),
    ]
    assert [(x.basis) for x in c.parts[3].lines] == [
        "ISO/IEC 20000-1 and -2",
        "books, templates",
        "campaign",
    ]
    assert [(x.key, x.title) for x in c.internal_effort] == [
        ("process_work", "Process work"),
        ("coordination", "Project coordination (SMS manager)"),
        ("awareness", "Awareness training of all staff in scope"),
        ("internal_audit", "Internal audit of the SMS"),
        ("audit_escort", "Accompanying the certification audits"),
    ]
