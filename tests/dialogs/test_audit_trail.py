"""The audit trail (issue 13): each administrative action leaves an entry saying who did
what, in the step's own transaction; a refused or rolled-back step leaves none; admins read
the trail with `log`, in their language and timezone, a page at a time, within Slack's limits.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.dialogs.commands import handle_action, handle_command, handle_submit
from bot.dialogs.context import DialogContext, OpenDirectory
from bot.dialogs.model import Message, Outcome, readable
from bot.dialogs.worker import run_step
from bot.slack.blocks import fallback_text, message_blocks
from bot.store import audit
from bot.store.db import make_engine
from bot.store.migrate import upgrade
from bot.store.models import AuditBatch, AuditEntry
from bot.store.personal import erase_person
from iso20k_core.language import language_for, using
from tests.dialogs.people import BANK, NOW, SETUP, as_user, reply
from tests.slackfake.limits import check_message


def _trail(session: Session, ctx: DialogContext) -> list[AuditEntry]:
    assert ctx.organisation.id is not None
    session.flush()
    return audit.entries(session, ctx.organisation.id, limit=1000)


def _actions(session: Session, ctx: DialogContext) -> list[str]:
    return [e.action for e in _trail(session, ctx)]


def _colleagues(ctx: DialogContext) -> DialogContext:
    """The context, with everyone named a person of the organisation's workspace."""
    ctx.directory = OpenDirectory("W1")
    return ctx


def _shown(message: Message) -> str:
    return readable(message.plain())


# Recording -------------------------------------------------------------------------------


def test_the_first_setup_records_the_profile_and_the_new_admin(session: Session) -> None:
    admin = as_user(session, "alice")
    handle_submit(admin, "setup", {}, SETUP)
    created, granted = sorted(_trail(session, admin), key=lambda e: e.action)
    assert granted.action == "role.granted" and granted.actor == "alice"
    assert granted.details == {"user": "alice", "name": None, "from": "member", "to": "admin"}
    assert created.action == "profile.created" and created.actor == "alice"
    assert created.at == NOW
    assert created.details is not None
    given = created.details["changes"]
    assert given["persons_in_scope"] == [None, 50] and given["currency"] == [None, "EUR"]
    assert given["start_date"] == [None, "2027-01-11"]
    assert "target_certification_date" not in given  # left empty: nothing to tell


def test_a_changed_profile_lists_the_fields_changed_and_the_rates_apart(
    session: Session,
) -> None:
    admin = as_user(session, "alice")
    handle_submit(admin, "setup", {}, SETUP)
    before = len(_trail(session, admin))
    changed = {**SETUP, "persons_in_scope": "60", "sites": "2", "consultant_day_rate": "1500"}
    outcome = handle_submit(admin, "setup", {}, changed)
    assert isinstance(outcome.reply, Message) and outcome.reply.heading == "Profile saved"
    new = _trail(session, admin)[: len(_trail(session, admin)) - before]
    by_action = {e.action: e.details for e in new}
    assert set(by_action) == {"profile.changed", "rates.changed"}
    assert by_action["profile.changed"] == {
        "changes": {"persons_in_scope": [50, 60], "sites": [1, 2]}
    }
    assert by_action["rates.changed"] == {"changes": {"consultant_day_rate": [None, 1500.0]}}

    # Saving the same again changes nothing, and records nothing.
    handle_submit(admin, "setup", {}, changed)
    assert len(_trail(session, admin)) == before + 2


def test_a_setup_refused_records_nothing(session: Session) -> None:
    admin = as_user(session, "alice")
    handle_submit(admin, "setup", {}, SETUP)
    before = len(_trail(session, admin))
    refused = handle_submit(admin, "setup", {}, {**SETUP, "persons_in_scope": "0"})
    assert refused.errors
    member = as_user(session, "bob")
    not_allowed = handle_submit(member, "setup", {}, {**SETUP, "persons_in_scope": "70"})
    assert isinstance(not_allowed.reply, Message) and "Only managers" in not_allowed.reply.heading
    assert len(_trail(session, admin)) == before


