import datetime as dt

from iso20k_core.evaluate import evaluate
from tests.core.helpers import TODAY, all_at, all_best, profile

SAFE = {"quote_includes_surveillance": True}


def risk_ids(e) -> set[str]:  # type: ignore[no-untyped-def]
    return {r.id for r in e.risks}


def test_a_healthy_organisation_raises_no_risk() -> None:
    e = evaluate(profile(assumptions=SAFE), all_best(), TODAY)
    assert e.risks == ()


def test_a_weak_organisation_raises_many_risks_sorted_by_score() -> None:
    e = evaluate(profile(staff_available_fte=0.5, services_in_scope=30), all_at(1), TODAY)
    ids = risk_ids(e)
    for expected in (
        "weak_leadership",
        "budget_not_approved",
        "weak_supplier_management",
        "no_internal_audit",
        "audit_programme_incomplete",
        "no_management_review",
        "too_few_people",
        "wide_scope",
        "security_without_isms",
        "weak_change_management",
        "no_itil_basis",
        "roles_unclear",
        "weak_service_culture",
        "unmanaged_current_risks",
        "weak_tooling",
        "three_year_cost_unclear",
    ):
        assert expected in ids, expected
    scores = [r.score for r in e.risks]
    assert scores == sorted(scores, reverse=True)
    for r in e.risks:
        assert r.countermeasure and r.trigger
        assert (
            r.score
            == {"low": 1, "medium": 2, "high": 3}[r.likelihood]
            * {
                "low": 1,
                "medium": 2,
                "high": 3,
            }[r.impact]
        )


def test_answer_driven_rules() -> None:
    answers = all_best()
    answers["organisation.staff_turnover_percent"] = 35
    answers["tooling.processes_documented_outside_tool"] = "no"
    e = evaluate(profile(assumptions=SAFE), answers, TODAY)
    turnover = next(r for r in e.risks if r.id == "staff_turnover")
    assert turnover.likelihood == "high" and "35 %" in turnover.trigger
    assert "tool_dependence" in risk_ids(e)


def test_incomplete_assessment_and_low_benefits() -> None:
    answers = {"benefits.stable_delivery": 1, "benefits.management_data": 0}
    ids = risk_ids(evaluate(profile(), answers, TODAY))
    assert {"incomplete_assessment", "weak_business_case"} <= ids


def test_booking_deadline_close_and_target_without_slack() -> None:
    answers = all_best()
    soon = evaluate(profile(start_date=TODAY, assumptions=SAFE), answers, TODAY)
    p = soon.plan
    stage1 = p.audit_batches[0]
    # evaluated a day before the stage 1 booking deadline, the booking is urgent
    late = evaluate(
        profile(start_date=TODAY, assumptions=SAFE),
        answers,
        stage1.booking_deadline - dt.timedelta(days=1),  # type: ignore[operator]
    )
    assert "booking_deadline_close" in risk_ids(late)
    assert "booking_deadline_close" not in risk_ids(soon)
    tight = evaluate(
        profile(start_date=None, target_certification_date=p.certification_date, assumptions=SAFE),
        answers,
        TODAY,
    )
    assert tight.plan.target_feasible
    assert "target_too_close" in risk_ids(tight)


def test_iso27001_certified_organisations_are_not_warned_about_security() -> None:
    e = evaluate(profile(existing_certifications=["ISO/IEC 27001"]), all_at(1), TODAY)
    assert "security_without_isms" not in risk_ids(e)


def test_trained_auditors_without_a_full_programme() -> None:
    answers = all_best()
    answers["performance.internal_auditors"] = 14
    answers["performance.internal_audit_programme"] = "partial"
    ids = risk_ids(evaluate(profile(assumptions=SAFE), answers, TODAY))
    assert "audit_programme_incomplete" in ids
    assert "no_internal_audit" not in ids
