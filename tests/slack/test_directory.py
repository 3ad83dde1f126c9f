"""Slack's Directory against the fake Slack: users.info, the cache, and what it refuses; and
which response_urls the sender follows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.dialogs.context import DirectoryError, Person
from bot.dialogs.model import Message
from bot.slack.directory import SlackDirectory
from bot.slack.sender import SlackSender, retry_handlers, slack_response_url
from tests.slackfake.server import FakeSlack

TOKEN = "xoxb-test-token"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN, team_id="T1") as fake:
        yield fake


def client(slack: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=slack.url, retry_handlers=retry_handlers())


class Timer:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_person_as_users_info_describes_them(slack: FakeSlack) -> None:
    slack.set_user("U2", tz="Asia/Shanghai", locale="zh-CN", name="li")
    person = SlackDirectory(client(slack)).person("U2")
    assert person == Person(
        "U2", frozenset({"T1"}), display_name="li", timezone="Asia/Shanghai", locale="zh-CN"
    )
    assert slack.calls_to("users.info")[0].args["include_locale"] in ("1", "true")


def test_a_grid_member_belongs_to_each_of_their_workspaces(slack: FakeSlack) -> None:
    slack.set_user("W1", team_id="T1", enterprise_id="E1", teams=["T1", "T2"])
    person = SlackDirectory(client(slack)).person("W1")
    assert person is not None and person.workspaces == {"E1:T1", "E1:T2"}


def test_bots_deactivated_and_unknown_accounts_are_nobody(slack: FakeSlack) -> None:
    slack.set_user("U8", is_bot=True)
    slack.set_user("U9", deleted=True)
    slack.known_users_only = True
    directory = SlackDirectory(client(slack))
    assert [directory.person(u) for u in ("U8", "U9", "U404")] == [None, None, None]


# README: "What `users.info` says is kept for ten minutes in each worker process".
TEN_MINUTES = 600.0


def test_answers_are_kept_for_ten_minutes_and_then_asked_again(slack: FakeSlack) -> None:
    timer = Timer()
    directory = SlackDirectory(client(slack), timer=timer)
    first = directory.person("U1")
    timer.now = TEN_MINUTES - 1
    assert directory.person("U1") == first
    assert len(slack.calls_to("users.info")) == 1
    slack.set_user("U1", tz="America/New_York")
    timer.now = TEN_MINUTES + 1
    again = directory.person("U1")
    assert again is not None and again.timezone == "America/New_York"
    assert len(slack.calls_to("users.info")) == 2


def test_when_slack_does_not_answer_the_directory_says_so_and_keeps_nothing(
    slack: FakeSlack,
) -> None:
    directory = SlackDirectory(client(slack))
    slack.fail_next("users.info", status=503, times=3)  # the retry handler tries twice more
    with pytest.raises(DirectoryError):
        directory.person("U1")
    slack.answer("users.info", {"ok": False, "error": "missing_scope"})
    with pytest.raises(DirectoryError):
        directory.person("U1")
    slack.reset()
    assert directory.person("U1") is not None  # the failures were not cached


def test_names_from_slack_are_held_to_the_rules_of_typed_text(slack: FakeSlack) -> None:
    slack.set_user("U3", name="bad\x00name", real_name="Ｂｏｂ")
    person = SlackDirectory(client(slack)).person("U3")
    assert person is not None and "\x00" not in (person.display_name or "")


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com/commands/T1/1/abc",
        "https://hooks.slack.com/actions/T1/1/abc",
        "https://slack.com/api/x",
        "http://127.0.0.1:4321/respond/1",  # the configured SLACK_API_URL's origin
    ],
)
def test_response_urls_on_slack_are_followed(url: str) -> None:
    assert slack_response_url(url, "http://127.0.0.1:4321/api/")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://hooks.slack.com/commands/1",  # not https
        "https://hooks.slack.com.evil.example/x",
        "https://evil.example/hooks.slack.com",
        "https://hooks.slack.com@evil.example/x",
        "https://user:pw@hooks.slack.com/x",
        "https://hooks.slack.com:8443/x",
        "http://127.0.0.1:4322/respond/1",  # another port
        "https://127.0.0.1:4321/respond/1",  # another scheme
        "http://[::1/",
        "gopher://hooks.slack.com/x",
        "",
    ],
)
def test_other_response_urls_are_not(url: str) -> None:
    assert not slack_response_url(url, "http://127.0.0.1:4321/api/")


def test_the_sender_answers_in_a_direct_message_instead(slack: FakeSlack) -> None:
    sender = SlackSender(client(slack))
    sender.send_message("U1", Message("Hello"), "https://evil.example/hook")
    posted = slack.wait_for("chat.postMessage")[0]
    assert posted.args["channel"] == "U1"
    sender.send_message("U1", Message("Again"), slack.response_url("ok"))
    assert slack.wait_for("response_url")[0].args["text"] == "Again"