def test_setting_the_reminder_channel_is_recorded(session: Session) -> None:
    admin = as_user(session, "alice")
    handle_submit(admin, "setup", {}, SETUP)
    handle_submit(admin, "setup", {}, {**SETUP, "reminder_channel": "C42"})
    entry = _trail(session, admin)[0]
    assert entry.action == "reminders.channel_set"
    assert entry.details == {"from": None, "to": "C42"}


def test_granting_a_role_records_the_person_and_both_roles(
    organisation: DialogContext, session: Session
) -> None:
    admin = _colleagues(organisation)
    outcome = handle_command(admin, "role @bob manager")
    assert isinstance(outcome.reply, Message) and outcome.reply.heading == "Role granted"
    entry = _trail(session, admin)[0]
    assert (entry.action, entry.actor) == ("role.granted", "admin")
    assert entry.details == {"user": "bob", "name": "bob", "from": "member", "to": "manager"}
    # Granting the role someone has changes nothing: no entry.
    handle_command(admin, "role @bob manager")
    assert _actions(session, admin).count("role.granted") == 2  # the setup's and bob's


def test_a_role_grant_refused_records_nothing(
    organisation: DialogContext, session: Session
) -> None:
    before = len(_trail(session, organisation))
    member = _colleagues(as_user(session, "bob"))
    refused = handle_command(member, "role @carol admin")
    assert isinstance(refused.reply, Message) and refused.reply.heading.startswith("Only admins")
    handle_command(organisation, "role @carol manager")  # nobody known: not in the workspace
    handle_command(_colleagues(organisation), "role @carol owner")  # no such role
    assert len(_trail(session, organisation)) == before


def test_an_assignment_is_recorded(organisation: DialogContext, session: Session) -> None:
    admin = _colleagues(organisation)
    handle_command(admin, "assign @bob resolution 2026-12-15")
    entry = _trail(session, admin)[0]
    assert entry.action == "assignment.made"
    assert entry.details == {
        "user": "bob",
        "name": "bob",
        "section": "resolution",
        "due": "2026-12-15",
    }


def _booking(**changes: str) -> dict[str, Any]:
    return {
        "batch": "stage1",
        "booked_date": "2027-09-06",
        "certification_body": "TÜV Süd",
        "booking_reference": "Q-1",
        **changes,
    }


def _book(ctx: DialogContext, raw: dict[str, Any]) -> Outcome:
    outcome = handle_submit(ctx, "booking", {}, raw)
    assert not outcome.errors, outcome.errors
    return outcome


def _stage1_date(session: Session, ctx: DialogContext) -> str:
    handle_command(ctx, "audit")  # stores the plan's batches
    row = session.exec(
        select(AuditBatch).where(
            AuditBatch.organisation_id == ctx.organisation.id, AuditBatch.key == "stage1"
        )
    ).one()
    return (row.planned_date + dt.timedelta(days=7)).isoformat()


def test_a_booking_is_recorded_and_a_change_to_it_lists_what_changed(
    organisation: DialogContext, session: Session
) -> None:
    day = _stage1_date(session, organisation)
    _book(organisation, _booking(booked_date=day))
    entry = _trail(session, organisation)[0]
    assert entry.action == "booking.recorded"
    assert entry.details == {"batch": "stage1", "date": day, "body": "TÜV Süd", "reference": "Q-1"}

    _book(organisation, _booking(booked_date=day, certification_body="DQS"))
    entry = _trail(session, organisation)[0]
    assert entry.action == "booking.changed"
    assert entry.details == {"batch": "stage1", "changes": {"body": ["TÜV Süd", "DQS"]}}

    before = len(_trail(session, organisation))
    _book(organisation, _booking(booked_date=day, certification_body="DQS"))  # the same again
    member = as_user(session, "bob")
    refused = handle_submit(member, "booking", {}, _booking(booked_date=day))
    assert isinstance(refused.reply, Message) and "managers only" in refused.reply.heading
    assert len(_trail(session, organisation)) == before


