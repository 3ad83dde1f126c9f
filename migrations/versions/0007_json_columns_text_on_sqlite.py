"""JSON columns declared TEXT on SQLite, so that numbers come back exactly as they were written.

SQLite gives a column declared JSON NUMERIC affinity (https://www.sqlite.org/datatype3.html,
3.1): a value that was a bare number was stored as a REAL or INTEGER, not as its JSON text
(bot.store.columns.JSONText says what that changed). Copying a table to alter it would turn
each REAL into text with SQLite's 15 significant digits (1.7976931348623157e308 would become
1.79769313486232e+308, which reads back as infinity), so those values are read first and
written back afterwards as the JSON text of the very number they held: every row reads back
what it read before. Only SQLite changes; PostgreSQL's `json` keeps the text it was given.

Downgrade declares the columns JSON again, and SQLite converts the text of bare numbers back
to REAL or INTEGER, as it did before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:20:00.000000
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Table -> its JSON columns and whether each is nullable (none_as_null where it is).
JSON_COLUMNS: dict[str, tuple[tuple[str, bool], ...]] = {
    "organisation": (("profile", True), ("reminder_policy", True)),
    "answer": (("value", False),),
    "answer_revision": (("old_value", True), ("new_value", True)),
    "reminder": (("payload", True),),
}


def upgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    if context.is_offline_mode():  # a script cannot read the numbers it must keep
        raise RuntimeError("migration 0007 reads the stored numbers: run it online, not --sql")
    for table, columns in JSON_COLUMNS.items():
        numbers = {column: _numbers_in(table, column) for column, _ in columns}
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, nullable in columns:
                batch_op.alter_column(
                    column,
                    existing_type=sa.JSON(none_as_null=nullable),
                    type_=sa.Text(),
                    existing_nullable=nullable,
                )
        for column, rows in numbers.items():
            _write_as_text(table, column, rows)


def downgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    for table, columns in JSON_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, nullable in columns:
                batch_op.alter_column(
                    column,
                    existing_type=sa.Text(),
                    type_=sa.JSON(none_as_null=nullable),
                    existing_nullable=nullable,
                )


def _numbers_in(table: str, column: str) -> list[tuple[int, int | float]]:
    """The rows whose `column` SQLite holds as a number rather than as JSON text."""
    found = op.get_bind().execute(
        sa.text(f"SELECT id, {column} FROM {table} WHERE typeof({column}) IN ('integer', 'real')")
    )
    return [(row[0], row[1]) for row in found]


def _write_as_text(table: str, column: str, rows: list[tuple[int, int | float]]) -> None:
    # json.dumps writes the shortest text that reads back as the same float (Python's repr).
    if rows:
        update = sa.text(f"UPDATE {table} SET {column} = :text WHERE id = :id")
        op.get_bind().execute(update, [{"text": json.dumps(n), "id": i} for i, n in rows])
