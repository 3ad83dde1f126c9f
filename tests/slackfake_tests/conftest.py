"""Fixtures for the fake's own tests: a running `FakeSlack` and a `WebClient` pointed at it."""

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from tests.slackfake.server import FakeSlack

TOKEN = "xoxb-test-token"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A fake Slack of its own for one test, shut down afterwards. The bot is a member of C1,
    the channel most tests post to; tests of `not_in_channel` use others."""
    with FakeSlack(token=TOKEN) as fake:
        fake.invite_bot("C1")
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    """The real slack_sdk client, talking HTTP to the fake."""
    return WebClient(token=TOKEN, base_url=slack.url)
