"""Every JSON column gives back the numbers it was given, on SQLite and on PostgreSQL.

SQLite gives a column declared JSON NUMERIC affinity and stored a bare number as a REAL or
INTEGER: floats near 1e-306 came back one ulp off (the store round-trip property found one),
1.0 as 1, -0.0 as 0, 2**63 + 1 as a float. The columns are TEXT on SQLite now
(bot.store.columns.JSONText); migration 0007 converts databases made before.
"""

import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import JSON, Column, Engine, Table, TableClause, create_engine, text, update
from sqlmodel import Session, SQLModel, select

from bot.store.columns import JSONText
from bot.store.crud import current_assessment, get_or_create_organisation, record_answer
from bot.store.db import make_engine
from bot.store.migrate import check, downgrade, upgrade
from bot.store.models import Answer, AnswerRevision, AuditEntry, Reminder
from tests.core.helpers import examples

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

# Numbers whose text SQLite's NUMERIC affinity changed, and neighbours of them.
NUMBERS: list[Any] = [
    1e-306,
    1.0509488050588704e-306,  # came back as 1.0509488050588703e-306
    4.895729184032106e-306,  # came back as 4.8957291840321064e-306
    5e-324,  # the smallest subnormal
    2.2250738585072014e-308,  # the smallest normal
    1.7976931348623157e308,  # the largest float
    -0.0,  # came back as the integer 0
    1.0,  # came back as the integer 1
    1e16,  # came back as the integer 10000000000000000
    0.1,
    2**53 + 1,  # the first integer a float cannot hold
    2**63 + 1,  # beyond SQLite's 64-bit integers: came back as a float
    -(2**64),
    10**30,
]
# The numbers inside lists and objects, and values that are not numbers.
VALUES: list[Any] = [
    *NUMBERS,
    {"rates": NUMBERS, "nested": {"zero": -0.0, "one": 1.0}},
    NUMBERS,
    "1e-306",  # a string that looks like a number stays a string
    True,
    0,
]


def as_written(value: Any) -> str:
    """The JSON text of `value`: equal texts mean the same value and kind (1.0 is not 1)."""
    return json.dumps(value)


def json_columns() -> list[Column[Any]]:
    return [
        column
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, JSON | JSONText)
    ]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    made = make_engine(database_url)
    yield made
    made.dispose()


def one_row_per_table(engine: Engine) -> dict[str, int]:
    """A row in each table that has a JSON column: table name -> the row's id."""
    with Session(engine) as session:
        org = get_or_create_organisation(session, "console", "acme", "Acme")
        assessment = current_assessment(session, org, "2025.1")
        answer = record_answer(session, assessment, "8.6.1", "yes", now=MONDAY)
        reminder = Reminder(
            organisation_id=org.id,
            kind="digest",
            target="C1",
            subject="Weekly digest",
            due_at=MONDAY,
            dedupe_key="digest-1",
        )
        session.add(reminder)
        entry = AuditEntry(organisation_id=org.id, actor="U1", action="role.granted")
        session.add(entry)
        session.flush()
        revision = session.exec(select(AnswerRevision)).one()
        session.commit()
        ids = {
            "organisation": org.id,
            "answer": answer.id,
            "answer_revision": revision.id,
            "reminder": reminder.id,
            "audit_entry": entry.id,
        }
    # Flushed, every row has its id; the test checks every table is here.
    return {table: row_id for table, row_id in ids.items() if row_id is not None}


def test_every_json_column_is_a_json_text_column() -> None:
    # A column declared sa.JSON would be NUMERIC on SQLite again.
    columns = json_columns()

    assert {f"{c.table.name}.{c.name}" for c in columns} == {
        "organisation.profile",
        "organisation.reminder_policy",
        "answer.value",
        "answer_revision.old_value",
        "answer_revision.new_value",
        "reminder.payload",
        "audit_entry.details",
    }
    assert all(isinstance(c.type, JSONText) for c in columns)


