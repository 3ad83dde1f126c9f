"""The `iso20k` command as a user runs it: a real process, real files, exit statuses."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.harness import serve_process

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
PROFILE = """\
profile:
  organisation: CLI test
  persons_in_scope: 20
  it_staff: 12
  staff_available_fte: 1
  services_in_scope: 3
answers:
  leadership.commitment: 3
"""


def iso20k(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_three_examples_ship() -> None:
    names = {p.name for p in EXAMPLES}
    assert {
        "small-it-department.yaml",
        "itil-service-provider.yaml",
        "enterprise-iso27001.yaml",
    } <= names


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_examples_evaluate_in_every_format(example: Path, fmt: str) -> None:
    done = iso20k("evaluate", str(example), "--format", fmt, "--today", "2026-11-25")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    if fmt == "json":
        data = json.loads(done.stdout)
        assert data["today"] == "2026-11-25"
        assert data["feasibility"]["verdict"] in {
            "ready to start",
            "feasible with preparation",
            "not yet feasible",
        }
    elif fmt == "markdown":
        assert done.stdout.startswith("# ISO/IEC 20000-1 readiness")
        assert "## Risks and countermeasures" in done.stdout
    else:
        assert "VERDICT:" in done.stdout


def test_examples_tell_different_stories() -> None:
    verdicts = {}
    for example in EXAMPLES:
        done = iso20k("evaluate", str(example), "--format", "json", "--today", "2026-11-25")
        verdicts[example.stem] = json.loads(done.stdout)
    small = verdicts["small-it-department"]
    mature = verdicts["itil-service-provider"]
    large = verdicts["enterprise-iso27001"]
    assert small["readiness_percent"] < mature["readiness_percent"]
    assert small["feasibility"]["verdict"] != "ready to start"
    assert large["costs"]["audit_days"]["reduction_percent"] == 20
    assert large["costs"]["currency"] == "GBP"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PROFILE + "  colour: blue\n", "answers.colour: unknown question id"),
        (
            PROFILE.replace("persons_in_scope: 20", "persons_in_scope: twenty"),
            "profile.persons_in_scope: input should be a valid integer",
        ),
        (PROFILE + "  incident.policy_documented: 7\n", "answers.incident"),
        (
            PROFILE.replace("leadership.commitment: 3", "leadership.commitment: 9"),
            "answers.leadership.commitment: expected a whole number from 0 to 5, got 9",
        ),
        (
            PROFILE.replace("it_staff: 12", "it_staff: 12\n  start_date: 2027/01/11"),
            "profile.start_date: enter a date as YYYY-MM-DD",
        ),
        (  # once a spin at 100 % CPU, then a traceback
            PROFILE.replace("it_staff: 12", "it_staff: 12\n  start_date: 9999-06-01"),
            "profile.start_date: choose a date from 2000-01-01 to ",
        ),
        (  # unquoted: PyYAML's timestamp constructor used to raise inside the parser
            PROFILE.replace("it_staff: 12", "it_staff: 12\n  start_date: 2026-02-30"),
            "profile.start_date: 2026-02-30 is not a date in the calendar.",
        ),
        (
            PROFILE + "  continuity.last_test: 1999-12-31\n",
            "answers.continuity.last_test: choose a date from 2000-01-01 to ",
        ),
        (
            PROFILE.replace(
                "it_staff: 12",
                "it_staff: 12\n  start_date: 2027-05-03\n  target_certification_date: 2027-01-04",
            ),
            "profile.target_certification_date: choose a target date after the start date "
            "(2027-05-03).",
        ),
        (PROFILE + "bookings:\n  stage1: 2099-01-01\n", "bookings.stage1: choose a date from"),
        (PROFILE + "bookings:\n  stage3: 2027-06-01\n", "bookings.stage3: unknown audit"),
        (PROFILE + "  leadership.sponsor_named: !!int many\n", "line 9: cannot read 'many' as int"),
        (
            PROFILE.replace("it_staff: 12", "it_staff: 12\n  mood: good"),
            "profile.mood: unknown field",
        ),
    ],
)
def test_bad_input_is_one_line_with_exit_status_2(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text(content)
    done = iso20k("evaluate", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert expected in lines[0]


def test_missing_file_and_bad_options(tmp_path: Path) -> None:
    missing = iso20k("evaluate", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    path = tmp_path / "p.yaml"
    path.write_text(PROFILE)
    bad_date = iso20k("evaluate", str(path), "--today", "25.11.2026")
    assert bad_date.returncode == 2 and "Enter a date as YYYY-MM-DD" in bad_date.stderr
    for far in ("9999-06-01", "1999-12-31"):
        done = iso20k("evaluate", str(path), "--today", far)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert "Invalid value for '--today': Choose a date from 2000-01-01 to" in done.stderr
    bad_format = iso20k("evaluate", str(path), "--format", "pdf")
    assert bad_format.returncode == 2 and "Traceback" not in bad_format.stderr


def test_questions_lists_the_bank_and_one_section() -> None:
    everything = iso20k("questions")
    assert everything.returncode == 0
    assert "incident.policy" in everything.stdout or "incident." in everything.stdout
    one = iso20k("questions", "--section", "resolution")
    assert one.returncode == 0
    assert "8.6.1" in one.stdout and "8.7.3" not in one.stdout
    as_json = json.loads(iso20k("questions", "--section", "benefits", "--format", "json").stdout)
    assert len(as_json["sections"][0]["areas"][0]["questions"]) == 9
    unknown = iso20k("questions", "--section", "nosuch")
    assert unknown.returncode == 2
    assert "unknown section 'nosuch'" in unknown.stderr and "resolution" in unknown.stderr


def test_db_upgrade_creates_the_sqlite_file_in_the_working_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "iso20k.db").exists()


def test_worker_ticks_once_and_reminders_are_listed(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}
    assert iso20k("db", "upgrade", env=env).returncode == 0
    done = iso20k("worker", "--once", env=env)
    assert done.returncode == 0, done.stderr
    assert "TickResult(claimed=0" in done.stdout
    listed = iso20k("reminders", "list", env=env)
    assert listed.returncode == 0 and "no reminders" in listed.stdout


def test_serve_without_credentials_answers_the_health_check(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'serve.db'}"
    with serve_process(env) as base, urllib.request.urlopen(f"{base}/healthz") as health:
        assert json.loads(health.read()) == {"status": "ok"}


def test_report_and_export_write_files(tmp_path: Path) -> None:
    example = str(ROOT / "examples" / "small-it-department.yaml")
    out = tmp_path / "r.md"
    done = iso20k("report", example, "--format", "md", "-o", str(out), "--today", "2026-11-25")
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("#")
    ics = tmp_path / "plan.ics"
    done = iso20k("export", example, "--format", "ics", "-o", str(ics))
    assert done.returncode == 0 and ics.read_bytes().startswith(b"BEGIN:VCALENDAR")
    bad = iso20k("export", example, "--format", "pdf")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    nowhere = iso20k("report", example, "-o", str(tmp_path / "missing" / "r.pdf"))
    assert nowhere.returncode == 2 and "cannot write" in nowhere.stderr


def test_the_console_writes_the_cost_estimate_amounts_as_worked_out_by_hand(
    tmp_path: Path,
) -> None:
    """`cost` in the console (the dialogs' message, as Slack gets it too) for the profile and
    answers of tests/core/helpers.two_weak_processes, whose docstring has the arithmetic."""
    from sqlmodel import Session

    from bot.console.app import WORKSPACE
    from bot.store.crud import (
        current_assessment,
        get_or_create_organisation,
        record_answer,
        upsert_member,
    )
    from bot.store.db import make_engine
    from bot.store.migrate import upgrade
    from iso20k_core.standard import load_bank
    from tests.core.helpers import all_best, profile

    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    engine = make_engine(url)
    bank = load_bank()
    # The console evaluates on the real day: date answers are given on it, as a person would.
    today = dt.date.today()
    answers = {
        k: today.isoformat() if isinstance(v, dt.date) else v
        for k, v in all_best(bank).items()
        if not k.startswith(("change.", "incident."))
    }
    with Session(engine) as session:
        org = get_or_create_organisation(session, "console", WORKSPACE, "Example IT")
        org.profile = profile(persons_in_scope=50, staff_available_fte=0.5).model_dump(
            mode="json", exclude_defaults=True
        )
        session.add(org)
        upsert_member(session, org, "alice", role="admin")
        assessment = current_assessment(session, org, bank.version)
        for question_id, value in answers.items():
            record_answer(session, assessment, question_id, value)
        session.commit()
    engine.dispose()

    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", "--user", "alice"],
        input="cost\nquit\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "DATABASE_URL": url},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = [" ".join(line.split()) for line in done.stdout.splitlines()]
    for fact in (
        "Consulting 22,800 EUR (18,000–38,400)",  # 19 (15-32) days × 1,200
        "Certification body 10,500 EUR (8,025–18,750)",
        "Training 3,450 EUR",
        "Reference material and publicity 2,250 EUR",
        "Tool software (optional) 0 EUR",
        "Project total 39,000 EUR (31,725–62,850)",
        "Internal effort (135 person-days) 64,800 EUR",  # 51 + 55 + 13 + 6 + 10, × 480
        "Certification cycle total 55,425 EUR (44,850–90,000)",  # 39,000 + 4,200 × 2 + 8,025
    ):
        assert fact in lines, (fact, done.stdout)
    words = " ".join(done.stdout.split())
    assert "Audit days: 5 initial (stage 1 1.5, stage 2 3.5), 2 per surveillance." in words
    assert "The initial audit may come out between 3.5 and 10 days" in words
