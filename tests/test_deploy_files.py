"""The deployment files: Dockerfile, docker-compose.yml, and the backup/restore drill.

No Docker engine runs here, so the image is not built: the files are read as Docker and
Compose read them and held to what docs/operations.md promises, the image's health check
command is run against a real `iso20k serve`, and the drill runs for real on PostgreSQL.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import psycopg
import pytest
import yaml
from sqlalchemy import func
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, select

from bot.cli import cli
from bot.settings import Settings
from bot.store.crud import (
    current_assessment,
    get_or_create_organisation,
    record_answer,
    upsert_member,
)
from bot.store.db import make_engine
from bot.store.migrate import upgrade
from bot.store.models import Answer, AnswerRevision, Organisation
from scripts.backup_restore_drill import main as drill_main
from scripts.backup_restore_drill import migrations_head, run_drill
from tests import pg_server
from tests.e2e.harness import serve_served

ROOT = Path(__file__).resolve().parents[1]
ISO20K_SERVICES = ("migrate", "web", "worker")


# -- Dockerfile ------------------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(
        r"\\\n",
        " ",
        "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")),
    )
    found = []
    for line in text.splitlines():
        if line.strip():
            instruction, _, args = line.strip().partition(" ")
            found.append((instruction.upper(), " ".join(args.split())))
    return found


def instructions(name: str) -> list[str]:
    return [args for instruction, args in dockerfile() if instruction == name]


def test_the_image_is_slim_python_311_and_serves_on_3000() -> None:
    assert instructions("FROM") == ["python:3.11-slim"]
    assert instructions("EXPOSE") == ["3000"]
    assert json.loads(instructions("CMD")[-1]) == ["iso20k", "serve"]


def test_the_image_runs_as_a_user_that_is_not_root() -> None:
    users = instructions("USER")
    assert users, "no USER: the container would run as root"
    assert users[-1] not in ("root", "0", "0:0")
    # The user is created in the image before it is switched to.
    assert any("useradd" in run and users[-1] in run for run in instructions("RUN"))


def test_the_image_installs_what_the_pdf_and_the_chinese_text_need() -> None:
    apt = " ".join(run for run in instructions("RUN") if "apt-get install" in run)
    for package in ("fonts-wqy-microhei", "libpango-1.0-0", "libpangoft2-1.0-0", "fontconfig"):
        assert package in apt.split(), package
    pip = [run for run in instructions("RUN") if "pip install" in run]
    assert pip and not any("[dev]" in run for run in pip), "dev extras stay out of the image"


def test_every_copied_path_exists_and_is_not_ignored() -> None:
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for pattern in (".venv", "build", "mutants", "*.db"):
        assert pattern in ignored, pattern
    for copy in instructions("COPY"):
        *sources, _destination = shlex.split(copy)
        for source in sources:
            assert (ROOT / source).exists(), source
            assert not any(fnmatch.fnmatch(source, p) for p in ignored), source
    # bot/store/migrate.py finds the migrations beside the package it runs from.
    copied = " ".join(instructions("COPY"))
    assert "migrations" in copied and "alembic.ini" in copied


def healthcheck_command() -> list[str]:
    [check] = instructions("HEALTHCHECK")
    command = json.loads(check[check.index("CMD ") + 4 :])
    assert isinstance(command, list)
    return [str(part) for part in command]


def test_the_image_health_check_asks_healthz_of_a_real_server(tmp_path: Path) -> None:
    command = healthcheck_command()
    assert command[0] == "python" and "/healthz" in " ".join(command)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'iso20k.db'}"
    with serve_served(env, tmp_path / "serve.log") as served:
        port = served.base_url.rsplit(":", 1)[1]
        check = [sys.executable, *command[1:]]
        up = subprocess.run(check, env={**env, "PORT": port}, capture_output=True, timeout=30)
        assert up.returncode == 0, up.stderr
    down = subprocess.run(check, env={**env, "PORT": port}, capture_output=True, timeout=30)
    assert down.returncode != 0, "the check passed with no server listening"


# -- docker-compose.yml ----------------------------------------------------------------------


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def resolves_to_a_command(command: list[str]) -> bool:
    """Whether `iso20k COMMAND…` names a real command of the CLI."""
    assert command[0] == "iso20k"
    group: click.Command = cli
    with click.Context(cli) as ctx:
        for name in command[1:]:
            assert isinstance(group, click.Group), command
            found = group.get_command(ctx, name)
            if found is None:
                return False
            group = found
    return not isinstance(group, click.Group)


def test_compose_has_postgres_the_migration_the_web_service_and_a_worker() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", *ISO20K_SERVICES}
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:15")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert postgres["volumes"][0].split(":")[0] in compose()["volumes"]
    assert "pg_isready" in postgres["healthcheck"]["test"]
    commands = {name: services[name]["command"] for name in ISO20K_SERVICES}
    assert commands == {
        "migrate": ["iso20k", "db", "upgrade"],
        "web": ["iso20k", "serve"],
        "worker": ["iso20k", "worker"],
    }
    assert all(resolves_to_a_command(c) for c in commands.values())


def test_compose_starts_the_services_in_order() -> None:
    services = compose()["services"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"] == {"condition": "service_healthy"}, name


def test_compose_health_checks_the_web_service_for_readiness_and_no_other() -> None:
    services = compose()["services"]
    test = services["web"]["healthcheck"]["test"]
    assert test[0] == "CMD" and "http://127.0.0.1:3000/readyz" in " ".join(test)
    assert "3000:3000" in services["web"]["ports"]
    # The image's /healthz check would fail where nothing serves HTTP.
    for name in ("migrate", "worker"):
        assert services[name]["healthcheck"] == {"disable": True}, name


def test_compose_services_share_the_database_and_only_workers_send_reminders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    services = compose()["services"]
    for name in ISO20K_SERVICES:
        service = services[name]
        assert service["env_file"] == ".env", name
        url = service["environment"]["DATABASE_URL"]
        assert re.fullmatch(
            r"postgresql\+psycopg://iso20k:\$\{POSTGRES_PASSWORD[^}]*\}@postgres:5432/iso20k", url
        )
    # The settings object reads the value as Compose hands it over: the web service does not
    # run the reminder ticker.
    monkeypatch.setenv("REMINDERS_IN_WEB", services["web"]["environment"]["REMINDERS_IN_WEB"])
    assert Settings(_env_file=None).reminders_in_web is False


# -- the backup and restore drill -------------------------------------------------------------


def populate(url: str) -> dict[str, int]:
    """Two organisations with members, answers and their history; the row counts."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            for n, workspace in enumerate(("T1", "T2")):
                org = get_or_create_organisation(session, "slack", workspace, f"Org {workspace}")
                admin = upsert_member(session, org, f"U{n}", display_name="Zhāng 张")
                assessment = current_assessment(session, org, "2018.1")
                record_answer(session, assessment, "context.scope", "全部 IT 服务", admin)
                record_answer(session, assessment, "context.sites", 3, admin)
                record_answer(session, assessment, "context.sites", 4, admin)  # a revision
            session.commit()
            return {
                "organisation": session.exec(select(func.count()).select_from(Organisation)).one(),
                "answer": session.exec(select(func.count()).select_from(Answer)).one(),
                "answer_revision": session.exec(
                    select(func.count()).select_from(AnswerRevision)
                ).one(),
            }
    finally:
        engine.dispose()


