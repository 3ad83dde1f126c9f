"""The sender against the fake Slack: images inline, files through the external upload flow."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.dialogs.model import Attachment, Image, Message
from bot.slack.sender import SlackSender, retry_handlers
from tests.slackfake.limits import check_message
from tests.slackfake.server import FakeSlack

REPORT = Message(
    heading="Feasibility report",
    text="Attached.",
    image=Image("https://example.org/readiness.png", "Readiness by area"),
    file=Attachment("report.md", b"# Report\n", "Feasibility report", "text/markdown"),
)


def test_an_image_and_a_file_reach_the_person() -> None:
    with FakeSlack() as slack:
        client = WebClient(
            token="xoxb-test-token", base_url=slack.url, retry_handlers=retry_handlers()
        )
        SlackSender(client).send_message("U1", REPORT)
        posted = slack.wait_for("chat.postMessage")[0]
        check_message(posted.args)
        image = [b for b in posted.args["blocks"] if b["type"] == "image"]
        assert image == [
            {
                "type": "image",
                "image_url": "https://example.org/readiness.png",
                "alt_text": "Readiness by area",
            }
        ]
        assert slack.wait_for("conversations.open")[0].args["users"] == "U1"
        done = slack.wait_for("files.completeUploadExternal")[0]
        assert done.args["channel_id"].startswith("D")
        assert list(slack.uploads.values()) == [b"# Report\n"]


def test_a_rate_limited_post_is_retried() -> None:
    with FakeSlack() as slack:
        client = WebClient(
            token="xoxb-test-token", base_url=slack.url, retry_handlers=retry_handlers()
        )
        slack.fail_next("chat.postMessage", status=429, retry_after=0)
        SlackSender(client).send_message("U1", Message(heading="Hello"))
        calls = slack.wait_for("chat.postMessage", 2)
        assert calls[0].failed and not calls[1].failed
