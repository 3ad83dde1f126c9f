"""What each kind of reminder says, rendered by both renderers and held to Slack's limits.

Rows are written by hand here (the payloads the generator stores, with literal values) and
read against a real organisation, so every branch of `bot/reminders/messages.py` is shown:
with and without a profile, default and changed offsets, and inputs far larger than a
normal organisation's (a 200-character name full of markup, a thousand overdue sections)
to show that Slack's limits hold whatever the data. The end-to-end counterpart, every kind
generated from a real plan and its buttons pressed, is tests/e2e/test_slack_reminder_messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.console.render import render_message
from bot.dialogs.commands import handle_submit
from bot.dialogs.context import DialogContext, OpenDirectory
from bot.dialogs.model import Button, Message, mention
from bot.dialogs.worker import run_step
from bot.reminders.messages import reminder_message
from bot.slack.blocks import fallback_text, message_blocks, submitted_values
from bot.slack.reminder_channel import SlackReminderChannel
from bot.store.db import make_engine
from bot.store.models import Reminder
from iso20k_core.standard import load_bank
from tests.clocks import SteppedClock
from tests.e2e.harness import block_text
from tests.e2e.test_slack_basics import setup_values, text
from tests.migrated import migrated
from tests.slackfake.limits import check_message
from tests.slackfake.server import FakeSlack

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
BANK = load_bank()
# 200 characters (the longest organisation name setup takes), each `&`, `<`, `>` of which
# becomes four or five in Slack's mrkdwn.
LONG_NAME = ("Ünïcødé & <Partners> Ltd. " * 8)[:200]


def engine_at(tmp_path: Path, name: str | None = "Acme IT") -> Engine:
    """A migrated database holding one Slack organisation, with its profile unless `name`
    is None."""
    url = f"sqlite:///{tmp_path / 'messages.db'}"
    migrated(url)
    engine = make_engine(url)
    if name is not None:
        raw = submitted_values(
            {
                "state": {
                    "values": {
                        k: {"value": v} for k, v in setup_values(organisation=text(name)).items()
                    }
                }
            }
        )
        assert not in_context(engine, lambda ctx: handle_submit(ctx, "setup", {}, raw)).errors
    return engine


def in_context(engine: Engine, fn: Callable[[DialogContext], Any]) -> Any:
    return run_step(engine, BANK, "slack", "T1", "U1", NOW, fn, directory=OpenDirectory("T1"))


def row(kind: str, subject: str, offset: int, target: str, **payload: Any) -> Reminder:
    return Reminder(
        organisation_id=1,
        kind=kind,
        target=target,
        subject=subject,
        due_at=NOW,
        dedupe_key=f"{kind}:{subject}:{offset}:{target}",
        payload=payload,
    )


def written(engine: Engine, reminder: Reminder) -> Message:
    message = in_context(engine, lambda ctx: reminder_message(reminder, ctx))
    assert isinstance(message, Message)
    return message


def slack_text(message: Message) -> str:
    """What Slack shows, after checking the payload as Slack would take it."""
    payload = {"text": fallback_text(message), "blocks": message_blocks(message)}
    check_message(payload)
    return block_text(payload["blocks"])


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return engine_at(tmp_path)


def test_a_milestone_reminder_names_the_milestone_its_date_and_its_offset(
    engine: Engine,
) -> None:
    milestone = row(
        "milestone", "gap_report", 5, "U1", title="Gap analysis report accepted", date="2027-04-16"
    )
    message = written(engine, milestone)
    shown = slack_text(message)
    assert "Milestone in 5 working days: Gap analysis report accepted" in shown
    assert "Planned for 2027-04-16." in shown
    assert message.buttons == (Button("Plan", "plan"),)
    console = render_message(message)
    assert console.startswith("Milestone in 5 working days: Gap analysis report accepted\n")
    assert "[1] Plan" in console


def test_a_booking_reminder_names_the_audit_its_deadline_and_offers_to_record_it(
    engine: Engine,
) -> None:
    booking = row(
        "booking_deadline",
        "stage1",
        10,
        "U1",
        title="Stage 1 audit",
        deadline="2027-07-19",
        planned="2027-09-13",
    )
    message = written(engine, booking)
    shown = slack_text(message)
    assert "Book the Stage 1 audit by 2027-07-19" in shown
    assert ":warning: The audit is planned for 2027-09-13." in shown
    assert "these reminders stop once it is recorded" in shown
    # the button records the booking of this audit (its key), not of any audit
    assert message.buttons == (Button("Record a booking", "book", "stage1", "primary"),)
    console = render_message(message)
    assert console.startswith("! Book the Stage 1 audit by 2027-07-19\n")
    assert "[1] Record a booking" in console


def test_a_nudge_names_the_section_and_its_due_date_and_opens_it(engine: Engine) -> None:
    nudge = row(
        "assignment_nudge",
        "resolution",
        1,
        "U2",
        section="resolution",
        title="Resolution and fulfilment",
        due="2026-11-27",
    )
    message = written(engine, nudge)
    shown = slack_text(message)
    assert "Reminder: please answer Resolution and fulfilment" in shown
    assert "It was due 2026-11-27." in shown
    assert message.buttons == (Button("Answer now", "assess", "resolution", "primary"),)
    assert "[1] Answer now" in render_message(message)


def test_an_overdue_summary_lists_every_section_with_who_and_when(engine: Engine) -> None:
    overdue = row(
        "overdue_summary",
        "2026-11-30",
        0,
        "U1",
        sections=[
            f"Context and leadership ({mention('U3')}, due 2026-11-26)",
            f"Resolution and fulfilment ({mention('U2')}, due 2026-11-27)",
        ],
    )
    message = written(engine, overdue)
    shown = slack_text(message)
    assert "2 assigned sections are overdue" in shown
    assert "• Context and leadership (<@U3>, due 2026-11-26)" in shown
    assert "• Resolution and fulfilment (<@U2>, due 2026-11-27)" in shown
    console = render_message(message)
    assert "• Context and leadership (@U3, due 2026-11-26)" in console


def test_an_audit_reminder_without_a_profile_still_lists_the_open_sections(
    tmp_path: Path,
) -> None:
    engine = engine_at(tmp_path, name=None)
    audit = row("audit_batch", "stage1", 7, "C42", title="Stage 1 audit", planned="2027-09-13")
    message = written(engine, audit)
    shown = slack_text(message)
    assert "Stage 1 audit on 2027-09-13" in shown
    assert "• Management and technical foundation" in shown  # bank 2018.1's first section
    assert "• Performance evaluation and improvement" in shown  # and its last
    assert "Weakest areas" not in shown  # no profile: nothing evaluated, nothing claimed
    assert [b.label for b in message.buttons] == ["Status"]


def test_a_digest_without_a_profile_says_so(tmp_path: Path) -> None:
    engine = engine_at(tmp_path, name=None)
    message = written(engine, row("digest", "2026-W48", 0, "C42"))
    assert (message.heading, message.text) == ("Weekly digest", "No organisation profile yet.")
    slack_text(message)


def test_a_digest_for_a_long_name_full_of_markup_fits_slack(tmp_path: Path) -> None:
    engine = engine_at(tmp_path, name=LONG_NAME)
    message = written(engine, row("digest", "2026-W48", 0, "C42"))
    shown = slack_text(message)
    assert message.heading == f"Weekly digest: {LONG_NAME}"
    header = message_blocks(message)[0]["text"]["text"]
    assert len(header) == 150 and header.startswith("Weekly digest: Ünïcødé & <Partners>")
    assert "*Answered*\n0 of 157" in shown  # bank 2018.1 has 157 questions
    assert "<Partners>" not in fallback_text(message)  # escaped: &lt;Partners&gt;
    assert render_message(message).startswith(f"Weekly digest: {LONG_NAME}\n")


def test_a_thousand_overdue_sections_and_long_titles_stay_within_slack_s_limits(
    engine: Engine,
) -> None:
    sections = [
        f"{LONG_NAME} section {n} ({mention(f'U{n:04d}')}, due 2026-11-2{n % 10})"
        for n in range(1000)
    ]
    long_ones = [
        row("overdue_summary", "2026-11-30", 0, "U1", sections=sections),
        row("milestone", "m", 3, "U1", title=LONG_NAME * 3, date="2027-04-16"),
        row(
            "booking_deadline",
            "stage1",
            3,
            "U1",
            title=LONG_NAME,
            deadline="2027-07-19",
            planned="2027-09-13",
        ),
        row("assignment_nudge", "resolution", 0, "U2", section="resolution", title=LONG_NAME),
        row("audit_batch", "stage1", 1, "C42", title=LONG_NAME, planned="2027-09-13"),
    ]
    messages = [written(engine, r) for r in long_ones]
    for message in messages:
        slack_text(message)  # within every limit, nothing Slack would truncate
    blocks = message_blocks(messages[0])
    assert len(blocks) == 50  # Slack's most for a message: the rest is cut, and says so
    assert block_text(blocks[-1:]) == "…more in the full report."
    assert "1000 assigned sections are overdue" in block_text(blocks)
    console = render_message(messages[0])  # the console has no limit: every one is there
    assert "section 0 (@U0000" in console and "section 999 (@U0999" in console
    # and the fake Slack, which refuses what Slack refuses, takes every one of them
    clock = SteppedClock()
    with FakeSlack(token="xoxb-test-token") as slack:
        slack.invite_bot("C42")
        client = WebClient(token="xoxb-test-token", base_url=slack.url)
        channel = SlackReminderChannel(client, clock=clock, sleep=clock.sleep)
        for reminder, message in zip(long_ones, messages, strict=True):
            assert channel.send(reminder.target, message)
        assert slack.refused == []
