"""Listeners grouped by the kind of Slack input they answer; `register` wires them all."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners import actions, commands, events, views
from bot.workers import Deps


def register(app: AsyncApp, deps: Deps) -> None:
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    events.register(app, deps)
