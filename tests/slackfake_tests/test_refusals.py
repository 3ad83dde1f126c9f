"""FakeSlack refuses what Slack refuses, with Slack's error codes, through the real WebClient."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from tests.slackfake.scopes import MANIFEST, manifest_scopes
from tests.slackfake.server import FakeSlack, ManualClock

from .conftest import TOKEN

MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "profile",
    "title": {"type": "plain_text", "text": "Organisation"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "name",
            "label": {"type": "plain_text", "text": "Name"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}


def _section(n: int) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": f"line {n}"}}


def _button(action_id: str) -> dict[str, Any]:
    text = {"type": "plain_text", "text": action_id}
    return {"type": "button", "action_id": action_id, "text": text, "value": "1"}


def _error(call: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as err:
        call()
    data: dict[str, Any] = err.value.response.data  # type: ignore[assignment]
    return data


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def timed(clock: ManualClock) -> Iterator[FakeSlack]:
    """A fake whose trigger and response_url lifetimes run on `clock`."""
    with FakeSlack(token=TOKEN, clock=clock) as fake:
        yield fake


# -- scopes -------------------------------------------------------------------------------


def test_the_granted_scopes_are_the_manifests() -> None:
    scopes = manifest_scopes()
    assert {"commands", "chat:write", "im:write", "files:write", "users:read"} <= set(scopes)
    assert MANIFEST.name == "manifest.yml"
    with FakeSlack(token=TOKEN) as fake:
        assert fake.scopes == scopes


def test_a_method_outside_the_scopes_is_missing_scope_with_needed_and_provided() -> None:
    with FakeSlack(token=TOKEN, scopes=["commands", "chat:write"]) as fake:
        client = WebClient(token=TOKEN, base_url=fake.url)

        refusal = _error(lambda: client.users_info(user="U1"))

        assert refusal == {
            "ok": False,
            "error": "missing_scope",
            "needed": "users:read",
            "provided": "commands,chat:write",
        }
        dm = _error(lambda: client.conversations_open(users="U1"))
        group = _error(lambda: client.conversations_open(users="U1,U2"))
        upload = _error(lambda: client.files_getUploadURLExternal(filename="a", length=1))
        assert (dm["needed"], group["needed"], upload["needed"]) == (
            "im:write",
            "mpim:write",
            "files:write",
        )
        assert client.chat_postMessage(channel="U1", text="hi")["ok"]  # chat:write is granted
        assert [c.refusal for c in fake.refused] == ["missing_scope"] * 4


def test_every_answer_names_the_tokens_scopes(slack: FakeSlack, client: WebClient) -> None:
    response = client.auth_test()
    assert response.headers["X-OAuth-Scopes"] == ",".join(slack.scopes)


# -- Block Kit ----------------------------------------------------------------------------


def test_a_message_of_51_blocks_is_invalid_blocks(client: WebClient) -> None:
    blocks = [_section(n) for n in range(51)]

    refusal = _error(lambda: client.chat_postMessage(channel="C1", text="t", blocks=blocks))

    assert refusal["error"] == "invalid_blocks"
    assert "51 blocks" in refusal["response_metadata"]["messages"][0]
    assert client.chat_postMessage(channel="C1", text="t", blocks=blocks[:50])["ok"]


def test_a_modal_of_101_blocks_is_invalid_arguments(slack: FakeSlack, client: WebClient) -> None:
    modal = {**MODAL, "blocks": [{"type": "divider"}] * 101}

    refusal = _error(lambda: client.views_open(trigger_id=slack.trigger_id(), view=modal))

    assert refusal["error"] == "invalid_arguments"
    assert any("101 blocks" in m for m in refusal["response_metadata"]["messages"])


def test_a_home_tab_of_101_blocks_is_refused(client: WebClient) -> None:
    home = {"type": "home", "blocks": [_section(n) for n in range(101)]}

    refusal = _error(lambda: client.views_publish(user_id="U1", view=home))

    assert refusal["error"] == "invalid_arguments"
    home["blocks"] = home["blocks"][:100]
    assert client.views_publish(user_id="U1", view=home)["ok"]


@settings(max_examples=25, deadline=None)
@given(count=st.integers(min_value=0, max_value=120))
def test_a_message_is_accepted_exactly_up_to_50_blocks(count: int) -> None:
    with FakeSlack(token=TOKEN) as fake:
        client = WebClient(token=TOKEN, base_url=fake.url)
        blocks = [_section(n) for n in range(count)]
        if count <= 50:
            assert client.chat_postMessage(channel="U1", text="t", blocks=blocks)["ok"]
        else:
            refusal = _error(lambda: client.chat_postMessage(channel="U1", text="t", blocks=blocks))
            assert refusal["error"] == "invalid_blocks"


def test_an_unknown_block_type_is_refused(slack: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "fancy_card", "text": "x"}]

    refusal = _error(lambda: client.chat_postMessage(channel="C1", text="t", blocks=blocks))

    assert refusal["error"] == "invalid_blocks"
    assert "unknown block type 'fancy_card'" in refusal["response_metadata"]["messages"][0]


def test_a_repeated_block_id_is_refused(client: WebClient) -> None:
    blocks = [{**_section(1), "block_id": "same"}, {**_section(2), "block_id": "same"}]

    refusal = _error(lambda: client.chat_postMessage(channel="C1", text="t", blocks=blocks))

    assert "duplicate block_id 'same'" in refusal["response_metadata"]["messages"][0]


def test_an_action_id_is_unique_within_its_block_only(client: WebClient) -> None:
    twice = [{"type": "actions", "elements": [_button("go"), _button("go")]}]
    apart = [
        {"type": "actions", "elements": [_button("go")]},
        {"type": "actions", "elements": [_button("go")]},
    ]

    refusal = _error(lambda: client.chat_postMessage(channel="C1", text="t", blocks=twice))

    assert "duplicate action_id 'go'" in refusal["response_metadata"]["messages"][0]
    assert client.chat_postMessage(channel="C1", text="t", blocks=apart)["ok"]


def test_a_view_over_250_kb_is_view_too_large(slack: FakeSlack, client: WebClient) -> None:
    text = {"type": "mrkdwn", "text": "x" * 2900}
    modal = {**MODAL, "blocks": [{"type": "section", "text": text} for _ in range(90)]}

    refusal = _error(lambda: client.views_open(trigger_id=slack.trigger_id(), view=modal))

    assert refusal == {"ok": False, "error": "view_too_large"}


# -- channels -----------------------------------------------------------------------------


def test_the_bot_posts_only_where_it_is_a_member(slack: FakeSlack, client: WebClient) -> None:
    refusal = _error(lambda: client.chat_postMessage(channel="C42", text="reminder"))
    assert refusal["error"] == "not_in_channel"
    assert _error(lambda: client.chat_postEphemeral(channel="G7", user="U1", text="x"))[
        "error"
    ] == ("not_in_channel")

    slack.invite_bot("C42")

    assert client.chat_postMessage(channel="C42", text="reminder")["channel"] == "C42"


def test_chat_write_public_lets_the_bot_post_in_public_channels() -> None:
    with FakeSlack(token=TOKEN, scopes=["chat:write", "chat:write.public"]) as fake:
        client = WebClient(token=TOKEN, base_url=fake.url)
        assert client.chat_postMessage(channel="C42", text="hi")["ok"]
        assert _error(lambda: client.chat_postMessage(channel="G42", text="hi"))["error"] == (
            "not_in_channel"
        )


def test_direct_messages_need_no_invitation(client: WebClient) -> None:
    dm = client.conversations_open(users="U7")["channel"]["id"]

    assert client.chat_postMessage(channel=dm, text="in the DM")["ok"]
    # a user id as channel posts to the app's DM with that person
    assert client.chat_postMessage(channel="U8", text="hi")["channel"] == "DU8"
    assert _error(lambda: client.chat_postMessage(channel="DNOPE", text="x"))["error"] == (
        "channel_not_found"
    )
    assert _error(lambda: client.chat_postMessage(channel="#general", text="x"))["error"] == (
        "channel_not_found"
    )


def test_updating_a_message_the_bot_never_posted_is_message_not_found(client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="v1")

    assert client.chat_update(channel="C1", ts=posted["ts"], text="v2")["ok"]
    assert _error(lambda: client.chat_update(channel="C1", ts="1.000001", text="x"))["error"] == (
        "message_not_found"
    )


# -- views --------------------------------------------------------------------------------


def test_views_update_checks_the_view_id_and_its_hash(slack: FakeSlack, client: WebClient) -> None:
    opened = client.views_open(trigger_id=slack.trigger_id(), view=MODAL)["view"]

    unknown = _error(lambda: client.views_update(view_id="VNOPE", view=MODAL))
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=MODAL)["view"]
    stale = _error(
        lambda: client.views_update(view_id=opened["id"], hash=opened["hash"], view=MODAL)
    )

    assert unknown["error"] == "not_found"
    assert updated["hash"] != opened["hash"]
    assert stale["error"] == "hash_conflict"
    assert client.views_update(view_id=opened["id"], hash=updated["hash"], view=MODAL)["ok"]
    assert slack.view(opened["id"]) is not None


def test_views_update_by_external_id(slack: FakeSlack, client: WebClient) -> None:
    client.views_open(trigger_id=slack.trigger_id(), view={**MODAL, "external_id": "setup-T1"})

    assert client.views_update(external_id="setup-T1", view=MODAL)["ok"]
    assert _error(lambda: client.views_update(external_id="other", view=MODAL))["error"] == (
        "not_found"
    )


def test_a_closed_modal_cannot_be_updated(slack: FakeSlack, client: WebClient) -> None:
    opened = client.views_open(trigger_id=slack.trigger_id(), view=MODAL)["view"]

    slack.close_view(opened["id"])

    assert _error(lambda: client.views_update(view_id=opened["id"], view=MODAL))["error"] == (
        "not_found"
    )


def test_a_home_tab_with_a_stale_hash_is_hash_conflict(client: WebClient) -> None:
    home = {"type": "home", "blocks": [_section(1)]}
    first = client.views_publish(user_id="U1", view=home)["view"]
    client.views_publish(user_id="U1", view=home)

    refusal = _error(lambda: client.views_publish(user_id="U1", view=home, hash=first["hash"]))

    assert refusal["error"] == "hash_conflict"


def test_a_modal_must_be_a_modal_and_a_home_tab_a_home(slack: FakeSlack, client: WebClient) -> None:
    home = {"type": "home", "blocks": [_section(1)]}

    assert _error(lambda: client.views_open(trigger_id=slack.trigger_id(), view=home))["error"] == (
        "invalid_arguments"
    )
    assert _error(lambda: client.views_publish(user_id="U1", view=MODAL))["error"] == (
        "invalid_arguments"
    )


def test_views_push_allows_two_views_above_the_first(slack: FakeSlack, client: WebClient) -> None:
    root = client.views_open(trigger_id=slack.trigger_id(), view=MODAL)["view"]
    second = client.views_push(trigger_id=slack.trigger_id(root["id"]), view=MODAL)["view"]
    third = client.views_push(trigger_id=slack.trigger_id(second["id"]), view=MODAL)["view"]

    refusal = _error(
        lambda: client.views_push(trigger_id=slack.trigger_id(third["id"]), view=MODAL)
    )

    assert (second["root_view_id"], third["previous_view_id"]) == (root["id"], second["id"])
    assert refusal["error"] == "push_limit_reached"


# -- trigger ids --------------------------------------------------------------------------


def test_an_empty_trigger_id_is_invalid_arguments(client: WebClient) -> None:
    refusal = _error(lambda: client.views_open(trigger_id="", view=MODAL))

    assert refusal["error"] == "invalid_arguments"
    assert refusal["response_metadata"]["messages"] == ["invalid `trigger_id`"]


def test_a_trigger_id_slack_never_issued_is_invalid(client: WebClient) -> None:
    refusal = _error(lambda: client.views_open(trigger_id="12345.98765.abcd2358fdea", view=MODAL))

    assert refusal["error"] == "invalid_trigger_id"


def test_a_trigger_id_expires_after_3_seconds(timed: FakeSlack, clock: ManualClock) -> None:
    client = WebClient(token=TOKEN, base_url=timed.url)
    fresh, old = timed.trigger_id(), timed.trigger_id()
    clock.advance(3.0)
    assert client.views_open(trigger_id=fresh, view=MODAL)["ok"]  # 3 s is still in time
    clock.advance(0.01)

    refusal = _error(lambda: client.views_open(trigger_id=old, view=MODAL))

    assert refusal["error"] == "expired_trigger_id"


@settings(max_examples=25, deadline=None)
@given(age=st.floats(min_value=0, max_value=10, allow_nan=False))
def test_a_trigger_id_is_good_for_exactly_3_seconds(age: float) -> None:
    clock = ManualClock()
    with FakeSlack(token=TOKEN, clock=clock) as fake:
        client = WebClient(token=TOKEN, base_url=fake.url)
        trigger = fake.trigger_id()
        clock.advance(age)
        if age <= 3.0:
            assert client.views_open(trigger_id=trigger, view=MODAL)["ok"]
        else:
            refusal = _error(lambda: client.views_open(trigger_id=trigger, view=MODAL))
            assert refusal["error"] == "expired_trigger_id"


def test_a_trigger_id_is_single_use(slack: FakeSlack, client: WebClient) -> None:
    trigger = slack.trigger_id()
    client.views_open(trigger_id=trigger, view=MODAL)

    refusal = _error(lambda: client.views_open(trigger_id=trigger, view=MODAL))

    assert refusal["error"] == "exchanged_trigger_id"


# -- response_url -------------------------------------------------------------------------


def test_a_response_url_takes_five_posts(slack: FakeSlack) -> None:
    webhook = WebhookClient(slack.new_response_url())

    answers = [webhook.send(text=f"reply {n}") for n in range(6)]

    assert [a.status_code for a in answers] == [200] * 5 + [404]
    assert answers[-1].body == "used_url"
    assert slack.refused[-1].refusal == "used_url"


def test_a_response_url_expires_after_30_minutes(timed: FakeSlack, clock: ManualClock) -> None:
    url = timed.new_response_url()
    webhook = WebhookClient(url)
    clock.advance(30 * 60)
    assert webhook.send(text="just in time").status_code == 200
    clock.advance(1)

    late = webhook.send(text="too late")

    assert (late.status_code, late.body) == (404, "expired_url")


def test_each_new_response_url_is_its_own(slack: FakeSlack) -> None:
    first, second = slack.new_response_url(), slack.new_response_url()

    for _ in range(5):
        assert WebhookClient(first).send(text="x").status_code == 200

    assert first != second
    assert WebhookClient(second).send(text="x").status_code == 200


def test_a_response_url_refuses_blocks_slack_refuses(slack: FakeSlack) -> None:
    webhook = WebhookClient(slack.new_response_url())

    answer = webhook.send(text="t", blocks=[_section(n) for n in range(51)])

    assert (answer.status_code, answer.body) == (400, "invalid_blocks")
    assert webhook.send(text="t", blocks=[_section(1)]).status_code == 200  # not a use


# -- uploads ------------------------------------------------------------------------------


def test_an_upload_must_be_the_length_announced(slack: FakeSlack, client: WebClient) -> None:
    reserved = client.files_getUploadURLExternal(filename="report.pdf", length=10)

    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(reserved["upload_url"], data=b"12345", timeout=5)

    assert err.value.code == 400
    assert slack.uploads == {}
    refusal = _error(
        lambda: client.files_completeUploadExternal(files=[{"id": reserved["file_id"]}])
    )
    assert refusal["error"] == "file_not_found"


def test_a_file_completes_once(client: WebClient) -> None:
    done = client.files_upload_v2(content=b"abc", filename="a.txt", title="A", channel="C1")
    file_id = done["file"]["id"]

    refusal = _error(lambda: client.files_completeUploadExternal(files=[{"id": file_id}]))

    assert refusal["error"] == "file_not_found"


def test_a_zero_length_upload_is_missing_argument(client: WebClient) -> None:
    refusal = _error(lambda: client.files_getUploadURLExternal(filename="a.txt", length=0))

    assert refusal["error"] == "missing_argument"


def test_a_file_is_shared_only_where_the_bot_may_post(client: WebClient) -> None:
    reserved = client.files_getUploadURLExternal(filename="a.txt", length=3)
    urllib.request.urlopen(reserved["upload_url"], data=b"abc", timeout=5).close()
    files = [{"id": reserved["file_id"]}]

    denied = _error(lambda: client.files_completeUploadExternal(files=files, channel_id="C99"))
    unknown = _error(lambda: client.files_completeUploadExternal(files=files, channel_id="D9"))

    assert (denied["error"], unknown["error"]) == ("posting_to_channel_denied", "invalid_channel")
    assert client.files_completeUploadExternal(files=files, channel_id="C1")["ok"]


# -- what a test sees of refusals ---------------------------------------------------------


def test_refusals_are_recorded_but_faults_and_overrides_are_not(
    slack: FakeSlack, client: WebClient
) -> None:
    slack.fail_next("auth.test", status=503)
    with pytest.raises(SlackApiError):
        client.auth_test()
    _error(lambda: client.chat_postMessage(channel="C404", text="x"))
    slack.answer("views.publish", {"ok": False, "error": "team_added_to_org"})
    _error(lambda: client.views_publish(user_id="U1", view={"type": "home", "blocks": []}))

    assert [(c.method, c.refusal) for c in slack.refused] == [
        ("chat.postMessage", "not_in_channel")
    ]
