"""Inbound activities as Teams sends them to a bot's ``/api/messages``, and posting them.

The builders return plain dicts in Teams' camelCase wire shape (PLATFORM.md "Identity"), not
SDK objects: a test then sends exactly the bytes Teams would, and the app's own parsing is what
is under test. Every activity gets a fresh id, timestamps, ``channelId: "msteams"``, the
sender's Entra object id, the tenant twice (``conversation.tenantId`` and
``channelData.tenant.id``) and a ``clientInfo`` entity with a time zone.

In channels and group chats Teams delivers a message to a bot only when it is @mentioned: the
text starts with ``<at>iso20k</at>`` and a mention entity names the bot. Mentions of other
people add entities only; their ``<at>Name</at>`` markers in the text are the caller's job.

`post` sends an activity over real HTTP; `signed_post` signs it first as the Bot Connector
would, with `FakeIdentity.sign` and the activity's own ``serviceUrl`` as the ``serviceurl``
claim.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

from .identity import APP_ID, FakeIdentity

ConversationType = Literal["personal", "groupChat", "channel"]


@dataclass(frozen=True)
class TeamsUser:
    """Someone as Teams names them: the Teams user id (``29:…``, or ``28:…`` for a bot), the
    Entra object id (None for a bot) and the display name."""

    teams_id: str
    aad_object_id: str | None
    name: str

    def account(self) -> dict[str, Any]:
        found: dict[str, Any] = {"id": self.teams_id, "name": self.name}
        if self.aad_object_id is not None:
            found["aadObjectId"] = self.aad_object_id
        return found


def bot(app_id: str = APP_ID, name: str = "iso20k") -> TeamsUser:
    """The bot as a member (of ``membersAdded``, or as the recipient)."""
    return TeamsUser(f"28:{app_id}", None, name)


class Response(NamedTuple):
    """What the bot answered: status, headers (lower-case names) and the raw body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


_ids = itertools.count(1)
_ids_lock = threading.Lock()


def _activity_id() -> str:
    """Unique and increasing, shaped like Teams' message ids (milliseconds since 1970)."""
    with _ids_lock:
        return f"{int(time.time() * 1000)}{next(_ids):04d}"


def _base(
    kind: str,
    *,
    tenant: str,
    sender: Mapping[str, Any],
    conversation: str,
    service_url: str,
    conversation_type: ConversationType,
    locale: str,
    timezone: str,
    bot_name: str,
    app_id: str,
    team_id: str | None,
    channel_id: str | None,
) -> dict[str, Any]:
    now = datetime.now(UTC)
    local = now.astimezone(ZoneInfo(timezone))
    account: dict[str, Any] = {
        "id": conversation,
        "conversationType": conversation_type,
        "tenantId": tenant,
    }
    if conversation_type != "personal":
        account["isGroup"] = True
    channel_data: dict[str, Any] = {"tenant": {"id": tenant}}
    if conversation_type == "channel":
        # a channel thread's id is the channel's plus ";messageid=…"; the General channel's id
        # is the team's
        channel = channel_id or conversation.split(";")[0]
        channel_data["team"] = {"id": team_id or channel}
        channel_data["channel"] = {"id": channel}
    return {
        "type": kind,
        "id": _activity_id(),
        "timestamp": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "localTimestamp": local.isoformat(timespec="milliseconds"),
        "localTimezone": timezone,
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": dict(sender),
        "recipient": bot(app_id, bot_name).account(),
        "conversation": account,
        "channelData": channel_data,
        "locale": locale,
        "entities": [
            {
                "type": "clientInfo",
                "locale": locale,
                "country": locale.rpartition("-")[2],
                "platform": "Web",
                "timezone": timezone,
            }
        ],
    }


def _mention(who: TeamsUser) -> dict[str, Any]:
    return {
        "type": "mention",
        "text": f"<at>{who.name}</at>",
        "mentioned": {"id": who.teams_id, "name": who.name},
    }