def test_every_json_column_gives_back_exactly_what_it_was_given(engine: Engine) -> None:
    rows = one_row_per_table(engine)
    assert set(rows) == {c.table.name for c in json_columns()}

    for column in json_columns():
        table: Table = column.table  # type: ignore[assignment]
        for value in VALUES:
            with engine.begin() as connection:
                where = table.c.id == rows[table.name]
                connection.execute(update(table).where(where).values({column.name: value}))
            with engine.connect() as connection:  # a new connection: nothing cached
                back = connection.execute(select(column).where(where)).scalar_one()
            assert as_written(back) == as_written(value), f"{table.name}.{column.name}"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers()
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(value=json_values)
def test_any_json_value_comes_back_as_it_was_written(engine: Engine, value: Any) -> None:
    # Hypothesis tries the extremes of floats and integers; the answer column may hold any.
    with Session(engine) as session:
        org = get_or_create_organisation(session, "console", "acme", "Acme")
        assessment = current_assessment(session, org, "2025.1")
        record_answer(session, assessment, "8.6.1", value)
        session.commit()
    with Session(engine) as session:
        back = session.exec(select(Answer.value)).one()
    assert as_written(back) == as_written(value)


def test_sqlite_keeps_the_json_text_of_a_bare_number(sqlite_url: str) -> None:
    # What the column holds, not only what comes back: text, never SQLite's REAL or INTEGER.
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    rows = one_row_per_table(engine)
    for column in json_columns():
        table: Table = column.table  # type: ignore[assignment]
        where = table.c.id == rows[table.name]
        with engine.begin() as connection:
            connection.execute(update(table).where(where).values({column.name: 1e-306}))
            stored = connection.execute(
                text(
                    f"SELECT typeof({column.name}), {column.name} FROM {table.name} WHERE id = :id"
                ),
                {"id": rows[table.name]},
            ).one()
        assert tuple(stored) == ("text", "1e-306"), f"{table.name}.{column.name}"
    engine.dispose()


def test_writing_1_0_again_records_no_revision(engine: Engine) -> None:
    # Read back as 1, the stored 1.0 differed from the 1.0 written again (record_answer
    # compares the JSON text), and every re-submitted form added a revision.
    with Session(engine) as session:
        org = get_or_create_organisation(session, "console", "acme", "Acme")
        assessment = current_assessment(session, org, "2025.1")
        for _ in range(3):
            record_answer(session, assessment, "costs.day_rate", 1.0, now=MONDAY)
            session.commit()

        revisions = session.exec(select(AnswerRevision.new_value)).all()
        current = session.exec(select(Answer.value)).one()
    assert [as_written(v) for v in revisions] == ["1.0"]
    assert as_written(current) == "1.0"


# Migration 0007, which made the columns TEXT on SQLite: tested from the revision before it.
BEFORE_TEXT = "0006"
JSON_OF: dict[str, dict[str, bool]] = {  # table -> JSON column -> nullable (none_as_null)
    "organisation": {"profile": True, "reminder_policy": True},
    "answer": {"value": False},
    "answer_revision": {"old_value": True, "new_value": True},
    "reminder": {"payload": True},
}


def tables_as_written_before(engine: Engine) -> dict[str, TableClause]:
    """Every table of ours as the code before 0007 declared it: its JSON columns as sa.JSON."""
    seen = sa.inspect(engine)
    return {
        name: sa.table(
            name,
            *(
                sa.column(c["name"], _json_or_none(JSON_OF.get(name, {}), c["name"]))
                for c in seen.get_columns(name)
            ),
        )
        for name in seen.get_table_names()
        if name != "alembic_version"
    }


def _json_or_none(json_columns: dict[str, bool], name: str) -> JSON | None:
    return JSON(none_as_null=json_columns[name]) if name in json_columns else None


