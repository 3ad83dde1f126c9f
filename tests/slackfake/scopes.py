"""OAuth scopes: which bot scope each Web API method needs, and the scopes the app asks for.

Why: Slack answers a method outside the token's scopes with ``missing_scope`` and says which
scope was needed and which were granted (``{"ok": false, "error": "missing_scope", "needed":
"users:read", "provided": "commands,chat:write"}``; both comma-separated strings, as the
official SDKs type them). An app that calls a method its manifest does not ask for works
against a lenient fake and fails after installation, so the fake grants exactly the bot scopes
of `manifest.yml` (``oauth_config.scopes.bot``).

The table holds the bot-token scopes from each method's reference page on docs.slack.dev
("Required scopes"), for the methods the fake answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

__all__ = ["MANIFEST", "manifest_scopes", "needed_scope"]

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"

# method -> the bot scopes any one of which lets a bot token call it; () needs none.
_SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    "views.open": (),
    "views.push": (),
    "views.update": (),
    "views.publish": (),
    # conversations.open lists channels:manage, groups:write, im:write and mpim:write; which one
    # counts depends on what is opened (see needed_scope).
    "conversations.open": ("im:write", "mpim:write", "channels:manage", "groups:write"),
    "users.info": ("users:read",),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
}


def manifest_scopes(path: Path = MANIFEST) -> tuple[str, ...]:
    """The bot scopes `manifest.yml` asks for, in its order (Slack's ``provided`` order)."""
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise ValueError(f"{path}: oauth_config.scopes.bot must be a list of scope names")
    return tuple(scopes)


def needed_scope(method: str, args: Mapping[str, Any], granted: tuple[str, ...]) -> str | None:
    """The scope Slack would name in ``needed`` if `granted` cannot call `method`, else None.

    Raises KeyError for a method the table does not know: add it with its documented scopes
    rather than let it through unchecked.
    """
    accepted = _SCOPES[method]
    if method == "conversations.open" and not args.get("channel"):
        # Opening a DM needs im:write, a group DM mpim:write; resuming one by id, any of them.
        users = [u for u in str(args.get("users", "")).split(",") if u]
        accepted = ("mpim:write",) if len(users) > 1 else ("im:write",)
    if not accepted or any(scope in granted for scope in accepted):
        return None
    return accepted[0]
