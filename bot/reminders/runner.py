"""Build the ticker from settings: the channels per platform and the tick itself."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from sqlalchemy.engine import Engine

from bot.console.reminder_channel import ConsoleReminderChannel
from bot.reminders.dispatch import Channels, TickResult, tick
from bot.settings import Settings
from iso20k_core.standard import Bank


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def channels_for(settings: Settings, engine: Engine) -> dict[str, Channels]:
    channels: dict[str, Channels] = {"console": ConsoleReminderChannel()}
    if settings.slack:
        # Each organisation's reminders with its workspace's token (one token, or with
        # Slack OAuth its installation's).
        from bot.slack.reminder_channel import SlackReminderChannels
        from bot.slack.tokens import token_source

        channels["slack"] = SlackReminderChannels(
            token_source(settings, engine), settings.slack_api_url
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
