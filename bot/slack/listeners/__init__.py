"""Listeners grouped by the kind of Slack input they answer; `register` wires them all."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners import actions, commands, events, views
from bot.store.secrets import Cipher
from bot.workers import Deps


def register(app: AsyncApp, deps: Deps, cipher: Cipher | None = None) -> None:
    """`cipher` decrypts stored installations (a revoked user token is taken out of one)."""
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    events.register(app, deps, cipher)
