"""Replies several dialogs share."""

from __future__ import annotations

from bot.dialogs.model import Message, command
from iso20k_core.standard import Bank


def unknown_section(bank: Bank, section_id: str) -> Message:
    return Message(
        heading=f"There is no section {section_id!r}",
        text="Sections: " + ", ".join(f"{s.id} ({s.title})" for s in bank.assessed_sections),
        tone="error",
    )


def not_set_up() -> Message:
    return Message(
        heading="No organisation profile yet",
        text=f"A manager sets it up first with {command('setup')} (the first person to do so "
        "becomes admin).",
        tone="warning",
    )


def managers_only(what: str) -> Message:
    return Message(
        heading=f"{what} are visible to managers only",
        text=f"Ask an admin for the manager role: {command('role @you manager')}",
        tone="warning",
    )
