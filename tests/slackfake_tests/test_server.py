"""FakeSlack driven by the real slack_sdk WebClient over HTTP."""

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from tests.slackfake.server import FakeSlack

from .conftest import TOKEN

MODAL = {
    "type": "modal",
    "callback_id": "profile",
    "private_metadata": '{"org": 7}',
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


def test_url_is_the_base_url_webclient_expects(slack: FakeSlack) -> None:
    assert slack.url == f"http://127.0.0.1:{slack.port}/api/"


def test_auth_test_answers_like_slack_and_is_recorded(slack: FakeSlack, client: WebClient) -> None:
    response = client.auth_test()

    assert response["ok"] is True
    assert response["team_id"] == slack.team_id
    assert response["user_id"] == slack.bot_user_id
    assert response["bot_id"] == slack.bot_id
    (call,) = slack.calls
    assert call.method == "auth.test"
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert call.failed is False


def test_post_message_echoes_the_message_with_increasing_ts(
    slack: FakeSlack, client: WebClient
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Readiness* 62 %"}}]

    first = client.chat_postMessage(channel="C1", text="Readiness 62 %", blocks=blocks)
    second = client.chat_postMessage(channel="C1", text="again", thread_ts=first["ts"])

    assert first["channel"] == "C1"
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["blocks"] == blocks
    assert second["message"]["thread_ts"] == first["ts"]
    calls = slack.calls_to("chat.postMessage")
    assert [c.args["text"] for c in calls] == ["Readiness 62 %", "again"]
    assert calls[0].args["blocks"] == blocks
    assert calls[0].response["ts"] == first["ts"]


def test_post_message_without_channel_or_text_fails_like_slack(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as no_channel:
        client.chat_postMessage(channel="", text="x")
    with pytest.raises(SlackApiError) as no_text, pytest.warns(UserWarning, match="`text`"):
        client.chat_postMessage(channel="C1")

    assert no_channel.value.response["error"] == "channel_not_found"
    assert no_text.value.response["error"] == "no_text"


def test_ephemeral_and_update(slack: FakeSlack, client: WebClient) -> None:
    ephemeral = client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    posted = client.chat_postMessage(channel="C1", text="v1")
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="v2")

    assert ephemeral["message_ts"]
    assert updated["ts"] == posted["ts"]
    assert updated["message"]["text"] == "v2"


def test_views_open_echoes_the_view_with_an_id(slack: FakeSlack, client: WebClient) -> None:
    trigger = slack.trigger_id()
    response = client.views_open(trigger_id=trigger, view=MODAL)

    view = response["view"]
    assert view["id"].startswith("V")
    assert view["callback_id"] == "profile"
    assert view["private_metadata"] == MODAL["private_metadata"]
    assert view["blocks"] == MODAL["blocks"]
    (call,) = slack.calls_to("views.open")
    assert call.json("view")["title"]["text"] == "Organisation"
    assert call.args["trigger_id"] == trigger


def test_views_update_keeps_the_view_id_and_publish_is_home(
    slack: FakeSlack, client: WebClient
) -> None:
    opened = client.views_open(trigger_id=slack.trigger_id(), view=MODAL)["view"]
    updated = client.views_update(view_id=opened["id"], view=MODAL)["view"]
    pushed = client.views_push(trigger_id=slack.trigger_id(opened["id"]), view=MODAL)["view"]
    home = client.views_publish(
        user_id="U1", view={"type": "home", "blocks": [{"type": "divider"}]}
    )["view"]

    assert updated["id"] == opened["id"]
    assert pushed["id"] != opened["id"]
    assert home["type"] == "home"


def test_wrong_or_missing_token_is_refused(slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as wrong:
        WebClient(token="xoxb-wrong", base_url=slack.url).chat_postMessage(channel="C", text="x")
    with pytest.raises(SlackApiError) as missing:
        WebClient(base_url=slack.url).auth_test()

    assert wrong.value.response["error"] == "invalid_auth"
    assert missing.value.response["error"] == "not_authed"
    assert [c.method for c in slack.calls] == ["chat.postMessage", "auth.test"]


def test_unknown_method_is_answered_and_recorded(slack: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.api_call("files.upload", data={"content": "x"})

    assert err.value.response["error"] == "unknown_method"
    assert slack.calls_to("files.upload")


def test_users_info_time_zone_is_configurable(slack: FakeSlack, client: WebClient) -> None:
    slack.set_user("U2", tz="America/New_York", real_name="Bob Builder")

    default = client.users_info(user="U1")["user"]
    bob = client.users_info(user="U2")["user"]

    assert default["tz"] == "Europe/Berlin"
    assert default["tz_offset"] in (3600, 7200)
    assert bob["tz"] == "America/New_York"
    assert bob["tz_offset"] in (-5 * 3600, -4 * 3600)
    assert bob["real_name"] == "Bob Builder"
    assert slack.calls_to("users.info")[0].args["user"] == "U1"  # sent as a query string


def test_conversations_open_gives_a_dm_channel(client: WebClient) -> None:
    assert client.conversations_open(users="U1")["channel"]["id"] == "DU1"


def test_rate_limit_retry_handler_retries_after_429(slack: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=slack.url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    slack.fail_next("chat.postMessage", status=429, retry_after=0)

    response = client.chat_postMessage(channel="C1", text="hello")

    assert response["ok"] is True
    first, second = slack.calls_to("chat.postMessage")
    assert (first.failed, first.status) == (True, 429)
    assert (second.failed, second.status) == (False, 200)


def test_429_carries_retry_after_and_ratelimited(slack: FakeSlack, client: WebClient) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=7)

    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="hello")

    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"
    assert err.value.response["error"] == "ratelimited"


def test_retry_waits_for_retry_after(slack: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=slack.url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    slack.fail_next("auth.test", status=429, retry_after=1)

    client.auth_test()

    first, second = slack.calls_to("auth.test")
    assert second.at - first.at >= 1.0


def test_server_error_retry_handler_retries_after_503(slack: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=slack.url)
    client.retry_handlers.append(
        ServerErrorRetryHandler(
            max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.01)
        )
    )
    slack.fail_next("views.open", status=503)

    response = client.views_open(trigger_id=slack.trigger_id(), view=MODAL)

    assert response["ok"] is True
    assert [(c.failed, c.status) for c in slack.calls_to("views.open")] == [
        (True, 503),
        (False, 200),
    ]


def test_faults_run_out_after_times(slack: FakeSlack, client: WebClient) -> None:
    slack.fail_next("auth.test", status=500, times=2)

    for _ in range(2):
        with pytest.raises(SlackApiError):
            client.auth_test()
    assert client.auth_test()["ok"] is True


def test_files_upload_v2_round_trips(slack: FakeSlack, client: WebClient) -> None:
    content = b"PK\x03\x04 fake xlsx bytes"

    response = client.files_upload_v2(
        content=content, filename="gap-report.xlsx", title="Gap report", channel="C1"
    )

    file = response["file"]
    assert slack.uploads[file["id"]] == content
    assert file["size"] == len(content)
    assert file["title"] == "Gap report"
    assert [c.method for c in slack.calls] == [
        "files.getUploadURLExternal",
        "file_upload",
        "files.completeUploadExternal",
    ]
    complete = slack.calls_to("files.completeUploadExternal")[0]
    assert complete.args["files"] == [{"id": file["id"], "title": "Gap report"}]  # form → parsed
    assert complete.args["channel_id"] == "C1"


def test_complete_upload_of_a_file_never_uploaded_fails(client: WebClient) -> None:
    file_id = client.files_getUploadURLExternal(filename="a.txt", length=3)["file_id"]

    with pytest.raises(SlackApiError) as err:
        client.files_completeUploadExternal(files=[{"id": file_id, "title": "a"}])

    assert err.value.response["error"] == "file_not_found"


def test_response_url_posts_are_recorded(slack: FakeSlack) -> None:
    url = slack.response_url("cmd-1")

    response = WebhookClient(url).send(text="Working on it", response_type="ephemeral")

    assert (response.status_code, response.body) == (200, "ok")
    (call,) = slack.calls_to("response_url")
    assert call.path == "/respond/cmd-1"
    assert call.args == {"text": "Working on it", "response_type": "ephemeral"}


def test_wait_for_sees_calls_made_later_from_another_thread(
    slack: FakeSlack, client: WebClient
) -> None:
    timer = threading.Timer(0.1, lambda: client.chat_postMessage(channel="C1", text="later"))
    timer.start()
    try:
        (call,) = slack.wait_for("chat.postMessage", timeout=5)
    finally:
        timer.join()
    assert call.args["text"] == "later"


def test_wait_for_times_out_with_what_it_saw(slack: FakeSlack, client: WebClient) -> None:
    client.auth_test()

    with pytest.raises(AssertionError, match=r"chat\.postMessage.*auth\.test"):
        slack.wait_for("chat.postMessage", timeout=0.05)


def test_calls_after_hands_out_only_what_is_new(slack: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    client.chat_postMessage(channel="C1", text="first")
    assert [c.method for c in slack.calls_after(0, timeout=5)] == ["auth.test", "chat.postMessage"]
    assert slack.calls_after(2, timeout=0.05) == []  # nothing new: it waited, then gave up

    timer = threading.Timer(0.1, lambda: client.chat_postMessage(channel="C1", text="later"))
    timer.start()
    try:
        (call,) = slack.calls_after(2, timeout=5)
    finally:
        timer.join()
    assert call.args["text"] == "later"


def test_delay_slows_one_method(slack: FakeSlack, client: WebClient) -> None:
    slack.delay("auth.test", 0.2)

    started = time.monotonic()
    client.auth_test()

    assert time.monotonic() - started >= 0.2


def test_a_trigger_id_opens_one_view_only(slack: FakeSlack, client: WebClient) -> None:
    trigger = slack.trigger_id()
    client.views_open(trigger_id=trigger, view=MODAL)

    with pytest.raises(SlackApiError) as err:
        client.views_push(trigger_id=trigger, view=MODAL)

    assert err.value.response["error"] == "exchanged_trigger_id"


def test_answer_overrides_the_canned_success(slack: FakeSlack, client: WebClient) -> None:
    slack.answer("views.open", {"ok": False, "error": "expired_trigger_id"})

    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id=slack.trigger_id(), view=MODAL)

    assert err.value.response["error"] == "expired_trigger_id"


def test_reset_forgets_calls_and_faults(slack: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    slack.fail_next("auth.test", status=503)

    slack.reset()

    assert slack.calls == []
    assert client.auth_test()["ok"] is True


def test_form_encoded_json_arguments_are_parsed(slack: FakeSlack) -> None:
    body = "channel=C1&blocks=" + urllib.parse.quote(json.dumps([{"type": "divider"}]))
    request = urllib.request.Request(
        slack.url + "chat.postMessage",
        data=body.encode(),
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.loads(response.read())["ok"] is True

    (call,) = slack.calls_to("chat.postMessage")
    assert call.args["blocks"] == [{"type": "divider"}]


def test_close_releases_the_port_and_is_idempotent() -> None:
    fake = FakeSlack().start()
    url = fake.url + "auth.test"
    fake.close()
    fake.close()

    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=1)
    with pytest.raises(RuntimeError, match="not running"):
        _ = fake.url
