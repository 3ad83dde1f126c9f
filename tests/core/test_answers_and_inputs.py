import datetime as dt

import pytest

from iso20k_core.answers import parse_answers
from iso20k_core.errors import InputError
from iso20k_core.inputs import parse_input_text
from iso20k_core.standard import load_bank

BANK = load_bank()

PROFILE = """
profile:
  organisation: Example IT
  persons_in_scope: 60
  it_staff: 40
  staff_available_fte: 3
  services_in_scope: 8
"""


def error_of(text: str) -> str:
    with pytest.raises(InputError) as caught:
        parse_input_text(text)
    return str(caught.value)


def test_yaml_booleans_and_strings_mean_yes_and_no() -> None:
    parsed = parse_answers(
        {
            "leadership.sponsor_named": True,
            "leadership.budget_approved": False,
            "organisation.roles_defined": " Partial ",
        },
        BANK,
    )
    assert parsed == {
        "leadership.sponsor_named": "yes",
        "leadership.budget_approved": "no",
        "organisation.roles_defined": "partial",
    }


def test_dates_and_numbers_are_normalised() -> None:
    parsed = parse_answers(
        {"performance.last_management_review": "2026-10-01", "performance.internal_auditors": 2.0},
        BANK,
    )
    assert parsed["performance.last_management_review"] == dt.date(2026, 10, 1)
    assert parsed["performance.internal_auditors"] == 2
    assert isinstance(parsed["performance.internal_auditors"], int)


def test_a_blank_answer_is_unanswered() -> None:
    assert parse_answers({"leadership.commitment": None}, BANK) == {}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ("  nosuch.question: 3", "answers.nosuch.question: unknown question id"),
        ("  leadership.commitment: 6", "answers.leadership.commitment: expected a whole number"),
        ("  leadership.commitment: 2.5", "answers.leadership.commitment: expected a whole number"),
        ("  leadership.commitment: high", "answers.leadership.commitment: expected a whole number"),
        ("  leadership.sponsor_named: maybe", "answers.leadership.sponsor_named: expected yes"),
        (
            "  performance.last_management_review: 01/10/2026",
            "answers.performance.last_management_review: enter a date as YYYY-MM-DD",
        ),
        ("  performance.internal_auditors: -1", "answers.performance.internal_auditors: must be"),
        (
            "  performance.internal_auditors: lots",
            "answers.performance.internal_auditors: expected",
        ),
    ],
)
def test_bad_answers_name_the_question(answers: str, expected: str) -> None:
    assert error_of(PROFILE + "answers:\n" + answers + "\n").startswith(expected)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("  colour: blue", "profile.colour: unknown field"),
        ("  sites: many", "profile.sites: input should be a valid integer"),
        ("  sites: 0", "profile.sites: input should be greater than or equal to 1"),
        ("  start_date: 11/01/2027", "profile.start_date: enter a date as YYYY-MM-DD"),
        ("  country: XX", "profile.country: 'XX' is not a country code with a public-holiday"),
        ("  country: China", "profile.country: write CN for 'China' (a country code with a"),
        ("  timezone: Mars/Olympus", "profile.timezone: 'Mars/Olympus' is not an IANA timezone"),
        ("  timezone: Factory", "profile.timezone: 'Factory' is not an IANA timezone"),
        ("  timezone: Beijing", "profile.timezone: write Asia/Shanghai for 'Beijing' (an IANA"),
        ("  currency: euro", "profile.currency: write EUR for 'euro' (a current ISO 4217"),
        ("  currency: RMB", "profile.currency: write CNY for 'RMB' (a current ISO 4217"),
        ('  organisation: "Acme\\0"', "profile.organisation: remove an unprintable character"),
        (
            "  assumptions:\n    auditor_day_rate: -5",
            "profile.assumptions.auditor_day_rate: input should be greater than or equal to 0",
        ),
        ("  assumptions:\n    colour: red", "profile.assumptions.colour: unknown field"),
    ],
)
def test_bad_profile_fields_are_named(line: str, expected: str) -> None:
    assert error_of(PROFILE + line + "\n").startswith(expected)


def test_missing_required_field_and_unknown_top_level_key() -> None:
    assert error_of("profile:\n  organisation: X\n").startswith("profile.persons_in_scope: missing")
    assert error_of(PROFILE + "extra: 1\n").startswith("extra: unknown field")
    assert error_of("answers: {}\n") == "profile: missing"
    assert error_of("- a list\n").startswith("file: expected a mapping")


def test_target_before_start_is_refused_on_the_target_date() -> None:
    text = PROFILE + "  start_date: 2027-05-01\n  target_certification_date: 2027-01-01\n"
    assert error_of(text) == (
        "profile.target_certification_date: choose a target date after the start date (2027-05-01)."
    )


def test_broken_yaml_names_the_line() -> None:
    assert error_of(PROFILE + "  sites: [1, 2\n").startswith("line ")


def test_json_is_accepted() -> None:
    text = (
        '{"profile": {"organisation": "J", "persons_in_scope": 5, "it_staff": 3,'
        ' "staff_available_fte": 1, "services_in_scope": 1},'
        ' "answers": {"leadership.commitment": 2}}'
    )
    given = parse_input_text(text)
    assert given.answers == {"leadership.commitment": 2}
    assert given.bank.version == BANK.version
