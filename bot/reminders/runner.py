"""Build the ticker from settings: the channels per platform and the tick itself."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from sqlalchemy.engine import Engine

from bot.console.reminder_channel import ConsoleReminderChannel
from bot.reminders.dispatch import ReminderChannel, TickResult, tick
from bot.settings import Settings
from iso20k_core.standard import Bank


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def channels_for(settings: Settings, engine: Engine) -> dict[str, ReminderChannel]:
    channels: dict[str, ReminderChannel] = {"console": ConsoleReminderChannel()}
    if settings.slack_bot_token:
        from bot.slack.reminder_channel import SlackReminderChannel

        channels["slack"] = SlackReminderChannel.from_settings(
            settings.slack_bot_token, settings.slack_api_url
        )
    if settings.teams:
        from bot.teams.reminder_channel import TeamsReminderChannel

        channels["teams"] = TeamsReminderChannel.from_settings(settings, engine)
    return channels


def make_tick(
    settings: Settings, engine: Engine, bank: Bank, clock: Callable[[], dt.datetime] = utc_now
) -> Callable[[], TickResult]:
    return functools.partial(
        tick, engine, bank, channels_for(settings, engine), clock, locale=settings.iso20k_locale
    )
