"""A recorded booking moves the plan, and every rendering of the plan shows the booked date.

The fixture: `helpers.profile()` (60 persons, 3 FTE, Germany, start 2027-01-11) with every
answer at maturity 2. Unbooked, its stage 1 audit is planned for 2027-08-17 (two days on
site, ten days of reserve), the improvement window has 15 business days, stage 2 has four
days on site, 30 business days to close its nonconformities follow stage 2's reserve, and the
decision ten business days after them.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from iso20k_core.calendar import BusinessCalendar
from iso20k_core.errors import InputError
from iso20k_core.evaluate import evaluate
from iso20k_core.report import charts
from iso20k_core.report.document import render_markdown
from iso20k_core.report.exports import export
from iso20k_core.results import AuditBatch, Evaluation
from iso20k_core.standard import load_bank
from tests.core.helpers import TODAY, all_at, examples, profile

D = dt.date
BANK = load_bank()
ANSWERS = all_at(2)


def plan_with(today: dt.date = TODAY, **bookings: dt.date) -> Evaluation:
    return evaluate(profile(), ANSWERS, today, BANK, bookings=bookings)


def batch(e: Evaluation, key: str) -> AuditBatch:
    return next(b for b in e.plan.audit_batches if b.key == key)


def test_unbooked_plan_of_the_fixture() -> None:
    e = plan_with()
    assert batch(e, "stage1").planned_date == D(2027, 8, 17)
    assert e.plan.improvement_window == (D(2027, 9, 2), D(2027, 9, 22))
    # Stage 2's reserve ends Tuesday 12 October; 30 business days from the 13th (no national
    # holiday in October or November): Tuesday 23 November; ten more: Tuesday 7 December.
    assert e.plan.nonconformity_window == (D(2027, 10, 13), D(2027, 11, 23))
    assert e.plan.certification_date == D(2027, 12, 7)
    assert not any(b.booked for b in e.plan.audit_batches)


def test_a_booked_stage_1_moves_stage_2_the_decision_and_the_cycle() -> None:
    # Worked out by hand on the German calendar of 2027 (no national holiday in September;
    # 3 October is a Sunday):
    # stage 1 on Monday 6 September, two days on site -> 6 and 7 September, no reserve;
    # improvement window of 15 business days from Wednesday 8 September -> 28 September;
    # stage 2 on 29 September, 4 days on site + 10 reserve -> 13 business days on: 18 October;
    # nonconformities closed in 30 business days from Tuesday 19 October: Monday 29
    # November; decision 10 business days later: Monday 13 December 2027.
    e = plan_with(stage1=D(2027, 9, 6))
    stage1, stage2 = batch(e, "stage1"), batch(e, "stage2")
    assert (stage1.planned_date, stage1.window_end) == (D(2027, 9, 6), D(2027, 9, 7))
    assert stage1.booked and stage1.booking_deadline is None
    assert e.plan.improvement_window == (D(2027, 9, 8), D(2027, 9, 28))
    assert (stage2.planned_date, stage2.window_end) == (D(2027, 9, 29), D(2027, 10, 18))
    assert not stage2.booked and stage2.booking_deadline is not None
    assert e.plan.nonconformity_window == (D(2027, 10, 19), D(2027, 11, 29))
    assert e.plan.certification_date == D(2027, 12, 13)
    # The first surveillance closes by Tuesday 12 December 2028 (12 months after the
    # decision, less a day); its window of 2 + 10 business days ends then, so it starts 11
    # business days earlier, on Monday 27 November 2028.
    assert batch(e, "surveillance1").planned_date == D(2028, 11, 27)
    assert e.plan.certificate_expiry == D(2030, 12, 12)
    milestones = {m.key: m.date for m in e.plan.milestones}
    assert milestones["stage1_audit"] == D(2027, 9, 6)
    assert milestones["stage2_audit"] == D(2027, 9, 29)
    assert milestones["certification_decision"] == D(2027, 12, 13)
    assert milestones["nonconformities_closed"] == D(2027, 11, 29)
    # booked: the contract is signed, no application milestone; documents a week before
    assert "certification_application" not in milestones
    assert milestones["stage1_documents"] == D(2027, 8, 30)
    assert e.plan.stages[-1].end == D(2027, 12, 13)
    assert e.plan.booking_conflicts == ()


def test_a_booked_stage_2_is_kept_and_the_window_before_it_is_what_is_left() -> None:
    e = plan_with(stage1=D(2027, 9, 6), stage2=D(2027, 10, 4))
    assert batch(e, "stage2").planned_date == D(2027, 10, 4)
    # From 8 September to Friday 1 October: 18 business days, more than the 15 planned.
    assert e.plan.improvement_window == (D(2027, 9, 8), D(2027, 10, 1))
    # Booked: four days on site (4 to 7 October), then 30 business days for nonconformities
    # from Friday 8 October to Thursday 18 November, and ten more to Thursday 2 December.
    assert batch(e, "stage2").window_end == D(2027, 10, 7)
    assert e.plan.nonconformity_window == (D(2027, 10, 8), D(2027, 11, 18))
    assert e.plan.certification_date == D(2027, 12, 2)


def test_the_book_now_advice_and_risk_disappear_once_stage_1_is_booked() -> None:
    # On 2027-06-15 the stage 1 booking deadline (2027-06-22) is a week away.
    today = D(2027, 6, 15)
    before = plan_with(today)
    assert "booking_deadline_close" in {r.id for r in before.risks}
    assert "Book the stage 1 audit with the certification body by 2027-06-22" in (
        render_markdown(before)
    )
    after = plan_with(today, stage1=D(2027, 9, 6))
    assert "booking_deadline_close" not in {r.id for r in after.risks}
    report = render_markdown(after)
    assert "Book the stage 1 audit" not in report
    assert "Book the stage 2 audit with the certification body by" in report
    assert "| Stage 1 audit | 2027-09-06 (booked) |" in report  # the cover's key figures
    assert "| Stage 1 audit | booked | 2027-09-06 |" in report  # the audit table


def test_bookings_that_contradict_the_plan_are_kept_and_reported() -> None:
    e = plan_with(stage2=D(2027, 8, 2))  # before the trial operation ends on 2027-08-16
    assert batch(e, "stage2").planned_date == D(2027, 8, 2)
    risk = next(r for r in e.risks if r.id == "bookings_contradict_plan")
    assert "the stage 2 audit is booked for 2027-08-02, before the trial operation ends on " in (
        risk.trigger
    )
    assert "before the stage 1 audit ends on 2027-09-01" in risk.trigger
    assert (risk.likelihood, risk.impact) == ("high", "high")


def test_a_short_window_and_a_late_surveillance_are_named() -> None:
    e = plan_with(stage1=D(2027, 9, 6), stage2=D(2027, 9, 13), surveillance1=D(2028, 12, 1))
    conflicts = e.plan.booking_conflicts
    assert (
        "3 business days between the stage 1 and stage 2 audits to correct findings; "
        "the plan allows 15" in conflicts
    )
    assert any(
        c.startswith("the surveillance audit 1 is booked for 2028-12-01, after") for c in conflicts
    )


def test_bookings_outside_the_horizon_or_unknown_are_refused() -> None:
    with pytest.raises(InputError) as caught:
        plan_with(stage1=D(9999, 12, 31))
    assert caught.value.field == "bookings.stage1"
    with pytest.raises(InputError) as caught:
        evaluate(profile(), ANSWERS, TODAY, BANK, bookings={"stage3": D(2027, 9, 6)})
    assert caught.value.field == "bookings.stage3"


def test_a_booking_on_a_saturday_is_taken_as_confirmed() -> None:
    e = plan_with(stage1=D(2027, 9, 4))
    assert batch(e, "stage1").planned_date == D(2027, 9, 4)
    assert e.plan.improvement_window[0] == D(2027, 9, 7)  # Sat + Mon on site, then Tuesday


def test_exports_and_the_gantt_use_the_booked_date() -> None:
    e = plan_with(stage1=D(2027, 9, 6))
    events = {str(c["UID"]): c for c in Calendar.from_ical(export(e, "ics")).walk("VEVENT")}
    audit = events["audit-stage1-example-it@iso20k"]
    assert audit.decoded("DTSTART") == D(2027, 9, 6)
    assert str(audit["SUMMARY"]) == "Stage 1 audit booked (2 days on site)"
    booking = events["booking-stage1-example-it@iso20k"]  # same UID as the deadline it was
    assert str(booking["STATUS"]) == "CANCELLED"
    assert str(booking["SUMMARY"]) == "Stage 1 audit booked: no booking needed any more"
    assert str(booking["DESCRIPTION"]) == "The stage 1 audit is booked for 2027-09-06."
    assert [str(c) for c in booking["CATEGORIES"].cats] == ["Booking deadline"]
    assert booking.decoded("DTSTART") == D(2027, 9, 6)
    assert "book" in str(events["booking-stage2-example-it@iso20k"]["SUMMARY"]).lower()

    root = ET.fromstring(export(e, "mspdi"))
    ns = {"p": "http://schemas.microsoft.com/project"}
    stage1 = next(
        t
        for t in root.iterfind("p:Tasks/p:Task", ns)
        if t.findtext("p:Name", namespaces=ns) == "Stage 1 audit"
    )
    assert stage1.findtext("p:Start", namespaces=ns) == "2027-09-06T08:00:00"
    assert "booked" in (stage1.findtext("p:Notes", namespaces=ns) or "")

    labels = [row.label for row in charts._project_rows(e)]
    assert "Stage 1 audit (booked)" in labels and "Stage 2 audit" in labels


@settings(max_examples=examples(80), deadline=None)
@given(
    st.dates(D(2027, 5, 1), D(2028, 12, 31)),
    st.none() | st.integers(1, 120),
)
def test_booked_plans_keep_their_order(stage1: dt.date, gap: int | None) -> None:
    bookings = {"stage1": stage1}
    if gap is not None:
        bookings["stage2"] = stage1 + dt.timedelta(days=gap)
    e = evaluate(profile(), ANSWERS, TODAY, BANK, bookings=bookings)
    p, cal = e.plan, BusinessCalendar("DE")
    s1, s2 = batch(e, "stage1"), batch(e, "stage2")
    assert s1.planned_date == stage1 and s1.booked
    assert p.improvement_window[0] == cal.next_after(s1.window_end)
    assert p.improvement_window[0] <= p.improvement_window[1]
    if gap is None:
        assert s2.planned_date == cal.next_after(p.improvement_window[1])
    assert p.nonconformity_window == (
        cal.next_after(s2.window_end),
        cal.add(cal.next_after(s2.window_end), 29),
    )
    assert p.certification_date == cal.add(p.nonconformity_window[1], 10)
    assert p.stages[-1].start <= s1.planned_date and p.stages[-1].end == p.certification_date
    surveillance = batch(e, "surveillance1")
    assert p.certification_date < surveillance.planned_date <= surveillance.window_end
    assert p.certificate_expiry > batch(e, "recertification").window_end


def test_bookings_past_the_target_date_are_named_as_the_cause() -> None:
    # Planned backward to 2027-12-15 (the plan could certify by 2027-12-07), but stage 1 is
    # booked for 2028-01-10: the decision moves past the target.
    e = evaluate(
        profile(target_certification_date=D(2027, 12, 15)),
        ANSWERS,
        TODAY,
        BANK,
        bookings={"stage1": D(2028, 1, 10)},
    )
    p = e.plan
    assert p.mode == "backward" and p.earliest_certification_date == D(2027, 12, 7)
    assert p.target_feasible is False and p.bookings_miss_target
    risk = next(r for r in e.risks if r.id == "target_too_close")
    assert risk.trigger == (
        f"target 2027-12-15; the audits as booked lead to a decision on {p.certification_date}"
    )
    assert "is not met by the audits as booked" in render_markdown(e)
