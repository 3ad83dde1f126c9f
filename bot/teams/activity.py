"""What an incoming Teams activity says, as plain data a worker can be handed.

The web process parses each activity with the Agents SDK's schema (`Activity`), takes what
the dialogs need, and passes a `Turn` (picklable, small) to a worker. Facts from PLATFORM.md
("Identity"): the organisation is the tenant (`conversation.tenantId`, also
`channelData.tenant.id`), a person is their AAD object id (`from.aadObjectId`), the Teams user
id (`29:…`) is what conversations are created with, and in a channel the text holds
`<at>Bot</at>`, which is stripped; other people's mentions stay, to be resolved by the worker.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from microsoft_agents.activity import Activity
from pydantic import ValidationError

TurnKind = Literal["message", "submission", "installed"]
# What a typed mention looks like in the text Teams sends; its entity says who it is.
_AT = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]{1,200}>")


class NotAnActivity(ValueError):
    """The body is not an activity Teams would send (its reason says which part)."""


@dataclass(frozen=True)
class Conversation:
    """Where a reply or a proactive message goes: a conversation reference."""

    id: str
    service_url: str
    tenant_id: str
    type: str = "personal"  # personal, groupChat or channel
    bot_id: str = ""
    name: str | None = None


@dataclass(frozen=True)
class Mentioned:
    """Someone @mentioned in the text: their Teams user id, name, and the text marking them."""

    teams_id: str
    name: str
    text: str


@dataclass(frozen=True)
class Turn:
    kind: TurnKind
    activity_id: str
    conversation: Conversation
    user_teams_id: str
    user_aad_id: str
    user_name: str | None = None
    text: str = ""  # typed text, the bot's own mention stripped
    mentions: tuple[Mentioned, ...] = ()
    value: dict[str, Any] = field(default_factory=dict)  # a card's submitted data
    reply_to_id: str | None = None  # the card a submission came from
    locale: str | None = None
    timezone: str | None = None  # from the clientInfo entity, when Teams sends one

    @property
    def tenant_id(self) -> str:
        return self.conversation.tenant_id

    def delivery_key(self) -> str:
        """What identifies this delivery: a message by its id; a card submission by the card
        and what was entered, so a double click is one submission and a corrected entry a
        new one (as Slack's view hash and values, bot/slack/deps.py)."""
        where = f"{self.tenant_id}:{self.conversation.id}"
        if self.kind != "submission":
            return f"activity:{where}:{self.activity_id}"
        values = json.dumps(self.value, sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(values.encode()).hexdigest()
        card = self.reply_to_id or self.activity_id
        return f"card:{where}:{self.user_aad_id}:{card}:{digest}"


def read_turn(body: Mapping[str, Any], app_id: str | None) -> Turn | None:
    """The turn an activity asks for, or None for an activity the bot has nothing to do with
    (typing, reactions, a member other than the bot joining). Raises `NotAnActivity`."""
    try:
        activity = Activity.model_validate(dict(body))
    except ValidationError as exc:
        # the schema's first complaint names the part (`conversation.id`, `serviceUrl`, …)
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the body"
        raise NotAnActivity(
            f"not an activity: {where}: {first['msg']} ({exc.error_count()} problems)"
        ) from None
    conversation = _conversation(activity, body)
    sender = activity.from_property
    if sender is None or not sender.id:
        raise NotAnActivity("no sender (from.id)")
    aad = sender.aad_object_id or ""
    name = sender.name or None
    kind: TurnKind
    if activity.type == "message":
        value = activity.value if isinstance(activity.value, dict) else None
        kind = "submission" if value else "message"
    elif activity.type in ("conversationUpdate", "installationUpdate"):
        if not _bot_added(activity, body, app_id):
            return None
        kind, value = "installed", None
    else:
        return None
    if not aad and kind != "installed":
        raise NotAnActivity("no AAD object id (from.aadObjectId): not a person of a tenant")
    bot_id = conversation.bot_id
    mentions = tuple(m for m in _mentions(body) if m.teams_id != bot_id)
    text = _typed(activity.text or "", [m for m in _mentions(body) if m.teams_id == bot_id])
    return Turn(
        kind=kind,
        activity_id=activity.id or "",
        conversation=conversation,
        user_teams_id=sender.id,
        user_aad_id=aad,
        user_name=name,
        text=text if kind == "message" else "",
        mentions=mentions if kind == "message" else (),
        value=value or {},
        reply_to_id=activity.reply_to_id or None,
        locale=activity.locale or None,
        timezone=_timezone(body),
    )


def _conversation(activity: Activity, body: Mapping[str, Any]) -> Conversation:
    account = activity.conversation
    if account is None or not account.id:
        raise NotAnActivity("no conversation.id")
    if not activity.service_url:
        raise NotAnActivity("no serviceUrl")
    channel_data = body.get("channelData") if isinstance(body.get("channelData"), dict) else {}
    tenant = account.tenant_id or _inner(channel_data, "tenant", "id")
    if not tenant:
        raise NotAnActivity("no tenant (conversation.tenantId)")
    recipient = activity.recipient
    return Conversation(
        id=account.id,
        service_url=activity.service_url,
        tenant_id=str(tenant),
        type=account.conversation_type or "personal",
        bot_id=(recipient.id if recipient is not None and recipient.id else ""),
        name=account.name or _inner(channel_data, "channel", "name") or None,
    )


def _bot_added(activity: Activity, body: Mapping[str, Any], app_id: str | None) -> bool:
    if activity.type == "installationUpdate":
        # "add", not "add-upgrade": an upgrade of the app is no new installation to greet.
        return body.get("action") == "add"
    bot = activity.recipient.id if activity.recipient is not None else None
    added = body.get("membersAdded") or []
    ids = {m.get("id") for m in added if isinstance(m, dict)}
    return bool(bot in ids or (app_id and f"28:{app_id}" in ids))


def _mentions(body: Mapping[str, Any]) -> list[Mentioned]:
    found: list[Mentioned] = []
    for entity in body.get("entities") or []:
        if not isinstance(entity, dict) or entity.get("type") != "mention":
            continue
        who = entity.get("mentioned")
        text = entity.get("text")
        if isinstance(who, dict) and isinstance(who.get("id"), str) and isinstance(text, str):
            found.append(Mentioned(who["id"], str(who.get("name") or ""), text))
    return found


def _typed(text: str, bot_mentions: list[Mentioned]) -> str:
    """The text as the person typed it: the bot's mention removed, markup and entities gone
    (Teams may send `&nbsp;` or wrap text in tags), other mentions kept as `<at>…</at>`."""
    for mention in bot_mentions:
        text = text.replace(mention.text, " ")
    kept: list[str] = []
    end = 0
    for at in _AT.finditer(text):
        kept.append(_plain(text[end : at.start()]))
        kept.append(at.group(0))
        end = at.end()
    kept.append(_plain(text[end:]))
    return " ".join("".join(kept).split())


def _plain(text: str) -> str:
    return html.unescape(_TAG.sub(" ", text)).replace("\xa0", " ")


def _timezone(body: Mapping[str, Any]) -> str | None:
    for entity in body.get("entities") or []:
        if isinstance(entity, dict) and entity.get("type") == "clientInfo":
            zone = entity.get("timezone")
            return zone if isinstance(zone, str) and zone else None
    return None


def _inner(value: Any, outer: str, key: str) -> Any:
    inner = value.get(outer) if isinstance(value, dict) else None
    return inner.get(key) if isinstance(inner, dict) else None