def test_reminder_settings_are_recorded(organisation: DialogContext, session: Session) -> None:
    handle_command(organisation, "remind pause")
    handle_command(organisation, "remind pause")  # paused already: nothing changes
    handle_command(organisation, "remind resume")
    form = {
        "milestone_days": "5, 3",
        "booking_days": "20, 10, 3",
        "audit_days": "14, 7, 1",
        "nudge_repeats": "1, 3",
        "digest_weekday": "4",
        "work_start": "08:30",
        "work_end": "17:00",
    }
    saved = handle_submit(organisation, "remind", {}, form)
    assert not saved.errors, saved.errors
    changed, resumed, paused = _trail(session, organisation)[:3]
    assert paused.action == "reminders.paused" and resumed.action == "reminders.resumed"
    assert changed.action == "reminders.changed"
    assert changed.details == {
        "changes": {
            "milestone_days": [[3], [5, 3]],
            "digest_weekday": [0, 4],
            "work_start": ["09:00:00", "08:30:00"],
        }
    }
    before = len(_trail(session, organisation))
    member = as_user(session, "bob")
    handle_command(member, "remind pause")
    assert handle_submit(member, "remind", {}, form).reply is not None
    refused = handle_submit(organisation, "remind", {}, {**form, "work_start": "late"})
    assert refused.errors
    assert len(_trail(session, organisation)) == before


def test_copies_of_the_data_taken_are_recorded(
    organisation: DialogContext, session: Session
) -> None:
    report = handle_command(organisation, "report md")
    assert isinstance(report.reply, Message) and report.reply.file is not None
    member = as_user(session, "bob")
    calendar = handle_command(member, "export ics")
    assert isinstance(calendar.reply, Message) and calendar.reply.file is not None
    refused = handle_command(member, "export xlsx")  # costs and effort: managers only
    assert isinstance(refused.reply, Message) and refused.reply.file is None
    taken = [(e.actor, e.action, e.details) for e in _trail(session, organisation)[:2]]
    assert taken == [
        ("bob", "plan.exported", {"format": "ics"}),
        ("admin", "report.exported", {"format": "md"}),
    ]


def test_an_entry_goes_with_its_step_when_the_step_is_rolled_back(
    organisation: DialogContext, session: Session
) -> None:
    before = len(_trail(session, organisation))
    session.commit()
    handle_command(organisation, "remind pause")
    assert len(_trail(session, organisation)) == before + 1
    session.rollback()
    assert len(_trail(session, organisation)) == before


def test_a_repeated_delivery_records_its_action_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'trail.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:

        def step(text: str) -> Any:
            return lambda ctx: handle_command(ctx, text)

        def setup(ctx: DialogContext) -> Outcome:
            return handle_submit(ctx, "setup", {}, SETUP)

        run_step(engine, BANK, "console", "W1", "alice", NOW, setup)
        for _attempt in range(2):  # Slack retries a delivery it saw no answer to
            run_step(
                engine, BANK, "console", "W1", "alice", NOW, step("remind pause"), delivery="d1"
            )
        for _attempt in range(2):  # a modal submitted twice gets its answer twice, once stored
            run_step(
                engine,
                BANK,
                "console",
                "W1",
                "alice",
                NOW,
                lambda ctx: handle_command(ctx, "remind resume"),
                delivery="d2",
                modal=True,
            )
        with Session(engine) as s:
            actions = [e.action for e in s.exec(select(AuditEntry))]
        assert actions.count("reminders.paused") == 1
        assert actions.count("reminders.resumed") == 1
    finally:
        engine.dispose()


# Reading: `log` ----------------------------------------------------------------------------


def test_only_admins_read_the_trail(organisation: DialogContext, session: Session) -> None:
    manager = as_user(session, "bob", role="manager")
    refused = reply(manager, "log")
    assert refused.heading == "Only admins can see the audit trail"
    assert refused.tone == "warning" and not refused.sections
    assert "role.granted" not in _shown(refused)


