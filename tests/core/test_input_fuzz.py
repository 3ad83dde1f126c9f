"""Any YAML or JSON document is a clear error on one line naming its field, or a valid
evaluation, within a generous time (hypothesis' deadline; the figures are in benchmarks/).

The documents are built from the real input domains (tests/core/strategies.py) and from
anything else a file can hold: wrong types, nesting, control characters, very long strings,
full-width digits, keys that are not fields, dates outside the horizon.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iso20k_core.errors import InputError
from iso20k_core.evaluate import evaluate
from iso20k_core.inputs import parse_input_text
from iso20k_core.plan import AUDIT_KEYS
from iso20k_core.standard import load_bank
from tests.core.helpers import TODAY, examples
from tests.core.strategies import LAST, answer_values, profiles, spelt

BANK = load_bank()
VERDICTS = {"ready to start", "feasible with preparation", "not yet feasible"}
FUZZ = settings(
    max_examples=examples(300),
    deadline=dt.timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Anything a YAML or JSON file may hold where a value is expected.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=50),
    st.text(min_size=3000, max_size=3100),  # around the text limit
    st.sampled_from(["", " ", "\x00", "Acme\x00 Ltd", "\u2028", "x\ny", "🙂", "ＣＮ", "１２０"]),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat),
)
anything = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


def _raw_profile(profile: Any) -> dict[str, Any]:
    """A valid profile as a file writes it; numbers sometimes spelt as text."""
    return profile.model_dump(mode="json", exclude_defaults=True)  # type: ignore[no-any-return]


@st.composite
def profile_fields(draw: st.DrawFn) -> object:
    """A profile mapping: valid, with some fields spelt otherwise, replaced by anything,
    dropped, or joined by unknown ones; or not a mapping at all."""
    if draw(st.integers(0, 19)) == 0:
        return draw(anything)
    raw = _raw_profile(draw(profiles()))
    for key in ("persons_in_scope", "it_staff", "services_in_scope", "sites"):
        if key in raw and draw(st.booleans()):
            raw[key] = draw(spelt(raw[key]))
    for key in draw(st.lists(st.sampled_from(sorted(raw)), max_size=2, unique=True)):
        choice = draw(st.integers(0, 2))
        if choice == 0:
            del raw[key]
        else:
            raw[key] = draw(anything)
    if draw(st.integers(0, 9)) == 0:
        raw[draw(st.text(max_size=12))] = draw(anything)
    return raw


@st.composite
def answer_fields(draw: st.DrawFn) -> object:
    if draw(st.integers(0, 19)) == 0:
        return draw(anything)
    chosen = draw(st.lists(st.sampled_from(BANK.questions), max_size=25, unique_by=lambda q: q.id))
    raw: dict[str, Any] = {}
    for q in chosen:
        value = draw(
            answer_values(q) | anything if draw(st.integers(0, 4)) == 0 else answer_values(q)
        )
        raw[q.id] = value.isoformat() if isinstance(value, dt.date) else value
    if draw(st.integers(0, 9)) == 0:
        raw[draw(st.text(max_size=30))] = draw(anything)
    return raw


@st.composite
def documents(draw: st.DrawFn) -> str:
    doc: dict[str, Any] = {"profile": draw(profile_fields())}
    if draw(st.booleans()):
        doc["answers"] = draw(answer_fields())
    if draw(st.integers(0, 3)) == 0:
        doc["bookings"] = draw(
            st.dictionaries(
                st.sampled_from(AUDIT_KEYS) | st.text(max_size=10),
                st.dates(dt.date(1990, 1, 1), LAST + dt.timedelta(days=400)).map(dt.date.isoformat)
                | anything,
                max_size=3,
            )
        )
    if draw(st.integers(0, 9)) == 0:
        doc[draw(st.sampled_from(["bank_version", "extra", "x\ny"]))] = draw(anything)
    if draw(st.booleans()):
        return json.dumps(doc, ensure_ascii=draw(st.booleans()))
    return yaml.safe_dump(doc, allow_unicode=draw(st.booleans()), sort_keys=False)


def check(text: str) -> None:
    try:
        given = parse_input_text(text, today=TODAY)
    except InputError as exc:
        message = str(exc)
        assert len(message.splitlines()) == 1, message
        assert exc.field and exc.problem, message
        assert message == f"{exc.field}: {exc.problem}"
        assert "Traceback" not in message
        return
    e = evaluate(given.profile, given.answers, TODAY, given.bank, given.bookings)
    assert e.feasibility.verdict in VERDICTS
    assert e.organisation == given.profile.organisation
    assert e.plan.certificate_expiry < TODAY.replace(year=TODAY.year + 20)


@FUZZ
@given(documents())
def test_any_document_is_one_clear_error_or_an_evaluation(text: str) -> None:
    check(text)


@FUZZ
@given(st.text(max_size=400))
def test_any_text_at_all_is_one_clear_error_or_an_evaluation(text: str) -> None:
    check(text)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"a\\nb": 1, "profile": {}}', "a\\nb"),
        (
            '{"profile": {"organisation": "X", "persons_in_scope": 5, "it_staff": 3, '
            '"staff_available_fte": 1, "services_in_scope": 1, "col\\nour": 1}}',
            "profile.col\\nour",
        ),
        ('{"profile": {"organisation": "X"}, "answers": {"x\\ny": 1}}', "profile.persons_in_scope"),
        (
            '{"profile": {"organisation": "X\\u2028Y", "persons_in_scope": 5, "it_staff": 3, '
            '"staff_available_fte": 1, "services_in_scope": 1}}',
            "profile.organisation",
        ),
    ],
)
def test_keys_with_line_breaks_are_named_on_one_line(text: str, field: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_input_text(text)
    assert caught.value.field == field
    assert len(str(caught.value).splitlines()) == 1


def test_numbers_in_full_width_digits_are_read_as_typed() -> None:
    """README: full-width digits typed with a Chinese input method are read as ASCII, in
    every channel and in files (NFKC, as text.py)."""
    text = (
        "profile:\n  organisation: 深圳市信息技术有限公司\n  persons_in_scope: '４０'\n"
        "  it_staff: '１２'\n  staff_available_fte: '１．５'\n  services_in_scope: '３'\n"
        "  assumptions:\n    auditor_day_rate: '１４００'\n"
        "answers:\n  leadership.commitment: '３'\n  performance.internal_auditors: '０．０'\n"
    )
    given = parse_input_text(text, today=TODAY)
    p = given.profile
    assert (p.persons_in_scope, p.it_staff, p.staff_available_fte, p.services_in_scope) == (
        40,
        12,
        1.5,
        3,
    )
    assert p.assumptions.auditor_day_rate == 1400
    assert given.answers == {"leadership.commitment": 3, "performance.internal_auditors": 0}


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('"Acme\\0 tool"', "remove an unprintable character (U+0000)"),
        ("x" * 3001, "keep it to 3,000 characters; this has 3,001."),
    ],
)
def test_text_answers_in_a_file_follow_the_rules_for_typed_text(value: str, problem: str) -> None:
    text = (
        "profile:\n  organisation: X\n  persons_in_scope: 5\n  it_staff: 3\n"
        "  staff_available_fte: 1\n  services_in_scope: 1\n"
        f"answers:\n  tooling.tools_in_use: {value}\n"
    )
    with pytest.raises(InputError) as caught:
        parse_input_text(text)
    assert caught.value.field == "answers.tooling.tools_in_use"
    assert caught.value.problem.startswith(problem)
    ok = text.replace(value, '"Jira\\tand a wiki"')
    assert parse_input_text(ok).answers == {"tooling.tools_in_use": "Jira\tand a wiki"}
