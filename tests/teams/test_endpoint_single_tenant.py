"""`POST /api/messages` of a single-tenant bot (TEAMS_APP_TENANT_ID), and the answers it gives
before any turn starts: another tenant's activity 403, an oversized body 413, a body that is
not JSON 400, an invoke the bot does not use 200 (anything else Teams shows as "Unable to
reach app"). The real app runs under uvicorn (tests/e2e/teams_harness.py); nothing refused
may send a message or store a row.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.store.models import Organisation, TeamsConversation
from bot.teams.endpoint import MAX_BODY
from tests.e2e.teams_harness import (
    ALICE,
    CAROL,
    OTHER_TENANT,
    TENANT,
    TeamsWorld,
    card_text,
    start_teams_world,
    stop_teams_world,
)
from tests.teamsfake.activities import Response, conversation_update, message, signed_post


@pytest.fixture
def teams(tmp_path: Path) -> Iterator[TeamsWorld]:
    world = start_teams_world(tmp_path, teams_app_tenant_id=TENANT)
    try:
        yield world
        world.check_all()
    finally:
        stop_teams_world(world)


def stored(world: TeamsWorld) -> tuple[set[str], set[str]]:
    """The tenants with an organisation, and the conversations kept."""
    with Session(world.engine) as session:
        tenants = {o.external_id for o in session.exec(select(Organisation))}
        chats = {c.conversation_id for c in session.exec(select(TeamsConversation))}
    return tenants, chats


def answered_in_own_tenant(world: TeamsWorld) -> None:
    """Alice of the bot's own tenant is answered; once her reply is there, whatever an
    earlier request started has had its chance to send."""
    assert world.say("help").status == 202
    reply = world.next_message(world.chat_of(ALICE), 1)
    assert "ISO/IEC 20000-1" in card_text(reply.cards[0])


def raw_post(world: TeamsWorld, data: bytes, token: str | None = None) -> Response:
    request = urllib.request.Request(
        f"{world.base_url}/api/messages",
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return Response(answer.status, dict(answer.headers.items()), answer.read())
    except urllib.error.HTTPError as err:
        with err:
            return Response(err.code, dict(err.headers.items()), err.read())


def foreign(world: TeamsWorld, kind: str) -> dict[str, Any]:
    chat = world.chat_of(CAROL, OTHER_TENANT)
    url = world.connector.service_url
    if kind == "message":
        return message("setup", tenant=OTHER_TENANT, user=CAROL, conversation=chat, service_url=url)
    if kind == "submission":
        value = {"iso20k": {"form": "setup"}, "organisation": "Contoso"}
        return message(
            None,
            tenant=OTHER_TENANT,
            user=CAROL,
            conversation=chat,
            service_url=url,
            value=value,
            reply_to="1700000000001",
        )
    return conversation_update(tenant=OTHER_TENANT, conversation=chat, service_url=url)


@pytest.mark.parametrize("kind", ["message", "submission", "installed"])
def test_another_tenants_activity_is_403_and_touches_nothing(teams: TeamsWorld, kind: str) -> None:
    answer = signed_post(teams.identity, teams.base_url, foreign(teams, kind))
    assert answer.status == 403
    assert answer.json() == {"error": "this bot serves one tenant"}
    assert stored(teams) == (set(), set())
    answered_in_own_tenant(teams)
    assert {s.conversation_id for s in teams.connector.sent} == {teams.chat_of(ALICE)}
    assert not teams.connector.messages_to(teams.chat_of(CAROL, OTHER_TENANT))
    assert not teams.connector.created
    tenants, chats = stored(teams)
    assert OTHER_TENANT not in tenants
    assert chats == {teams.chat_of(ALICE)}


def test_the_tenant_from_channel_data_is_checked_too(teams: TeamsWorld) -> None:
    activity = foreign(teams, "message")
    del activity["conversation"]["tenantId"]  # the tenant only in channelData
    assert signed_post(teams.identity, teams.base_url, activity).status == 403
    answered_in_own_tenant(teams)
    assert OTHER_TENANT not in stored(teams)[0]


def test_a_body_over_256_kb_is_413(teams: TeamsWorld) -> None:
    activity = message(
        "x" * MAX_BODY,
        tenant=TENANT,
        user=ALICE,
        conversation=teams.chat_of(ALICE),
        service_url=teams.connector.service_url,
    )
    answer = signed_post(teams.identity, teams.base_url, activity)
    assert answer.status == 413
    overhead = len(json.dumps(activity).encode()) - MAX_BODY  # all but the text
    just_fits = dict(activity, text="help" + " " * (MAX_BODY - overhead - 4))
    assert len(json.dumps(just_fits).encode()) == MAX_BODY
    assert signed_post(teams.identity, teams.base_url, just_fits).status == 202
    teams.next_message(teams.chat_of(ALICE), 1)
    assert len(teams.connector.sent) == 1


def test_a_chunked_body_over_256_kb_is_413(teams: TeamsWorld) -> None:
    """Without a Content-Length the body is counted as it arrives."""
    chunk = b" " * 65536
    connection = http.client.HTTPConnection("127.0.0.1", int(teams.base_url.rsplit(":", 1)[1]))
    try:
        connection.request(
            "POST",
            "/api/messages",
            body=iter([b"{"] + [chunk] * (MAX_BODY // len(chunk) + 1) + [b"}"]),
            headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )
        answer = connection.getresponse()
        assert answer.status == 413
        answer.read()
    finally:
        connection.close()
    answered_in_own_tenant(teams)
    assert len(teams.connector.sent) == 1


@pytest.mark.parametrize(
    "body", [b"not json", b"", b"{", b"\xff\xfe", b"[1, 2]", b'"message"', b"null"]
)
def test_a_body_that_is_no_json_object_is_400(teams: TeamsWorld, body: bytes) -> None:
    answer = raw_post(teams, body, teams.identity.sign(serviceurl=teams.connector.service_url))
    assert answer.status == 400
    assert "error" in json.loads(answer.body)
    assert stored(teams) == (set(), set())
    assert not teams.connector.requests


@pytest.mark.parametrize(
    "name", ["adaptiveCard/action", "task/fetch", "composeExtension/query", "signin/verifyState"]
)
def test_an_invoke_the_bot_does_not_use_is_200(teams: TeamsWorld, name: str) -> None:
    activity = message(
        None,
        tenant=TENANT,
        user=ALICE,
        conversation=teams.chat_of(ALICE),
        service_url=teams.connector.service_url,
    )
    activity.update(type="invoke", name=name, value={"action": {"type": "Action.Execute"}})
    answer = signed_post(teams.identity, teams.base_url, activity)
    assert answer.status == 200
    assert answer.json() == {}
    assert answer.headers["content-type"].startswith("application/json")
    answered_in_own_tenant(teams)
    assert len(teams.connector.sent) == 1  # the invoke itself sent nothing


def test_an_unsigned_invoke_is_401(teams: TeamsWorld) -> None:
    activity = message(
        None,
        tenant=TENANT,
        user=ALICE,
        conversation=teams.chat_of(ALICE),
        service_url=teams.connector.service_url,
    )
    activity.update(type="invoke", name="adaptiveCard/action")
    assert raw_post(teams, json.dumps(activity).encode()).status == 401
