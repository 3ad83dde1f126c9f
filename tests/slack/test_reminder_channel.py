"""The Slack reminder channel, on a clock the test controls: pacing per channel, 429s.

README ("Reminders"): "Messages to one channel are spaced a second apart" (Slack allows about
one message per second per channel, PLATFORM.md). The channel's clock and sleep are passed
in: the clock moves only when the channel sleeps, so a gap between two posts is exactly what
the channel waited, never how busy the machine was.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.dialogs.model import Message
from bot.reminders.dispatch import RateLimited
from bot.slack.reminder_channel import SlackReminderChannel
from tests.clocks import SteppedClock
from tests.slackfake.server import FakeSlack

TOKEN = "xoxb-test-token"


class TimedClient(WebClient):
    """The real client, noting on the controlled clock when each post leaves for Slack."""

    def __init__(self, clock: SteppedClock, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stepped = clock
        self.posted: list[tuple[str, float]] = []

    def chat_postMessage(self, **kwargs: Any) -> Any:
        self.posted.append((str(kwargs["channel"]), self.stepped()))
        return super().chat_postMessage(**kwargs)


@pytest.fixture
def slack() -> Any:
    with FakeSlack(token=TOKEN) as fake:
        fake.invite_bot("C42", "C43")
        yield fake


def channel_on(slack: FakeSlack, clock: SteppedClock) -> tuple[SlackReminderChannel, TimedClient]:
    client = TimedClient(clock, token=TOKEN, base_url=slack.url)
    return SlackReminderChannel(client, clock=clock, sleep=clock.sleep), client


def times_to(client: TimedClient, target: str) -> list[float]:
    return [at for channel, at in client.posted if channel == target]


def test_messages_to_one_channel_are_at_least_a_second_apart(slack: FakeSlack) -> None:
    clock = SteppedClock()
    channel, client = channel_on(slack, clock)
    for n in range(4):
        assert channel.send("C42", Message(heading=f"Reminder {n}"))
    sent = times_to(client, "C42")
    assert len(sent) == 4
    gaps = [later - earlier for earlier, later in itertools.pairwise(sent)]
    assert all(gap >= 1.0 for gap in gaps), gaps
    # and no slower than that: four messages in three seconds, not more
    assert sent[-1] - sent[0] == pytest.approx(3.0)
    assert len(slack.calls_to("chat.postMessage")) == 4 and slack.refused == []


def test_messages_to_different_channels_are_not_delayed(slack: FakeSlack) -> None:
    clock = SteppedClock()
    channel, client = channel_on(slack, clock)
    for target in ("C42", "C43", "U2", "U3"):
        channel.send(target, Message(heading="Digest"))
    assert clock.slept == []  # four targets, four posts at once
    assert [at for _, at in client.posted] == [0.0, 0.0, 0.0, 0.0]
    channel.send("C42", Message(heading="Again"))  # the first target again: now it waits
    assert clock.slept == [pytest.approx(1.0)]


def test_time_that_passed_anyway_counts_towards_the_second(slack: FakeSlack) -> None:
    clock = SteppedClock()
    channel, client = channel_on(slack, clock)
    channel.send("C42", Message(heading="First"))
    clock.now += 0.25  # the dispatcher spent a quarter second elsewhere
    channel.send("C42", Message(heading="Second"))
    assert clock.slept == [pytest.approx(0.75)]
    clock.now += 5.0  # long after the last one: no wait at all
    channel.send("C42", Message(heading="Third"))
    assert clock.slept == [pytest.approx(0.75)]
    assert times_to(client, "C42") == pytest.approx([0.0, 1.0, 6.0])


def test_a_429_hands_slack_s_wait_back_to_the_outbox(slack: FakeSlack) -> None:
    """A 429 that reaches the channel (slack_sdk's own retries, if any, used up) becomes
    RateLimited with Slack's Retry-After, for the outbox to reschedule: nothing is dropped."""
    clock = SteppedClock()
    channel, _ = channel_on(slack, clock)  # a client without retry handlers
    slack.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(RateLimited) as limited:
        channel.send("C42", Message(heading="Book the Stage 1 audit"))
    assert limited.value.retry_after == 7.0
    assert str(limited.value) == "rate limited for 7 s"
    assert channel.send("C42", Message(heading="Book the Stage 1 audit")) is not None
    assert [c.failed for c in slack.calls_to("chat.postMessage")] == [True, False]


def test_other_refusals_are_raised_for_the_outbox_to_retry(slack: FakeSlack) -> None:
    clock = SteppedClock()
    channel, _ = channel_on(slack, clock)
    with pytest.raises(SlackApiError, match="not_in_channel"):
        channel.send("C99", Message(heading="To a channel the bot was never invited to"))


def test_a_message_reference_is_slack_s_ts_and_people_have_timezones(slack: FakeSlack) -> None:
    slack.set_user("U2", tz="Asia/Shanghai")
    clock = SteppedClock()
    channel, _ = channel_on(slack, clock)
    ts = channel.send("U2", Message(heading="Reminder: please answer Resolution"))
    posted = slack.calls_to("chat.postMessage")[0]
    assert ts == posted.response["ts"]
    assert channel.timezone_of("U2") == "Asia/Shanghai"
    assert channel.timezone_of("C42") is None  # a channel has no timezone of its own
    assert [c.args["user"] for c in slack.calls_to("users.info")] == ["U2"]


def test_a_429_without_retry_after_waits_half_a_minute(slack: FakeSlack) -> None:
    """Slack sends Retry-After with every 429 (PLATFORM.md); should one come without, the
    outbox waits 30 s rather than hammering the channel."""
    clock = SteppedClock()
    channel, _ = channel_on(slack, clock)
    slack.fail_next("chat.postMessage", status=429, retry_after=None)
    with pytest.raises(RateLimited) as limited:
        channel.send("C42", Message(heading="Book the Stage 1 audit"))
    assert limited.value.retry_after == 30.0


def test_every_post_carries_its_notification_text(slack: FakeSlack) -> None:
    """The text is what notifications, screen readers and old clients show (Slack asks for
    it beside blocks): the message in plain words, escaped like mrkdwn."""
    clock = SteppedClock()
    channel, _ = channel_on(slack, clock)
    channel.send("C42", Message(heading="Book the Stage 1 audit by 2027-07-19", text="A & B"))
    (posted,) = slack.calls_to("chat.postMessage")
    assert posted.args["text"] == "Book the Stage 1 audit by 2027-07-19\nA &amp; B"


def test_no_ts_no_reference_and_no_timezone_none(slack: FakeSlack) -> None:
    """What Slack did not say is not made up: a post answered without a ts has no reference,
    a person without a timezone has none (not the string "None")."""
    clock = SteppedClock()
    channel, _ = channel_on(slack, clock)
    slack.answer("chat.postMessage", {"ok": True, "channel": "C42"})
    slack.answer("users.info", {"ok": True, "user": {"id": "U2", "tz": None}})
    assert channel.send("C42", Message(heading="Digest")) is None
    assert channel.timezone_of("U2") is None


def test_enterprise_grid_people_have_timezones_too(slack: FakeSlack) -> None:
    """Enterprise Grid user ids start with W (Slack's "user ID" docs), ordinary ones with U."""
    slack.set_user("W2", tz="America/Chicago")
    clock = SteppedClock()
    channel, _ = channel_on(slack, clock)
    assert channel.timezone_of("W2") == "America/Chicago"
    assert channel.timezone_of("G42") is None  # a private channel
