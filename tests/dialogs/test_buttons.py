"""Every button a reply offers does what it says when pressed: an action the dialogs know,
with the value that action needs (a button the dialogs do not understand answers with help,
which a person would read as the bot ignoring them)."""

from __future__ import annotations

from bot.dialogs.commands import handle_command
from bot.dialogs.context import DialogContext
from bot.dialogs.model import Form, Message
from tests.dialogs.replies import every_reply, press

HELP_HEADING = "iso20k: prepare for ISO/IEC 20000-1 certification"


def test_every_button_of_the_manager_s_replies_opens_what_it_names(
    organisation: DialogContext,
) -> None:
    # Two presses deep from each reply a manager can ask for: every button is understood.
    commands = ("status", "plan", "cost", "risks", "audit", "remind", "assess")
    pressed = [r for r in every_reply(organisation, commands) if r.button is not None]
    for reply in pressed:
        if isinstance(reply.shown, Message):
            assert reply.shown.heading != HELP_HEADING, reply.button
    actions = {r.button.action for r in pressed if r.button is not None}
    assert actions >= {"assess", "plan", "risks", "book", "remind"}


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
