"""Build the Bolt app: one AsyncApp, its Web API client with polite retries, its listeners.

One workspace (SLACK_BOT_TOKEN), or many installed by Slack's OAuth flow (`oauth_app`:
SLACK_CLIENT_ID and SLACK_CLIENT_SECRET without a bot token), each request then authorised
with its workspace's own installation."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings
from bot.slack.listeners import register
from bot.store.secrets import Cipher, SecretKeyError
from bot.workers import Deps

log = logging.getLogger(__name__)
SLACK_API_URL = "https://slack.com/api/"


def web_client(settings: Settings) -> AsyncWebClient:
    """Bolt's own client (it checks the token at start-up); the app's replies go through the
    worker's client in bot/slack/sender.py. Both retry rate limits and 5xx (PLATFORM.md)."""
    return AsyncWebClient(
        token=None if settings.slack_oauth else settings.slack_bot_token,
        base_url=settings.slack_api_url or SLACK_API_URL,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def installations_cipher(settings: Settings) -> Cipher | None:
    """The cipher of the stored installations (ISO20K_SECRET_KEY), None without one: then no
    OAuth installation holds a token to take out. A malformed key was refused at start-up
    in OAuth mode; in single-workspace mode it only costs revoked user tokens their removal."""
    if not (settings.iso20k_secret_key or "").strip():
        return None
    try:
        return Cipher.from_setting(settings.iso20k_secret_key or "")
    except SecretKeyError as exc:
        log.warning("revoked user tokens will stay in their installations: %s", exc)
        return None


def build_app(settings: Settings, deps: Deps) -> AsyncApp:
    """Over HTTP every request is signed (SLACK_SIGNING_SECRET); in Socket Mode
    (SLACK_APP_TOKEN) requests come over a WebSocket the app opened itself with its app
    token, and carry no signature to check."""
    socket_mode = bool(settings.slack_app_token)
    if settings.slack_oauth:
        app = oauth_app(settings, deps)
    else:
        if not settings.slack_bot_token or not (settings.slack_signing_secret or socket_mode):
            raise ValueError(
                "Slack needs SLACK_BOT_TOKEN, and SLACK_SIGNING_SECRET over HTTP "
                "(or SLACK_APP_TOKEN for Socket Mode)"
            )
        app = AsyncApp(
            client=web_client(settings),
            signing_secret=settings.slack_signing_secret,
            # bot/slack/guard.py verifies every HTTP request before Bolt parses it; Bolt
            # checks the signature and the 5-minute window once more with the same secret.
            request_verification_enabled=not socket_mode,
            # Answer each request as soon as its listener returns, not on Bolt's 10 ms poll
            # for ack() (PLATFORM.md "Bolt's own latency floor"): every listener acknowledges
            # and hands its work to a background task (bot/dialogs/background.py), so
            # returning is quick; only a modal submission waits, for its save, as Slack
            # requires. A listener that raised would be answered 500: ours catch their errors.
            process_before_response=True,
        )
    register(app, deps, installations_cipher(settings))

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        # Listeners catch their own errors and apologise; this catches what slips past.
        log.error("unhandled error for %s: %r", body.get("type") or body.get("command"), error)

    return app


def oauth_app(settings: Settings, deps: Deps) -> AsyncApp:
    """Many workspaces (Slack OAuth): each request is authorised with its workspace's own
    installation, read from our database and decrypted; /slack/install and
    /slack/oauth_redirect install the app (bot/slack/oauth.py). Over HTTP only: Socket Mode
    is for an app in one workspace."""
    from bot.slack.installations import (
        AsyncDatabaseInstallationStore,
        AsyncDatabaseOAuthStateStore,
        DatabaseInstallationStore,
        DatabaseOAuthStateStore,
    )
    from bot.slack.oauth import oauth_settings
    from bot.slack.tokens import rotator

    missing = settings.oauth_missing()
    if missing:
        raise ValueError(f"Slack OAuth (SLACK_CLIENT_ID) needs {' and '.join(missing)}")
    cipher = Cipher.from_setting(settings.iso20k_secret_key or "")
    refresher = rotator(
        settings.slack_client_id,
        settings.slack_client_secret,
        WebClient(base_url=settings.slack_api_url or SLACK_API_URL),
    )
    installations = AsyncDatabaseInstallationStore(
        DatabaseInstallationStore(deps.engine, cipher),
        refresher,
        settings.slack_token_rotation_minutes,
    )
    states = AsyncDatabaseOAuthStateStore(DatabaseOAuthStateStore(deps.engine))
    client = web_client(settings)
    return AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret,
        process_before_response=True,  # as in build_app, for the same reason
        installation_store=installations,
        # Bolt's authorisation, its auth.test answer kept per token (without the cache it
        # would ask Slack once per request); it refreshes rotating tokens and saves them.
        authorize=AsyncInstallationStoreAuthorize(  # type: ignore[arg-type]  # Bolt takes either
            installation_store=installations,
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            token_rotation_expiration_minutes=settings.slack_token_rotation_minutes,
            bot_only=True,
            cache_enabled=True,
            client=client,
            logger=log,
        ),
        installation_store_bot_only=True,
        oauth_settings=oauth_settings(settings, installations, states, client),
    )