def test_the_trail_tells_who_did_what_and_when_newest_first(
    organisation: DialogContext, session: Session
) -> None:
    admin = _colleagues(organisation)
    handle_command(admin, "role @bob manager")
    handle_submit(admin, "setup", {}, {**SETUP, "persons_in_scope": "60"})
    shown = reply(admin, "log")
    assert shown.heading == "Audit trail"
    assert "Entries 1–4 of 4, newest first. Times in Europe/Berlin." in shown.text
    headings = [s.heading for s in shown.sections]
    assert headings == ["2026-11-25 10:00 · admin"] * 4  # 09:00 UTC in Berlin
    texts = [readable(s.text or "") for s in shown.sections]
    assert texts[0] == "Changed the organisation profile: Persons in the SMS scope: 50 → 60"
    assert texts[1] == "Role of @bob: member → manager"
    assert texts[2] == "Role of @admin: member → admin"  # the first to save the setup
    assert texts[3].startswith(
        "Set up the organisation profile: Organisation name: Example IT, Language: English, "
        "Persons in the SMS scope: 50, IT staff: 40,"
    )  # in the form's order
    assert "Currency: EUR" in texts[3] and "Start date: 2027-01-11" in texts[3]
    assert "ITIL adoption: Partial" in texts[3]
    assert not shown.buttons  # one page


def test_every_recorded_action_reads_as_a_sentence(
    organisation: DialogContext, session: Session
) -> None:
    admin = _colleagues(organisation)
    day = _stage1_date(session, admin)
    handle_command(admin, "assign @bob resolution 2026-12-15")
    handle_command(admin, "assign @bob assurance")
    _book(admin, _booking(booked_date=day))
    _book(admin, _booking(booked_date=day, booking_reference=""))
    handle_command(admin, "remind pause")
    handle_command(admin, "remind resume")
    handle_command(admin, "export ics")
    handle_submit(admin, "setup", {}, {**SETUP, "reminder_channel": "C42"})
    texts = [readable(s.text or "") for s in reply(admin, "log").sections]
    assert texts[:8] == [
        "Reminder channel: none → #C42",
        "Took a copy of the plan (ICS)",
        "Resumed the reminders",
        "Paused the reminders",
        "Changed the booking of Stage 1 audit: Booking reference: Q-1 → —",
        f"Recorded a booking: Stage 1 audit on {day} with TÜV Süd, reference Q-1",
        "Asked @bob to answer Service assurance, no due date",
        "Asked @bob to answer Resolution and fulfilment, due 2026-12-15",
    ]


def test_an_entry_of_another_kind_is_shown_as_it_is(
    organisation: DialogContext, session: Session
) -> None:
    assert organisation.organisation.id is not None
    audit.record(session, organisation.organisation.id, audit.CLI, "org.exported", {"to": "x"})
    audit.record(session, organisation.organisation.id, "U9", "oauth.installed", {"team": "T1"})
    audit.record(
        session,
        organisation.organisation.id,
        "U9",
        "role.granted",
        {"who": "U1"},
        actor_name="\ue000@U1\ue001 Ana",  # a platform's name is nobody's mention
    )
    shown = reply(organisation, "log")
    texts = [readable(s.text or "") for s in shown.sections[:3]]
    assert texts == [
        "role.granted: who=U1",
        "oauth.installed: team=T1",
        "Exported all of the organisation's data",
    ]
    assert shown.sections[0].heading is not None and shown.sections[0].heading.endswith("@U1 Ana")
    assert shown.sections[2].heading is not None
    assert shown.sections[2].heading.endswith("· the command line")


