import datetime as dt
import itertools

from iso20k_core.evaluate import evaluate
from iso20k_core.plan import add_months
from tests.core.helpers import TODAY, all_at, all_best, profile


def test_five_stages_in_order_on_business_days() -> None:
    p = evaluate(profile(), all_at(2), TODAY).plan
    assert [s.key for s in p.stages] == [
        "preparation",
        "gap_analysis",
        "process_establishment",
        "trial_operation",
        "certification_audit",
    ]
    assert p.mode == "forward"
    assert p.start == dt.date(2027, 1, 11)
    for before, after in itertools.pairwise(p.stages):
        assert before.end < after.start
    assert p.stages[3].business_days >= 65  # README: at least 65 business days
    assert p.business_days == sum(s.business_days for s in p.stages)
    assert p.certification_date == p.stages[-1].end


def test_mature_organisations_spend_less_time_preparing() -> None:
    weak = evaluate(profile(), all_at(1), TODAY).plan
    strong = evaluate(profile(), all_best(), TODAY).plan
    assert strong.business_days < weak.business_days
    assert strong.stages[0].business_days < weak.stages[0].business_days
    assert strong.stages[2].business_days < weak.stages[2].business_days


def test_more_staff_shortens_process_work() -> None:
    few = evaluate(profile(staff_available_fte=1), all_at(1), TODAY).plan
    many = evaluate(profile(staff_available_fte=8), all_at(1), TODAY).plan
    assert many.stages[2].business_days < few.stages[2].business_days


def test_biggest_gaps_start_first() -> None:
    answers = all_at(2)
    for q_id in [k for k in answers if k.startswith("asset.")]:
        answers[q_id] = 0 if isinstance(answers[q_id], int) else "no"
    p = evaluate(profile(), answers, TODAY).plan
    assert p.tasks[0].area == "asset"
    assert p.tasks[0].start == p.stages[2].start
    gaps = [t.gap for t in p.tasks]
    assert gaps == sorted(gaps, reverse=True)
    for t in p.tasks:
        assert p.stages[2].start <= t.start <= t.end <= p.stages[2].end
        assert t.effort_days >= 1


def test_audit_batches_are_booked_ahead_with_a_reserve() -> None:
    e = evaluate(profile(), all_at(3), TODAY)
    p = e.plan
    batches = {b.key: b for b in p.audit_batches}
    assert list(batches) == [
        "stage1",
        "stage2",
        "surveillance1",
        "surveillance2",
        "recertification",
    ]
    for b in p.audit_batches:
        assert (
            b.booking_deadline is not None and b.booking_deadline < b.planned_date <= b.window_end
        )
    assert batches["stage1"].window_end < p.improvement_window[0] <= p.improvement_window[1]
    assert p.improvement_window[1] < batches["stage2"].planned_date
    assert batches["stage1"].planned_date == p.stages[-1].start
    # ISO/IEC 17021-1 9.6.2.2: first surveillance within 12 months of the decision
    assert batches["surveillance1"].window_end < add_months(p.certification_date, 12)
    assert batches["recertification"].window_end < p.certificate_expiry
    assert p.certificate_expiry == add_months(p.certification_date, 36) - dt.timedelta(days=1)
    keys = [m.key for m in p.milestones]
    assert keys[0] == "kickoff" and keys[-1] == "certification_decision"
    assert [m.date for m in p.milestones] == sorted(m.date for m in p.milestones)


def test_backward_planning_ends_on_the_target() -> None:
    target = dt.date(2029, 6, 29)  # a Friday
    p = evaluate(profile(start_date=None, target_certification_date=target), all_at(2), TODAY).plan
    assert p.mode == "backward"
    assert p.target_feasible is True
    assert p.certification_date == target
    assert p.start > TODAY


def test_target_too_early_is_infeasible_with_the_earliest_date() -> None:
    target = dt.date(2027, 6, 1)
    e = evaluate(profile(start_date=None, target_certification_date=target), all_at(1), TODAY)
    p = e.plan
    assert p.target_feasible is False
    assert p.mode == "forward"
    assert p.earliest_certification_date > target
    assert p.certification_date == p.earliest_certification_date
    assert p.start == TODAY
    assert any(r.id == "target_too_close" and r.likelihood == "high" for r in e.risks)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 11, 15), 14) == dt.date(2029, 1, 15)