def message(
    text: str | None,
    *,
    tenant: str,
    user: TeamsUser,
    conversation: str,
    service_url: str,
    conversation_type: ConversationType = "personal",
    mentions: Sequence[TeamsUser] = (),
    value: Mapping[str, Any] | None = None,
    reply_to: str | None = None,
    locale: str = "en-US",
    timezone: str = "Europe/Berlin",
    bot_name: str = "iso20k",
    app_id: str = APP_ID,
    team_id: str | None = None,
    channel_id: str | None = None,
) -> dict[str, Any]:
    """A message from `user`. Outside a personal chat the bot is @mentioned (Teams delivers
    nothing else there). `value` makes it an ``Action.Submit`` of a card (the card's data
    merged with its inputs; `text` may then be None) and `reply_to` its ``replyToId``."""
    activity = _base(
        "message",
        tenant=tenant,
        sender=user.account(),
        conversation=conversation,
        service_url=service_url,
        conversation_type=conversation_type,
        locale=locale,
        timezone=timezone,
        bot_name=bot_name,
        app_id=app_id,
        team_id=team_id,
        channel_id=channel_id,
    )
    entities: list[dict[str, Any]] = activity["entities"]
    if conversation_type != "personal" and value is None:
        me = bot(app_id, bot_name)
        text = f"<at>{me.name}</at> {text or ''}".rstrip()
        entities.append(_mention(me))
    entities += [_mention(who) for who in mentions]
    if text is not None:
        activity["text"] = text
        activity["textFormat"] = "plain"
    if value is not None:
        activity["value"] = dict(value)
    if reply_to is not None:
        activity["replyToId"] = reply_to
    return activity


def conversation_update(
    *,
    tenant: str,
    conversation: str,
    service_url: str,
    members_added: Sequence[TeamsUser] | None = None,
    members_removed: Sequence[TeamsUser] = (),
    by: TeamsUser | None = None,
    conversation_type: ConversationType = "personal",
    locale: str = "en-US",
    timezone: str = "Europe/Berlin",
    bot_name: str = "iso20k",
    app_id: str = APP_ID,
    team_id: str | None = None,
    channel_id: str | None = None,
) -> dict[str, Any]:
    """Members joined or left (default: the bot was added, as on installation). `by` is who
    did it (default: the first person added, else a placeholder)."""
    added = list(members_added) if members_added is not None else [bot(app_id, bot_name)]
    people = [m for m in added if not m.teams_id.startswith("28:")]
    sender = by or (people[0] if people else TeamsUser(f"29:installer-{tenant}", None, "Admin"))
    activity = _base(
        "conversationUpdate",
        tenant=tenant,
        sender=sender.account(),
        conversation=conversation,
        service_url=service_url,
        conversation_type=conversation_type,
        locale=locale,
        timezone=timezone,
        bot_name=bot_name,
        app_id=app_id,
        team_id=team_id,
        channel_id=channel_id,
    )
    if added:
        activity["membersAdded"] = [m.account() for m in added]
    if members_removed:
        activity["membersRemoved"] = [m.account() for m in members_removed]
    if conversation_type == "channel":
        activity["channelData"]["eventType"] = "teamMemberAdded" if added else "teamMemberRemoved"
    return activity


def installation_update(
    action: Literal["add", "remove"] = "add",
    *,
    tenant: str,
    conversation: str,
    service_url: str,
    user: TeamsUser,
    conversation_type: ConversationType = "personal",
    locale: str = "en-US",
    timezone: str = "Europe/Berlin",
    bot_name: str = "iso20k",
    app_id: str = APP_ID,
    team_id: str | None = None,
    channel_id: str | None = None,
) -> dict[str, Any]:
    """`user` installed (``add``) or removed the app in that conversation."""
    activity = _base(
        "installationUpdate",
        tenant=tenant,
        sender=user.account(),
        conversation=conversation,
        service_url=service_url,
        conversation_type=conversation_type,
        locale=locale,
        timezone=timezone,
        bot_name=bot_name,
        app_id=app_id,
        team_id=team_id,
        channel_id=channel_id,
    )
    activity["action"] = action
    return activity


def post(
    base_url: str, activity: Mapping[str, Any], token: str | None = None, timeout: float = 30
) -> Response:
    """POST the activity to ``{base_url}/api/messages`` as Teams does; any HTTP status comes
    back as a `Response` (an error status is an answer to check, not an exception)."""
    request = urllib.request.Request(
        f"{base_url.rstrip('/')}/api/messages",
        data=json.dumps(activity).encode(),
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Response(answer.status, _headers(answer.headers.items()), answer.read())
    except urllib.error.HTTPError as err:
        with err:
            return Response(err.code, _headers(err.headers.items()), err.read())


def signed_post(
    identity: FakeIdentity,
    base_url: str,
    activity: Mapping[str, Any],
    timeout: float = 30,
    **claims: Any,
) -> Response:
    """`post` with a token `identity` signed for the activity's ``serviceUrl`` (`claims`
    change others, e.g. ``aud`` for another app)."""
    token = identity.sign(**{"serviceurl": activity["serviceUrl"], **claims})
    return post(base_url, activity, token=token, timeout=timeout)


def new_id(prefix: str) -> str:
    """A random id in Teams' style, e.g. ``new_id("29:")`` for a user, ``new_id("a:")`` for a
    personal conversation."""
    return f"{prefix}{secrets.token_urlsafe(24)}"


def _headers(items: Sequence[tuple[str, str]] | Any) -> dict[str, str]:
    return {name.lower(): value for name, value in items}