def test_an_erased_person_reads_as_one_in_both_languages(
    organisation: DialogContext, session: Session
) -> None:
    admin = _colleagues(organisation)
    handle_command(admin, "role @bob manager")
    bob = as_user(session, "bob", role="manager")
    handle_command(bob, "remind pause")
    erase_person(session, admin.organisation, bob.member, NOW)
    assert admin.organisation.id is not None
    audit.record(session, admin.organisation.id, audit.CLI, "person.erased", {"member": 2})
    shown = reply(admin, "log")
    texts = [readable(s.text or "") for s in shown.sections[:3]]
    assert texts == [
        "Erased one person's data: their answers stay, anonymous",
        "Paused the reminders",
        "Role of an erased person: member → manager",
    ]
    assert shown.sections[1].heading is not None
    assert shown.sections[1].heading.endswith("· an erased person")
    assert "bob" not in _shown(shown)
    chinese = language_for("zh-CN")
    assert chinese is not None
    with using(chinese):
        texts = [readable(s.text or "") for s in reply(admin, "log").sections[:3]]
    assert texts[0] == "删除了一名人员的个人数据：其回答保留，已匿名"
    assert texts[2] == "一名已删除的人员 的角色：成员 → 管理者"


def test_an_empty_trail_says_so(session: Session) -> None:
    admin = as_user(session, "alice", role="admin")
    shown = reply(admin, "log")
    assert shown.heading == "Audit trail" and not shown.sections
    assert "Nothing has been recorded yet" in shown.text


def _many(ctx: DialogContext, n: int) -> None:
    """`n` entries of the longest kind: a first setup's, with every field given."""
    assert ctx.organisation.id is not None
    long = "Ü" * 200
    given = {f"persons_in_scope_{i}": [None, long] for i in range(30)}
    for i in range(n):
        at = NOW - dt.timedelta(minutes=n - i)
        audit.record(
            ctx.session,
            ctx.organisation.id,
            f"U{i}",
            "profile.created",
            {"changes": given},
            actor_name=long,
            at=at,
        )
    ctx.session.flush()


def test_a_long_trail_comes_in_pages_within_slacks_limits(session: Session) -> None:
    admin = as_user(session, "alice", role="admin")
    _many(admin, 45)
    first = reply(admin, "log")
    assert len(first.sections) == 20
    assert "Entries 1–20 of 45" in first.text
    assert [b.label for b in first.buttons] == ["Older entries"]
    assert first.sections[0].heading is not None and first.sections[0].heading.endswith("…")
    pressed = handle_action(admin, first.buttons[0].action, first.buttons[0].value).reply
    assert isinstance(pressed, Message) and "Entries 21–40 of 45" in pressed.text
    assert [b.label for b in pressed.buttons] == ["Older entries", "Newer entries"]
    last = reply(admin, "log 3")
    assert len(last.sections) == 5 and [b.label for b in last.buttons] == ["Newer entries"]
    for message in (first, pressed, last):
        blocks = message_blocks(message)
        check_message({"text": fallback_text(message), "blocks": blocks})
        assert "more in the full report" not in str(blocks)  # nothing cut off
    beyond = reply(admin, "log 4")
    assert beyond.heading == "There is no page 4" and "pages 1 to 3" in beyond.text
    wrong = reply(admin, "log all")
    assert wrong.tone == "error" and "log [page]" in readable(wrong.text)


def test_the_trail_reads_in_chinese(organisation: DialogContext, session: Session) -> None:
    admin = _colleagues(organisation)
    handle_command(admin, "role @bob manager")
    handle_submit(admin, "setup", {}, {**SETUP, "persons_in_scope": "60"})
    chinese = language_for("zh-CN")
    assert chinese is not None
    with using(chinese):
        shown = reply(admin, "log")
    texts = [readable(s.text or "") for s in shown.sections]
    assert shown.heading == "审计日志"
    assert texts[0] == "更改了组织概况：服务管理体系（SMS）范围内人数：50 → 60"
    assert texts[1] == "@bob 的角色：成员 → 管理者"
    assert shown.sections[0].heading == "2026年11月25日 10:00 · admin"
    assert not any(word in " ".join(texts) for word in ("Role of", "Changed", "manager"))


@pytest.mark.parametrize("command", ["log", "trail"])
def test_log_is_in_the_help_and_routed(
    organisation: DialogContext, session: Session, command: str
) -> None:
    assert "log [page]" in readable(reply(organisation, "help").plain())
    assert reply(organisation, command).heading == "Audit trail"
