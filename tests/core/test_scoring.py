from iso20k_core.evaluate import evaluate
from iso20k_core.standard import load_bank
from tests.core.helpers import TODAY, all_at, all_best, profile

BANK = load_bank()


def test_nothing_answered_scores_zero_and_is_not_feasible() -> None:
    e = evaluate(profile(), {}, TODAY)
    assert e.completion.answered == 0
    assert e.completion.total == len(BANK.questions)
    assert e.readiness_percent == 0
    assert all(a.maturity == 0 for a in e.areas)
    assert all(a.compliance == "not assessed" for a in e.areas)
    assert e.feasibility.verdict == "not yet feasible"
    assert any("provisional" in r for r in e.feasibility.reasons)


def test_area_maturity_is_the_weighted_mean_of_its_scored_questions() -> None:
    area = next(a for a in BANK.areas if a.id == "incident")
    scored = [q for q in area.questions if q.scored]
    answers = {}
    expected = 0.0
    for q in scored:
        if q.type == "maturity":
            answers[q.id] = 4
            expected += q.weight * 0.8
        elif q.type == "yes_partial_no":
            answers[q.id] = "partial"
            expected += q.weight * 0.5
    expected = round(5 * expected / sum(q.weight for q in scored), 1)
    result = evaluate(profile(), answers, TODAY).area("incident")
    assert result.maturity == expected
    assert result.gap == round(max(3 - expected, 0), 1)
    assert result.compliance == "partly met"


def test_compliance_is_kept_apart_from_maturity() -> None:
    area = next(a for a in BANK.areas if a.id == "change")
    answers = {}
    for q in area.questions:
        if q.type == "maturity":
            answers[q.id] = 0
        elif q.type == "yes_partial_no":
            answers[q.id] = "yes"
    result = evaluate(profile(), answers, TODAY).area("change")
    assert result.compliance == "met"
    assert result.maturity < 5  # the maturity questions pull it down; compliance is separate
    answers = {q.id: "no" for q in area.questions if q.type == "yes_partial_no"}
    assert evaluate(profile(), answers, TODAY).area("change").compliance == "not met"


def test_everything_at_best_is_ready_to_start() -> None:
    e = evaluate(profile(), all_best(), TODAY)
    assert e.readiness_percent == 100
    assert e.weakest_areas == ()
    assert e.feasibility.verdict == "ready to start"
    assert e.feasibility.management_score == 100
    assert e.plan.tasks == ()


def test_middle_maturity_is_feasible_with_preparation() -> None:
    e = evaluate(profile(), all_at(2), TODAY)
    assert e.feasibility.verdict == "feasible with preparation"
    assert 0 < e.readiness_percent < 90
    assert len(e.weakest_areas) == 5


def test_weak_leadership_blocks_feasibility() -> None:
    answers = all_best()
    for q in next(a for a in BANK.areas if a.id == "leadership").questions:
        answers[q.id] = (
            0 if q.type == "maturity" else "no" if q.type == "yes_partial_no" else answers[q.id]
        )
    e = evaluate(profile(), answers, TODAY)
    assert e.feasibility.verdict == "not yet feasible"
    assert "Leadership commitment is weak" in e.feasibility.reasons[0]


def test_management_weighs_more_than_technical() -> None:
    e = evaluate(profile(), all_at(3), TODAY)
    f = e.feasibility
    assert f.score == round(0.65 * f.management_score + 0.35 * f.technical_score, 1)
    technical_only = {
        q.id: 5
        for a in BANK.areas
        if a.dimension == "technical"
        for q in a.questions
        if q.type == "maturity"
    }
    management_only = {
        q.id: 5
        for a in BANK.areas
        if a.dimension == "management"
        for q in a.questions
        if q.type == "maturity"
    }
    t = evaluate(profile(), technical_only, TODAY).feasibility
    m = evaluate(profile(), management_only, TODAY).feasibility
    assert m.score > t.score


def test_benefit_analysis_ranks_by_expected_gain() -> None:
    answers = {q.id: 1 for q in BANK.section("benefits").questions}
    answers["benefits.supplier_management"] = 5
    e = evaluate(profile(), answers, TODAY)
    benefits = e.feasibility.benefits
    assert len(benefits) == 9
    assert benefits[0].id == "benefits.supplier_management"
    assert benefits[0].expected_gain == 5.0  # nothing delivered yet: all of it is to gain
    assert e.feasibility.benefit_score == round(20 * (8 + 5) / 9, 1)
    assert any("benefits are rated low" in r for r in e.feasibility.reasons)


def test_completion_counts_per_section() -> None:
    section = BANK.sections[0]
    answers = {q.id: "yes" if q.type == "yes_partial_no" else None for q in section.questions}
    answers = {k: v for k, v in answers.items() if v}
    e = evaluate(profile(), answers, TODAY)
    first = e.completion.sections[0]
    assert first.section == section.id
    assert first.answered == len(answers)
    assert e.completion.answered == len(answers)


def test_completion_per_section_and_per_area_in_numbers() -> None:
    # Two of the leadership area's four questions, one benefit rating: 3 of 157 = 1.9 %.
    e = evaluate(
        profile(),
        {
            "leadership.commitment": 2,
            "leadership.sponsor_named": "yes",
            "benefits.best_practice": 4,
        },
        TODAY,
    )
    assert (e.completion.answered, e.completion.total, e.completion.percent) == (3, 157, 1.9)
    sections = {s.section: (s.answered, s.total, s.percent) for s in e.completion.sections}
    assert sections["foundation"] == (2, 34, 5.9)  # eight areas of 4 or 5 questions: 2 / 34
    assert sections["benefits"] == (1, 9, 11.1)  # 100 / 9
    assert sections["resolution"][0::2] == (0, 0.0)
    leadership = e.area("leadership")
    assert (leadership.answered, leadership.total) == (2, 4)


def test_years_are_written_to_one_decimal_up_to_a_thousand() -> None:
    from iso20k_core.scoring import years_text

    assert years_text(3.44) == "3.4 years"
    assert years_text(1000) == "1,000.0 years"
    assert years_text(1000.1) == "more than 1,000 years"


def test_each_area_carries_its_clause_and_owner() -> None:
    e = evaluate(profile(), {}, TODAY)
    incident = e.area("incident")
    assert (incident.clause, incident.owner_role, incident.section, incident.kind) == (
        "8.6.1",
        "Incident manager",
        "resolution",
        "requirements",
    )
    assert (e.area("tooling").dimension, e.area("tooling").kind) == ("technical", "foundation")
