"""The inbound activity builders make what Teams sends (the SDK's own model reads them), and
`post` / `signed_post` deliver them over HTTP with a token the identity provider's keys
verify."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from microsoft_agents.activity import Activity

from tests.localhttp import LocalService
from tests.teamsfake import APP_ID, FakeIdentity
from tests.teamsfake.activities import (
    TeamsUser,
    bot,
    conversation_update,
    installation_update,
    message,
    post,
    signed_post,
)

from .conftest import TENANT

ANN = TeamsUser("29:1ann", "aad-ann", "Ann Auditor")
CY = TeamsUser("29:1cy", "aad-cy", "Cy Change")
SERVICE_URL = "https://smba.trafficmanager.net/amer/"
CHANNEL = "19:abc@thread.tacv2;messageid=1700000000000"


class _Receiver(LocalService):
    """A stand-in for the bot's /api/messages: records each post and answers 200 `{}`."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.posts: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.lock = threading.Lock()

    def _new_server(self) -> ThreadingHTTPServer:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.posts.append((self.path, dict(self.headers.items()), json.loads(raw)))
                data = b"{}"
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        return server


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    with _Receiver() as fake:
        yield fake


def personal(text: str | None = "status", **kw: Any) -> dict[str, Any]:
    return message(
        text, tenant=TENANT, user=ANN, conversation="a:ann", service_url=SERVICE_URL, **kw
    )


def test_a_personal_message_is_shaped_as_teams_sends_it() -> None:
    activity = personal()

    assert activity["type"] == "message" and activity["text"] == "status"
    assert activity["channelId"] == "msteams"
    assert activity["from"] == {"id": ANN.teams_id, "name": ANN.name, "aadObjectId": "aad-ann"}
    assert activity["recipient"] == {"id": f"28:{APP_ID}", "name": "iso20k"}
    assert activity["conversation"] == {
        "id": "a:ann",
        "conversationType": "personal",
        "tenantId": TENANT,
    }
    assert activity["channelData"] == {"tenant": {"id": TENANT}}
    assert activity["serviceUrl"] == SERVICE_URL and activity["locale"] == "en-US"
    assert activity["timestamp"].endswith("Z")
    [info] = activity["entities"]
    assert (info["type"], info["timezone"]) == ("clientInfo", "Europe/Berlin")

    parsed = Activity.model_validate(activity)  # the SDK reads it as it reads Teams'
    assert parsed.from_property.aad_object_id == "aad-ann"
    assert parsed.conversation.tenant_id == TENANT
    assert parsed.service_url == SERVICE_URL


def test_every_activity_gets_a_fresh_id() -> None:
    ids = {personal()["id"] for _ in range(200)}
    assert len(ids) == 200


def test_a_channel_message_mentions_the_bot() -> None:
    activity = message(
        "status",
        tenant=TENANT,
        user=ANN,
        conversation=CHANNEL,
        service_url=SERVICE_URL,
        conversation_type="channel",
        mentions=[CY],
    )

    assert activity["text"] == "<at>iso20k</at> status"
    mentions = [e for e in activity["entities"] if e["type"] == "mention"]
    assert mentions == [
        {
            "type": "mention",
            "text": "<at>iso20k</at>",
            "mentioned": {"id": f"28:{APP_ID}", "name": "iso20k"},
        },
        {
            "type": "mention",
            "text": "<at>Cy Change</at>",
            "mentioned": {"id": CY.teams_id, "name": CY.name},
        },
    ]
    assert activity["conversation"]["isGroup"] is True
    assert activity["channelData"] == {
        "tenant": {"id": TENANT},
        "team": {"id": "19:abc@thread.tacv2"},
        "channel": {"id": "19:abc@thread.tacv2"},
    }
    parsed = Activity.model_validate(activity)
    assert [m.mentioned.id for m in parsed.get_mentions()] == [f"28:{APP_ID}", CY.teams_id]


def test_a_card_submission_has_value_and_reply_to_but_no_text() -> None:
    activity = personal(None, value={"form": "scope", "name": "IT services"}, reply_to="17000")

    assert "text" not in activity
    assert activity["value"] == {"form": "scope", "name": "IT services"}
    assert activity["replyToId"] == "17000"
    assert Activity.model_validate(activity).reply_to_id == "17000"


def test_conversation_and_installation_updates() -> None:
    added = conversation_update(tenant=TENANT, conversation="a:ann", service_url=SERVICE_URL)
    joined = conversation_update(
        tenant=TENANT,
        conversation=CHANNEL,
        service_url=SERVICE_URL,
        members_added=[ANN],
        conversation_type="channel",
    )
    installed = installation_update(
        tenant=TENANT, conversation="a:ann", service_url=SERVICE_URL, user=ANN
    )

    assert added["type"] == "conversationUpdate"
    assert added["membersAdded"] == [{"id": f"28:{APP_ID}", "name": "iso20k"}]
    assert joined["membersAdded"][0]["aadObjectId"] == "aad-ann"
    assert joined["from"]["id"] == ANN.teams_id
    assert joined["channelData"]["eventType"] == "teamMemberAdded"
    assert (installed["type"], installed["action"]) == ("installationUpdate", "add")
    for activity in (added, joined, installed):
        assert Activity.model_validate(activity).conversation.tenant_id == TENANT
    assert bot().teams_id == f"28:{APP_ID}"


def test_post_delivers_the_activity_with_or_without_a_token(receiver: _Receiver) -> None:
    activity = personal()

    anonymous = post(receiver.root_url, activity)
    with_token = post(receiver.root_url + "/", activity, token="t0ken")

    assert anonymous.status == with_token.status == 200 and anonymous.json() == {}
    (path, headers, body), (_, headers2, _) = receiver.posts
    assert path == "/api/messages" and body == activity
    assert "Authorization" not in headers and headers2["Authorization"] == "Bearer t0ken"


def test_post_answers_an_error_status_instead_of_raising() -> None:
    with _Receiver(status=401) as refusing:
        response = post(refusing.root_url, personal())
        status, headers, body = response
        assert status == 401 and headers["content-type"] == "application/json" and body == b"{}"


def test_signed_post_signs_for_the_activitys_service_url(receiver: _Receiver) -> None:
    activity = message(
        "hi", tenant=TENANT, user=ANN, conversation="a:ann", service_url="http://127.0.0.1:1/amer/"
    )
    with FakeIdentity() as identity:
        assert signed_post(identity, receiver.root_url, activity).status == 200
        other = signed_post(identity, receiver.root_url, activity, aud="another-app")
        keys = jwt.PyJWKClient(f"{identity.root_url}/v1/.well-known/keys")
        tokens = [h["Authorization"].removeprefix("Bearer ") for _, h, _ in receiver.posts]
        key = keys.get_signing_key_from_jwt(tokens[0])
        claims = jwt.decode(tokens[0], key, algorithms=["RS256"], audience=APP_ID)
        assert claims["serviceurl"] == "http://127.0.0.1:1/amer/"
        assert other.status == 200
        with pytest.raises(jwt.InvalidAudienceError):
            jwt.decode(tokens[1], key, algorithms=["RS256"], audience=APP_ID)
