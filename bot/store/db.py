"""Engines, their connection pools, and the shared metadata's naming convention."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlmodel import SQLModel

# Named constraints everywhere: SQLite batch mode can only drop or alter a constraint it can
# name, and PostgreSQL then gets the same names (PLATFORM.md "SQLModel + Alembic"). This must
# run before any table model is defined, so models.py imports this module first.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


# Seconds to wait for a connection to PostgreSQL. libpq waits forever by default: a server
# that drops packets would hang a dialog worker instead of letting the retry give up.
CONNECT_TIMEOUT = 5


@dataclass(frozen=True)
class PoolSettings:
    """One engine's connection pool (DB_POOL_SIZE, DB_MAX_OVERFLOW, DB_POOL_TIMEOUT,
    DB_POOL_RECYCLE; bot/settings.py). Every process makes its own engine, so these are per
    process: a deployment opens at most processes x (size + max_overflow) connections
    (docs/operations.md "Database connections"). Frozen and plain, so it pickles to the
    worker processes."""

    # SQLAlchemy's QueuePool defaults for size, overflow and timeout.
    size: int = 5  # connections kept open once used
    max_overflow: int = 10  # opened beyond `size` under load, closed when returned
    timeout: float = 30.0  # seconds to wait for a free connection, then sa_exc.TimeoutError
    # Seconds after which a connection is replaced when next taken (0: never). Firewalls
    # and managed databases drop idle connections after some minutes; pre-ping would notice
    # too, but only by paying a failed round trip.
    recycle: int = 1800


DEFAULT_POOL = PoolSettings()


def make_engine(url: str, pool: PoolSettings = DEFAULT_POOL) -> Engine:
    """An engine for `url` with `pool`; on SQLite (one file, no server) the pool settings do
    not apply, and foreign keys are enforced on every connection."""
    if not url.startswith("sqlite"):
        # pre_ping: every connection taken from the pool is checked first, and a dead one
        # (PostgreSQL restarted) is replaced, with the rest of the pool, by a new one; a
        # failure to reconnect surfaces as an error bot.store.transactions retries.
        timeout = (
            {} if "connect_timeout" in make_url(url).query else {"connect_timeout": CONNECT_TIMEOUT}
        )
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=pool.size,
            max_overflow=pool.max_overflow,
            pool_timeout=pool.timeout,
            pool_recycle=pool.recycle or -1,
            connect_args=timeout,
        )
    # The web server and the scheduler share the engine across threads; SQLite's own
    # check would refuse a connection used by a thread other than its creator.
    engine = create_engine(url, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _enforce_foreign_keys)
    return engine


def _enforce_foreign_keys(dbapi_connection: Any, _connection_record: Any) -> None:
    # SQLite ships with foreign keys off, per connection (PLATFORM.md "SQLModel + Alembic").
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
