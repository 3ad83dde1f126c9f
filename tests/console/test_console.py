"""A scripted session through the terminal backend: the same dialogs as the chat apps."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.console.app import Console
from bot.store.db import make_engine
from bot.store.migrate import upgrade
from bot.store.models import AnswerRevision, Member, Organisation
from iso20k_core.standard import load_bank

TODAY = dt.date(2026, 11, 25)

SETUP = [
    "setup",
    "Lindenau IT",  # organisation
    "",  # language: English (the default)
    "40",  # persons in scope
    "30",  # IT staff
    "5",  # services
    "1",  # sites
    "0",  # FTE: refused, below 0.1
    "2",  # FTE
    "2",  # ITIL adoption: Partial
    "",  # complexity: normal
    "",  # no outsourced processes
    "1,2",  # ISO 9001, ISO/IEC 27001
    "2026-01-01",  # start date in the past: refused
    "2027-01-11",  # start date
    "",  # no target
    "Germany",  # looked up: DE
    "Berlin",  # looked up: Europe/Berlin
    "euro",  # looked up: EUR
    "",  # fiscal year: from January (the default)
    "",
    "",
    "",  # default rates
    "",  # no reminder channel
]
CONTEXT_SECTION = [
    "assess context",
    "1",  # sms_context.issues: yes
    "2",  # interested parties: partly
    "1",  # scope: yes
    "3",  # understanding: maturity 3 (the typed level is the level)
    "Managed workplace and hosting services for the city administration.",
    "9",  # sms_leadership.commitment: not an option
    "4",  # maturity 4
    "1",
    "3",  # policy communicated: no
    "1",
]


def run(engine: Engine, lines: list[str], user: str = "alice") -> str:
    out = io.StringIO()
    console = Console(
        engine, load_bank(), user, io.StringIO("\n".join(lines) + "\n"), out, lambda: TODAY
    )
    assert console.run() == 0
    return out.getvalue()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_setup_answer_a_section_and_ask_for_status(engine: Engine) -> None:
    out = run(engine, [*SETUP, *CONTEXT_SECTION, "status", "quit"])
    assert "✖ Enter at least 0.1." in out
    assert "✖ Choose a date from 2026-11-25 on." in out
    assert "✔ Profile saved" in out
    assert "✖ Not an option: 9. Choose one of: 0, 1, 2, 3, 4, 5." in out
    assert "Context and leadership: saved" in out
    assert "9 of 9" in out
    bank = load_bank()
    assert bank.question_index["sms_context.scope"].guidance[:60] in out.replace("\n      ", " ")
    assert "Answered           9 of 157" in out  # aligned with "Stage 1 documents"
    assert "Stage 1 documents  0 of 18 exist; 18 not answered" in out
    assert "Next audit" in out

    with Session(engine) as session:
        org = session.exec(select(Organisation)).one()
        assert org.name == "Lindenau IT" and org.timezone == "Europe/Berlin"
        assert org.currency == "EUR" and org.profile["country"] == "DE"
        assert org.profile is not None
        assert org.profile["existing_certifications"] == ["ISO 9001", "ISO/IEC 27001"]
        member = session.exec(select(Member)).one()
        assert member.role == "admin"  # the first to run setup
        history = session.exec(select(AnswerRevision)).all()
        stored = {r.question_id: r.new_value for r in history}
        assert stored["sms_context.understanding"] == 3
        assert stored["sms_leadership.commitment"] == 4


def test_unknown_commands_answer_with_help_and_the_closest_match(engine: Engine) -> None:
    out = run(engine, ["stauts", "assess nosuch", ""])
    assert "I don't know 'stauts'. Did you mean status?" in out
    assert "/iso20k" not in out and "<@" not in out
    assert "There is no section 'nosuch'" in out


def test_members_see_their_assignments_and_not_costs(engine: Engine) -> None:
    run(engine, [*SETUP, "assign @bob resolution 2026-12-15", "quit"])
    out = run(engine, ["status", "cost", "quit"], user="bob")
    assert "Your part of the assessment" in out
    assert "Resolution and fulfilment: 0 of" in out and "due 2026-12-15" in out
    assert "Costs are visible to managers only" in out


def test_buttons_are_numbered_and_work(engine: Engine) -> None:
    out = run(engine, [*SETUP, "1", "quit"])  # [1] Start the assessment
    assert "== Assessment ==" in out
    assert "Management and technical foundation — page 1 of" in out


def test_closing_input_in_a_form_saves_nothing(engine: Engine) -> None:
    run(engine, ["setup", "Half done", "40"])
    with Session(engine) as session:
        org = session.exec(select(Organisation)).one()
        assert org.profile is None


def test_files_are_saved_and_images_described(engine: Engine, tmp_path: Path) -> None:
    from bot.dialogs.model import Attachment, Image, Message, Outcome

    out = io.StringIO()
    console = Console(
        engine, load_bank(), "alice", io.StringIO(""), out, lambda: TODAY, files=tmp_path / "files"
    )
    console.show(
        Outcome(
            reply=Message(
                heading="Report",
                image=Image("https://example.org/chart.png", "Readiness by area"),
                file=Attachment("../report.md", b"# Report\n", "Feasibility report"),
            )
        )
    )
    assert (tmp_path / "files" / "report.md").read_bytes() == b"# Report\n"
    assert "[image] Readiness by area" in out.getvalue()
    assert "[file] Feasibility report: saved to" in out.getvalue()


def test_setup_suggests_codes_and_takes_full_width_input(engine: Engine) -> None:
    lines = [*SETUP]
    country = lines.index("Germany")
    lines[country : country + 3] = ["Chna", "China", "Beijing", "RMB"]
    lines[lines.index("40")] = "４０"  # full-width digits from a Chinese input method
    out = run(engine, [*lines, "quit"])
    assert "✖ 'Chna' is not a country with a holiday calendar; did you mean" in out
    assert "China (CN)" in out
    with Session(engine) as session:
        org = session.exec(select(Organisation)).one()
        assert org.profile is not None and org.profile["country"] == "CN"
        assert org.profile["persons_in_scope"] == 40
        assert (org.timezone, org.currency) == ("Asia/Shanghai", "CNY")


def test_far_dates_and_control_characters_are_refused_on_the_spot(engine: Engine) -> None:
    lines = [*SETUP]
    lines[lines.index("Lindenau IT")] = "Lindenau\x00 IT"
    lines.insert(lines.index("Lindenau\x00 IT") + 1, "Lindenau IT")
    lines[lines.index("2027-01-11")] = "9999-06-01"
    lines.insert(lines.index("9999-06-01") + 1, "2027-01-11")
    out = run(engine, [*lines, "assign @bob resolution 9999-12-31", "quit"])
    assert "✖ Remove an unprintable character (U+0000)" in out
    assert "✖ Choose a date from 2000-01-01 to 2036-11-25" in out
    assert "✔ Profile saved" in out
    assert "Choose a date from 2000-01-01 to 2036-11-25 (at most 10 years ahead)." in out


def test_cancel_leaves_a_form_and_says_nothing_was_saved(engine: Engine) -> None:
    out = run(engine, ["setup", "Half done", "cancel", "status", "quit"])
    assert "Cancelled: nothing from this form was saved." in out
    assert "No organisation profile yet" in out
    with Session(engine) as session:
        assert session.exec(select(Organisation)).one().profile is None


def test_help_speaks_console(engine: Engine) -> None:
    out = run(engine, ["help", "quit"])
    for word in ("as NAME", "cancel", "quit", "press a button"):
        assert word in out


def test_answer_now_opens_the_assigned_section(engine: Engine) -> None:
    run(engine, [*SETUP, "assign @bob resolution 2026-12-15", "quit"])
    out = run(engine, ["status", "1", "cancel", "quit"], user="bob")
    assert "== Assessment ==" in out
    assert "Resolution and fulfilment — page 1 of" in out
    assert "Management and technical foundation" not in out  # not the first section


def test_a_due_date_on_a_weekend_is_kept_with_a_warning(engine: Engine) -> None:
    out = run(engine, [*SETUP, "assign @bob resolution 2026-12-19", "quit"])  # a Saturday
    assert "Note: 2026-12-19 is a Saturday, not a business day" in out
    out = run(engine, ["assign @bob resolution 2026-12-18", "quit"])  # a Friday
    assert "not a business day" not in out
