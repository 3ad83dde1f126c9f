"""`iso20k org list | export | delete` as an operator runs them (click's runner), and the
worker's retention purge (a real process)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from bot import cli as cli_module
from bot.cli import cli
from bot.store.db import make_engine
from bot.store.models import AuditEntry, Organisation
from bot.store.secrets import Cipher, new_key
from tests.migrated import migrated
from tests.store.test_lifecycle import BOT_TOKEN, count, populate, tenant_tables

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A database with two organisations: T1 (id 1, a Chinese name) and T2 (id 2)."""
    migrated(u := f"sqlite:///{tmp_path / 'org.db'}")
    engine = make_engine(u)
    with Session(engine) as session:
        cipher = Cipher([new_key()])
        populate(session, cipher, "T1", "示例公司")
        populate(session, cipher, "T2", "Other Ltd")
    engine.dispose()
    return u


def run(url: str, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), env={"DATABASE_URL": url}, input=input)


def rows_of(url: str, org_id: int) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        found = sum(count(session, t, org_id) for t in tenant_tables())
        found += 1 if session.get(Organisation, org_id) else 0
    engine.dispose()
    return found


def test_list_shows_every_organisation(url: str) -> None:
    done = run(url, "org", "list")
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[:3] == ["1", "slack", "T1"] and "示例公司" in lines[0]
    assert lines[1].split()[-1] == "-"  # installed


def test_export_writes_json_in_utf8_and_records_it(url: str, tmp_path: Path) -> None:
    target = tmp_path / "t1.json"
    done = run(url, "org", "export", "T1", "-o", str(target))
    assert done.exit_code == 0, done.output
    text = target.read_text(encoding="utf-8")
    assert "示例公司" in text and "\\u" not in text  # Chinese kept as written
    assert BOT_TOKEN not in text
    data = json.loads(text)
    assert data["organisation"]["external_id"] == "T1"
    assert len(data["members"]) == 2
    to_stdout = run(url, "org", "export", "2")  # by id, to standard output
    assert to_stdout.exit_code == 0
    assert json.loads(to_stdout.stdout)["organisation"]["name"] == "Other Ltd"
    engine = make_engine(url)
    with Session(engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "org.exported"))
        found = {(e.organisation_id, e.actor, (e.details or {})["to"]) for e in entries}
    engine.dispose()
    assert found == {(1, "cli", str(target)), (2, "cli", "stdout")}


def test_an_unknown_org_is_one_line_and_status_1(url: str) -> None:
    for command in (["export", "T9"], ["delete", "T9", "--yes"], ["export", "99"]):
        done = run(url, "org", *command)
        assert done.exit_code == 1, done.output
        assert done.stderr.startswith("iso20k: no organisation")
        assert "Traceback" not in done.output


def test_delete_needs_a_terminal_or_yes(url: str) -> None:
    done = run(url, "org", "delete", "T1")  # the runner's stdin is no terminal
    assert done.exit_code == 2
    assert "--yes" in done.stderr
    assert rows_of(url, 1) > 0


def test_delete_asks_and_no_keeps_everything(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_module, "_interactive", lambda: True)
    done = run(url, "org", "delete", "T1", input="n\n")
    assert done.exit_code == 0
    assert "nothing deleted" in done.output
    assert rows_of(url, 1) > 0
    done = run(url, "org", "delete", "T1", input="y\n")
    assert done.exit_code == 0, done.output
    assert rows_of(url, 1) == 0
    assert rows_of(url, 2) > 0


def test_delete_with_yes_removes_everything_and_logs_the_id(url: str) -> None:
    done = run(url, "org", "delete", "1", "--yes")
    assert done.exit_code == 0, done.output
    assert "deleted organisation 1" in done.stdout
    assert "org.deleted: organisation 1" in done.stderr
    assert rows_of(url, 1) == 0
    assert rows_of(url, 2) > 0
    assert run(url, "org", "export", "1").exit_code == 1


def test_the_worker_purges_past_the_retention(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        org = session.get(Organisation, 1)
        assert org is not None
        org.uninstalled_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=3, minutes=1)
        session.add(org)
        session.commit()
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": url, "DATA_RETENTION_DAYS": "3", "LOG_FORMAT": "text"}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "worker", "--once"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "retention: deleted 1 uninstalled organisation(s): 1" in done.stderr
    assert rows_of(url, 1) == 0 and rows_of(url, 2) > 0


