"""Alembic's entry point: the models' metadata, and where the database is."""

from logging.config import fileConfig
from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel

import bot.store.models  # noqa: F401  (every table registers itself on SQLModel.metadata)
from bot.settings import get_settings
from bot.store.columns import JSONText, UTCDateTime

config = context.config
if config.config_file_name is not None:  # alembic.ini; bot.store.migrate has no file
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def database_url() -> str:
    """The url given to Alembic, else DATABASE_URL (or its default) through the settings."""
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    # Leave tables that are not ours alone (e.g. APScheduler's job store sharing the
    # database), or autogenerate would plan to drop them (PLATFORM.md "SQLModel + Alembic").
    return not (type_ == "table" and reflected and compare_to is None)


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    # Migrations must not import the application's column types, which may change later:
    # in the schema a UTCDateTime is a timezone-aware DateTime, a JSONText JSON declared TEXT
    # on SQLite (migration 0007 says why).
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, JSONText):
        return f'sa.JSON(none_as_null={obj.none_as_null}).with_variant(sa.Text(), "sqlite")'
    return False


OPTIONS: dict[str, Any] = {
    "target_metadata": target_metadata,
    # SQLite alters tables by copying them: batch mode does that (PLATFORM.md).
    "render_as_batch": True,
    "compare_type": True,
    "include_object": include_object,
    "render_item": render_item,
}


def run_migrations_offline() -> None:
    context.configure(url=database_url(), literal_binds=True, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # A plain engine, not bot.store.db.make_engine: foreign keys stay off on SQLite while
    # batch mode copies, drops and renames tables that other tables refer to.
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, **OPTIONS)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
