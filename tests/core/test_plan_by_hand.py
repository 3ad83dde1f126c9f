"""One plan counted by hand, day by day, and the rules that size each stage.

The plan is `helpers.two_weak_processes`: Germany (national holidays: Good Friday 26 March and
Easter Monday 29 March, Ascension 6 May, Whit Monday 17 May 2027; German Unity Day 3 October,
on a weekday in 2028 and 2030; Christmas and New Year on weekdays in 2028-29, 2029-30 and
2030-31), starting Monday 2027-01-11; stages of 10, 10, 108, 67 and 78 business days (its
docstring has the sizes).
"""

from __future__ import annotations

from typing import Any

from iso20k_core.evaluate import evaluate
from iso20k_core.standard import load_bank
from tests.core.helpers import TODAY, all_at, all_best, profile, two_weak_processes

BANK = load_bank()
BEST = all_best(BANK)
D = __import__("datetime").date


def test_the_stages_day_by_day() -> None:
    # Preparation: two weeks to Friday 22 January; gap analysis two more to 5 February.
    # Process work from Monday 8 February, 108 days: 21 weeks and 3 days would end on
    # Wednesday 7 July; the four spring holidays make it Tuesday 13 July. Trial operation from
    # Wednesday 14 July, 67 days: 13 weeks and 2 days, Thursday 14 October. Certification:
    # 2 + 10 + 12 + 4 + 10 + 30 (nonconformities) + 10 (decision) = 78 days, to 1 February.
    p = two_weak_processes(BANK).plan
    assert [(s.number, s.key, s.title, s.start, s.end, s.business_days) for s in p.stages] == [
        (1, "preparation", "Preliminary preparation", D(2027, 1, 11), D(2027, 1, 22), 10),
        (2, "gap_analysis", "Gap analysis", D(2027, 1, 25), D(2027, 2, 5), 10),
        (
            3,
            "process_establishment",
            "Process establishment and improvement",
            D(2027, 2, 8),
            D(2027, 7, 13),
            108,
        ),
        (4, "trial_operation", "Trial operation", D(2027, 7, 14), D(2027, 10, 14), 67),
        (5, "certification_audit", "Certification audit", D(2027, 10, 15), D(2028, 2, 1), 78),
    ]
    assert (p.mode, p.start, p.calendar) == (
        "forward",
        D(2027, 1, 11),
        "working days and public holidays of DE (holidays package)",
    )


def test_the_tasks_biggest_gap_first_two_people_each_at_most() -> None:
    # 0.5 FTE, so a task takes its effort over 0.5 people: change 30 / 0.5 = 60 days from the
    # start; incident 24 / 0.5 = 48 days, once change's 30 person-days are done (60 days in).
    p = two_weak_processes(BANK).plan
    assert [(t.area, t.title, t.owner_role, t.gap, t.effort_days) for t in p.tasks] == [
        (
            "change",
            "Define and introduce change management (to maturity 3)",
            "Change manager",
            3.0,
            30,
        ),
        (
            "incident",
            "Define and introduce incident management (to maturity 3)",
            "Incident manager",
            3.0,
            24,
        ),
    ]
    # Change: from 8 February, 60 business days: 12 weeks would end Friday 30 April, the two
    # Easter holidays make it Tuesday 4 May. Incident from the next day, 48 days: through
    # Tuesday 13 July (Ascension and Whit Monday in between), the end of the stage.
    assert [(t.start, t.end) for t in p.tasks] == [
        (D(2027, 2, 8), D(2027, 5, 4)),
        (D(2027, 5, 5), D(2027, 7, 13)),
    ]


def test_the_milestones_with_their_owners() -> None:
    # Internal audit 60 % into the trial operation (floor(0.6 x 67) = 40 business days after
    # 14 July: 8 September), management review at 85 % (floor(56.95) = 56: 30 September).
    # The application 15 business days (3 weeks) before stage 1's booking deadline, Friday
    # 20 August: Friday 30 July. Documents ready 5 days (a week) before stage 1 on Friday
    # 15 October: Friday 8 October. Nonconformities: 30 days from Wednesday 8 December, the
    # day after stage 2's window: 8-10, 13-17, 20-24, 27-31 December
    # (18), 3-14 January (28), 17 and 18: Tuesday 18 January 2028; the decision 10 days
    # after: 19-21, 24-28, 31 January and 1 February.
    p = two_weak_processes(BANK).plan
    assert [(m.key, m.title, m.owner_role, m.date) for m in p.milestones] == [
        (
            "kickoff",
            "Project kick-off: sponsor, scope and team confirmed",
            "Top management",
            D(2027, 1, 11),
        ),
        (
            "charter_approved",
            "SMS scope and project charter approved",
            "Top management",
            D(2027, 1, 22),
        ),
        ("gap_report", "Gap analysis report accepted", "SMS manager", D(2027, 2, 5)),
        (
            "sms_established",
            "SMS documented and processes in place",
            "SMS manager",
            D(2027, 7, 13),
        ),
        ("trial_start", "Trial operation begins", "SMS manager", D(2027, 7, 14)),
        (
            "certification_application",
            "Application sent to the certification body: quote and contract before the stage 1 "
            "booking deadline",
            "SMS manager",
            D(2027, 7, 30),
        ),
        (
            "internal_audit",
            "Internal audit of the whole SMS completed",
            "Internal audit lead",
            D(2027, 9, 8),
        ),
        (
            "management_review",
            "Management review held and minuted",
            "Top management",
            D(2027, 9, 30),
        ),
        (
            "stage1_documents",
            "Documented information ready for stage 1 and sent to the certification body",
            "SMS manager",
            D(2027, 10, 8),
        ),
        (
            "trial_end",
            "Trial operation complete: ready for stage 1",
            "SMS manager",
            D(2027, 10, 14),
        ),
        (
            "stage1_audit",
            "Stage 1 audit (documentation and readiness)",
            "SMS manager",
            D(2027, 10, 15),
        ),
        ("stage2_audit", "Stage 2 audit (implementation)", "SMS manager", D(2027, 11, 18)),
        (
            "nonconformities_closed",
            "Stage 2 nonconformities closed: corrections and corrective actions sent",
            "SMS manager",
            D(2028, 1, 18),
        ),
        (
            "certification_decision",
            "Certification decision expected",
            "Top management",
            D(2028, 2, 1),
        ),
    ]


