"""Events API: the App Home tab shows the same dashboard as `/iso20k status`; an uninstall or
a revoked token removes the tokens and pauses the organisation (bot/store/lifecycle.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp
from sqlmodel import Session

from bot.slack.deps import event_key
from bot.slack.sender import Target
from bot.slack.tenant import ENTERPRISE_ID, WORKSPACE_ID, first_id, requester_of
from bot.slack.unavailable import answer_or_apologise
from bot.store.lifecycle import SlackWorkspace, slack_tokens_revoked, slack_uninstalled
from bot.store.secrets import Cipher
from bot.workers import Deps

log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: Deps, cipher: Cipher | None = None) -> None:
    async def home_opened(body: dict[str, Any], event: dict[str, Any]) -> None:
        await app_home_opened(deps, body, event)

    async def uninstalled(body: dict[str, Any]) -> None:
        await app_uninstalled(deps, body)

    async def revoked(body: dict[str, Any], event: dict[str, Any]) -> None:
        await tokens_revoked(deps, body, event, cipher)

    app.event("app_home_opened")(home_opened)
    app.event("app_uninstalled")(uninstalled)
    app.event("tokens_revoked")(revoked)


async def app_home_opened(deps: Deps, body: dict[str, Any], event: dict[str, Any]) -> None:
    if event.get("tab", "home") != "home":
        return
    requester = requester_of(body)
    if requester is None:  # belongs to no organisation: there is nobody to show a tab to
        return
    # Slack retries an event it thinks we missed; each event id is acted on once. If no
    # worker can draw the tab, it keeps what it showed; nothing else to tell.
    request = deps.request(
        "slack", "home", requester.workspace, requester.user_id, delivery=event_key(body)
    )
    target = Target(user_id=requester.user_id, home=True)
    deps.background.start(answer_or_apologise(deps, request, target, None), "app_home_opened")


# Nobody reads an answer to these events, so they are acknowledged at once and the store work
# runs on a thread (the database must not hold up the event loop). A retried event does the
# same again harmlessly: the earliest uninstall time is kept.


async def app_uninstalled(deps: Deps, body: Mapping[str, Any]) -> None:
    workspace = installation_of(body)
    if workspace is None:
        log.warning("app_uninstalled naming no workspace: ignored")
        return

    def record() -> None:
        with Session(deps.engine) as session:
            marked = slack_uninstalled(session, workspace, deps.clock())
            session.commit()
        _logged("app_uninstalled", workspace, [org.id for org in marked])

    deps.background.start(asyncio.to_thread(record), "app_uninstalled")


async def tokens_revoked(
    deps: Deps, body: Mapping[str, Any], event: Mapping[str, Any], cipher: Cipher | None
) -> None:
    workspace = installation_of(body)
    tokens = event.get("tokens")
    tokens = tokens if isinstance(tokens, dict) else {}
    bots, users = _ids(tokens.get("bot")), _ids(tokens.get("oauth"))
    if workspace is None or not (bots or users):
        log.warning("tokens_revoked naming no workspace or token: ignored")
        return

    def record() -> None:
        with Session(deps.engine) as session:
            marked = slack_tokens_revoked(session, workspace, bots, users, deps.clock(), cipher)
            session.commit()
        _logged("tokens_revoked", workspace, [org.id for org in marked])

    deps.background.start(asyncio.to_thread(record), "tokens_revoked")


def installation_of(body: Mapping[str, Any]) -> SlackWorkspace | None:
    """The installation an event is about: its authorization's workspace and enterprise (an
    org-wide install has no workspace there), else the envelope's; None if it names none."""
    authorizations = body.get("authorizations")
    first = authorizations[0] if isinstance(authorizations, list) and authorizations else {}
    first = first if isinstance(first, dict) else {}
    org_wide = first.get("is_enterprise_install") is True
    enterprise = first_id(ENTERPRISE_ID, first.get("enterprise_id"), body.get("enterprise_id"))
    team = None if org_wide else first_id(WORKSPACE_ID, first.get("team_id"), body.get("team_id"))
    if team is None and not (org_wide and enterprise):
        return None
    return SlackWorkspace(team, enterprise, org_wide)


def _ids(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []


def _logged(event: str, workspace: SlackWorkspace, organisation_ids: list[int | None]) -> None:
    where = workspace.team_id or f"{workspace.enterprise_id} (org-wide)"
    ids = ", ".join(str(i) for i in organisation_ids) or "none known"
    log.info("%s for %s: organisation(s) %s marked uninstalled", event, where, ids)
