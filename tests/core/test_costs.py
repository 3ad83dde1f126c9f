from iso20k_core.audit import audit_days, table_days
from iso20k_core.evaluate import evaluate
from iso20k_core.profile import Assumptions, AuditDayBand
from tests.core.helpers import TODAY, all_at, all_best, profile


def test_audit_days_follow_persons_in_scope() -> None:
    a = Assumptions()
    assert table_days(a, 5) == 1.5
    assert table_days(a, 6) == 2.0
    assert table_days(a, 10700) == 22.0
    assert table_days(a, 10701) == 23.0  # beyond the table: its progression
    days = audit_days(profile(persons_in_scope=60, assumptions=a))
    assert days.initial == 5.0
    assert days.stage1 + days.stage2 == days.initial
    assert days.surveillance == 2.0  # a third, in half days, rounded up
    assert days.recertification == 3.5


def test_integration_reductions_are_capped_at_thirty_percent() -> None:
    days = audit_days(
        profile(persons_in_scope=900, assumptions=Assumptions(integration_reduction_percent=50))
    )
    assert days.reduction_percent == 30.0  # ISO/IEC 20000-6:2017 9.1.4.2
    assert days.initial == 9.5  # 13 days less 30 % is 9.1, planned in half days


def test_the_audit_table_is_overridable() -> None:
    table = (AuditDayBand(max_persons=100, days=3), AuditDayBand(max_persons=1000, days=6))
    e = evaluate(profile(assumptions={"audit_days_table": table}), {}, TODAY)
    assert e.costs.audit_days.table_days == 3
    origin = {a.key: a.origin for a in e.assumptions}
    assert origin["audit_days_table"] == "profile"
    assert origin["auditor_day_rate"] == "default"


def test_five_parts_and_their_totals() -> None:
    c = evaluate(profile(), all_at(2), TODAY).costs
    assert [p.key for p in c.parts] == [
        "consulting",
        "certification_body",
        "training",
        "reference_publicity",
        "tool_software",
    ]
    for part in c.parts:
        assert part.amount == sum(line.amount for line in part.lines)
    assert c.project_total == sum(p.amount for p in c.parts)
    assert c.total_with_internal == c.project_total + c.internal_cost
    assert c.cycle_total == sum(s.amount for s in c.cycle_steps)
    assert c.cycle_total == sum(y.amount for y in c.fiscal_years)
    certification = next(p for p in c.parts if p.key == "certification_body")
    # The initial quote at the EUR defaults: application 450; 5 audit days for 60 persons
    # × 1,400 = 7,000 and × 250 travel and expenses = 1,250; registration 900; the first
    # annual fee 900: 450 + 7,000 + 1,250 + 900 + 900 = 10,500.
    assert certification.amount == 10_500
    assert [s.key for s in c.cycle_steps] == [
        "initial",
        "surveillance1",
        "surveillance2",
        "recertification",
    ]
    assert c.quote_includes_surveillance is None


def test_without_consultants_there_is_no_consulting_cost_but_more_internal_effort() -> None:
    with_help = evaluate(profile(), all_at(1), TODAY).costs
    alone = evaluate(profile(use_consultants=False), all_at(1), TODAY).costs
    assert alone.parts[0].amount == 0
    assert alone.internal_days > with_help.internal_days


def test_training_covers_all_staff_in_scope() -> None:
    c = evaluate(profile(persons_in_scope=300), all_best(), TODAY).costs
    training = next(p for p in c.parts if p.key == "training")
    awareness = next(line for line in training.lines if line.key == "awareness")
    assert awareness.amount == 300 * 25
    owners = next(line for line in training.lines if line.key == "process_owners")
    assert owners.amount == 0  # no weak area left: no process owner training needed


def test_tool_software_is_optional() -> None:
    none = evaluate(profile(), {}, TODAY).costs
    some = evaluate(
        profile(assumptions={"tool_software_cost": 5000, "tool_software_annual_cost": 1200}),
        {},
        TODAY,
    ).costs
    assert none.parts[-1].amount == 0
    assert some.parts[-1].amount == 6200
    # The licence comes again with every certificate year a later step opens.
    for step in (1, 2, 3):
        assert some.cycle_steps[step].amount - none.cycle_steps[step].amount == 1200
