"""What `GET /readyz` checks: the database answers, its migrations are at head, and the
dialog workers serve.

`/healthz` is liveness (restart the process if it fails); `/readyz` is readiness (send it no
traffic while it fails): a database that is down or not yet migrated is not cured by a
restart. The database checks block, so they run on a thread with a time limit, and only one
runs at a time: while the database hangs, probes wait for the check in progress instead of
piling threads up. On PostgreSQL the engine pre-pings its pooled connections and waits at
most `CONNECT_TIMEOUT` seconds for a new one (bot/store/db.py), so a check ends on its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.dialogs.worker import SERVING, Health
from bot.store.migrate import alembic_config

log = logging.getLogger(__name__)
TIMEOUT = 3.0  # seconds a probe waits for the database checks (Kubernetes' default is 1 s)
OK = "ok"


@dataclass(frozen=True)
class Readiness:
    """Each check's result: "ok", or why not (short: it is shown on /readyz)."""

    checks: dict[str, str] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(result == OK for result in self.checks.values())

    def body(self) -> dict[str, object]:
        if self.ready:
            return {"status": "ready"}
        return {"status": "not ready", "checks": self.checks}


def database_checks(engine: Engine, heads: frozenset[str]) -> dict[str, str]:
    """`SELECT 1`, then the database's Alembic revision against the scripts' `heads`."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except Exception as exc:  # the class only: a driver's message may name hosts and users
        log.warning("readiness: database unreachable (%s)", type(exc).__name__)
        return {"database": f"unreachable ({type(exc).__name__})", "migrations": "not checked"}
    if current == heads:
        return {"database": OK, "migrations": OK}
    shown = ", ".join(sorted(current)) or "none"
    return {"database": OK, "migrations": f"at {shown}, head is {', '.join(sorted(heads))}"}


def script_heads(database_url: str) -> frozenset[str]:
    """The head revisions of the migrations this code ships."""
    return frozenset(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())


class ReadinessProbe:
    def __init__(
        self,
        engine: Engine | None,
        health: Callable[[], Health] | None = None,
        timeout: float = TIMEOUT,
    ) -> None:
        """`engine`: the database to check (none: not used); `health`: the dialog workers'."""
        self.engine, self.health, self.timeout = engine, health, timeout
        self.heads = None if engine is None else script_heads(engine.url.render_as_string(False))
        self._running: asyncio.Future[dict[str, str]] | None = None

    async def check(self) -> Readiness:
        checks = await self._database()
        workers = self.health() if self.health is not None else SERVING
        checks["workers"] = OK if workers.serving else workers.reason
        return Readiness(checks)

    async def _database(self) -> dict[str, str]:
        if self.engine is None or self.heads is None:
            return {}
        if self._running is None or self._running.done():
            self._running = asyncio.ensure_future(
                asyncio.to_thread(database_checks, self.engine, self.heads)
            )
        try:
            # shield: a probe that gives up leaves the check running for the next probe.
            return dict(await asyncio.wait_for(asyncio.shield(self._running), self.timeout))
        except TimeoutError:
            return {
                "database": f"no answer within {self.timeout:g} s",
                "migrations": "not checked",
            }
