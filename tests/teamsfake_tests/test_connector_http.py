"""FakeConnector over plain HTTP: the rules a client other than the SDK could break (the path
prefix, the create parameters, the roster), loose threading, the records tests assert on, and
a burst of concurrent sends."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.teamsfake import APP_ID, FakeConnector, FakeTokenService, Sent
from tests.teamsfake.activities import TeamsUser, message
from tests.teamsfake.connector import ADAPTIVE_CARD

from .conftest import ANN, BOB, CARD, OTHER_TENANT, TENANT, call, call_raw, post_json

HI = {"type": "message", "text": "hi"}


def create_body(member: str = ANN, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "isGroup": False,
        "bot": {"id": f"28:{APP_ID}", "name": "iso20k"},
        "members": [{"id": member}],
        "tenantId": TENANT,
        "channelData": {"tenant": {"id": TENANT}},
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_a_path_without_the_prefix_is_404(connector: FakeConnector, token: str) -> None:
    url = f"{connector.root_url}/v3/conversations/a:ann/activities"
    status, body = call("POST", url, json.dumps(HI).encode(), token=token)

    assert status == 404 and body["error"]["code"] == "NotFound"
    assert "prefix" in connector.refusals[0].reason
    assert connector.sent == []


def test_refusals_have_the_services_error_shape(connector: FakeConnector) -> None:
    status, body = post_json(connector, "v3/conversations/a:ann/activities", HI, token=None)

    assert status == 401
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}


def test_the_bot_may_be_named_by_its_bare_app_id(connector: FakeConnector, token: str) -> None:
    status, body = post_json(connector, "v3/conversations", create_body(bot={"id": APP_ID}), token)
    assert status == 201 and body["id"].startswith("a:")


def test_a_foreign_bot_id_is_bad_argument(connector: FakeConnector, token: str) -> None:
    status, body = post_json(
        connector, "v3/conversations", create_body(bot={"id": "28:someone-else"}), token
    )
    assert (status, body["error"]["code"]) == (400, "BadArgument")


def test_the_tenant_comes_from_either_field_and_they_must_agree(
    connector: FakeConnector, token: str
) -> None:
    only_field = create_body(channelData=None)
    only_channel_data = create_body(tenantId=None)
    neither = create_body(tenantId=None, channelData=None)
    disagree = create_body(channelData={"tenant": {"id": OTHER_TENANT}})

    assert post_json(connector, "v3/conversations", only_field, token)[0] == 201
    assert post_json(connector, "v3/conversations", only_channel_data, token)[0] == 201
    status, body = post_json(connector, "v3/conversations", neither, token)
    assert (status, body["error"]["code"]) == (400, "BadSyntax")
    status, body = post_json(connector, "v3/conversations", disagree, token)
    assert (status, body["error"]["code"]) == (400, "BadArgument")


def test_a_1to1_needs_one_known_member_who_has_the_app(
    connector: FakeConnector, token: str
) -> None:
    connector.add_person("29:1cy", "aad-cy", "Cy", TENANT, installed=False)

    unknown = post_json(connector, "v3/conversations", create_body("29:nobody"), token)
    by_object_id = post_json(connector, "v3/conversations", create_body("aad-ann"), token)
    not_installed = post_json(connector, "v3/conversations", create_body("29:1cy"), token)
    two = post_json(connector, "v3/conversations", create_body(members=[{"id": ANN}] * 2), token)
    group = post_json(connector, "v3/conversations", create_body(isGroup=True), token)

    assert unknown[0] == 400
    assert by_object_id[0] == 201  # the Entra object id names the person as well
    assert (not_installed[0], not_installed[1]["error"]["code"]) == (403, "Forbidden")
    assert two[0] == 400 and group[0] == 400
    assert [c.member_id for c in connector.created] == [ANN]


def test_a_1to1_with_a_first_message_records_it(connector: FakeConnector, token: str) -> None:
    body = create_body(activity={"type": "message", "text": "Welcome"})
    status, answer = post_json(connector, "v3/conversations", body, token)

    assert status == 201
    [sent] = connector.messages_to(answer["id"])
    assert (sent.activity_id, sent.text) == (answer["activityId"], "Welcome")


def test_a_reply_to_an_unknown_id_is_accepted_and_marked(
    connector: FakeConnector, token: str
) -> None:
    ann = TeamsUser(ANN, "aad-ann", "Ann Auditor")
    heard = message(
        "status", tenant=TENANT, user=ann, conversation="a:ann", service_url=connector.service_url
    )
    connector.heard(heard)

    loose = post_json(connector, "v3/conversations/a:ann/activities/1699999999999", HI, token)
    threaded = post_json(connector, f"v3/conversations/a:ann/activities/{heard['id']}", HI, token)

    assert loose[0] == threaded[0] == 201
    assert [(s.reply_to_id, s.reply_to_known) for s in connector.sent] == [
        ("1699999999999", False),
        (heard["id"], True),
    ]
    connector.check_all()


def test_typing_is_accepted_but_is_no_message(connector: FakeConnector, token: str) -> None:
    assert post_json(connector, "v3/conversations/a:ann/activities", {"type": "typing"}, token)[0]
    assert [s.type for s in connector.sent] == ["typing"]
    assert connector.messages_to("a:ann") == []


@pytest.mark.parametrize(
    "activity",
    [
        {"type": "message"},
        {"type": "message", "text": ""},
        {"type": "message", "attachments": []},
        {"type": "event", "name": "x"},
        {"type": "message", "attachments": [{"content": CARD}]},
        {
            "type": "message",
            "attachments": [{"contentType": ADAPTIVE_CARD, "content": "{}"}],
        },
        [HI],
    ],
)
def test_what_is_no_sendable_activity_is_refused(
    connector: FakeConnector, token: str, activity: Any
) -> None:
    status, body = post_json(connector, "v3/conversations/a:ann/activities", activity, token)
    assert status == 400 and body["error"]["code"] in ("BadArgument", "BadSyntax")
    assert connector.sent == []


def test_a_body_that_is_no_json_is_bad_syntax(connector: FakeConnector, token: str) -> None:
    url = connector.service_url + "v3/conversations/a:ann/activities"
    status, body = call("POST", url, b"{not json", token=token)
    assert (status, body["error"]["code"]) == (400, "BadSyntax")


def test_an_update_is_checked_like_a_send(connector: FakeConnector, token: str) -> None:
    sent_id = post_json(connector, "v3/conversations/a:ann/activities", HI, token)[1]["id"]
    path = f"v3/conversations/a:ann/activities/{sent_id}"

    bad = {
        "type": "message",
        "attachments": [
            {
                "contentType": ADAPTIVE_CARD,
                "content": {**CARD, "version": "1.6"},
            }
        ],
    }
    status, _ = post_json(connector, path, bad, token, method="PUT")
    assert status == 400
    status, body = post_json(connector, path, {"type": "message", "text": "edited"}, token, "PUT")
    assert (status, body) == (200, {"id": sent_id})
    assert connector.latest(sent_id) == {"type": "message", "text": "edited"}
    assert [u.activity["text"] for u in connector.updates] == ["edited"]


def test_an_update_in_another_conversation_is_404(connector: FakeConnector, token: str) -> None:
    connector.open("a:other", tenant_id=TENANT, members=[ANN])
    sent_id = post_json(connector, "v3/conversations/a:ann/activities", HI, token)[1]["id"]
    path = f"v3/conversations/a:other/activities/{sent_id}"
    assert post_json(connector, path, HI, token, method="PUT")[0] == 404


def test_members_are_looked_up_in_the_conversations_tenant(
    connector: FakeConnector, token: str
) -> None:
    base = connector.service_url + "v3/conversations/a:ann/"
    status, body = call("GET", base + f"members/{BOB}", token=token)
    assert (status, body["error"]["code"]) == (404, "MemberNotFoundInConversation")

    status, body = call("GET", base + "members/aad-ann", token=token)
    assert (status, body["id"], body["tenantId"]) == (200, ANN, TENANT)

    status, body = call("GET", base + "pagedmembers", token=token)
    assert [m["id"] for m in body["members"]] == [ANN]


def test_failing_is_502_and_no_refusal(connector: FakeConnector, token: str) -> None:
    connector.failing = True
    assert post_json(connector, "v3/conversations/a:ann/activities", HI, token)[0] == 502
    connector.failing = False
    assert post_json(connector, "v3/conversations/a:ann/activities", HI, token)[0] == 201
    assert connector.refusals == [] and [r.status for r in connector.requests] == [502, 201]


def test_a_fractional_retry_after_is_kept_for_fast_tests(
    connector: FakeConnector, token: str
) -> None:
    connector.throttle(1, retry_after=0.25)
    url = connector.service_url + "v3/conversations/a:ann/activities"

    status, headers, body = call_raw("POST", url, json.dumps(HI).encode(), token=token)

    assert (status, headers["Retry-After"]) == (429, "0.25")
    assert json.loads(body)["error"]["code"] == "Throttled"
    assert (
        call("GET", connector.service_url + "v3/conversations/a:ann/members", token=token)[0] == 200
    )


def test_wait_for_wakes_on_a_request_from_another_thread(
    connector: FakeConnector, token: str
) -> None:
    def later() -> None:
        post_json(connector, "v3/conversations/a:ann/activities", HI, token)

    worker = threading.Thread(target=later)
    worker.start()
    found: list[Sent] = connector.wait_for(lambda: connector.messages_to("a:ann"), timeout=60)
    worker.join(timeout=60)

    assert [s.text for s in found] == ["hi"]


def test_wait_for_gives_up_with_what_it_saw(connector: FakeConnector) -> None:
    with pytest.raises(AssertionError, match="requests seen"):
        connector.wait_for(lambda: connector.sent, timeout=0.2)


def test_fifty_concurrent_sends_all_arrive(tokens: FakeTokenService) -> None:
    with FakeConnector(tokens) as connector:
        connector.open("a:ann", tenant_id=TENANT)
        token = tokens.issue()
        path = "v3/conversations/a:ann/activities"
        card = {
            "type": "message",
            "attachments": [{"contentType": ADAPTIVE_CARD, "content": CARD}],
        }

        with ThreadPoolExecutor(max_workers=50) as pool:
            answers = list(pool.map(lambda _: post_json(connector, path, card, token), range(50)))

        assert [status for status, _ in answers] == [201] * 50
        assert len({body["id"] for _, body in answers}) == 50
        assert len(connector.messages_to("a:ann")) == 50
        connector.check_all()