def write_rows_before_0007(engine: Engine) -> None:
    """For each value, an organisation, assessment, answer, revision and reminder holding it in
    each JSON column, written as the code before 0007 wrote them; and None where it fits."""
    tables = tables_as_written_before(engine)
    stamp = {"created_at": MONDAY, "updated_at": MONDAY}
    with engine.begin() as connection:
        for n, value in enumerate([*VALUES, None], start=1):
            connection.execute(
                sa.insert(tables["organisation"]).values(
                    id=n, platform="console", external_id=f"org{n}", name=f"Org {n}",
                    profile=value, reminder_policy=value, timezone="UTC", currency="EUR", **stamp,
                )
            )  # fmt: skip
            tenant = {"organisation_id": n, "assessment_id": n, "question_id": "8.6.1"}
            connection.execute(
                sa.insert(tables["assessment"]).values(
                    id=n, organisation_id=n, cycle=1, bank_version="2025.1", started_at=MONDAY
                )
            )
            connection.execute(
                sa.insert(tables["answer"]).values(id=n, value=value, answered_at=MONDAY, **tenant)
            )
            connection.execute(
                sa.insert(tables["answer_revision"]).values(
                    id=n, old_value=value, new_value=value, changed_at=MONDAY, **tenant
                )
            )
            connection.execute(
                sa.insert(tables["reminder"]).values(
                    id=n, organisation_id=n, kind="digest", target="C1", subject="Digest",
                    due_at=MONDAY, dedupe_key=f"digest-{n}", state="pending", attempts=0,
                    payload=value,
                )
            )  # fmt: skip


def columns_of(engine: Engine) -> dict[str, list[str]]:
    """Each table's columns, now."""
    seen = sa.inspect(engine)
    return {name: [c["name"] for c in seen.get_columns(name)] for name in seen.get_table_names()}


def every_row(
    engine: Engine, kept: dict[str, list[str]] | None = None
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table as the code before 0007 read it, JSON values as their text;
    with `kept`, only those tables and columns (later migrations add some)."""
    found = {}
    with engine.connect() as connection:
        for name, table_ in tables_as_written_before(engine).items():
            if kept is not None and name not in kept:
                continue
            json_columns = JSON_OF.get(name, {})
            chosen = table_.c if kept is None else [table_.c[c] for c in kept[name]]
            query = select(*chosen).order_by(table_.c.id)
            rows = connection.execute(query).mappings()
            found[name] = [
                tuple(
                    as_written(value) if key in json_columns and value is not None else value
                    for key, value in row.items()
                )
                for row in rows
            ]
    return found


def storage_classes(engine: Engine) -> set[str]:
    """The kinds of value SQLite holds in the JSON columns."""
    with engine.connect() as connection:
        return {
            kind
            for name, json_columns in JSON_OF.items()
            for c in json_columns
            for kind in connection.execute(text(f"SELECT typeof({c}) FROM {name}")).scalars()
        }


def test_upgrading_keeps_every_row_as_it_was_read(database_url: str) -> None:
    upgrade(database_url, BEFORE_TEXT)
    engine = create_engine(database_url)  # plain, as Alembic's
    write_rows_before_0007(engine)
    columns = columns_of(engine)
    before = every_row(engine)
    if engine.dialect.name == "sqlite":  # the numbers SQLite converted are in the test
        assert storage_classes(engine) == {"text", "real", "integer", "null"}

    upgrade(database_url)

    assert every_row(engine, columns) == before
    assert sum(len(rows) for rows in before.values()) == 5 * (len(VALUES) + 1)
    if engine.dialect.name == "sqlite":
        assert storage_classes(engine) == {"text", "null"}
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
    check(database_url)
    engine.dispose()


def test_downgrading_keeps_every_row(database_url: str) -> None:
    # Declared JSON again, SQLite converts bare numbers as it did before 0007: they may come
    # back a ulp off or as another kind (1.0 as 1), everything else exactly.
    upgrade(database_url, BEFORE_TEXT)
    engine = create_engine(database_url)
    write_rows_before_0007(engine)
    columns = columns_of(engine)
    upgrade(database_url)
    before = every_row(engine, columns)

    downgrade(database_url, BEFORE_TEXT)

    after = every_row(engine)
    assert after.keys() == before.keys()
    for name, rows in before.items():
        assert len(after[name]) == len(rows), name
        for old, new in zip(rows, after[name], strict=True):
            for a, b in zip(old, new, strict=True):
                assert a == b or _same_number(a, b), (name, a, b)
    upgrade(database_url)
    check(database_url)
    engine.dispose()


def _same_number(a: Any, b: Any) -> bool:
    x, y = json.loads(a), json.loads(b)
    numbers = (int, float)
    return isinstance(x, numbers) and isinstance(y, numbers) and abs(x - y) <= math.ulp(x)
