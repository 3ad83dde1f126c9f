"""One person's data (bot/store/personal.py): exported whole, and erased so that nothing of the
organisation still says who they were, on SQLite and PostgreSQL, while their answers stay."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.store import audit
from bot.store.lifecycle import export_organisation
from bot.store.models import (
    Answer,
    AnswerRevision,
    Assignment,
    Member,
    Organisation,
    Reminder,
    SlackInstallation,
    TeamsAccount,
    TeamsConversation,
)
from bot.store.personal import CipherNeeded, erase_person, export_person, find_member
from bot.store.secrets import Cipher, new_key
from tests.store.test_lifecycle import BOT_TOKEN, DAY, NOW, USER_TOKEN, count, populate

CIPHER = Cipher([new_key()])


def organisation(session: Session, team: str) -> Organisation:
    return session.exec(select(Organisation).where(Organisation.external_id == team)).one()


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    """T1 and T2 as bot/store tests populate them (U1 李雷 installed the app, U2 Bob was
    given a section), and in T1 what concerns Bob alone: a nudge, his role's change, a booking
    he recorded, his Teams account and chat."""
    with Session(migrated_engine) as session:
        for team, name in (("T1", "示例公司"), ("T2", "Other Ltd")):
            populate(session, CIPHER, team, name)
        t1 = organisation(session, "T1").id or 0
        session.add_all(
            [
                Reminder(
                    organisation_id=t1,
                    kind="assignment_nudge",
                    target="U2",
                    subject="planning",
                    due_at=NOW + DAY,
                    dedupe_key="nudge:planning:U2:0",
                ),
                TeamsAccount(organisation_id=t1, aad_object_id="U2", teams_user_id="29:bob"),
                TeamsConversation(
                    organisation_id=t1,
                    conversation_id="a:bob",
                    service_url="https://x",
                    user_aad_id="U2",
                ),
            ]
        )
        role = {"user": "U2", "name": "Bob", "from": "member", "to": "manager"}
        audit.record(session, t1, "U1", "role.granted", role, actor_name="李雷", at=NOW)
        booking = {"batch": "stage1", "date": "2027-03-01", "body": "CQC", "reference": None}
        audit.record(session, t1, "U2", "booking.recorded", booking, actor_name="Bob", at=NOW)
        session.commit()
    return migrated_engine


def person(session: Session, team: str, who: str) -> tuple[Organisation, Member]:
    org = organisation(session, team)
    member = find_member(session, org, who)
    assert member is not None
    return org, member


def mentions(text: str, *words: str) -> list[str]:
    return [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


def test_a_person_export_holds_what_concerns_them_and_no_token(engine: Engine) -> None:
    with Session(engine) as session:
        org, bob = person(session, "T1", "U2")
        exported = export_person(session, org, bob, NOW)
        _, alice = person(session, "T1", "U1")
        installer = json.dumps(export_person(session, org, alice, NOW), ensure_ascii=False)

    assert exported["format"] == "iso20k-person-export/1"
    assert exported["member"]["display_name"] == "Bob"
    assert [a["value"] for a in exported["answers"]] == [3]  # the answer he gave, current
    assert [r["new_value"] for r in exported["answer_revisions"]] == [3]
    assert [a["section_id"] for a in exported["assignments"]] == ["planning"]
    assert [r["kind"] for r in exported["reminders"]] == ["assignment_nudge"]
    assert [e["action"] for e in exported["audit_trail"]] == [
        "role.granted",  # populate's, naming him as {"member": "U2"}
        "role.granted",
        "booking.recorded",
    ]
    assert len(exported["teams_accounts"]) == len(exported["teams_conversations"]) == 1
    assert exported["slack_installations"] == []
    assert "U1" not in json.dumps(exported["member"])
    # the person who installed the app sees the installation, never a token
    assert '"installer_user_id": "U1"' in installer
    assert BOT_TOKEN not in installer and USER_TOKEN not in installer and "secrets" not in installer


def test_member_ids_find_people_and_strangers_are_none(engine: Engine) -> None:
    with Session(engine) as session:
        org, bob = person(session, "T1", "U2")
        assert find_member(session, org, str(bob.id)) == bob
        assert find_member(session, org, "U9") is None
        other = organisation(session, "T2")
        assert find_member(session, other, str(bob.id)) is None  # another organisation's


def test_erasing_a_person_leaves_nothing_that_says_who_they_were(engine: Engine) -> None:
    with Session(engine) as session:
        org, bob = person(session, "T1", "U2")
        other = organisation(session, "T2")
        before_other = json.dumps(export_organisation(session, other, NOW), sort_keys=True)
        answers_before = session.exec(select(Answer.question_id, Answer.value)).all()
        erased = erase_person(session, org, bob, NOW, CIPHER)
        session.commit()

    assert erased.assignments == 1 and erased.reminders == 1 and erased.teams_rows == 2
    assert erased.audit_entries == 3 and erased.installations == 0
    with Session(engine) as session:
        org = organisation(session, "T1")
        everything = json.dumps(export_organisation(session, org, NOW), ensure_ascii=False)
        assert mentions(everything, "U2", "Bob", "29:bob", "a:bob") == []
        member = session.get(Member, erased.member_id)
        assert member is not None
        assert (member.platform_user_id, member.display_name, member.role) == (
            f"erased:{erased.member_id}",
            None,
            "member",
        )
        # his answers are the organisation's: kept, under the same member id
        assert session.exec(select(Answer.question_id, Answer.value)).all() == answers_before
        revisions = session.exec(
            select(AnswerRevision).where(col(AnswerRevision.changed_by) == erased.member_id)
        ).all()
        assert [r.new_value for r in revisions] == [3]
        assert count(session, "assignment", org.id) == 0
        # what was not his stays: the channel's milestone reminder, the others' Teams rows
        reminders = session.exec(select(Reminder).where(Reminder.organisation_id == org.id))
        assert [r.target for r in reminders] == ["C1"]
        assert count(session, "teamsaccount", org.id) == 1
        assert count(session, "teamsconversation", org.id) == 1
        assert "李雷" in everything  # the person who acted on him is still named
        # another organisation's U2 is another person: untouched
        other = organisation(session, "T2")
        after_other = json.dumps(export_organisation(session, other, NOW), sort_keys=True)
        assert after_other == before_other


def test_erasing_the_installer_takes_their_user_token_out_and_keeps_the_bot_token(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        org, alice = person(session, "T1", "U1")
        erased = erase_person(session, org, alice, NOW, CIPHER)
        session.commit()
        installation = session.exec(
            select(SlackInstallation).where(SlackInstallation.team_id == "T1")
        ).one()
    assert erased.installations == 1
    assert installation.installer_user_id is None
    assert CIPHER.decrypt(installation.secrets) == {"bot_token": BOT_TOKEN}


def test_without_the_cipher_the_installer_is_not_erased_at_all(engine: Engine) -> None:
    with Session(engine) as session:
        org, alice = person(session, "T1", "U1")
        with pytest.raises(CipherNeeded):
            erase_person(session, org, alice, NOW, None)
        session.rollback()
        _, still = person(session, "T1", "U1")
        assert still.display_name == "李雷"
        assert count(session, "audit_entry", org.id) == 3
        assert session.exec(select(Assignment)).all()  # nothing deleted either
