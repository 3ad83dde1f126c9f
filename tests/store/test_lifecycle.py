"""An organisation's data after install: uninstalled, exported, deleted, purged after the
retention period (bot/store/lifecycle.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlalchemy import select as select_rows
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from bot.store import audit
from bot.store.crud import (
    current_assessment,
    get_or_create_organisation,
    record_answer,
    upsert_member,
)
from bot.store.db import make_engine
from bot.store.deliveries import record_delivery
from bot.store.lifecycle import (
    SlackWorkspace,
    delete_organisation,
    export_organisation,
    in_use,
    purge_expired,
    slack_tokens_revoked,
    slack_uninstalled,
    uninstalled,
)
from bot.store.models import (
    Assignment,
    AuditBatch,
    Download,
    Milestone,
    Organisation,
    Reminder,
    SlackInstallation,
    TeamsAccount,
    TeamsConversation,
)
from bot.store.secrets import Cipher, new_key
from tests.migrated import migrated

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
RETENTION = dt.timedelta(days=30)
BOT_TOKEN = "xoxb-1111-secret-bot-token"
USER_TOKEN = "xoxp-2222-secret-user-token"
DIGEST = "f" * 64


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    """Each test on SQLite and on PostgreSQL (tests/conftest.py)."""
    return migrated_engine


@pytest.fixture
def cipher() -> Cipher:
    return Cipher([new_key()])


def populate(session: Session, cipher: Cipher, team: str, name: str) -> Organisation:
    """An organisation with a row in every table that holds an organisation's data."""
    org = get_or_create_organisation(session, "slack", team, name, now=NOW)
    org.profile = {"organisation": name, "persons_in_scope": 40}
    session.add(org)
    alice = upsert_member(session, org, "U1", display_name="李雷", now=NOW)
    bob = upsert_member(session, org, "U2", display_name="Bob", now=NOW)
    assessment = current_assessment(session, org, "2018.1", now=NOW)
    record_answer(session, assessment, "leadership.commitment", 1, alice, now=NOW)
    record_answer(session, assessment, "leadership.commitment", 3, bob, now=NOW + DAY)
    record_answer(session, assessment, "planning.risks", "部分完成", alice, now=NOW)
    oid, aid = org.id or 0, assessment.id or 0
    session.add_all(
        [
            Assignment(
                organisation_id=oid, assessment_id=aid, section_id="planning", member_id=bob.id or 0
            ),
            Milestone(
                organisation_id=oid, key="stage2_audit", title="Stage 2", planned_date=NOW.date()
            ),
            AuditBatch(
                organisation_id=oid,
                key="stage1",
                title="Stage 1",
                planned_date=NOW.date(),
                booking_deadline=NOW.date(),
                booked=True,
                booked_date=NOW.date(),
                certification_body="CQC",
                booking_reference="REF-1",
            ),
            Reminder(
                organisation_id=oid,
                kind="milestone",
                target="C1",
                subject="stage2_audit",
                due_at=NOW + DAY,
                dedupe_key="milestone:stage2_audit:0",
                claim_token="worker-lease",
            ),
            TeamsConversation(organisation_id=oid, conversation_id="a:1", service_url="https://x"),
            TeamsAccount(organisation_id=oid, aad_object_id="aad-1", teams_user_id="29:1"),
            Download(
                organisation_id=oid,
                token_digest=DIGEST if team == "T1" else hashlib.sha256(team.encode()).hexdigest(),
                filename="report.pdf",
                mime="application/pdf",
                content=b"%PDF-1.7",
                expires_at=NOW + DAY,
            ),
            SlackInstallation(
                installation_key=f":{team}",
                team_id=team,
                installer_user_id="U1",
                secrets=cipher.encrypt(
                    {
                        "bot_token": BOT_TOKEN,
                        "user_token": USER_TOKEN,
                        "user_token_expires_at": "1800000000",
                    }
                ),
            ),
        ]
    )
    audit.record(session, oid, "U1", "role.granted", {"member": "U2", "role": "manager"}, at=NOW)
    record_delivery(session, "slack", f"command:{team}:1", team, NOW)
    session.commit()
    session.refresh(org)
    return org


