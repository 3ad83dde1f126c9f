"""The dialog tests' organisation: its set-up answers, and entering as one of its people."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from bot.dialogs.commands import handle_command
from bot.dialogs.context import DialogContext, enter
from bot.dialogs.model import Message
from iso20k_core.standard import load_bank

TODAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
BANK = load_bank()
SETUP: dict[str, Any] = {
    "organisation": "Example IT",
    "persons_in_scope": "50",
    "it_staff": "40",
    "services_in_scope": "8",
    "sites": "1",
    "staff_available_fte": "0.5",
    "itil_adoption": "partial",
    "existing_certifications": [],
    "start_date": "2027-01-11",
    "target_certification_date": "",
    "country": "DE",
    "timezone": "Europe/Berlin",
    "currency": "EUR",
    "consultant_day_rate": "",
    "auditor_day_rate": "",
    "internal_day_rate": "",
    "reminder_channel": "",
}


def as_user(session: Session, user: str, role: str | None = None) -> DialogContext:
    ctx = enter(session, "console", "W1", "Example", user, TODAY, BANK)
    ctx.now = NOW
    if role is not None:
        ctx.member.role = role  # type: ignore[assignment]
        session.add(ctx.member)
        session.flush()
    return ctx


def reply(ctx: DialogContext, command: str) -> Message:
    out = handle_command(ctx, command).reply
    assert isinstance(out, Message), out
    return out


def text_of(message: Message) -> str:
    return message.plain()
