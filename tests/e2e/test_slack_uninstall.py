"""Uninstalling over real HTTP: Slack's signed `app_uninstalled` and `tokens_revoked` events
remove the workspace's tokens and pause its reminders; other workspaces go on."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from bot.reminders.outbox import claim_due
from bot.store.crud import get_or_create_organisation
from bot.store.models import Organisation, Reminder, SlackInstallation
from bot.store.secrets import Cipher, new_key
from tests.e2e.harness import NOW, SlackWorld, wait_until
from tests.e2e.test_slack_basics import set_up

LATER = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)  # every reminder of the plan is due by then


def install(world: SlackWorld, *teams: str) -> None:
    """Installation rows as the OAuth install keeps them (tokens encrypted)."""
    cipher = Cipher([new_key()])
    with Session(world.engine) as session:
        for team in teams:
            secrets = cipher.encrypt({"bot_token": f"xoxb-{team}"})
            session.add(
                SlackInstallation(installation_key=f":{team}", team_id=team, secrets=secrets)
            )
        session.commit()


def installed_teams(world: SlackWorld) -> set[str | None]:
    with Session(world.engine) as session:
        return {row.team_id for row in session.exec(select(SlackInstallation))}


def uninstalled_at(world: SlackWorld) -> dict[str, dt.datetime | None]:
    with Session(world.engine) as session:
        return {o.external_id: o.uninstalled_at for o in session.exec(select(Organisation))}


def settled(world: SlackWorld) -> None:
    """The work the events handed to the background is done."""
    wait_until(lambda: len(world.deps.background) == 0, 60, "for the event's store work")


def claimable(world: SlackWorld) -> set[str]:
    """Whose reminders a worker would claim now (and then sends)."""
    with Session(world.engine) as session:
        _, claimed = claim_due(session, LATER)
        ids = {r.organisation_id for r in claimed}
        orgs = session.exec(select(Organisation).where(col(Organisation.id).in_(ids)))
        return {o.external_id for o in orgs}


def test_app_uninstalled_removes_the_tokens_and_pauses_reminders(world: SlackWorld) -> None:
    set_up(world, "T1")
    set_up(world, "T2")
    install(world, "T1", "T2")
    response = world.event({"type": "app_uninstalled"}, team="T1")
    assert response.status == 200
    settled(world)
    assert installed_teams(world) == {"T2"}
    assert uninstalled_at(world) == {"T1": NOW, "T2": None}
    assert claimable(world) == {"T2"}
    with Session(world.engine) as session:
        t1 = session.exec(select(Organisation).where(Organisation.external_id == "T1")).one()
        paused = session.exec(select(Reminder).where(Reminder.organisation_id == t1.id)).all()
    assert paused and {r.state for r in paused} == {"pending"}  # not sent, not failed


def test_revoked_bot_token_uninstalls_and_an_unknown_workspace_is_nothing(
    world: SlackWorld,
) -> None:
    set_up(world, "T1")
    install(world, "T1")
    unknown = world.event({"type": "app_uninstalled"}, team="T9")
    assert unknown.status == 200
    users_only = world.event(
        {"type": "tokens_revoked", "tokens": {"oauth": ["U1"], "bot": []}}, team="T1"
    )
    assert users_only.status == 200
    settled(world)
    assert uninstalled_at(world) == {"T1": None}
    assert installed_teams(world) == {"T1"}

    revoked = world.event(
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}}, team="T1"
    )
    assert revoked.status == 200
    settled(world)
    assert uninstalled_at(world) == {"T1": NOW}
    assert installed_teams(world) == set()
    assert claimable(world) == set()


def test_using_the_app_again_resumes_the_workspace(world: SlackWorld) -> None:
    """With one SLACK_BOT_TOKEN there is no install flow: Slack delivering a person's command
    from the workspace is what says the app is installed there again."""
    set_up(world, "T1")
    assert world.event({"type": "app_uninstalled"}, team="T1").status == 200
    settled(world)
    assert uninstalled_at(world) == {"T1": NOW} and claimable(world) == set()
    assert world.command("status", team="T1").status == 200
    wait_until(lambda: uninstalled_at(world) == {"T1": None}, 60, "for the reinstall")
    assert claimable(world) == {"T1"}


def test_an_org_wide_uninstall_marks_the_enterprises_workspaces(world: SlackWorld) -> None:
    with Session(world.engine) as session:
        for external in ("E1:T1", "E1:T2", "T3"):
            get_or_create_organisation(session, "slack", external, external)
        secrets = Cipher([new_key()]).encrypt({"bot_token": "xoxb-grid"})
        session.add(
            SlackInstallation(
                installation_key="E1:",
                enterprise_id="E1",
                is_enterprise_install=True,
                secrets=secrets,
            )
        )
        session.commit()
    response = world.event({"type": "app_uninstalled"}, team="T1", enterprise="E1", org_wide=True)
    assert response.status == 200
    settled(world)
    assert uninstalled_at(world) == {"E1:T1": NOW, "E1:T2": NOW, "T3": None}
    with Session(world.engine) as session:
        assert session.exec(select(SlackInstallation)).all() == []
