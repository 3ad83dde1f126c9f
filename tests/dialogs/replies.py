"""Every reply the dialogs give a manager, for the renderers' tests: each command's reply and
what each of its buttons opens, two presses deep (forms and messages alike).

tests/dialogs/test_buttons.py checks that every button is understood; the renderers' tests
(tests/teams/test_cards.py) render every reply found here.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialogs.commands import handle_action, handle_command
from bot.dialogs.context import DialogContext
from bot.dialogs.model import Button, Form, Message

COMMANDS = ("help", "setup", "status", "plan", "cost", "risks", "audit", "remind", "assess", "log")


@dataclass(frozen=True)
class Reply:
    """A reply, and the button pressed for it (None for a typed command)."""

    shown: Message | Form
    button: Button | None = None
    command: str | None = None


def press(ctx: DialogContext, button: Button) -> Message | Form:
    outcome = handle_action(ctx, button.action, button.value)
    assert not outcome.errors, (button, outcome.errors)
    assert outcome.reply is not None, button
    return outcome.reply


def every_reply(
    ctx: DialogContext, commands: tuple[str, ...] = COMMANDS, depth: int = 2
) -> list[Reply]:
    """Each command's reply, then every button's answer `depth` presses deep (each distinct
    action and value pressed once)."""
    seen: set[tuple[str, str]] = set()
    found: list[Reply] = []
    for command in commands:
        outcome = handle_command(ctx, command)
        assert outcome.reply is not None, command
        found.append(Reply(outcome.reply, command=command))
    layer = list(found)
    for _ in range(depth):
        pressed: list[Reply] = []
        for reply in layer:
            if not isinstance(reply.shown, Message):
                continue
            for button in reply.shown.buttons:
                if (button.action, button.value) in seen:
                    continue
                seen.add((button.action, button.value))
                pressed.append(Reply(press(ctx, button), button=button))
        found += pressed
        layer = pressed
    return found
