"""Messages, Home tabs and notice modals at Slack's block limits, counted here by hand.

Slack's Block Kit reference: "up to 50 blocks" in a message, 100 in a modal or Home tab.
A message that needs more is cut so the limit holds and says so in its last block before
the buttons; one that fits is left whole.
"""

from __future__ import annotations

from bot.dialogs.model import Button, Message, Section
from bot.slack.blocks import home_view, message_blocks, notice_view
from tests.e2e.harness import block_text
from tests.slackfake.limits import check_message, check_view

CUT = "…more in the full report."


def sections(count: int) -> tuple[Section, ...]:
    # each renders as two blocks: a divider and a section
    return tuple(Section(f"Area {n}", f"Text {n}") for n in range(count))


def test_a_message_of_exactly_50_blocks_is_left_whole() -> None:
    # header (1) + 24 sections (48) + actions (1) = 50
    message = Message("Status", sections=sections(24), buttons=(Button("Plan", "plan"),))
    blocks = message_blocks(message)
    assert len(blocks) == 50
    assert CUT not in block_text(blocks) and "Area 23" in block_text(blocks)
    check_message({"text": "Status", "blocks": blocks})


def test_a_message_of_51_blocks_is_cut_to_50_and_keeps_its_buttons() -> None:
    # header (1) + 24 sections (48) + one more text block + actions (1) = 51
    message = Message(
        "Status", text="Intro", sections=sections(24), buttons=(Button("Plan", "plan"),)
    )
    blocks = message_blocks(message)
    assert len(blocks) == 50
    assert block_text(blocks[-2:-1]) == CUT
    assert blocks[-1]["type"] == "actions"
    check_message({"text": "Status", "blocks": blocks})


def test_a_home_tab_holds_up_to_100_blocks() -> None:
    long_status = Message("ISO/IEC 20000-1 status: Acme IT", sections=sections(45))  # 91 blocks
    view = home_view(long_status)
    assert view["type"] == "home" and len(view["blocks"]) == 91
    assert CUT not in block_text(view["blocks"])
    check_view(view)
    longer = home_view(Message("Status", sections=sections(60)))  # 121 blocks: cut to 100
    assert len(longer["blocks"]) == 100 and block_text(longer["blocks"][-1:]) == CUT
    check_view(longer)


def test_a_notice_replaces_a_modal_with_a_message_closed_with_ok() -> None:
    view = notice_view(Message("Saved", sections=sections(45)))
    assert view["type"] == "modal" and len(view["blocks"]) == 91
    assert view["title"]["text"] == "iso20k"
    assert view["close"]["text"] == "OK"
    assert "submit" not in view  # nothing to submit: it only tells
    check_view(view)
