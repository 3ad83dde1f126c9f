"""Signed requests: checked by slack_sdk's verifier and accepted by a real Bolt app over HTTP."""

import json
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from tests.slackfake.server import FakeSlack
from tests.slackfake.signing import (
    block_actions_body,
    button_action,
    event_body,
    post,
    retry_headers,
    select_action,
    selected_option,
    sign,
    slash_command_body,
    state_values,
    url_verification_body,
    view_closed_body,
    view_submission_body,
)

from .conftest import TOKEN

SECRET = "signing-secret-for-tests"


def _form(body: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


def _payload(body: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(_form(body)["payload"])
    return payload


# -- signatures ---------------------------------------------------------------------------


def test_signed_body_verifies() -> None:
    body = slash_command_body(text="status")
    headers = sign(SECRET, body)

    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert verifier.is_valid_request(body, headers)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_tampered_body_does_not_verify() -> None:
    body = slash_command_body(text="status")
    headers = sign(SECRET, body)

    tampered = body.replace("status", "delete")

    assert not SignatureVerifier(SECRET).is_valid_request(tampered, headers)


def test_signature_six_minutes_old_does_not_verify() -> None:
    body = event_body({"type": "app_home_opened", "user": "U1", "tab": "home"})
    headers = sign(SECRET, body, timestamp=int(time.time()) - 6 * 60)

    assert not SignatureVerifier(SECRET).is_valid_request(body, headers)
    assert headers["Content-Type"] == "application/json"


def test_other_secret_does_not_verify() -> None:
    body = slash_command_body()
    assert not SignatureVerifier("another").is_valid_request(body, sign(SECRET, body))


# -- bodies -------------------------------------------------------------------------------


def test_slash_command_body_has_every_field_slack_sends() -> None:
    fields = _form(slash_command_body("/iso20k", "plan", response_url="http://x/respond/1"))

    assert set(fields) == {
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    }
    assert (fields["command"], fields["text"]) == ("/iso20k", "plan")
    assert fields["response_url"] == "http://x/respond/1"
    assert _form(slash_command_body())["trigger_id"] != fields["trigger_id"]  # single-use


def test_block_actions_body_from_a_message() -> None:
    payload = _payload(
        block_actions_body([button_action("approve", "plan-7")], channel_id="C9", user_id="U9")
    )

    assert payload["type"] == "block_actions"
    assert payload["user"]["id"] == "U9"
    assert payload["container"]["type"] == "message"
    assert payload["channel"]["id"] == "C9"
    assert payload["actions"][0]["action_id"] == "approve"
    assert payload["actions"][0]["value"] == "plan-7"
    assert payload["response_url"]


def test_block_actions_body_from_a_view() -> None:
    action = select_action("scope", "all", block_id="scope_block")
    payload = _payload(block_actions_body([action], view={"id": "V1", "callback_id": "profile"}))

    assert payload["container"] == {"type": "view", "view_id": "V1"}
    assert payload["view"]["callback_id"] == "profile"
    assert payload["actions"][0]["selected_option"]["value"] == "all"


def test_state_values_expands_shorthand() -> None:
    state = state_values(
        {
            "name": {"value": "ACME"},
            "size": {"pick": {"type": "static_select", "selected_option": selected_option("m")}},
            "note": {"value": None},
        }
    )

    assert state["values"]["name"]["value"] == {"type": "plain_text_input", "value": "ACME"}
    assert state["values"]["size"]["pick"]["selected_option"]["value"] == "m"
    assert state["values"]["note"]["value"]["value"] is None


def test_view_submission_and_closed_bodies() -> None:
    view = {"callback_id": "profile", "private_metadata": "7", "state": state_values({})}

    submission = _payload(view_submission_body(view, user_id="U3"))
    closed = _payload(view_closed_body(view, is_cleared=True))

    assert submission["type"] == "view_submission"
    assert submission["view"]["callback_id"] == "profile"
    assert submission["view"]["id"]
    assert submission["user"]["id"] == "U3"
    assert (closed["type"], closed["is_cleared"]) == ("view_closed", True)


def test_event_body_envelope() -> None:
    body = json.loads(
        event_body({"type": "app_home_opened", "user": "U1"}, event_id="Ev1", event_time=1700)
    )

    assert body["type"] == "event_callback"
    assert (body["event_id"], body["event_time"]) == ("Ev1", 1700)
    assert body["event"]["type"] == "app_home_opened"
    assert body["event"]["event_ts"] == "1700.000100"
    assert body["authorizations"][0]["is_bot"] is True


# -- end to end: a real Bolt app over HTTP, its Web API calls going to FakeSlack ---------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _build_app(slack: FakeSlack) -> App:
    app = App(client=WebClient(token=TOKEN, base_url=slack.url), signing_secret=SECRET)

    @app.command("/iso20k")
    def on_command(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        respond(text=f"got {command['text']}")
        client.chat_postMessage(channel=command["channel_id"], text="hello")

    @app.action("approve")
    def on_approve(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        respond(text=f"approved {body['actions'][0]['value']}")

    @app.view("profile")
    def on_submit(ack: Ack, view: dict[str, Any]) -> None:
        name = view["state"]["values"]["name"]["value"]["value"]
        if not name:
            ack(response_action="errors", errors={"name": "Enter the organisation's name."})
            return
        ack()

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], client: WebClient) -> None:
        home = {"type": "home", "blocks": [{"type": "divider"}]}
        client.views_publish(user_id=event["user"], view=home)

    return app


@pytest.fixture
def bolt_url(slack: FakeSlack) -> Iterator[str]:
    """A Bolt app served over real HTTP (wsgiref), its WebClient pointed at the fake."""
    server: WSGIServer = make_server(
        "127.0.0.1", 0, SlackRequestHandler(_build_app(slack)), handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_bolt_checked_the_token_at_start_up(slack: FakeSlack, bolt_url: str) -> None:
    assert slack.calls_to("auth.test")


def test_bolt_accepts_a_signed_command_and_works_after_ack(slack: FakeSlack, bolt_url: str) -> None:
    slack.invite_bot("C0GENERAL")  # the channel the command was typed in
    body = slash_command_body(text="status", response_url=slack.response_url("cmd"))

    status, _, _ = post(bolt_url, "/slack/events", body, SECRET)

    assert status == 200
    (reply,) = slack.wait_for("response_url")
    assert reply.args["text"] == "got status"
    (message,) = slack.wait_for("chat.postMessage")
    assert message.args["channel"] == "C0GENERAL"
    assert slack.refused == []


def test_bolt_refuses_tampered_and_stale_requests(slack: FakeSlack, bolt_url: str) -> None:
    body = slash_command_body(text="status", response_url=slack.response_url("cmd"))
    headers = sign(SECRET, body)
    stale = int(time.time()) - 6 * 60

    tampered, _, _ = post(bolt_url, "/slack/events", body + "x", SECRET, extra_headers=headers)
    old, _, _ = post(bolt_url, "/slack/events", body, SECRET, timestamp=stale)

    assert (tampered, old) == (401, 401)
    assert not slack.calls_to("response_url")


def test_bolt_answers_url_verification(bolt_url: str) -> None:
    status, _, text = post(bolt_url, "/slack/events", url_verification_body("c-123"), SECRET)

    assert status == 200
    assert json.loads(text)["challenge"] == "c-123"


def test_bolt_handles_a_button_click(slack: FakeSlack, bolt_url: str) -> None:
    body = block_actions_body(
        [button_action("approve", "plan-7")], response_url=slack.response_url("click")
    )

    status, _, _ = post(bolt_url, "/slack/events", body, SECRET)

    assert status == 200
    assert slack.wait_for("response_url")[0].args["text"] == "approved plan-7"


def test_bolt_view_submission_inline_errors(bolt_url: str) -> None:
    view = {"callback_id": "profile", "state": state_values({"name": {"value": ""}})}

    status, headers, text = post(bolt_url, "/slack/events", view_submission_body(view), SECRET)

    assert status == 200
    assert headers["content-type"].startswith("application/json")
    assert json.loads(text) == {
        "response_action": "errors",
        "errors": {"name": "Enter the organisation's name."},
    }


def test_bolt_handles_an_event_and_its_retry(slack: FakeSlack, bolt_url: str) -> None:
    body = event_body({"type": "app_home_opened", "user": "U1", "tab": "home"}, event_id="Ev1")

    first, _, _ = post(bolt_url, "/slack/events", body, SECRET)
    again, _, _ = post(bolt_url, "/slack/events", body, SECRET, extra_headers=retry_headers(1))

    assert (first, again) == (200, 200)
    # Bolt's HTTP mode has no retry filter (PLATFORM.md): the redelivery runs the listener again.
    calls = slack.wait_for("views.publish", count=2)
    assert calls[0].args["user_id"] == "U1"


class _RecordingClient:
    """The httpx / Starlette TestClient shape that `post` also accepts."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, dict[str, str]]] = []

    def post(self, url: str, *, content: bytes, headers: Mapping[str, str]) -> Any:
        self.sent.append((url, content, dict(headers)))
        return type("R", (), {"status_code": 200, "headers": {"X-A": "1"}, "text": "ok"})()


def test_post_accepts_a_client_object() -> None:
    client = _RecordingClient()

    status, headers, text = post(client, "/slack/events", "a=1", SECRET)

    assert (status, headers, text) == (200, {"x-a": "1"}, "ok")
    url, content, sent_headers = client.sent[0]
    assert (url, content) == ("/slack/events", b"a=1")
    assert SignatureVerifier(SECRET).is_valid_request(content, sent_headers)
