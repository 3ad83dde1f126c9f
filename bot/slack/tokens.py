"""Which bot token a Slack call for a workspace uses: the token source.

With SLACK_BOT_TOKEN there is one workspace and one token (`FixedToken`). With OAuth every
workspace has its own installation (bot/slack/installations.py), and `InstalledTokens` finds
and decrypts its token: one indexed read per look-up, the decryption kept per ciphertext, so
a reinstall's new token is used from the next call on. A rotating token (token rotation on
in the app config) is refreshed through `oauth.v2.access` with `grant_type=refresh_token`
once it expires within SLACK_TOKEN_ROTATION_MINUTES, and the new one stored for every
process. A workspace with no installation gets None: its callers make no call and log one
line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy.engine import Engine

from bot.settings import Settings
from bot.slack.installations import DatabaseInstallationStore
from bot.slack.tenant import split_tenant
from bot.store.secrets import Cipher

log = logging.getLogger(__name__)
SLACK_API_URL = "https://slack.com/api/"


class TokenSource(Protocol):
    def bot_token(self, workspace: str | None) -> str | None:
        """The bot token for calls about `workspace` (an `Organisation.external_id`), or
        None when there is none; `workspace` None: a call that needs no workspace's token."""
        ...


@dataclass(frozen=True)
class FixedToken:
    """SLACK_BOT_TOKEN: the one workspace's token, whatever is asked."""

    token: str

    def bot_token(self, workspace: str | None) -> str | None:
        return self.token or None


class InstalledTokens:
    """Each workspace's own bot token, from the installation store: its row is read for
    every look-up (one indexed SELECT), so a reinstall or an uninstall counts from the next
    call in every process; what the row decrypts to is kept per ciphertext by the store."""

    def __init__(
        self,
        store: DatabaseInstallationStore,
        rotator: TokenRotator | None = None,
        *,
        rotation_minutes: int = 120,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.rotator = rotator
        self.rotation_minutes = rotation_minutes
        self.wall = wall

    def bot_token(self, workspace: str | None) -> str | None:
        if workspace is None:
            return None
        enterprise, team = split_tenant(workspace)
        bot = self.store.find_bot(enterprise_id=enterprise, team_id=team)
        if bot is not None and self.rotator is not None and self._expiring(bot):
            try:
                bot = self.store.refresh_bot(enterprise, team, self.rotator, self.rotation_minutes)
            except SlackTokenRotationError as exc:  # the old token may still work a while
                log.error("could not refresh the Slack token of %s: %s", workspace, exc)
        if bot is None:
            log.warning("no Slack installation for workspace %s: no call made", workspace)
            return None
        return bot.bot_token

    def _expiring(self, bot: Bot) -> bool:
        expires_at = bot.bot_token_expires_at
        return expires_at is not None and expires_at <= self.wall() + self.rotation_minutes * 60


def rotator(
    client_id: str | None, client_secret: str | None, client: WebClient
) -> TokenRotator | None:
    """What refreshes rotating tokens (`oauth.v2.access`, `grant_type=refresh_token`)."""
    if not (client_id and client_secret):
        return None
    return TokenRotator(client_id=client_id, client_secret=client_secret, client=client)


def installed_tokens(
    engine: Engine,
    secret_key: str,
    client_id: str | None,
    client_secret: str | None,
    base_url: str | None,
    rotation_minutes: int,
) -> InstalledTokens:
    """Every workspace's token from the installations on `engine`, decrypted with
    ISO20K_SECRET_KEY, rotating tokens refreshed with the app's client id and secret."""
    store = DatabaseInstallationStore(engine, Cipher.from_setting(secret_key))
    client = WebClient(base_url=base_url or SLACK_API_URL)
    return InstalledTokens(
        store, rotator(client_id, client_secret, client), rotation_minutes=rotation_minutes
    )


def token_source(settings: Settings, engine: Engine) -> TokenSource:
    """SLACK_BOT_TOKEN's one workspace, or with OAuth each installed workspace's own."""
    if not settings.slack_oauth:
        return FixedToken(settings.slack_bot_token or "")
    return installed_tokens(
        engine,
        settings.iso20k_secret_key or "",
        settings.slack_client_id,
        settings.slack_client_secret,
        settings.slack_api_url,
        settings.slack_token_rotation_minutes,
    )
