"""The cost estimate's rules, each on a small example worked out by hand.

Default rates (README): consultants 1,200 a day, auditors 1,400, internal 480; awareness 25 a
person and 2 hours; internal auditor course 1,900 for 2 auditors; process owner course 1,100;
a fifth of the plan's days for coordination; 3 days of internal audit per auditor; the
certification body's application fee 450, registration 900, annual fee 900, travel and
expenses 250 an auditor-day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from iso20k_core.costs import fiscal_year_label, fiscal_year_of, whole_shares
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
    # trial coaching 2 + 2 = 4 (3, 6); audit support the initial audit's 9 days (the band
    # up to 275 persons) with its range: low 9 x 0.7 = 6.3 -> 6.5 audit days -> 7, high the
    # table twice as high, 18. 3 + 8 + 6 + 4 + 9 = 30 days (3 + 6 + 4 + 3 + 7 = 23, 4 + 12 +
    # 9 + 6 + 18 = 49) x 1,200 = 36,000 (27,600-58,800).
    c = costs(without("change", "incident"), persons_in_scope=200, staff_available_fte=0.5)
    consulting = line(c, "consultant_days")
    assert (consulting.amount, consulting.low, consulting.high) == (36_000, 27_600, 58_800)
    assert consulting.basis == (
        "30 (23–49) days × 1,200 EUR: 3 (3–4) preparation, 8 (6–12) gap analysis, 6 (4–9) "
        "documentation and process support, 4 (3–6) trial coaching, 9 (7–18) audit support; "
        "an estimate (no published ISO/IEC 20000 consulting days): the range is how much the "
        "own staff do themselves"
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
    surveillance1 = {x.key: (x.title, x.amount, x.basis) for x in c.cycle_steps[1].lines}
    assert surveillance1["surveillance1_licence"] == (
        "Tool software licence, certificate year 2",
        1_200,
        "annual licence",
    )


def test_the_certification_bodys_initial_quote_line_by_line() -> None:
    # 60 persons: 5 audit days (3.5-10: the full 30 % off, the table twice as high); stage 1
    # 30 % in half days up, 1.5 (3.5 x 0.3 = 1.05 -> 1.5, 10 x 0.3 = 3), stage 2 the rest,
    # 3.5 (2-7). EUR defaults: application 450, 1,400 a day, 250 travel and expenses an
    # auditor-day, registration 900, annual 900. (amount, low, high) per line.
    c = costs()
    body = next(p for p in c.parts if p.key == "certification_body")
    estimate = "; the audit days are an estimate until the certification body quotes"
    assert [(x.key, x.title, (x.amount, x.low, x.high), x.basis) for x in body.lines] == [
        ("application", "Application fee", (450, 450, 450), "one-off, with the application"),
        (
            "stage1_audit",
            "Stage 1 audit",
            (2_100, 2_100, 4_200),  # 1.5, 1.5 and 3 × 1,400
            "1.5 (1.5–3) audit days × 1,400 EUR" + estimate,
        ),
        (
            "stage1_travel",
            "Stage 1 audit: travel and expenses",
            (375, 375, 750),  # 1.5, 1.5 and 3 × 250
            "1.5 (1.5–3) audit days × 250 EUR per auditor-day",
        ),
        (
            "stage2_audit",
            "Stage 2 audit",
            (4_900, 2_800, 9_800),  # 3.5, 2 and 7 × 1,400
            "3.5 (2–7) audit days × 1,400 EUR" + estimate,
        ),
        (
            "stage2_travel",
            "Stage 2 audit: travel and expenses",
            (875, 500, 1_750),  # 3.5, 2 and 7 × 250
            "3.5 (2–7) audit days × 250 EUR per auditor-day",
        ),
        (
            "registration",
            "Registration and certificate fee",
            (900, 900, 900),
            "at the certification decision",
        ),
        (
            "annual_fee",
            "Annual fee, first certificate year",
            (900, 900, 900),
            "annual fee of the certification body",
        ),
    ]
    # 450 + 2,100 + 375 + 4,900 + 875 + 900 + 900 = 10,500; low 450 + 2,100 + 375 + 2,800
    # + 500 + 900 + 900 = 8,025; high 450 + 4,200 + 750 + 9,800 + 1,750 + 900 + 900 = 18,750
    assert (body.amount, body.low, body.high) == (10_500, 8_025, 18_750)


def test_the_certification_body_lines_are_dated_by_the_plan() -> None:
    e = evaluate(profile(), BEST, TODAY, BANK)
    batch = {b.key: b for b in e.plan.audit_batches}
    dates = {x.key: x.date for x in e.costs.parts[1].lines}
    assert dates["application"] == batch["stage1"].booking_deadline  # applied when booked
    assert dates["stage1_audit"] == dates["stage1_travel"] == batch["stage1"].planned_date
    assert dates["stage2_audit"] == dates["stage2_travel"] == batch["stage2"].planned_date
    assert dates["registration"] == dates["annual_fee"] == e.plan.certification_date
    steps = e.costs.cycle_steps
    assert steps[0].date == e.plan.certification_date
    assert [s.date for s in steps[1:]] == [
        batch[k].planned_date for k in ("surveillance1", "surveillance2", "recertification")
    ]


def test_the_cycle_steps_line_by_line() -> None:
    # 60 persons: 5 audit days (3.5-10); surveillance a third in half days up, 5 / 3 -> 2
    # (3.5 / 3 -> 1.5, 10 / 3 -> 3.5), recertification two thirds, 5 × 2 / 3 -> 3.5 (7 / 3
    # -> 2.5, 20 / 3 -> 7).
    c = costs()
    assert [(s.key, s.title) for s in c.cycle_steps] == [
        ("initial", "Initial certification"),
        ("surveillance1", "Surveillance audit 1"),
        ("surveillance2", "Surveillance audit 2"),
        ("recertification", "Recertification audit"),
    ]
    # The initial certification repeats the five parts of the project, each at its amount.
    project = [(p.key, p.title, p.amount, "project, see above") for p in c.parts]
    assert [(x.key, x.title, x.amount, x.basis) for x in c.cycle_steps[0].lines] == project
    fee = "annual fee of the certification body"
    estimate = "; the audit days are an estimate until the certification body quotes"
    assert [
        (x.key, x.title, (x.amount, x.low, x.high), x.basis) for x in c.cycle_steps[1].lines
    ] == [
        (
            "surveillance1_audit",
            "Surveillance audit 1",
            (2_800, 2_100, 4_900),  # 2, 1.5 and 3.5 × 1,400
            "2 (1.5–3.5) audit days × 1,400 EUR" + estimate,
        ),
        (
            "surveillance1_travel",
            "Surveillance audit 1: travel and expenses",
            (500, 375, 875),  # 2, 1.5 and 3.5 × 250
            "2 (1.5–3.5) audit days × 250 EUR per auditor-day",
        ),
        ("surveillance1_annual_fee", "Surveillance audit 1: annual fee", (900, 900, 900), fee),
        (
            "surveillance1_licence",
            "Tool software licence, certificate year 2",
            (0, 0, 0),
            "none planned",
        ),
    ]
    # 2,800 + 500 + 900 = 4,200; 2,100 + 375 + 900 = 3,375; 4,900 + 875 + 900 = 6,675
    for step in c.cycle_steps[1:3]:
        assert (step.amount, step.low, step.high) == (4_200, 3_375, 6_675), step.key
    assert [(x.key, (x.amount, x.low, x.high), x.basis) for x in c.cycle_steps[3].lines] == [
        (
            "recertification_application",
            (450, 450, 450),
            "again for the new certificate (some bodies waive it)",
        ),
        (
            "recertification_audit",
            (4_900, 3_500, 9_800),  # 3.5, 2.5 and 7 × 1,400
            "3.5 (2.5–7) audit days × 1,400 EUR" + estimate,
        ),
        (
            "recertification_travel",
            (875, 625, 1_750),  # 3.5, 2.5 and 7 × 250
            "3.5 (2.5–7) audit days × 250 EUR per auditor-day",
        ),
        ("recertification_registration", (900, 900, 900), "the new certificate"),
        ("recertification_annual_fee", (900, 900, 900), fee),
        ("recertification_licence", (0, 0, 0), "none planned"),
    ]
    # 450 + 4,900 + 875 + 900 + 900 = 8,025; 450 + 3,500 + 625 + 900 + 900 = 6,375;
    # 450 + 9,800 + 1,750 + 900 + 900 = 13,800
    s3 = c.cycle_steps[3]
    assert (s3.amount, s3.low, s3.high) == (8_025, 6_375, 13_800)
    assert c.cycle_total == c.project_total + 4_200 + 4_200 + 8_025
    assert c.cycle_low == c.project_low + 3_375 + 3_375 + 6_375
    assert c.cycle_high == c.project_high + 6_675 + 6_675 + 13_800


def test_fiscal_years_are_labelled_by_their_months() -> None:
    assert fiscal_year_label(2027, 1) == "FY 2027 (January–December 2027)"
    assert fiscal_year_label(2027, 4) == "FY 2027/28 (April 2027 – March 2028)"
    assert fiscal_year_label(2099, 12) == "FY 2099/00 (December 2099 – November 2100)"
    # A day falls in the fiscal year that began on or before it.
    assert fiscal_year_of(dt.date(2027, 3, 31), 4) == 2026
    assert fiscal_year_of(dt.date(2027, 4, 1), 4) == 2027
    assert fiscal_year_of(dt.date(2027, 12, 31), 1) == 2027


def test_shares_are_whole_and_sum_to_the_amount() -> None:
    # 10 over three equal weights: 3 each and the one left over to the first.
    assert whole_shares(10, [1, 1, 1]) == [4, 3, 3]
    # 100 over 1 : 3: 25 and 75 exactly.
    assert whole_shares(100, [1, 3]) == [25, 75]
    # 7 over 1 : 2 : 4: floors 1, 2, 4 = 7, nothing left over.
    assert whole_shares(7, [1, 2, 4]) == [1, 2, 4]
    assert whole_shares(5, [0, 0]) == [5, 0]


def test_fiscal_years_date_the_project_by_its_stages() -> None:
    # Start 2027-01-11; fiscal years from April. The project's lines fall on the start of
    # the stage they are incurred in, consulting split over the five stages by business
    # days, and every line lies within its fiscal year.
    e = evaluate(profile(fiscal_year_start_month=4), without("change"), TODAY, BANK)
    c, stages = e.costs, {s.key: s for s in e.plan.stages}
    assert c.fiscal_years[0].title == "FY 2026/27 (April 2026 – March 2027)"
    lines = {x.key: x for fy in c.fiscal_years for x in fy.lines}
    assert lines["standards"].date == stages["preparation"].start
    assert lines["awareness"].date == stages["process_establishment"].start
    assert lines["publicity"].date == e.plan.certification_date
    consulting = [x for x in lines.values() if x.key.startswith("consultant_days.")]
    assert [x.date for x in consulting] == [s.start for s in e.plan.stages]
    assert sum(x.amount or 0 for x in consulting) == c.parts[0].amount
    days = {x.key: stages[x.key.split(".")[1]].business_days for x in consulting}
    assert consulting[0].basis == (
        f"{days['consultant_days.preparation']} of {e.plan.business_days} business days of "
        f"{c.parts[0].amount:,} EUR"
    )
    for fy in c.fiscal_years:
        assert all(fy.start <= (x.date or fy.start) <= fy.end for x in fy.lines), fy.title
        assert fy.amount == sum(x.amount or 0 for x in fy.lines)
    assert sum(fy.amount or 0 for fy in c.fiscal_years) == c.cycle_total


def test_a_year_without_spending_is_shown_empty() -> None:
    # Surveillance 1 on 2028-10-10 and 2 on 2029-10-10 in one plan: with a fiscal year from
    # November, no year is skipped between the first spending and the last.
    c = costs(fiscal_year_start_month=11)
    keys = [fy.key for fy in c.fiscal_years]
    first, last = int(keys[0][2:]), int(keys[-1][2:])
    assert keys == [f"FY{y}" for y in range(first, last + 1)]


def test_every_line_of_the_five_parts_by_name() -> None:
    c = costs()
    assert [(p.key, p.title, [(x.key, x.title) for x in p.lines]) for p in c.parts] == [
        ("consulting", "Consulting", [("consultant_days", "Consultant days")]),
        (
            "certification_body",
            "Certification body",
            [
                ("application", "Application fee"),
                ("stage1_audit", "Stage 1 audit"),
                ("stage1_travel", "Stage 1 audit: travel and expenses"),
                ("stage2_audit", "Stage 2 audit"),
                ("stage2_travel", "Stage 2 audit: travel and expenses"),
                ("registration", "Registration and certificate fee"),
                ("annual_fee", "Annual fee, first certificate year"),
            ],
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