def test_a_retention_below_one_day_is_refused(url: str) -> None:
    done = CliRunner().invoke(
        cli, ["org", "list"], env={"DATABASE_URL": url, "DATA_RETENTION_DAYS": "0"}
    )
    assert done.exit_code == 2
    assert done.stderr.startswith("iso20k: DATA_RETENTION_DAYS:")


def test_messages_are_in_the_chosen_language(url: str) -> None:
    done = run(url, "--locale", "zh-CN", "org", "export", "T9")
    assert done.exit_code == 1
    assert done.stderr.startswith("iso20k: 没有组织 'T9'")


# One person -------------------------------------------------------------------------------


def trail_of(url: str, org_id: int) -> list[AuditEntry]:
    engine = make_engine(url)
    with Session(engine) as session:
        found = list(session.exec(select(AuditEntry).where(AuditEntry.organisation_id == org_id)))
    engine.dispose()
    return found


def test_a_person_export_is_their_data_and_is_recorded_by_member_id(
    url: str, tmp_path: Path
) -> None:
    target = tmp_path / "bob.json"
    done = run(url, "person", "export", "T1", "U2", "-o", str(target))
    assert done.exit_code == 0, done.output
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["member"]["display_name"] == "Bob"
    assert [a["section_id"] for a in data["assignments"]] == ["planning"]
    member_id = data["member"]["id"]
    by_id = run(url, "person", "export", "1", str(member_id))  # the member id, to stdout
    assert json.loads(by_id.stdout)["member"]["platform_user_id"] == "U2"
    recorded = [e for e in trail_of(url, 1) if e.action == "person.exported"]
    assert [e.details for e in recorded] == [
        {"member": member_id, "to": str(target), "bytes": len(target.read_bytes())},
        {"member": member_id, "to": "stdout", "bytes": len(by_id.stdout_bytes)},
    ]


def test_an_unknown_person_is_one_line_and_status_1(url: str) -> None:
    for command in (["export", "T1", "U9"], ["erase", "T1", "U9", "--yes"]):
        done = run(url, "person", *command)
        assert done.exit_code == 1, done.output
        assert done.stderr.startswith("iso20k: no person 'U9' in organisation 1 (slack T1")
    chinese = run(url, "--locale", "zh-CN", "person", "export", "T1", "U9")
    assert chinese.stderr.startswith("iso20k: 组织 1 (slack T1, 示例公司) 中没有人员 'U9'")


def test_erasing_needs_a_terminal_or_yes(url: str) -> None:
    done = run(url, "person", "erase", "T1", "U2")  # the runner's stdin is no terminal
    assert done.exit_code == 2 and "--yes" in done.stderr
    exported = json.loads(run(url, "person", "export", "T1", "U2").stdout)
    assert exported["member"]["display_name"] == "Bob"


def test_erasing_says_what_it_did_once_and_leaves_no_name(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_module, "_interactive", lambda: True)
    kept = run(url, "person", "erase", "T1", "U2", input="n\n")
    assert "nothing erased" in kept.output
    done = run(url, "person", "erase", "T1", "U2", input="y\n")
    assert done.exit_code == 0, done.output
    assert done.output.endswith(
        "erased person 2. Made anonymous: audit entries 1. Deleted: assignments 1, "
        "reminders 0, Teams records 0.\n"
    )
    again = run(url, "person", "erase", "T1", "erased:2", "--yes")
    assert again.exit_code == 0 and "person 2 was erased already" in again.output
    everything = run(url, "org", "export", "T1").stdout
    assert "Bob" not in everything and '"U2"' not in everything
    assert [e.details for e in trail_of(url, 1) if e.action == "person.erased"] == [{"member": 2}]
    other = json.loads(run(url, "person", "export", "T2", "U2").stdout)  # another workspace's
    assert other["member"]["display_name"] == "Bob"


def test_the_installer_is_not_erased_without_the_secret_key(url: str) -> None:
    done = run(url, "person", "erase", "T1", "U1", "--yes")
    assert done.exit_code == 2
    assert "ISO20K_SECRET_KEY" in done.stderr and "Nothing was erased." in done.stderr
    exported = json.loads(run(url, "person", "export", "T1", "U1").stdout)
    assert exported["member"]["display_name"] == "李雷"