def test_the_audit_batches_booked_ahead_with_the_bodys_reserve() -> None:
    # Stage 1 on Friday 15 October, 1.5 audit days: 2 days on site, then 10 days of reserve:
    # its window closes 11 business days later, Monday 1 November; book it 40 business days
    # before, 8 weeks: Friday 20 August. The improvement window, 12 days, 2 to 17 November.
    # Stage 2 on Thursday 18 November, 4 days on site and the reserve: 13 days later, Tuesday
    # 7 December; book by Thursday 23 September. Then 30 days to close nonconformities, 8
    # December to 18 January, and the decision 10 days after: Tuesday 1 February 2028.
    # Surveillance: each window closes on the last day within 12 and 24 months, Wednesday 31
    # January 2029 and Thursday 31 January 2030; 2 days on site and 10 of reserve start them
    # 11 days earlier, on the 16th; booked 8 weeks before, less three days for Christmas and
    # New Year on weekdays: 16 November 2028 and 2029. Recertification: its window closes 10
    # days before the certificate expires on Friday 2031-01-31, on Friday 17 January; 4 + 10
    # days: from Monday 30 December 2030 (New Year's Day skipped); book by Thursday 31
    # October, 8 weeks and the two Christmas holidays before.
    p = two_weak_processes(BANK).plan
    assert [
        (
            b.key,
            b.title,
            b.audit_days,
            b.on_site_days,
            b.booking_deadline,
            b.planned_date,
            b.window_end,
            b.booked,
        )
        for b in p.audit_batches
    ] == [
        ("stage1", "Stage 1 audit", 1.5, 2, D(2027, 8, 20), D(2027, 10, 15), D(2027, 11, 1), False),
        ("stage2", "Stage 2 audit", 3.5, 4, D(2027, 9, 23), D(2027, 11, 18), D(2027, 12, 7), False),
        (
            "surveillance1",
            "Surveillance audit 1",
            2.0,
            2,
            D(2028, 11, 16),
            D(2029, 1, 16),
            D(2029, 1, 31),
            False,
        ),
        (
            "surveillance2",
            "Surveillance audit 2",
            2.0,
            2,
            D(2029, 11, 16),
            D(2030, 1, 16),
            D(2030, 1, 31),
            False,
        ),
        (
            "recertification",
            "Recertification audit",
            3.5,
            4,
            D(2030, 10, 31),
            D(2030, 12, 30),
            D(2031, 1, 17),
            False,
        ),
    ]
    assert p.improvement_window == (D(2027, 11, 2), D(2027, 11, 17))
    assert p.nonconformity_window == (D(2027, 12, 8), D(2028, 1, 18))
    assert (p.certification_date, p.certificate_expiry) == (D(2028, 2, 1), D(2031, 1, 31))


def stages(answers: dict[str, Any], **fields: Any) -> tuple[int, ...]:
    return tuple(
        s.business_days for s in evaluate(profile(**fields), answers, TODAY, BANK).plan.stages
    )


def test_preparation_grows_with_sites_and_a_weak_foundation() -> None:
    # Nothing left to do: 10 days and one more per site beyond the first, at most 10 more.
    assert [stages(BEST, sites=n)[0] for n in (1, 4, 11, 30)] == [10, 13, 20, 20]
    # Existing management systems at 0 of its 1: a foundation 7/8 reached, 10 + 15/8 -> 12.
    weak = {k: v for k, v in BEST.items() if not k.startswith("management_systems.")}
    assert stages(weak)[0] == 12


def test_gap_analysis_grows_with_services_up_to_40() -> None:
    # 5 days and half a day a service, at most 40 services: 8 -> 9, 9 -> 9.5 -> 10, 41 -> 25.
    assert [stages(BEST, services_in_scope=n)[1] for n in (8, 9, 40, 41, 100)] == [
        9,
        10,
        25,
        25,
        25,
    ]


