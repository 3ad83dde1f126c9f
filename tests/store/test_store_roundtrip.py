"""A profile and answers that parse are stored and read back unchanged, on SQLite and on
PostgreSQL: the store keeps whatever the engine accepts (once a NUL in an organisation's name
was accepted and broke the PostgreSQL save).

They are stored as the dialogs store them (bot/dialogs/setup.py: the profile as JSON without
its defaults, the name and timezone on the row; bot/dialogs/assess.py: dates as text) and read
back as the dialogs read them (DialogContext.profile and .answers).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.store.crud import (
    answers_of,
    current_assessment,
    get_or_create_organisation,
    record_answer,
)
from bot.store.db import make_engine
from bot.store.migrate import upgrade
from bot.store.models import Organisation
from iso20k_core.answers import parse_answers
from iso20k_core.errors import InputError
from iso20k_core.inputs import parse_profile
from iso20k_core.standard import load_bank
from tests.core.helpers import TODAY, examples
from tests.core.strategies import answers, profiles

BANK = load_bank()
_workspaces = itertools.count()
# Names as a file or a form may give them, the unprintable ones included: what the engine
# refuses never reaches the store, what it takes must come back as it was.
raw_names = st.text(max_size=260) | st.sampled_from(
    ["Acme\x00 Ltd", "Acme\u2028Ltd", " 深圳市信息技术有限公司 ", "Ｍüller & Söhne ＩＴ", "x" * 200]
)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    made = make_engine(database_url)
    yield made
    made.dispose()


def store(engine: Engine, raw_profile: dict[str, Any], raw_answers: dict[str, Any]) -> int:
    profile = parse_profile(raw_profile, today=TODAY)  # as setup does; may raise InputError
    checked = parse_answers(raw_answers, BANK, today=TODAY)  # as assess does, answer by answer
    with Session(engine) as session:
        org = get_or_create_organisation(
            session, "console", f"roundtrip-{next(_workspaces)}", profile.organisation
        )
        org.profile = profile.model_dump(mode="json", exclude_defaults=True)
        org.name, org.timezone, org.currency = (
            profile.organisation,
            profile.timezone,
            profile.currency,
        )
        session.add(org)
        assessment = current_assessment(session, org, BANK.version)
        for question_id, value in checked.items():
            stored = value.isoformat() if isinstance(value, dt.date) else value
            record_answer(session, assessment, question_id, stored)
        session.commit()
        assert org.id is not None
        return org.id


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(profiles(), raw_names, answers(BANK))
def test_what_parses_is_stored_and_read_back_unchanged(
    engine: Engine, generated: Any, name: str, given_answers: dict[str, Any]
) -> None:
    raw_profile = generated.model_dump(mode="json", exclude_defaults=True)
    raw_profile["organisation"] = name
    raw_answers = {
        k: v.isoformat() if isinstance(v, dt.date) else v for k, v in given_answers.items()
    }
    try:
        profile = parse_profile(raw_profile, today=TODAY)
        expected = parse_answers(raw_answers, BANK, today=TODAY)
    except InputError as exc:
        assert exc.field == "profile.organisation", exc  # only the name was left unchecked
        return
    org_id = store(engine, raw_profile, raw_answers)
    with Session(engine) as session:
        org = session.exec(select(Organisation).where(Organisation.id == org_id)).one()
        assert org.profile is not None
        assert parse_profile(org.profile) == profile
        assert (org.name, org.timezone, org.currency) == (
            profile.organisation,
            profile.timezone,
            profile.currency,
        )
        stored = answers_of(session, current_assessment(session, org, BANK.version))
        assert parse_answers(stored, BANK) == expected


def test_a_nul_in_the_name_is_refused_before_the_store(engine: Engine) -> None:
    raw = {
        "organisation": "Acme\x00 Ltd",
        "persons_in_scope": 5,
        "it_staff": 3,
        "staff_available_fte": 1,
        "services_in_scope": 1,
    }
    with pytest.raises(InputError) as caught:
        store(engine, raw, {})
    assert caught.value.field == "profile.organisation"
    assert "U+0000" in caught.value.problem
    with Session(engine) as session:
        assert session.exec(select(Organisation)).all() == []


def test_text_answers_with_every_script_line_breaks_and_3000_characters(engine: Engine) -> None:
    raw = {
        "organisation": "深圳市信息技术有限公司",
        "persons_in_scope": 5,
        "it_staff": 3,
        "staff_available_fte": 1,
        "services_in_scope": 1,
    }
    given = {
        "tooling.tools_in_use": "Jira, Confluence 👩‍💻\nund Müller’s Excel\t(ＣＭＤＢ)",
        "current_risks.main_weaknesses": "界" * 3000,
    }
    org_id = store(engine, raw, given)
    with Session(engine) as session:
        org = session.exec(select(Organisation).where(Organisation.id == org_id)).one()
        stored = answers_of(session, current_assessment(session, org, BANK.version))
    assert stored == {
        "tooling.tools_in_use": "Jira, Confluence 👩‍💻\nund Müller’s Excel\t(CMDB)",  # NFKC
        "current_risks.main_weaknesses": "界" * 3000,
    }
