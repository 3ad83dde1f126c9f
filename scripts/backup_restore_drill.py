"""Backup and restore drill for a PostgreSQL deployment (docs/operations.md "Backups").

It does what a restore after an accident does, on a copy, so that the first real restore is
not the first one: `pg_dump --format=custom` of the live database, `pg_restore` into a fresh
database on the same server, then a comparison of the two — every table's row count and a
checksum of its rows, and the restored copy's Alembic revision against the migrations' head.
The drill database is dropped afterwards (unless `--keep-database`); the dump is kept only
when `--dump PATH` names where.

    python scripts/backup_restore_drill.py                      # DATABASE_URL from the env
    python scripts/backup_restore_drill.py --database-url postgresql+psycopg://u@host/iso20k

Exit status 0 when the copy matches, 1 when it does not. The role needs CREATEDB on the
server (the drill database is its own); pg_dump and pg_restore come from PATH or `--bindir`
(their major version must be at least the server's).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from bot.store.migrate import alembic_config

# pg_dump and pg_restore give up on a server that does not answer, rather than hang the drill.
TOOL_TIMEOUT = 3600


@dataclass(frozen=True)
class TableCheck:
    name: str
    rows: int
    restored_rows: int
    same_content: bool

    @property
    def ok(self) -> bool:
        return self.rows == self.restored_rows and self.same_content


@dataclass(frozen=True)
class DrillResult:
    source: str  # the database dumped, without its password
    restored_into: str  # the drill database's name
    dump_bytes: int
    dump_seconds: float
    restore_seconds: float
    revision: str | None  # the restored copy's alembic_version
    head: str | None  # the migrations' head
    tables: list[TableCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            bool(self.tables)
            and all(t.ok for t in self.tables)
            and self.revision is not None
            and self.revision == self.head
        )

    def report(self) -> str:
        lines = [
            f"source      {self.source}",
            f"dump        {self.dump_bytes} bytes in {self.dump_seconds:.2f} s (pg_dump -Fc)",
            f"restore     into {self.restored_into} in {self.restore_seconds:.2f} s (pg_restore)",
            f"migrations  restored at {self.revision}, head is {self.head}",
        ]
        for t in self.tables:
            verdict = "ok" if t.ok else "DIFFERS"
            lines.append(
                f"  {t.name:<32} {t.rows:>8} rows  restored {t.restored_rows:>8}  {verdict}"
            )
        lines.append("drill: OK" if self.ok else "drill: FAILED")
        return "\n".join(lines)


def libpq_url(database_url: str | URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for pg_dump/pg_restore, and the environment carrying the
    password (PGPASSWORD), so it never shows in `ps`."""
    url = make_url(database_url) if isinstance(database_url, str) else database_url
    env = {"PGPASSWORD": url.password} if url.password else {}
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def tool(name: str, bindir: Path | None) -> str:
    found = str(bindir / name) if bindir else shutil.which(name)
    if not found or not Path(found).is_file():
        raise SystemExit(f"{name} not found: install postgresql-client or pass --bindir")
    return found


def dump(database_url: str, target: Path, bindir: Path | None = None) -> None:
    """`pg_dump --format=custom` of the database to `target` (restorable with pg_restore)."""
    uri, env = libpq_url(database_url)
    _run([tool("pg_dump", bindir), "--format=custom", f"--file={target}", f"--dbname={uri}"], env)


def restore(source: Path, database_url: str, bindir: Path | None = None) -> None:
    """`pg_restore` of a custom-format dump into an empty database, in one transaction: a
    failure leaves the database empty rather than half restored."""
    uri, env = libpq_url(database_url)
    pg_restore = tool("pg_restore", bindir)
    args = ["--no-owner", "--exit-on-error", "--single-transaction", f"--dbname={uri}"]
    _run([pg_restore, *args, str(source)], env)


@contextmanager
def drill_database(database_url: str, keep: bool = False) -> Iterator[str]:
    """A new empty database beside the one of `database_url`; its URL. Dropped afterwards
    unless `keep`."""
    url = make_url(database_url)
    name = f"{url.database}_drill_{uuid.uuid4().hex[:8]}"
    with _maintenance(url) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with _maintenance(url) as connection:
                drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                connection.execute(drop.format(sql.Identifier(name)))


def compare(source_url: str, restored_url: str) -> tuple[list[TableCheck], str | None]:
    """Each table of the source against the restored copy; the copy's Alembic revision."""
    with _connect(source_url) as source, _connect(restored_url) as restored:
        tables = _tables(source)
        checks = []
        for name in tables:
            rows, digest = _fingerprint(source, name)
            restored_rows, restored_digest = _fingerprint(restored, name)
            checks.append(TableCheck(name, rows, restored_rows, digest == restored_digest))
        missing = set(tables) - set(_tables(restored))
        checks = [c for c in checks if c.name not in missing] + [
            TableCheck(m, -1, -1, False) for m in sorted(missing)
        ]
        revision = None
        if "alembic_version" in _tables(restored):
            row = restored.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = None if row is None else str(row[0])
    return checks, revision


def migrations_head(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


def run_drill(
    database_url: str,
    bindir: Path | None = None,
    dump_to: Path | None = None,
    keep_database: bool = False,
) -> DrillResult:
    """Dump, restore into a fresh database on the same server, compare."""
    with tempfile.TemporaryDirectory(prefix="iso20k-drill-") as scratch:
        target = dump_to or Path(scratch) / "iso20k.dump"
        started = time.monotonic()
        dump(database_url, target, bindir)
        dumped = time.monotonic()
        with drill_database(database_url, keep_database) as restored_url:
            restore(target, restored_url, bindir)
            restored = time.monotonic()
            tables, revision = compare(database_url, restored_url)
            return DrillResult(
                source=make_url(database_url).render_as_string(hide_password=True),
                restored_into=str(make_url(restored_url).database),
                dump_bytes=target.stat().st_size,
                dump_seconds=dumped - started,
                restore_seconds=restored - dumped,
                revision=revision,
                head=migrations_head(database_url),
                tables=tables,
            )


def _tables(connection: psycopg.Connection[tuple[object, ...]]) -> list[str]:
    rows = connection.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    return [str(r[0]) for r in rows]


def _fingerprint(connection: psycopg.Connection[tuple[object, ...]], table: str) -> tuple[int, str]:
    """Row count and an md5 over the table's rows in a stable order."""
    query = sql.SQL(
        "SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '')"
        " FROM {} AS t"
    ).format(sql.Identifier(table))
    row = connection.execute(query).fetchone()
    assert row is not None
    return int(str(row[0])), str(row[1])


def _connect(database_url: str) -> psycopg.Connection[tuple[object, ...]]:
    uri, env = libpq_url(database_url)
    return psycopg.connect(uri, password=env.get("PGPASSWORD"), autocommit=True)


def _maintenance(url: URL) -> psycopg.Connection[tuple[object, ...]]:
    # CREATE/DROP DATABASE cannot run inside the database concerned: use `postgres`.
    return _connect(url.set(database="postgres").render_as_string(hide_password=False))


def _run(args: Sequence[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        args,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{Path(args[0]).name} failed ({result.returncode}):\n{result.stderr}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--bindir", type=Path, default=None, help="where pg_dump/pg_restore are")
    parser.add_argument("--dump", type=Path, default=None, help="keep the dump at this path")
    parser.add_argument("--keep-database", action="store_true", help="do not drop the copy")
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith("postgresql"):
        parser.error("a PostgreSQL --database-url (or DATABASE_URL) is needed")
    result = run_drill(args.database_url, args.bindir, args.dump, args.keep_database)
    print(result.report())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
