"""Installing the app in a workspace: Bolt's OAuth flow with our stores, pages and greeting.

`GET /slack/install` answers with a redirect to Slack's authorize page, carrying a `state`
issued for ten minutes and the same state in a cookie of the browser that asked; Slack sends
the browser back to `GET /slack/oauth_redirect` with a code, which Bolt exchanges for the
workspace's tokens (`oauth.v2.access`) once the state is consumed, then saves through the
installation store (bot/slack/installations.py). A finished install greets the installer in
a direct message, in their language, and says how to begin (`/iso20k setup`); the browser
gets a page of ours, in the language it asks for, not Bolt's English one.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.web.async_client import AsyncWebClient

from bot.dialogs.model import Message
from bot.settings import Settings
from bot.slack.blocks import fallback_text, message_blocks
from bot.slack.installations import AsyncDatabaseInstallationStore, AsyncDatabaseOAuthStateStore
from bot.web import accepted_languages
from iso20k_core.language import _, resolve, using

log = logging.getLogger(__name__)


def oauth_settings(
    settings: Settings,
    installations: AsyncDatabaseInstallationStore,
    states: AsyncDatabaseOAuthStateStore,
    client: AsyncWebClient,
) -> AsyncOAuthSettings:
    """Bolt's OAuth settings from ours; `client` is the app's Web API client (the fake
    Slack in tests), which greets the installer with the new bot token."""
    greeter = Greeter(client, settings.iso20k_locale, settings.slack_install_path)
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=settings.slack_scope_list(),
        user_scopes=[],
        redirect_uri=settings.slack_redirect_url(),
        install_path=settings.slack_install_path,
        redirect_uri_path=settings.slack_redirect_uri_path,
        # Straight to Slack's authorize page: Bolt's "Add to Slack" page is English only.
        install_page_rendering_enabled=False,
        callback_options=AsyncCallbackOptions(success=greeter.success, failure=greeter.failure),
        installation_store=installations,
        installation_store_bot_only=True,  # no user tokens are asked for
        token_rotation_expiration_minutes=settings.slack_token_rotation_minutes,
        state_store=states,
        state_expiration_seconds=states.store.expiration_seconds,
    )


class Greeter:
    """What an installer sees: the direct message, and the page their browser lands on."""

    def __init__(self, client: AsyncWebClient, locale: str | None, install_path: str) -> None:
        self.client = client
        self.locale = locale
        self.install_path = install_path

    async def success(self, args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        try:
            await self.greet(installation)
        except Exception as exc:  # installed all the same: the page says how to begin
            log.warning("could not greet the installer of %s: %r", installation.team_id, exc)
        with using(resolve(*_browser_languages(args.request), self.locale)):
            workspace = installation.team_name or installation.enterprise_name or ""
            page = _page(
                _("iso20k is installed"),
                _(
                    "iso20k is now installed in {workspace}. Open Slack and type "
                    "/iso20k setup to describe your organisation: whoever runs it first "
                    "becomes its admin.",
                    workspace=workspace,
                ),
            )
        return _html(page, 200, args.settings.state_utils.build_set_cookie_for_deletion())

    async def failure(self, args: AsyncFailureArgs) -> BoltResponse:
        log.warning("Slack installation not finished: %s", args.reason)
        with using(resolve(*_browser_languages(args.request), self.locale)):
            if args.reason == "access_denied":
                text = _("The installation was cancelled in Slack. Nothing was installed.")
            elif args.reason in ("invalid_state", "invalid_browser"):
                text = _(
                    "This installation link has expired, was already used, or was opened in "
                    "another browser. Nothing was installed. Start again from {link}.",
                    link=self.install_path,
                )
            else:
                text = _(
                    "Slack did not confirm the installation. Nothing was installed. Start "
                    "again from {link}.",
                    link=self.install_path,
                )
            page = _page(_("The installation did not finish"), text)
        cookie = args.settings.state_utils.build_set_cookie_for_deletion()
        return _html(page, args.suggested_status_code, cookie)

    async def greet(self, installation: Installation) -> None:
        """A direct message to whoever installed the app, with the new bot token, in their
        language (users.info with include_locale), saying how to begin."""
        user, token = installation.user_id, installation.bot_token
        if not user or not token:
            return
        found = await self.client.users_info(token=token, user=user, include_locale=True)
        person = found.get("user") or {}
        locale = person.get("locale") if isinstance(person, dict) else None
        with using(resolve(locale if isinstance(locale, str) else None, self.locale)):
            message = Message(
                heading=_("Thanks for installing iso20k"),
                text=_(
                    "iso20k prepares your organisation for ISO/IEC 20000-1 certification. "
                    "Begin with `/iso20k setup`: it asks for your organisation's profile, and "
                    "whoever runs it first becomes its admin. Then `/iso20k assess` starts the "
                    "assessment, and `/iso20k help` lists everything else."
                ),
                tone="success",
            )
            text, blocks = fallback_text(message), message_blocks(message)
        await self.client.chat_postMessage(token=token, channel=user, text=text, blocks=blocks)


def _browser_languages(request: AsyncBoltRequest) -> list[str]:
    header: Sequence[str] | str | None = request.headers.get("accept-language")
    if isinstance(header, str):
        return accepted_languages(header)
    return accepted_languages(header[0] if header else None)


def _page(heading: str, text: str) -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(heading)}</title></head>"
        '<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">'
        f"<h1>{html.escape(heading)}</h1><p>{html.escape(text)}</p></body></html>"
    )


def _html(page: str, status: int, cookie: str) -> BoltResponse:
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "Set-Cookie": [cookie],
    }
    return BoltResponse(status=status, body=page, headers=headers)
