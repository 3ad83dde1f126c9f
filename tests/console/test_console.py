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
    "40",  # persons in scope
    "30",  # IT staff
    "5",  # services
    "1",  # sites
    "0",  # FTE: refused, below 0.1
    "2",  # FTE
    "2",  # ITIL adoption: Partial
    "1,2",  # ISO 9001, ISO/IEC 27001
    "2026-01-01",  # start date in the past: refused
    "2027-01-11",  # start date
    "",  # no target
    "DE",
    "Europe/Berlin",
    "EUR",
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
    "4",  # understanding: maturity 3 (fourth option)
    "Managed workplace and hosting services for the city administration.",
    "9",  # sms_leadership.commitment: not an option
    "5",  # maturity 4
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
    assert "✖ Choose one of: 0, 1, 2, 3, 4, 5." in out
    assert "Context and leadership: saved" in out
    assert "9 of 9" in out
    bank = load_bank()
    assert bank.question_index["sms_context.scope"].guidance[:60] in out.replace("\n      ", " ")
    assert "Answered        9 of 157" in out
    assert "Next audit" in out

    with Session(engine) as session:
        org = session.exec(select(Organisation)).one()
        assert org.name == "Lindenau IT" and org.timezone == "Europe/Berlin"
        assert org.profile is not None
        assert org.profile["existing_certifications"] == ["ISO 9001", "ISO/IEC 27001"]
        member = session.exec(select(Member)).one()
        assert member.role == "admin"  # the first to run setup
        history = session.exec(select(AnswerRevision)).all()
        assert {r.question_id: r.new_value for r in history}["sms_context.understanding"] == 3


def test_unknown_commands_answer_with_help_and_the_closest_match(engine: Engine) -> None:
    out = run(engine, ["stauts", "assess nosuch", ""])
    assert "I don't know 'stauts'. Did you mean /iso20k status?" in out
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
