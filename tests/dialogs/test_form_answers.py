"""Which answers may be forms (`may_answer_with_form`) is what the Slack adapter relies on to
give a command or button Slack's 3-second trigger budget, and only those: a reply that is a
form where it was said not to be would be opened after its trigger expired."""

from __future__ import annotations

import itertools

from bot.dialogs.commands import (
    ALIASES,
    COMMANDS,
    handle_action,
    handle_command,
    may_answer_with_form,
)
from bot.dialogs.context import DialogContext
from bot.dialogs.model import Form
from tests.dialogs.replies import every_reply

# Every command word and alias, as typed in other ways, and words that are none; with each
# kind of argument the commands take. Few enough to try every pairing.
WORDS = (*COMMANDS, *ALIASES, "Status", "ＡＳＳＥＳＳ", "nonsense", "book", "pause", "change")
ARGS = ("", "resolution", "change", "pause", "resume", "md", "xlsx", "2", "<@U2>", "admin")


def test_every_form_a_manager_is_shown_was_said_to_be_one(organisation: DialogContext) -> None:
    forms = [(r, r.shown) for r in every_reply(organisation) if isinstance(r.shown, Form)]
    assert {form.kind for _, form in forms} >= {"setup", "assess", "remind", "booking"}
    for reply, _ in forms:
        if reply.command is not None:
            assert may_answer_with_form("command", "", reply.command), reply.command
        else:
            assert reply.button is not None
            assert may_answer_with_form("action", reply.button.action, reply.button.value)


def test_a_command_or_button_said_to_answer_with_a_message_never_opens_a_form(
    organisation: DialogContext,
) -> None:
    for word, arg in itertools.product(WORDS, ARGS):
        text = f"{word} {arg}".strip()
        if not may_answer_with_form("command", "", text):
            assert not isinstance(handle_command(organisation, text).reply, Form), text
        if not may_answer_with_form("action", word, arg):
            assert not isinstance(handle_action(organisation, word, arg).reply, Form), text


def test_a_submission_is_never_given_the_trigger_budget() -> None:
    # Its answer is the open modal's own (response_action), with a budget of its own.
    assert not may_answer_with_form("submit", "setup", "")
