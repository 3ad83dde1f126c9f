"""Migrated databases for tests, without running every migration for every test.

Running the Alembic migrations takes about half a second; most tests only need a database at
head. The first SQLite database a process asks for is migrated for real (`upgrade`), kept as
a template, and each later one is a copy of that file: the same schema, made by the same
migrations, in well under a millisecond. Other databases (PostgreSQL) are upgraded as asked.
The migrations themselves are tested in tests/store/test_migrations.py.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from bot.store.migrate import upgrade

SQLITE = "sqlite:///"
_template: list[Path] = []


def migrated(url: str) -> str:
    """Bring the database at `url` to head (a fresh SQLite file: a copy of the template);
    returns `url`."""
    path = Path(url.removeprefix(SQLITE)) if url.startswith(SQLITE) else None
    if path is None or path.exists():
        upgrade(url)
        return url
    if not _template:
        folder = Path(tempfile.mkdtemp(prefix="iso20k-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = folder / "migrated.db"
        upgrade(f"{SQLITE}{template}")
        _template.append(template)
    shutil.copyfile(_template[0], path)
    return url