def tenant_tables() -> list[str]:
    return [t.name for t in SQLModel.metadata.sorted_tables if "organisation_id" in t.c]


def count(session: Session, table: str, org_id: int | None = None) -> int:
    t = SQLModel.metadata.tables[table]
    query = select_rows(func.count()).select_from(t)
    if org_id is not None:
        query = query.where(t.c.organisation_id == org_id)
    return int(session.connection().execute(query).scalar_one())


# Where each table's rows are in an export.
EXPORTED: dict[str, Callable[[dict[str, Any]], list[Any]]] = {
    "member": lambda e: e["members"],
    "assessment": lambda e: e["assessments"],
    "answer": lambda e: [a for s in e["assessments"] for a in s["answers"] if "id" in a],
    "answer_revision": lambda e: [
        r for s in e["assessments"] for a in s["answers"] for r in a["revisions"]
    ],
    "assignment": lambda e: e["assignments"],
    "milestone": lambda e: e["milestones"],
    "audit_batch": lambda e: e["audit_batches"],
    "reminder": lambda e: e["reminders"],
    "audit_entry": lambda e: e["audit_trail"],
    "teamsconversation": lambda e: e["teams_conversations"],
    "teamsaccount": lambda e: e["teams_accounts"],
    "download": lambda e: e["downloads"],
}


def test_export_holds_every_row_with_history_and_no_secret(engine: Engine, cipher: Cipher) -> None:
    with Session(engine) as session:
        org = populate(session, cipher, "T1", "示例公司")
        populate(session, cipher, "T2", "Other Ltd")
        exported = export_organisation(session, org, NOW)
        for table in tenant_tables():  # a new table must be exported too
            assert len(EXPORTED[table](exported)) == count(session, table, org.id), table
    text = json.dumps(exported, ensure_ascii=False)
    assert json.loads(text) == exported  # plain JSON, nothing lost on the way
    assert "示例公司" in text and "李雷" in text and "部分完成" in text
    for secret in (BOT_TOKEN, USER_TOKEN, DIGEST, "worker-lease", "Other Ltd"):
        assert secret not in text
    assert exported["organisation"]["profile"]["persons_in_scope"] == 40
    assert exported["organisation"]["created_at"] == NOW.isoformat()
    (assessment,) = exported["assessments"]
    answers = {a["question_id"]: a for a in assessment["answers"]}
    history = answers["leadership.commitment"]["revisions"]
    assert [(r["old_value"], r["new_value"]) for r in history] == [(None, 1), (1, 3)]
    assert answers["leadership.commitment"]["value"] == 3
    booking = exported["audit_batches"][0]
    assert (booking["booked_date"], booking["booking_reference"]) == ("2026-12-01", "REF-1")
    (installation,) = exported["slack_installations"]
    assert installation["team_id"] == "T1" and "secrets" not in installation
    assert exported["downloads"][0]["filename"] == "report.pdf"
    assert exported["audit_trail"][0]["action"] == "role.granted"


def test_delete_removes_every_row_of_it_and_no_other(engine: Engine, cipher: Cipher) -> None:
    with Session(engine) as session:
        doomed = populate(session, cipher, "T1", "Doomed")
        kept = populate(session, cipher, "T2", "Kept")
        before = {t: count(session, t, kept.id) for t in tenant_tables()}
        doomed_id, kept_id = doomed.id, kept.id
        delete_organisation(session, doomed)
        session.commit()
    with Session(engine) as session:
        for table in tenant_tables():
            assert count(session, table, doomed_id) == 0, table
            assert count(session, table, kept_id) == before[table] > 0, table
        assert session.get(Organisation, doomed_id) is None
        assert session.get(Organisation, kept_id) is not None
        teams = (
            session.connection()
            .execute(select_rows(col(SlackInstallation.team_id)))
            .scalars()
            .all()
        )
        assert teams == ["T2"]
        workspaces = session.connection().execute(
            select(SQLModel.metadata.tables["delivery"].c.workspace_id)
        )
        assert list(workspaces.scalars()) == ["T2"]


