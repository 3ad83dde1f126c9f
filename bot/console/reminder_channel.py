"""Reminders of console organisations: appended to a log file the console user can read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.console.render import render_message
from bot.dialogs.model import Message


class ConsoleReminderChannel:
    def __init__(self, path: Path = Path("iso20k-reminders.log")) -> None:
        self.path = path

    def send(self, target: str, message: Message) -> str | None:
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.path.open("a", encoding="utf-8") as log:
            log.write(f"--- {stamp} to @{target}\n{render_message(message)}\n")
        return None

    def timezone_of(self, user_id: str) -> str | None:
        return None
