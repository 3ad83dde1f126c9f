"""Tenancy over real HTTP: no workspace, no organisation; Enterprise Grid keys; a manager of
one workspace cannot reach people of another."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session, select

from bot.store.models import Assignment, Member, Organisation
from tests.e2e.harness import SECRET, Response, SlackWorld, block_text
from tests.e2e.quiet import WorkCounter
from tests.e2e.test_slack_basics import set_up, setup_values
from tests.slackfake.limits import check_view
from tests.slackfake.signing import (
    block_actions_body,
    button_action,
    event_body,
    post,
    slash_command_body,
)


def organisations(world: SlackWorld) -> list[Organisation]:
    with Session(world.engine) as session:
        return list(session.exec(select(Organisation)))


def members(world: SlackWorld) -> dict[str, set[str]]:
    """Platform user ids by organisation external id."""
    with Session(world.engine) as session:
        found: dict[str, set[str]] = {}
        for org in session.exec(select(Organisation)):
            rows = session.exec(select(Member).where(Member.organisation_id == org.id))
            found[org.external_id] = {m.platform_user_id for m in rows}
        return found


def assignments(world: SlackWorld) -> list[Assignment]:
    with Session(world.engine) as session:
        return list(session.exec(select(Assignment)))


def signed_post(world: SlackWorld, body: str) -> Response:
    status, headers, text = post(world.base_url, "/slack/events", body, SECRET)
    return Response(status, headers, text)


# -- a request that names no workspace ----------------------------------------------------


def test_a_command_without_a_workspace_is_refused_with_a_sentence(world: SlackWorld) -> None:
    counter = WorkCounter(world)
    for team in ("", "not-a-team", "E1"):
        body = slash_command_body(
            text="status", team_id=team, user_id="U1", response_url=world.slack.response_url()
        )
        answer = signed_post(world, body)
        assert answer.status == 200
        assert "did not say which Slack workspace" in answer.text
    counter.wait_quiet(0)  # had anything been handed over, it would be over now
    assert counter.started == 0
    assert organisations(world) == []
    assert world.slack.calls_to("response_url") == []


def test_a_command_without_a_person_is_refused(world: SlackWorld) -> None:
    counter = WorkCounter(world)
    body = slash_command_body(text="status", team_id="T1", user_id="")
    assert "did not say which Slack workspace" in signed_post(world, body).text
    counter.wait_quiet(0)
    assert counter.started == 0
    assert organisations(world) == []


def test_a_click_without_a_workspace_is_answered_where_it_was(world: SlackWorld) -> None:
    counter = WorkCounter(world)
    payload = {
        "type": "block_actions",
        "team": None,
        "user": {"id": "U1", "username": "alice"},
        "enterprise": {"id": "E1"},
        "is_enterprise_install": True,
        "actions": [button_action("iso20k:status:0", "status|")],
        "trigger_id": "1.2.3",
        "response_url": world.slack.response_url("lost"),
    }
    assert signed_post(world, urlencode({"payload": json.dumps(payload)})).status == 200
    reply = world.last("response_url")
    assert "did not say which Slack workspace" in block_text(reply.args["blocks"])
    counter.wait_quiet(0)
    assert len(world.slack.calls_to("response_url")) == 1
    assert organisations(world) == []


def test_a_submission_without_a_workspace_is_told_so_in_the_modal(world: SlackWorld) -> None:
    payload = {
        "type": "view_submission",
        "team": None,
        "user": {"id": "U1"},
        "view": {
            "type": "modal",
            "callback_id": "iso20k:setup",
            "private_metadata": "{}",
            "state": {"values": {}},
        },
    }
    answer = signed_post(world, urlencode({"payload": json.dumps(payload)})).json()
    assert answer["response_action"] == "update"
    check_view(answer["view"])
    assert "did not say which Slack workspace" in block_text(answer["view"]["blocks"])
    assert organisations(world) == []


def test_a_home_tab_event_without_a_workspace_shows_nothing(world: SlackWorld) -> None:
    counter = WorkCounter(world)
    body = json.loads(event_body({"type": "app_home_opened", "user": "U1", "tab": "home"}))
    body["team_id"] = None
    body["authorizations"][0]["team_id"] = None
    assert signed_post(world, json.dumps(body)).status == 200
    counter.wait_quiet(0)
    assert counter.started == 0
    assert organisations(world) == []
    assert world.slack.calls_to("views.publish") == []


# -- Enterprise Grid ----------------------------------------------------------------------


def grid_set_up(world: SlackWorld, enterprise: str, team: str, user: str) -> None:
    """Setup in a workspace of an organisation-wide install: interactions carry `team: null`."""
    opened = len(world.slack.calls_to("views.open"))
    world.command("setup", team=team, user=user, enterprise=enterprise, org_wide=True)
    view = world.opened_view(opened + 1)
    answer = world.submit(
        view, setup_values(), team=team, user=user, enterprise=enterprise, org_wide=True
    )
    assert answer.status == 200 and answer.text == ""


def test_an_org_wide_install_keys_each_workspace_on_its_enterprise(world: SlackWorld) -> None:
    grid_set_up(world, "E1", "T1", "U1")
    assert {o.external_id for o in organisations(world)} == {"E1:T1"}
    # the same workspace id under another enterprise is another organisation
    world.command("status", team="T1", user="U7", enterprise="E2", org_wide=True)
    assert "No organisation profile yet" in block_text(world.last("response_url").args["blocks"])
    world.command("status", team="T1", user="U1", enterprise="E1", org_wide=True)
    assert "Acme IT" in block_text(world.last("response_url", 2).args["blocks"])
    # the Home tab of an org-wide install names the workspace in context_team_id only
    world.event(
        {"type": "app_home_opened", "user": "U1", "tab": "home"},
        team="T1",
        enterprise="E1",
        org_wide=True,
    )
    assert "Acme IT" in block_text(world.last("views.publish").json("view")["blocks"])
    assert {o.external_id for o in organisations(world)} == {"E1:T1", "E2:T1"}


def test_a_grid_user_of_another_workspace_of_the_enterprise_cannot_be_assigned(
    world: SlackWorld,
) -> None:
    grid_set_up(world, "E1", "T1", "U1")
    world.slack.set_user("U5", team_id="T1", enterprise_id="E1", teams=["T1", "T3"])
    world.slack.set_user("U6", team_id="T3", enterprise_id="E1", teams=["T3"])
    grid = {"team": "T1", "enterprise": "E1", "org_wide": True}
    counter = WorkCounter(world)
    world.command("assign <@U5|both> resolution", **grid)
    assert "Assigned Resolution" in block_text(world.last("response_url").args["blocks"])
    world.command("assign <@U6|other> resolution", **grid)
    refused = block_text(world.last("response_url", 2).args["blocks"])
    assert "not in this organisation" in refused
    counter.wait_quiet(2)
    assert [c.args["channel"] for c in world.slack.calls_to("chat.postMessage")][-1] == "U5"
    assert "U6" not in members(world)["E1:T1"]


# -- people of another workspace ----------------------------------------------------------


def test_a_manager_cannot_assign_or_promote_someone_of_another_workspace(
    world: SlackWorld,
) -> None:
    set_up(world, team="T1", user="U1")
    world.command("status", team="T2", user="U9")  # U9 is a person of T2
    world.last("response_url")  # U9's own status, answered
    counter = WorkCounter(world)
    posted = len(world.slack.calls_to("chat.postMessage"))
    world.command("assign <@U9|eve> resolution 2026-12-18", team="T1", user="U1")
    refused = block_text(world.last("response_url", 2).args["blocks"])
    assert "That person is not in this organisation" in refused and "nothing was changed" in refused
    world.command("role <@U9|eve> manager", team="T1", user="U1")
    assert "not in this organisation" in block_text(world.last("response_url", 3).args["blocks"])
    counter.wait_quiet(2)
    assert assignments(world) == []
    assert members(world)["T1"] == {"U1"}
    assert len(world.slack.calls_to("chat.postMessage")) == posted  # no message to U9
    # the check asks Slack about the person named, with the locale
    asked = [c.args for c in world.slack.calls_to("users.info") if c.args["user"] == "U9"]
    assert asked and all(a["include_locale"] in ("1", "true", True) for a in asked)


def test_someone_slack_does_not_know_is_refused(world: SlackWorld) -> None:
    set_up(world)
    world.slack.known_users_only = True
    world.allow_refusal("user_not_found")  # what this test asks about
    world.command("assign <@U404|ghost> resolution")
    assert "not in this organisation" in block_text(world.last("response_url").args["blocks"])
    world.slack.set_user("U8", team_id="T1", is_bot=True)
    world.command("assign <@U8|robot> resolution")
    assert "not in this organisation" in block_text(world.last("response_url", 2).args["blocks"])
    assert assignments(world) == []


def test_when_slack_cannot_say_who_someone_is_nothing_changes(world: SlackWorld) -> None:
    set_up(world)
    world.slack.fail_next("users.info", status=503, times=3)  # the client retries twice
    world.command("assign <@U2|bob> resolution")
    answer = block_text(world.last("response_url").args["blocks"])
    assert "Could not look that person up" in answer and "Nothing was changed" in answer
    assert assignments(world) == []
    world.command("assign <@U2|bob> resolution")  # Slack answers again
    assert "Assigned Resolution" in block_text(world.last("response_url", 2).args["blocks"])


def test_the_timezones_slack_reports_are_kept_on_the_member_rows(world: SlackWorld) -> None:
    world.slack.set_user("U2", tz="Asia/Shanghai", locale="zh-CN")
    world.slack.set_user("U3", tz="Factory")  # not a place: not stored
    set_up(world)
    world.command("assign <@U2|bob> resolution")
    world.command("assign <@U3|carol> resolution")
    world.last("response_url", 2)
    with Session(world.engine) as session:
        zones = {m.platform_user_id: m.timezone for m in session.exec(select(Member))}
        names = {m.platform_user_id: m.display_name for m in session.exec(select(Member))}
    assert zones == {"U1": "Europe/Berlin", "U2": "Asia/Shanghai", "U3": None}
    assert names["U2"] == "user-u2"


def _click_body(world: SlackWorld, **fields: Any) -> str:
    return block_actions_body(
        [button_action("iso20k:status:0", "status|")],
        response_url=world.slack.response_url("click"),
        **fields,
    )


def test_a_response_url_outside_slack_is_not_followed(world: SlackWorld) -> None:
    set_up(world)
    counter = WorkCounter(world)
    for url in ("file:///etc/passwd", "https://evil.example/hook", "http://hooks.slack.com/x"):
        body = slash_command_body(text="help", team_id="T1", user_id="U1", response_url=url)
        assert signed_post(world, body).status == 200
    # answered in the person's direct messages instead, three times (counted once the app
    # is quiet: a fourth would come after the three a wait would stop at)
    counter.wait_quiet(3)
    helps = [
        c
        for c in world.slack.calls_to("chat.postMessage")
        if "What you can ask:" in block_text(c.args["blocks"])
    ]
    assert [c.args["channel"] for c in helps] == ["U1"] * 3
    assert world.slack.calls_to("response_url") == []
