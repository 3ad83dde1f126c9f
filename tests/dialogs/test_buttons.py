"""Every button a reply offers does what it says when pressed: an action the dialogs know,
with the value that action needs (a button the dialogs do not understand answers with help,
which a person would read as the bot ignoring them)."""

from __future__ import annotations

from bot.dialogs.commands import handle_action, handle_command
from bot.dialogs.context import DialogContext
from bot.dialogs.model import Button, Form, Message

HELP_HEADING = "iso20k: prepare for ISO/IEC 20000-1 certification"


def press(ctx: DialogContext, button: Button) -> Message | Form:
    outcome = handle_action(ctx, button.action, button.value)
    assert not outcome.errors, (button, outcome.errors)
    assert outcome.reply is not None, button
    return outcome.reply


def test_every_button_of_the_manager_s_replies_opens_what_it_names(
    organisation: DialogContext,
) -> None:
    # Two presses deep from each reply a manager can ask for: every button is understood.
    seen: set[tuple[str, str]] = set()
    replies: list[Message | Form] = []
    for command in ("status", "plan", "cost", "risks", "audit", "remind", "assess"):
        outcome = handle_command(organisation, command)
        assert outcome.reply is not None
        replies.append(outcome.reply)
    for _ in range(2):
        pressed: list[Message | Form] = []
        for reply in replies:
            if not isinstance(reply, Message):
                continue
            for button in reply.buttons:
                if (button.action, button.value) in seen:
                    continue
                seen.add((button.action, button.value))
                answer = press(organisation, button)
                if isinstance(answer, Message):
                    assert answer.heading != HELP_HEADING, button
                pressed.append(answer)
        replies = pressed
    assert {action for action, _ in seen} >= {"assess", "plan", "risks", "book", "remind"}


def test_pause_and_resume_buttons_pause_and_resume(organisation: DialogContext) -> None:
    shown = handle_command(organisation, "remind").reply
    assert isinstance(shown, Message) and shown.heading == "Reminders"
    pause = next(b for b in shown.buttons if b.label == "Pause reminders")
    paused = press(organisation, pause)
    assert isinstance(paused, Message) and paused.heading == "Reminders are paused"
    resume = next(b for b in paused.buttons if b.label == "Resume reminders")
    assert resume.style == "primary" and pause.style == "danger"
    resumed = press(organisation, resume)
    assert isinstance(resumed, Message) and resumed.heading == "Reminders"
    change = next(b for b in resumed.buttons if b.label == "Change")
    form = press(organisation, change)
    assert isinstance(form, Form) and form.kind == "remind"
