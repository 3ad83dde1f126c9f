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


GOOD = (
    "profile:\n  organisation: X\n  persons_in_scope: 5\n  it_staff: 3\n"
    "  staff_available_fte: 1\n  services_in_scope: 1\n"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list\n", "file: expected a mapping with the keys profile and answers"),
        (
            GOOD + "extra: 1\n",
            "extra: unknown field; expected one of profile, answers, bookings, bank_version",
        ),
        (
            GOOD + "bank_version: 1999\n",
            "bank_version: unknown bank version '1999'; available: 2018.1",
        ),
        (GOOD + "answers: [1]\n", "answers: expected a mapping of question id to answer"),
        (GOOD + "bookings: [1]\n", "bookings: expected a mapping of audit to its confirmed date"),
        (
            GOOD + "bookings:\n  stage3: 2027-06-01\n",
            "bookings.stage3: unknown audit; expected one of stage1, stage2, surveillance1, "
            "surveillance2, recertification",
        ),
        ("profile: 5\n", "profile: input should be a valid dictionary or instance of Profile"),
        ("profile: [1, 2\n", "line 2: expected ',' or ']', but got '<stream end>'"),
        ('"unclosed\n', "line 2: found unexpected end of stream"),
        ("profile: \x00\n", "file: not valid YAML or JSON"),  # PyYAML's reader names no line
        ("a: !!int many\n", "line 1: cannot read 'many' as int"),
        ("a: !!float x\n", "line 1: cannot read 'x' as float"),
        ("a: " + "[" * 3000, "file: nested too deeply to be a profile"),
    ],
)
def test_every_refusal_of_a_file_is_one_exact_line(text: str, message: str) -> None:
    assert error_of(text) == message


def test_bank_version_and_bookings_are_read_and_dates_checked_against_today() -> None:
    today = dt.date(2026, 11, 25)
    given = parse_input_text(
        GOOD + "bank_version: '2018.1'\nbookings:\n  stage1: 2027-09-06\n", today=today
    )
    assert given.bank.version == "2018.1"
    assert given.bookings == {"stage1": dt.date(2027, 9, 6)}
    far = GOOD + "  start_date: 2040-01-01\nbookings:\n  stage1: 2041-01-01\n"
    with pytest.raises(InputError) as caught:
        parse_input_text(far, today=today)
    assert str(caught.value) == (
        "profile.start_date: choose a date from 2000-01-01 to 2036-11-25 (at most 10 years ahead)."
    )
    with pytest.raises(InputError) as caught:
        parse_input_text(far.replace("  start_date: 2040-01-01\n", ""), today=today)
    assert caught.value.field == "bookings.stage1"
    # without a day of request (a stored input read back), no horizon but the lower bound
    assert parse_input_text(far).bookings == {"stage1": dt.date(2041, 1, 1)}


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        ("performance.internal_auditors", [1], "expected a number"),
        ("performance.internal_auditors", True, "expected a number"),
        ("performance.internal_auditors", "inf", "expected a finite number, got 'inf'"),
        ("performance.internal_auditors", 501, "must be at most 500, got 501"),
        ("performance.internal_auditors", -1, "must be at least 0, got -1"),
        ("itil.staff_trained", "lots", "expected a number, got 'lots'"),
        ("leadership.commitment", [3], "expected a whole number from 0 to 5"),
        ("leadership.commitment", True, "expected a whole number from 0 to 5"),
        ("leadership.sponsor_named", 1, "expected yes, partial or no, got 1"),
        (
            "performance.last_management_review",
            20261001,
            "enter a date as YYYY-MM-DD, for example 2027-03-15.",
        ),
        ("current_risks.main_weaknesses", "   ", "expected a non-empty text"),
        ("current_risks.main_weaknesses", 5, "expected a non-empty text"),
    ],
)
def test_each_bad_answer_is_named_with_its_problem(
    question: str, value: object, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        parse_answers({question: value}, BANK)
    assert (caught.value.field, caught.value.problem) == (f"answers.{question}", message)


def test_answers_in_their_canonical_forms() -> None:
    parsed = parse_answers(
        {
            "performance.internal_auditors": 2.5,
            "itil.staff_trained": "40",
            "performance.last_management_review": dt.datetime(2026, 10, 1, 12, 30),
            "leadership.commitment": "4",
        },
        BANK,
    )
    assert parsed == {
        "performance.internal_auditors": 2.5,  # not a whole number: kept as it is
        "itil.staff_trained": 40,
        "performance.last_management_review": dt.date(2026, 10, 1),  # the day of a timestamp
        "leadership.commitment": 4,
    }
    assert type(parsed["itil.staff_trained"]) is int


def test_numbers_score_against_their_target_and_dates_by_recency() -> None:
    from iso20k_core.evaluate import evaluate
    from tests.core.helpers import TODAY, profile

    def maturity(area: str, answers: dict[str, object]) -> float:
        return evaluate(profile(), answers, TODAY, BANK).area(area).maturity

    # ITIL weighs 5.5; staff trained (1.5) counts its share of the target 50, at most all.
    assert maturity("itil", {"itil.staff_trained": 25}) == 0.7  # 5 x 0.75 / 5.5 = 0.68
    assert maturity("itil", {"itil.staff_trained": 100}) == 1.4  # 5 x 1.5 / 5.5 = 1.36
    # Continuity weighs 10; the last test (1.5) counts fully within 365 days, else not.
    assert maturity("continuity", {"continuity.last_test": TODAY}) == 0.8  # 5 x 1.5 / 10
    year_ago = TODAY - dt.timedelta(days=365)
    assert maturity("continuity", {"continuity.last_test": year_ago}) == 0.8
    assert maturity("continuity", {"continuity.last_test": year_ago - dt.timedelta(days=1)}) == 0
    future = TODAY + dt.timedelta(days=1)
    assert maturity("continuity", {"continuity.last_test": future}) == 0  # not yet tested


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        (
            "country",
            "Chna",
            "'Chna' is not a country code with a public-holiday calendar; did you mean TD or CN?",
        ),
        (
            "country",
            "Xyzzy",
            "'Xyzzy' is not a country code with a public-holiday calendar; for example DE or CN",
        ),
        (
            "currency",
            "Dolar",
            "'Dolar' is not a current ISO 4217 currency code; for example EUR or CNY",
        ),
        ("currency", "yuan", "write CNY for 'yuan' (a current ISO 4217 currency code)"),
        ("timezone", "Shangai", "'Shangai' is not an IANA timezone; did you mean Asia/Shanghai?"),
        (
            "timezone",
            "Nowhere/City",
            "'Nowhere/City' is not an IANA timezone; for example Europe/Berlin or Asia/Shanghai",
        ),
    ],
)
def test_a_code_that_is_not_one_is_answered_with_what_was_meant(
    field: str, typed: str, message: str
) -> None:
    assert error_of(PROFILE + f"  {field}: {typed}\n") == f"profile.{field}: {message}"


def test_a_stored_profile_keeps_the_lower_bound_of_dates() -> None:
    assert error_of(PROFILE + "  start_date: 1999-12-31\n") == (
        "profile.start_date: choose a date from 2000-01-01 on."
    )


def test_a_blank_answer_leaves_the_others_answered() -> None:
    given = {"leadership.commitment": None, "leadership.sponsor_named": "yes"}
    assert parse_answers(given, BANK) == {"leadership.sponsor_named": "yes"}