def test_purge_deletes_only_past_the_retention(engine: Engine, cipher: Cipher) -> None:
    with Session(engine) as session:
        old = populate(session, cipher, "T1", "Gone 31 days")
        recent = populate(session, cipher, "T2", "Gone 29 days")
        installed = populate(session, cipher, "T3", "Installed")
        uninstalled(session, "slack", "T1", NOW - 31 * DAY)
        uninstalled(session, "slack", "T2", NOW - 29 * DAY)
        session.commit()
        assert purge_expired(session, NOW, RETENTION) == [old.id]
        session.commit()
        assert purge_expired(session, NOW, RETENTION) == []  # nothing twice
        left = {o.name for o in session.exec(select(Organisation))}
        assert left == {"Gone 29 days", "Installed"}
        assert count(session, "answer_revision", recent.id) == 3
        assert count(session, "answer_revision", installed.id) == 3


def test_reinstall_before_the_deadline_keeps_everything(engine: Engine, cipher: Cipher) -> None:
    with Session(engine) as session:
        org = populate(session, cipher, "T1", "Back again")
        uninstalled(session, "slack", "T1", NOW - 29 * DAY)
        session.commit()
        before = {t: count(session, t, org.id) for t in tenant_tables()}
        org.uninstalled_at = None  # what the OAuth install does on a reinstall
        session.add(org)
        session.commit()
        assert purge_expired(session, NOW + 10 * DAY, RETENTION) == []
        session.commit()
        assert {t: count(session, t, org.id) for t in tenant_tables()} == before


def test_uninstall_removes_the_tokens_and_keeps_the_earliest_time(
    engine: Engine, cipher: Cipher
) -> None:
    with Session(engine) as session:
        org = populate(session, cipher, "T1", "Acme")
        populate(session, cipher, "T2", "Other")
        first = uninstalled(session, "slack", "T1", NOW)
        assert first is not None and first.uninstalled_at == NOW
        again = uninstalled(session, "slack", "T1", NOW + DAY)  # Slack retried the event
        assert again is not None and again.uninstalled_at == NOW
        session.commit()
        session.refresh(org)
        assert org.uninstalled_at == NOW
        teams = (
            session.connection()
            .execute(select_rows(col(SlackInstallation.team_id)))
            .scalars()
            .all()
        )
        assert teams == ["T2"]
        assert uninstalled(session, "slack", "T9", NOW) is None  # never known: nothing to do


def test_org_wide_uninstall_marks_the_enterprises_workspaces(
    engine: Engine, cipher: Cipher
) -> None:
    with Session(engine) as session:
        for external in ("E1:T1", "E1:T2", "E1:T3", "E2:T1", "T1"):
            get_or_create_organisation(session, "slack", external, external)
        session.add_all(
            [
                SlackInstallation(
                    installation_key="E1:",
                    enterprise_id="E1",
                    is_enterprise_install=True,
                    secrets=cipher.encrypt({"bot_token": BOT_TOKEN}),
                ),
                # E1:T3 has an install of its own besides the org-wide one: it stays
                SlackInstallation(
                    installation_key="E1:T3",
                    enterprise_id="E1",
                    team_id="T3",
                    secrets=cipher.encrypt({"bot_token": BOT_TOKEN}),
                ),
            ]
        )
        session.commit()
        marked = slack_uninstalled(session, SlackWorkspace(None, "E1", org_wide=True), NOW)
        session.commit()
        assert sorted(o.external_id for o in marked) == ["E1:T1", "E1:T2"]
        gone = {
            o.external_id
            for o in session.exec(select(Organisation))
            if o.uninstalled_at is not None
        }
        assert gone == {"E1:T1", "E1:T2"}
        keys = session.connection().execute(select_rows(col(SlackInstallation.installation_key)))
        assert list(keys.scalars()) == ["E1:T3"]


