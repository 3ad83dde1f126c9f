"""Which organisation a Slack request belongs to, and who sent it: one answer for every listener.

An organisation is a Slack workspace. In an Enterprise Grid a workspace belongs to an
enterprise, and an organisation-wide install receives the requests of all its workspaces, so
the tenant is keyed on both, as Slack advises (docs.slack.dev "Developing apps for Enterprise
Grid": store `enterprise_id` with the workspace's data): `E1:T1` inside an enterprise, `T1`
outside one. A request that names no workspace is refused rather than filed under an empty
id that every such request would share.

Where the workspace is, by payload (Slack's payload references; api.slack.com
"Org-wide apps: reference"):

- Events API: `context_team_id` / `context_enterprise_id` (the workspace where the event
  happened, also for org-wide installs), else `team_id` / `enterprise_id`;
- slash commands: `team_id`, `enterprise_id` (with `is_enterprise_install`);
- interactivity (buttons, modals): `team.id` and `enterprise.id`; for org-wide installs
  `team` is null and the person's `user.team_id` (or the view's `team_id`) names it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.dialogs.model import Message
from bot.store.models import slack_external_id
from iso20k_core.language import N_

# Shown with `translated(NO_WORKSPACE)` (bot.dialogs.worker), in the deployment's language:
# nobody is known to ask what they read.
NO_WORKSPACE = Message(
    N_("Not run: no workspace"),
    tone="error",
    text=N_(
        "This request did not say which Slack workspace and person it came from, so it "
        "belongs to no organisation and nothing was done. Use /iso20k in a workspace where "
        "the app is installed."
    ),
)
WORKSPACE_ID = re.compile(r"T[A-Z0-9]{1,31}")
ENTERPRISE_ID = re.compile(r"E[A-Z0-9]{1,31}")
USER_ID = re.compile(r"[UW][A-Z0-9]{1,31}")


# `Organisation.external_id` of a Slack workspace; the store defines it (the uninstall
# events' store work needs it too).
tenant_key = slack_external_id


def split_tenant(key: str) -> tuple[str | None, str]:
    """The enterprise (or None) and the workspace of an `Organisation.external_id`."""
    enterprise, colon, team = key.rpartition(":")
    return (enterprise or None) if colon else None, team


@dataclass(frozen=True)
class Requester:
    """The workspace (and enterprise) a request came from, and the person who sent it."""

    team_id: str
    user_id: str
    enterprise_id: str | None = None

    @property
    def workspace(self) -> str:
        return tenant_key(self.enterprise_id, self.team_id)


def requester_of(body: Mapping[str, Any]) -> Requester | None:
    """Who sent a command, an interaction or an event, or None when the payload names no
    workspace or no person (refuse it: it belongs to no organisation)."""
    team = first_id(
        WORKSPACE_ID,
        body.get("context_team_id"),
        body.get("team_id"),
        _inner(body, "team", "id"),
        _inner(body, "user", "team_id"),
        _inner(body, "view", "team_id"),
    )
    user = first_id(
        USER_ID,
        body.get("user_id"),
        _inner(body, "user", "id"),
        _inner(body, "event", "user"),
    )
    if team is None or user is None:
        return None
    authorizations = body.get("authorizations")
    first = authorizations[0] if isinstance(authorizations, list) and authorizations else {}
    enterprise = first_id(
        ENTERPRISE_ID,
        body.get("context_enterprise_id"),
        body.get("enterprise_id"),
        _inner(body, "enterprise", "id"),
        _inner(body, "team", "enterprise_id"),
        first.get("enterprise_id") if isinstance(first, dict) else None,
    )
    return Requester(team, user, enterprise)


def _inner(body: Mapping[str, Any], outer: str, key: str) -> Any:
    value = body.get(outer)
    return value.get(key) if isinstance(value, dict) else None


def first_id(pattern: re.Pattern[str], *candidates: Any) -> str | None:
    """The first candidate that is an id of that kind (junk and empty strings are skipped)."""
    for candidate in candidates:
        if isinstance(candidate, str) and pattern.fullmatch(candidate):
            return candidate
    return None
