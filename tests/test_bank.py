"""The question bank: shipped data files load, follow the schema and cover the standard."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from iso20k_core.profile import Profile
from iso20k_core.standard import Bank, BankError, available_versions, load_bank
from tests.core.conftest import (  # noqa: F401  (mutation runs: no stale bank)
    _fresh_caches,
    _fresh_caches_while_mutmut_maps_the_tests,
)

VERSION = "2018.1"

# Every process of clause 8 of ISO/IEC 20000-1:2018 (22) and clauses 4, 5, 6, 7, 9, 10.
CLAUSE_8_AREAS = {
    "operational_planning": "8.1",
    "service_delivery": "8.2.1",
    "service_planning": "8.2.2",
    "parties_control": "8.2.3",
    "service_catalogue": "8.2.4",
    "asset": "8.2.5",
    "configuration": "8.2.6",
    "business_relationship": "8.3.2",
    "service_level": "8.3.3",
    "supplier": "8.3.4",
    "budgeting": "8.4.1",
    "demand": "8.4.2",
    "capacity": "8.4.3",
    "change": "8.5.1",
    "design_transition": "8.5.2",
    "release_deployment": "8.5.3",
    "incident": "8.6.1",
    "service_request": "8.6.2",
    "problem": "8.6.3",
    "availability": "8.7.1",
    "continuity": "8.7.2",
    "information_security": "8.7.3",
}
OTHER_CLAUSE_AREAS = {
    "sms_context": "4",
    "sms_leadership": "5",
    "sms_planning": "6",
    "sms_support": "7",
    "performance": "9",
    "improvement": "10",
}
REQUIREMENT_AREAS = {**CLAUSE_8_AREAS, **OTHER_CLAUSE_AREAS}

REQUIREMENT_SECTIONS = {
    "context": ["sms_context", "sms_leadership"],
    "planning_support": ["sms_planning", "sms_support"],
    "portfolio": [
        "operational_planning",
        "service_delivery",
        "service_planning",
        "parties_control",
    ],
    "catalogue_assets": ["service_catalogue", "asset", "configuration"],
    "relationships": ["business_relationship", "service_level", "supplier"],
    "supply_demand": ["budgeting", "demand", "capacity"],
    "design_transition": ["change", "design_transition", "release_deployment"],
    "resolution": ["incident", "service_request", "problem"],
    "assurance": ["availability", "continuity", "information_security"],
    "evaluation_improvement": ["performance", "improvement"],
}

FOUNDATION_AREAS = {
    "itil": "management",
    "organisation": "management",
    "culture": "management",
    "leadership": "management",
    "management_systems": "management",
    "current_risks": "management",
    "tooling": "technical",
    "automation": "technical",
}

BENEFITS = [
    "benefits.management_tools",
    "benefits.stable_delivery",
    "benefits.common_language",
    "benefits.communication_platform",
    "benefits.best_practice",
    "benefits.less_time_cost",
    "benefits.supplier_management",
    "benefits.staff_utilisation",
    "benefits.management_data",
]

# Ids other parts of the engine (feasibility, risks, costs) refer to by name.
REQUIRED_QUESTIONS = {
    "itil.staff_trained": "number",
    "organisation.roles_defined": "yes_partial_no",
    "organisation.staff_turnover_percent": "number",
    "leadership.sponsor_named": "yes_partial_no",
    "leadership.budget_approved": "yes_partial_no",
    "leadership.commitment": "maturity",
    "management_systems.integrated": "yes_partial_no",
    "tooling.itsm_tool": "maturity",
    "tooling.processes_documented_outside_tool": "yes_partial_no",
    "information_security.policy": "yes_partial_no",
    "performance.internal_audit_programme": "yes_partial_no",
    "performance.internal_auditors": "number",
    "performance.management_review_held": "yes_partial_no",
    "performance.last_management_review": "date",
    "supplier.contracts_reviewed": "yes_partial_no",
    "change.policy": "yes_partial_no",
}

ID_FORMAT = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank(VERSION)


def raw_bank() -> dict[str, Any]:
    """The shipped bank as plain data, fresh for each call so tests can break it."""
    text = (
        resources.files("iso20k_core.standard").joinpath(f"bank-{VERSION}.yaml").read_text("utf-8")
    )
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def _area(data: dict[str, Any], area_id: str) -> dict[str, Any]:
    for section in data["sections"]:
        for area in section["areas"]:
            if area["id"] == area_id:
                return area  # type: ignore[no-any-return]
    raise KeyError(area_id)


# -- loading ------------------------------------------------------------------------------


def test_bank_loads(bank: Bank) -> None:
    assert bank.version == VERSION
    assert bank.standard == "ISO/IEC 20000-1:2018"
    assert bank.title
    assert sorted(bank.maturity_scale) == [0, 1, 2, 3, 4, 5]
    assert all(level.name and level.description for level in bank.maturity_scale.values())
    assert len(bank.sources) >= 5


def test_newest_version_is_default() -> None:
    assert load_bank().version == available_versions()[-1]


def test_available_versions_include_2018_1() -> None:
    assert VERSION in available_versions()


def test_unknown_version_raises_bank_error() -> None:
    with pytest.raises(BankError, match=re.escape("unknown bank version '1999.9'")):
        load_bank("1999.9")


def test_no_value_in_the_file_is_a_yaml_boolean() -> None:
    """Unquoted yes/no/on/off would silently turn into booleans."""

    def walk(node: Any, path: str) -> None:
        assert not isinstance(node, bool), f"boolean at {path}"
        if isinstance(node, dict):
            for key, value in node.items():
                assert not isinstance(key, bool), f"boolean key at {path}"
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    walk(raw_bank(), "bank")


# -- structure ----------------------------------------------------------------------------


def test_sections_and_kinds(bank: Bank) -> None:
    kinds = {s.id: s.kind for s in bank.sections}
    assert kinds == {
        "foundation": "foundation",
        "benefits": "benefits",
        **{section_id: "requirements" for section_id in REQUIREMENT_SECTIONS},
    }
    for section_id, area_ids in REQUIREMENT_SECTIONS.items():
        assert [a.id for a in bank.section(section_id).areas] == area_ids
    assert bank.section("foundation").title == "Management and technical foundation"
    assert bank.section("benefits").title == "Benefit expectations"


@pytest.mark.parametrize(("area_id", "clause"), sorted(REQUIREMENT_AREAS.items()))
def test_requirement_area_present_with_clause(bank: Bank, area_id: str, clause: str) -> None:
    areas = {a.id: a for a in bank.areas}
    assert area_id in areas
    assert areas[area_id].clause == clause


def test_every_clause_8_process_is_covered(bank: Bank) -> None:
    assert len(CLAUSE_8_AREAS) == 22
    requirement_areas = {a.id for s in bank.sections if s.kind == "requirements" for a in s.areas}
    assert requirement_areas == set(REQUIREMENT_AREAS)


@pytest.mark.parametrize("area_id", sorted(REQUIREMENT_AREAS))
def test_requirement_area_questions(bank: Bank, area_id: str) -> None:
    area = next(a for a in bank.areas if a.id == area_id)
    types = [q.type for q in area.questions]
    assert len(types) >= 3
    assert "maturity" in types
    assert "yes_partial_no" in types
    assert area.required_maturity in (2, 3)
    assert area.owner_role
    assert area.effort_days is not None and 4 <= area.effort_days <= 15
    for q in area.questions:
        assert q.clause is not None, q.id
        assert q.clause.startswith(REQUIREMENT_AREAS[area_id]), q.id


def test_required_maturity_is_mostly_three(bank: Bank) -> None:
    levels = [bank.section(s).areas for s in REQUIREMENT_SECTIONS]
    flat = [a.required_maturity for areas in levels for a in areas]
    assert flat.count(3) >= len(flat) - 3


@pytest.mark.parametrize(("area_id", "dimension"), sorted(FOUNDATION_AREAS.items()))
def test_foundation_area(bank: Bank, area_id: str, dimension: str) -> None:
    area = next(a for a in bank.section("foundation").areas if a.id == area_id)
    assert area.dimension == dimension
    assert area.required_maturity is not None
    assert area.owner_role
    assert area.effort_days is not None and area.effort_days > 0
    types = {q.type for q in area.questions}
    assert len(area.questions) >= 3
    assert {"maturity", "yes_partial_no"} <= types


def test_foundation_has_exactly_the_expected_areas(bank: Bank) -> None:
    assert [a.id for a in bank.section("foundation").areas] == list(FOUNDATION_AREAS)


# -- benefits -----------------------------------------------------------------------------


def test_nine_benefits_in_order(bank: Bank) -> None:
    section = bank.section("benefits")
    assert [a.id for a in section.areas] == ["benefits"]
    assert [q.id for q in section.questions] == BENEFITS
    assert all(q.type == "rating" for q in section.questions)


@pytest.mark.parametrize("question_id", BENEFITS)
def test_benefit_delivered_by_requirement_areas(bank: Bank, question_id: str) -> None:
    q = bank.question_index[question_id]
    assert 1 <= len(q.delivered_by) <= 4
    assert len(set(q.delivered_by)) == len(q.delivered_by)
    assert set(q.delivered_by) <= set(REQUIREMENT_AREAS)
    assert "0 = none, 5 = essential" in q.text


# -- questions ----------------------------------------------------------------------------


def test_question_ids_unique_and_well_formed(bank: Bank) -> None:
    ids = [q.id for q in bank.questions]
    assert len(ids) == len(set(ids))
    for area in bank.areas:
        for q in area.questions:
            assert ID_FORMAT.match(q.id), q.id
            assert q.id.split(".")[0] == area.id


def test_every_question_has_guidance(bank: Bank) -> None:
    for q in bank.questions:
        assert len(q.guidance.split()) >= 5, q.id
        assert q.guidance != q.text, q.id


def test_weights_in_range(bank: Bank) -> None:
    for q in bank.questions:
        assert 0.5 <= q.weight <= 3, q.id


def test_number_questions_have_unit_and_bounds(bank: Bank) -> None:
    for q in bank.questions:
        if q.type == "number":
            assert q.unit and q.min is not None and q.max is not None, q.id
            if q.target is not None:
                assert q.min < q.target <= q.max, q.id


def test_text_questions_are_few(bank: Bank) -> None:
    assert sum(q.type == "text" for q in bank.questions) <= 5


@pytest.mark.parametrize(("question_id", "qtype"), sorted(REQUIRED_QUESTIONS.items()))
def test_named_question_exists_with_type(bank: Bank, question_id: str, qtype: str) -> None:
    assert question_id in bank.question_index
    assert bank.question_index[question_id].type == qtype


def test_named_number_and_date_details(bank: Bank) -> None:
    q = bank.question_index
    trained = q["itil.staff_trained"]
    assert (trained.unit, trained.min, trained.max, trained.target) == ("% of IT staff", 0, 100, 50)
    turnover = q["organisation.staff_turnover_percent"]
    assert (turnover.unit, turnover.min, turnover.max) == ("% per year", 0, 100)
    assert turnover.target is None and not turnover.scored
    auditors = q["performance.internal_auditors"]
    assert (auditors.unit, auditors.min, auditors.max, auditors.target) == (
        "trained internal auditors",
        0,
        500,
        2,
    )
    review = q["performance.last_management_review"]
    assert review.max_age_days == 365 and review.scored
    assert q["performance.internal_audit_programme"].clause == "9.2"
    assert q["performance.management_review_held"].clause == "9.3"
    assert any(x.clause == "9.4" for x in bank.questions if x.id.startswith("performance.")), (
        "a service reporting question"
    )


# -- broken banks -------------------------------------------------------------------------


def _two_questions(data: dict[str, Any]) -> None:
    area = _area(data, "incident")
    area["questions"] = area["questions"][:2]


def _unknown_delivered_by(data: dict[str, Any]) -> None:
    _area(data, "benefits")["questions"][0]["delivered_by"] = ["incident", "no_such_area"]


def _duplicate_question_id(data: dict[str, Any]) -> None:
    questions = _area(data, "incident")["questions"]
    questions[1]["id"] = questions[0]["id"]


def _no_yes_partial_no(data: dict[str, Any]) -> None:
    area = _area(data, "service_request")
    for q in area["questions"]:
        if q["type"] == "yes_partial_no":
            q["type"] = "maturity"


def _missing_owner(data: dict[str, Any]) -> None:
    del _area(data, "change")["owner_role"]


def _foreign_prefix(data: dict[str, Any]) -> None:
    _area(data, "problem")["questions"][0]["id"] = "incident.root_cause_elsewhere"


def _maturity_gap(data: dict[str, Any]) -> None:
    del data["maturity_scale"][5]


def _target_on_maturity(data: dict[str, Any]) -> None:
    _area(data, "incident")["questions"][0]["target"] = 3


def _bad_question_id(data: dict[str, Any]) -> None:
    _area(data, "incident")["questions"][0]["id"] = "incident.Priority-Model"


def _unknown_field(data: dict[str, Any]) -> None:
    _area(data, "incident")["questions"][0]["mandatory"] = True


def _no_clause(data: dict[str, Any]) -> None:
    del _area(data, "asset")["clause"]


def _foundation_without_dimension(data: dict[str, Any]) -> None:
    del _area(data, "tooling")["dimension"]


def _benefit_that_is_no_rating(data: dict[str, Any]) -> None:
    question = _area(data, "benefits")["questions"][0]
    question["type"] = "maturity"
    del question["delivered_by"]


def _two_benefits(data: dict[str, Any]) -> None:
    del _area(data, "benefits")["questions"][2:]  # benefits may be few: allowed


BROKEN: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (_foundation_without_dimension, "foundation area 'tooling' needs a dimension"),
    (_benefit_that_is_no_rating, "benefit area 'benefits' may only hold rating questions"),
    (_two_questions, "area 'incident' needs at least three questions"),
    (_unknown_delivered_by, "delivered_by names 'no_such_area', which is not a requirement area"),
    (_duplicate_question_id, "duplicate question id 'incident.recording'"),
    (_no_yes_partial_no, "'service_request' needs a maturity and a yes/partial/no question"),
    (_missing_owner, "'change' needs required_maturity, owner_role and effort_days"),
    (_foreign_prefix, "must start with its area 'problem'"),
    (_maturity_gap, "maturity_scale must describe levels 0 to 5"),
    (_target_on_maturity, "target only applies to number questions"),
    (_bad_question_id, "String should match pattern"),
    (_unknown_field, "Extra inputs are not permitted"),
    (_no_clause, "requirement area 'asset' needs a clause"),
]


def test_unbroken_raw_bank_validates() -> None:
    assert Bank.model_validate(raw_bank()).version == VERSION
    few = copy.deepcopy(raw_bank())
    _two_benefits(few)
    assert len(Bank.model_validate(few).section("benefits").questions) == 2


def test_versions_are_the_shipped_bank_files_and_others_are_refused() -> None:
    assert available_versions() == [VERSION]  # bank-2018.1.yaml; no other file counts
    with pytest.raises(BankError) as caught:
        load_bank("1999.1")
    assert str(caught.value) == f"unknown bank version '1999.1'; available: {VERSION}"
    with pytest.raises(KeyError, match="nosuch"):
        load_bank().section("nosuch")


@pytest.mark.parametrize(("breaker", "message"), BROKEN, ids=[b.__name__ for b, _ in BROKEN])
def test_broken_bank_is_rejected_with_reason(
    breaker: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = copy.deepcopy(raw_bank())
    breaker(data)
    with pytest.raises(ValidationError, match=re.escape(message)):
        Bank.model_validate(data)


# -- examples use only ids of this bank ---------------------------------------------------


def _answer_fits(qtype: str, value: Any) -> bool:
    if qtype in ("maturity", "rating"):
        return type(value) is int and 0 <= value <= 5
    if qtype == "yes_partial_no":
        return value in ("yes", "partial", "no")
    if qtype == "number":
        return type(value) in (int, float)
    if qtype == "date":
        return isinstance(value, str) and bool(dt.date.fromisoformat(value))
    return isinstance(value, str) and bool(value.strip())


@pytest.mark.parametrize(
    "path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name if isinstance(p, Path) else p
)
def test_example_answers_match_the_bank(bank: Bank, path: Path) -> None:
    data = yaml.safe_load(path.read_text("utf-8"))
    Profile.model_validate(data["profile"])
    answers = data["answers"]
    assert set(answers) <= set(bank.question_index)
    for question_id, value in answers.items():
        q = bank.question_index[question_id]
        assert _answer_fits(q.type, value), (question_id, value)
        if q.type == "number" and q.min is not None and q.max is not None:
            assert q.min <= value <= q.max, question_id