def test_revoked_bot_token_uninstalls_and_user_tokens_only_lose_themselves(
    engine: Engine, cipher: Cipher
) -> None:
    with Session(engine) as session:
        a = populate(session, cipher, "T1", "Users revoked")
        b = populate(session, cipher, "T2", "Bot revoked")
        assert slack_tokens_revoked(session, SlackWorkspace("T1"), [], ["U1"], NOW, cipher) == []
        (marked,) = slack_tokens_revoked(session, SlackWorkspace("T2"), ["U0BOT"], [], NOW, cipher)
        session.commit()
        assert marked.id == b.id
        session.refresh(a)
        assert a.uninstalled_at is None
        (row,) = session.exec(select(SlackInstallation))
        assert row.team_id == "T1"
        assert cipher.decrypt(row.secrets) == {"bot_token": BOT_TOKEN}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.datetimes(
            min_value=dt.datetime(2020, 1, 1),
            max_value=dt.datetime(2030, 1, 1),
            timezones=st.just(dt.UTC),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_uninstalled_at_is_the_earliest_of_any_deliveries(
    tmp_path_factory: pytest.TempPathFactory, times: list[dt.datetime]
) -> None:
    """However often and in whatever order Slack delivers the event, the first time holds."""
    url = f"sqlite:///{tmp_path_factory.mktemp('earliest') / 'e.db'}"
    migrated(url)
    e = make_engine(url)
    try:
        with Session(e) as session:
            get_or_create_organisation(session, "slack", "T1", "Acme")
            for at in times:
                uninstalled(session, "slack", "T1", at)
                session.commit()
            (org,) = session.exec(select(Organisation))
            # SQLite keeps microseconds; PostgreSQL too: the earliest, exactly.
            assert org.uninstalled_at == min(times)
    finally:
        e.dispose()


def test_a_reinstall_in_progress_is_not_purged_under_it(fresh_postgres_url: str) -> None:
    """PostgreSQL: a purge skips an organisation whose row a reinstall is changing, and a
    second worker purging at the same moment skips what the first holds."""
    migrated(fresh_postgres_url)
    e = make_engine(fresh_postgres_url)
    try:
        with Session(e) as setup:
            for team in ("T1", "T2"):
                get_or_create_organisation(setup, "slack", team, team)
                uninstalled(setup, "slack", team, NOW - 40 * DAY)
            setup.commit()
        with Session(e) as reinstall, Session(e) as first, Session(e) as second:
            org = reinstall.exec(select(Organisation).where(Organisation.external_id == "T1")).one()
            org.uninstalled_at = None
            reinstall.add(org)
            reinstall.flush()  # holds T1's row, not yet committed
            purged = purge_expired(first, NOW, RETENTION)
            assert len(purged) == 1  # T2 only
            assert purge_expired(second, NOW, RETENTION) == []  # T2 is the first's
            first.commit()
            reinstall.commit()
        with Session(e) as after:
            left = {(o.external_id, o.uninstalled_at) for o in after.exec(select(Organisation))}
        assert left == {("T1", None)}
    finally:
        e.dispose()


def test_in_use_clears_the_mark_once(engine: Engine) -> None:
    with Session(engine) as session:
        org = get_or_create_organisation(session, "slack", "T1", "Acme")
        assert not in_use(session, org)
        uninstalled(session, "slack", "T1", NOW)
        session.refresh(org)
        assert in_use(session, org) and org.uninstalled_at is None
        session.commit()
        assert purge_expired(session, NOW + 365 * DAY, RETENTION) == []