def databases(url: str) -> set[str]:
    uri = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(uri, autocommit=True) as connection:
        rows = connection.execute("SELECT datname FROM pg_database").fetchall()
    return {str(r[0]) for r in rows}


def test_the_drill_restores_every_row_at_migration_head(
    fresh_postgres_url: str, tmp_path: Path
) -> None:
    upgrade(fresh_postgres_url)
    counts = populate(fresh_postgres_url)
    assert counts == {"organisation": 2, "answer": 4, "answer_revision": 6}
    before = databases(fresh_postgres_url)
    bindir = pg_server.find_bindir()
    dump = tmp_path / "iso20k.dump"

    result = run_drill(fresh_postgres_url, bindir, dump_to=dump, keep_database=True)
    try:
        assert result.ok, result.report()
        assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
        assert result.revision == result.head == migrations_head(fresh_postgres_url)
        rows = {t.name: t.restored_rows for t in result.tables}
        assert {k: rows[k] for k in counts} == counts
        assert rows["alembic_version"] == 1
        # The copy is a database of its own, with the same rows read through the store.
        restored_url = fresh_postgres_url.rsplit("/", 1)[0] + "/" + result.restored_into
        assert result.restored_into not in before
        engine = make_engine(restored_url)
        try:
            with Session(engine) as session:
                names = session.exec(select(Organisation.name).order_by(Organisation.name)).all()
                assert names == ["Org T1", "Org T2"]
                values = set(session.exec(select(Answer.value)).all())
                assert values == {"全部 IT 服务", 4}
        finally:
            engine.dispose()
    finally:
        uri = fresh_postgres_url.rsplit("/", 1)[0].replace("+psycopg", "") + "/postgres"
        with psycopg.connect(uri, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{result.restored_into}" WITH (FORCE)')


def test_the_drill_notices_a_copy_that_differs_and_cleans_up(
    fresh_postgres_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(fresh_postgres_url)
    populate(fresh_postgres_url)
    before = databases(fresh_postgres_url)
    bindir = str(pg_server.find_bindir())
    assert drill_main(["--database-url", fresh_postgres_url, "--bindir", bindir]) == 0
    assert capsys.readouterr().out.rstrip().endswith("drill: OK")
    assert databases(fresh_postgres_url) == before, "the drill database was left behind"

    # A restore that loses the last answer revision must fail the drill.
    import scripts.backup_restore_drill as drill

    real_restore = drill.restore

    def lossy_restore(source: Path, url: str, bindir: Path | None = None) -> None:
        real_restore(source, url, bindir)
        uri = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(uri, autocommit=True) as connection:
            connection.execute(
                "DELETE FROM answer_revision WHERE id = (SELECT max(id) FROM answer_revision)"
            )

    monkeypatch.setattr(drill, "restore", lossy_restore)
    assert drill_main(["--database-url", fresh_postgres_url, "--bindir", bindir]) == 1
    out = capsys.readouterr().out
    assert re.search(r"answer_revision\s+6 rows\s+restored\s+5\s+DIFFERS", out), out
    assert out.rstrip().endswith("drill: FAILED")
    assert databases(fresh_postgres_url) == before


# -- docs/operations.md ------------------------------------------------------------------------


def test_the_connection_formula_uses_the_pool_each_engine_has() -> None:
    """docs/operations.md "Database connections" counts 5 pooled + 10 overflow per engine."""
    engine = make_engine("postgresql+psycopg://iso20k@127.0.0.1:1/iso20k")  # never connects
    try:
        pool = engine.pool
        assert isinstance(pool, QueuePool)
        per_engine = pool.size() + pool._max_overflow
    finally:
        engine.dispose()
    guide = " ".join((ROOT / "docs" / "operations.md").read_text().split())
    assert f"{pool.size()} pooled connections plus up to {pool._max_overflow} overflow" in guide
    assert f"connections ≤ {per_engine} × (W × (1 + D + R) + K)" in guide