def test_process_work_is_spread_over_at_most_two_people_a_task() -> None:
    # 200 persons, size scale 2: change 60 person-days, incident 48. With 8 FTE the work
    # alone would take 108 / 8 = 13.5 -> 14 days, but change can use two people: 30 days.
    # Incident would start once 60 person-days are done by 8 FTE, 7.5 days in, and takes
    # 48 / 2 = 24 days: kept within the stage's 30 days, it starts 30 - 24 = 6 days in.
    answers = {k: v for k, v in BEST.items() if not k.startswith(("change.", "incident."))}
    p = evaluate(profile(persons_in_scope=200, staff_available_fte=8), answers, TODAY, BANK).plan
    process = p.stages[2]
    assert process.business_days == 30
    change, incident = p.tasks
    # Gap analysis: 5 + 0.5 x 8 + 10 x 2 x (1 - 0.929) = 10.43 -> 11 days, 25 January to
    # Monday 8 February: process work from Tuesday 9 February; incident 6 days in, the 17th.
    assert process.start == D(2027, 2, 9)
    assert (change.start, incident.start) == (process.start, D(2027, 2, 17))
    assert incident.end == process.end
    # one person: 108 days
    one = evaluate(profile(persons_in_scope=200, staff_available_fte=1), answers, TODAY, BANK)
    assert one.plan.stages[2].business_days == 108
    # little work: at least 15 days
    assert stages(BEST)[2] == 15


def booked(bookings: dict[str, Any]) -> tuple[str, ...]:

    answers = {k: v for k, v in BEST.items() if not k.startswith(("change.", "incident."))}
    e = evaluate(
        profile(persons_in_scope=50, staff_available_fte=0.5), answers, TODAY, BANK, bookings
    )
    return e.plan.booking_conflicts


def test_each_booking_that_contradicts_the_plan_is_named() -> None:
    # The plan above: trial operation to Thursday 2027-10-14, decision 2028-02-01.
    assert booked({"stage1": D(2027, 10, 1)}) == (
        "the stage 1 audit is booked for 2027-10-01, before the trial operation ends on 2027-10-14",
    )
    assert booked({"stage1": D(2027, 10, 1), "stage2": D(2027, 10, 11)}) == (
        "the stage 1 audit is booked for 2027-10-01, before the trial operation ends on 2027-10-14",
        "the stage 2 audit is booked for 2027-10-11, before the trial operation ends on "
        "2027-10-14; certification bodies expect about three months of operation with an "
        "internal audit and a management review first",
        # stage 1 on site Friday 1 and Monday 4 October: 5 to 8 October left
        "4 business days between the stage 1 and stage 2 audits to correct findings; the plan "
        "allows 12",
    )
    # Stage 1 booked Monday 1 November, two days on site: to Tuesday 2 November.
    assert booked({"stage1": D(2027, 11, 1), "stage2": D(2027, 11, 2)}) == (
        "the stage 2 audit is booked for 2027-11-02, before the stage 1 audit ends on 2027-11-02",
    )
    # Stage 2 on Monday 8 November: 3 to 5 November are left for corrections, the plan
    # allows 12.
    assert booked({"stage1": D(2027, 11, 1), "stage2": D(2027, 11, 8)}) == (
        "3 business days between the stage 1 and stage 2 audits to correct findings; the plan "
        "allows 12",
    )
    assert booked({"stage1": D(2027, 11, 1), "stage2": D(2027, 11, 19)}) == ()  # 3-18 Nov: 12
    # Surveillance 1 is due within 12 months of the decision on 2028-02-01: by 2029-01-31;
    # the recertification window closes 10 business days before expiry, 2031-01-17.
    assert booked({"surveillance1": D(2029, 2, 12)}) == (
        "the surveillance audit 1 is booked for 2029-02-12, after its deadline 2029-01-31",
    )
    assert booked({"surveillance1": D(2029, 1, 31), "recertification": D(2031, 1, 17)}) == ()


def test_a_task_s_title_says_how_far_its_area_is_from_its_level() -> None:
    # Two levels or more to go: define and introduce; one or more: document and implement;
    # less than one: close the remaining gaps. Each threshold on both sides: demand
    # management (level 2) is exactly 2.0 short with everything at 0 and 1.6 short with
    # everything at 1; service continuity exactly 1.0 and configuration 0.9 at 2.
    def titles(level: int) -> dict[tuple[str, float], str]:
        tasks = evaluate(profile(), all_at(level, BANK), TODAY, BANK).plan.tasks
        return {(t.area, t.gap): t.title for t in tasks}

    assert titles(0)[("demand", 2.0)] == "Define and introduce demand management (to maturity 2)"
    assert titles(1)[("demand", 1.6)] == "Document and implement demand management (to maturity 2)"
    at_two = titles(2)
    assert at_two[("continuity", 1.0)] == (
        "Document and implement service continuity management (to maturity 3)"
    )
    assert at_two[("configuration", 0.9)] == (
        "Close the remaining gaps in configuration management (to maturity 3)"
    )
