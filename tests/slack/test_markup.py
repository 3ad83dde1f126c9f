"""Markup is written once, by the renderers: what people typed is shown, never obeyed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.console.render import render_message
from bot.dialogs.model import (
    Fact,
    Form,
    Message,
    Section,
    Text,
    channel,
    mention,
    readable,
    split_marks,
)
from bot.slack.blocks import fallback_text, message_blocks, modal_view, to_mrkdwn
from tests.slackfake.limits import check_message, check_view

INJECTION = "<@U1> <!channel> & <https://evil.example|click>"
ENTITY = re.compile(r"&(amp|lt|gt);")
OUR_MARKUP = re.compile(r"<[@#][A-Z0-9]+>")


def texts(node: Any, kind: str) -> list[str]:
    """Every text object of a kind ("mrkdwn", "plain_text") in some blocks."""
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == kind:
            found.append(str(node["text"]))
        for value in node.values():
            found += texts(value, kind)
    elif isinstance(node, list):
        for value in node:
            found += texts(value, kind)
    return found


def bare(markup: str) -> str:
    """What is left of rendered mrkdwn once escapes and our own mentions are taken out."""
    return ENTITY.sub("", OUR_MARKUP.sub("", markup))


def typed_everywhere(value: str) -> Message:
    return Message(
        heading=value,
        text=f"Profile of {value} saved by {mention('U2')}.",
        facts=(Fact(value, value),),
        sections=(Section(heading=value, text=value, facts=(Fact("Name", value),)),),
    )


def test_a_name_that_looks_like_markup_is_escaped_and_pings_nobody() -> None:
    message = typed_everywhere(INJECTION)
    blocks = message_blocks(message)
    check_message({"blocks": blocks, "text": fallback_text(message)})
    for markup in [*texts(blocks, "mrkdwn"), fallback_text(message)]:
        assert not re.search("[<>]", bare(markup)), markup
        assert "&lt;!channel&gt;" in markup
        assert "<!channel>" not in markup and "<@U1>" not in markup
    every = [*texts(blocks, "mrkdwn"), fallback_text(message)]
    assert all(t.count("<@U2>") <= 1 for t in every)  # our own mention survives
    assert any("<@U2>" in t for t in texts(blocks, "mrkdwn"))
    assert all(t["verbatim"] is True for t in _objects(blocks, "mrkdwn"))
    # plain_text shows it as typed: Slack does not read markup there
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": INJECTION, "emoji": True},
    }


def _objects(node: Any, kind: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == kind:
            found.append(node)
        for value in node.values():
            found += _objects(value, kind)
    elif isinstance(node, list):
        for value in node:
            found += _objects(value, kind)
    return found


def test_mentions_are_slack_markup_in_mrkdwn_and_readable_in_plain_text() -> None:
    text = f"{mention('U2')} answers; reminders go to {channel('C42')}."
    assert to_mrkdwn(text) == "<@U2> answers; reminders go to <#C42>."
    form = Form("remind", "Reminders", (Text(text), Text("For " + mention("U2"), heading=False)))
    view = modal_view(form)
    check_view(view)
    assert texts(view["blocks"], "mrkdwn")[0] == "<@U2> answers; reminders go to <#C42>."
    assert readable(text) == "@U2 answers; reminders go to #C42."


def test_a_marker_that_is_no_slack_id_is_shown_not_linked() -> None:
    assert to_mrkdwn(mention("bob") + " & " + mention("U1>x")) == "@bob &amp; @U1&gt;x"


def test_no_heading_can_hold_a_mention() -> None:
    with pytest.raises(ValueError, match="mention"):
        Message(heading=f"Assigned to {mention('U2')}")
    with pytest.raises(ValueError, match="mention"):
        Section(heading=mention("U2"))
    with pytest.raises(ValueError, match="mention"):
        Form("x", mention("U2"), ())


def test_the_console_shows_names_and_no_chat_markup() -> None:
    shown = render_message(
        Message(
            "Assigned Resolution",
            text=f"{mention('bob')} will answer it; digests go to {channel('general')}.",
            facts=(Fact("By", mention("alice")),),
        )
    )
    assert "@bob will answer it; digests go to #general." in shown
    assert "@alice" in shown
    assert not re.search("<[@#!]|[\ue000\ue001]", shown)


typed = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Co")), max_size=400)


@given(typed)
def test_any_typed_text_comes_out_as_typed(value: str) -> None:
    markup = to_mrkdwn(value)
    assert not re.search("[<>]", markup)
    assert not re.search("&(?!amp;|lt;|gt;)", markup)
    unescaped = markup.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert unescaped == value


@given(
    st.lists(st.one_of(typed, st.from_regex(r"[UC][A-Z0-9]{1,10}", fullmatch=True)), max_size=30)
)
def test_long_text_is_cut_without_breaking_an_escape_or_a_mention(pieces: list[str]) -> None:
    text = " ".join(mention(p) if p[:1] in ("U", "C") and p.isalnum() else p for p in pieces) * 9
    message = Message("Heading", text=text, facts=(Fact("Label", text),))
    blocks = message_blocks(message)
    check_message({"blocks": blocks, "text": fallback_text(message)})
    for markup in [*texts(blocks, "mrkdwn"), fallback_text(message)]:
        assert not re.search("[<>]", bare(markup)), markup
        assert not re.search("&(?!amp;|lt;|gt;)", markup), markup


@given(typed)
def test_split_marks_and_readable_agree(value: str) -> None:
    text = f"{value}{mention('U1')}{value}"
    parts = split_marks(text)
    assert readable(text) == f"{value}@U1{value}"
    assert "".join(p if isinstance(p, str) else mention(p.id) for p in parts) == text
