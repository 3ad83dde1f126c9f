"""Column types shared by the tables."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import TypeCompiler
from sqlalchemy.types import TypeDecorator


def utc_now() -> datetime:
    """The default for timestamps nobody passed in: now, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL keeps the offset (timestamptz) but SQLite stores bare text, so values are
    converted to UTC on the way in and read back as UTC. Naive datetimes are refused: their
    meaning depends on the machine's clock settings.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:  # SQLite: stored in UTC by process_bind_param
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class JSONText(TypeDecorator[Any]):
    """JSON read back exactly as it was written: `json` on PostgreSQL, TEXT on SQLite.

    SQLite gives a column declared `JSON` NUMERIC affinity (its name has none of INT, CHAR,
    CLOB, TEXT, BLOB, REAL, FLOA, DOUB: https://www.sqlite.org/datatype3.html, 3.1; SQLAlchemy
    says so where it compiles JSON for SQLite), and text that looks like a number put into
    such a column is stored as an INTEGER or REAL when SQLite deems that "lossless and
    reversible", which for REAL means "the first 15 significant decimal digits" survive. So a
    value that was a bare number came back changed: 1.0 as 1, -0.0 as 0, integers beyond 2**63
    as floats, and floats needing 17 digits one ulp off (1.0509488050588704e-306 as
    1.0509488050588703e-306). Declared TEXT, the column keeps the text json.dumps wrote.
    PostgreSQL's `json` keeps the text as given (jsonb would not: it has no -0.0).
    """

    impl = JSON
    cache_ok = True
    hashable = False  # as JSON: dicts and lists cannot be hashed

    def __init__(self, *, none_as_null: bool = False) -> None:
        super().__init__(none_as_null=none_as_null)
        self.none_as_null = none_as_null

    @property
    def should_evaluate_none(self) -> bool:  # type: ignore[override]
        # JSON's own answer; TypeDecorator would give TypeEngine's False without asking JSON,
        # and a None answer in the NOT NULL column would be left out of the INSERT, not 'null'.
        return not self.none_as_null


@compiles(JSONText, "sqlite")
def _text_on_sqlite(type_: JSONText, compiler: TypeCompiler, **kw: Any) -> str:
    return "TEXT"
