"""Requests exactly as Slack sends them to an app's ``POST /slack/events``: bodies and signatures.

Why: Bolt refuses anything without a valid ``X-Slack-Signature`` (HTTP 401), so an end-to-end
test has to sign its bodies the way Slack does — ``v0=`` + HMAC-SHA256 of
``v0:{timestamp}:{raw body}`` (PLATFORM.md "Signing"). The signature is computed with
`slack_sdk.signature.SignatureVerifier` itself, so the fake and Bolt cannot disagree.

Body shapes follow Slack's payload references (docs.slack.dev: "Slash commands",
"block_actions payload", "view_submission payload", "view_closed payload", "Events API"):
slash commands are form-encoded fields, interactivity is form-encoded ``payload=<json>``, events
are a JSON ``event_callback`` envelope.

Usage::

    body = slash_command_body(text="status", response_url=slack.response_url("cmd"))
    status, headers, text = post("http://127.0.0.1:8000", "/slack/events", body, SECRET)
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

__all__ = [
    "DEFAULT_TEAM_ID",
    "DEFAULT_USER_ID",
    "block_actions_body",
    "button_action",
    "event_body",
    "new_trigger_id",
    "post",
    "retry_headers",
    "select_action",
    "selected_option",
    "sign",
    "slash_command_body",
    "state_values",
    "url_verification_body",
    "view_closed_body",
    "view_submission_body",
]

DEFAULT_TEAM_ID = "T0ISO20K"  # the same workspace FakeSlack answers for in auth.test
DEFAULT_TEAM_DOMAIN = "iso20k-test"
DEFAULT_USER_ID = "U0ALICE"
DEFAULT_USER_NAME = "alice"
DEFAULT_CHANNEL_ID = "C0GENERAL"
DEFAULT_CHANNEL_NAME = "general"
DEFAULT_APP_ID = "A0ISO20K"
DEFAULT_BOT_USER_ID = "U0BOT"
# The deprecated verification token: Slack still sends it; Bolt ignores it.
VERIFICATION_TOKEN = "verification-token"
DEFAULT_RESPONSE_URL = "https://hooks.slack.com/commands/T0ISO20K/1/not-a-fake"
_trigger_numbers = itertools.count(1)


def new_trigger_id() -> str:
    """A trigger_id in Slack's shape, for a body sent where no FakeSlack exchanges it. With a
    FakeSlack, pass `FakeSlack.trigger_id()`: the fake refuses trigger ids it did not issue."""
    return f"{int(time.time())}.{next(_trigger_numbers)}.{time.time_ns() & 0xFFFFFFFF:08x}"


def sign(
    secret: str, body: str, timestamp: int | None = None, content_type: str | None = None
) -> dict[str, str]:
    """The headers Slack adds to `body`: timestamp, signature and Content-Type.

    `timestamp` defaults to now; pass an old one to test Bolt's 5-minute replay window.
    Content-Type is JSON for bodies starting with ``{`` (events), otherwise form-encoded.
    """
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    if signature is None:  # only when timestamp is None, which it is not here
        raise ValueError("could not sign the body")
    if content_type is None:
        is_json = body.lstrip().startswith("{")
        content_type = "application/json" if is_json else "application/x-www-form-urlencoded"
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
        "Content-Type": content_type,
    }


def retry_headers(num: int, reason: str = "http_timeout") -> dict[str, str]:
    """Headers of an Events API redelivery (PLATFORM.md "Events API retries")."""
    return {"X-Slack-Retry-Num": str(num), "X-Slack-Retry-Reason": reason}


# -- slash commands -----------------------------------------------------------------------


def slash_command_body(
    command: str = "/iso20k",
    text: str = "",
    *,
    team_id: str = DEFAULT_TEAM_ID,
    team_domain: str = DEFAULT_TEAM_DOMAIN,
    user_id: str = DEFAULT_USER_ID,
    user_name: str = DEFAULT_USER_NAME,
    channel_id: str = DEFAULT_CHANNEL_ID,
    channel_name: str = DEFAULT_CHANNEL_NAME,
    response_url: str = DEFAULT_RESPONSE_URL,
    trigger_id: str | None = None,
    api_app_id: str = DEFAULT_APP_ID,
    enterprise_id: str | None = None,
    is_enterprise_install: bool = False,
) -> str:
    """A form-encoded slash command with every field Slack sends; with `enterprise_id`, as
    sent from a workspace of an Enterprise Grid (also `enterprise_name`)."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "true" if is_enterprise_install else "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    if enterprise_id is not None:
        fields |= {"enterprise_id": enterprise_id, "enterprise_name": f"Enterprise {enterprise_id}"}
    return urlencode(fields)


# -- interactivity ------------------------------------------------------------------------


def _action_ts() -> str:
    return f"{time.time():.6f}"


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def button_action(
    action_id: str, value: str = "", *, block_id: str = "actions", text: str = "Button"
) -> dict[str, Any]:
    """One entry of `actions` for a clicked button, as in a block_actions payload."""
    return {
        "type": "button",
        "action_id": action_id,
        "block_id": block_id,
        "text": _plain(text),
        "value": value,
        "action_ts": _action_ts(),
    }


def selected_option(value: str, text: str | None = None) -> dict[str, Any]:
    """An option as Slack echoes it back in `selected_option` / `selected_options`."""
    return {"text": _plain(text if text is not None else value), "value": value}


def select_action(
    action_id: str, value: str, *, block_id: str = "actions", text: str | None = None
) -> dict[str, Any]:
    """One entry of `actions` for a choice in a static select."""
    return {
        "type": "static_select",
        "action_id": action_id,
        "block_id": block_id,
        "selected_option": selected_option(value, text),
        "placeholder": _plain("Select"),
        "action_ts": _action_ts(),
    }


def _user(user_id: str, user_name: str, team_id: str) -> dict[str, Any]:
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id}


def _interactive(
    kind: str,
    team_id: str,
    user_id: str,
    user_name: str,
    enterprise_id: str | None = None,
    is_enterprise_install: bool = False,
) -> dict[str, Any]:
    """The common part of interactivity payloads. An org-wide install (Enterprise Grid) sends
    `team: null` and names the workspace in `user.team_id` only."""
    team = None if is_enterprise_install else {"id": team_id, "domain": DEFAULT_TEAM_DOMAIN}
    if team is not None and enterprise_id is not None:
        team["enterprise_id"] = enterprise_id
    enterprise = None if enterprise_id is None else {"id": enterprise_id, "name": enterprise_id}
    return {
        "type": kind,
        "team": team,
        "user": _user(user_id, user_name, team_id),
        "api_app_id": DEFAULT_APP_ID,
        "token": VERIFICATION_TOKEN,
        "enterprise": enterprise,
        "is_enterprise_install": is_enterprise_install,
    }


def _form_payload(payload: Mapping[str, Any]) -> str:
    """Interactivity arrives form-encoded with one field, `payload`, holding JSON."""
    return urlencode({"payload": json.dumps(payload)})


def block_actions_body(
    actions: Sequence[Mapping[str, Any]],
    *,
    team_id: str = DEFAULT_TEAM_ID,
    user_id: str = DEFAULT_USER_ID,
    user_name: str = DEFAULT_USER_NAME,
    channel_id: str = DEFAULT_CHANNEL_ID,
    message: Mapping[str, Any] | None = None,
    view: Mapping[str, Any] | None = None,
    response_url: str = DEFAULT_RESPONSE_URL,
    trigger_id: str | None = None,
    enterprise_id: str | None = None,
    is_enterprise_install: bool = False,
) -> str:
    """A block_actions payload: a click in a message (default) or, with `view`, in a modal or
    the Home tab. Build `actions` with `button_action` / `select_action`."""
    payload = _interactive(
        "block_actions", team_id, user_id, user_name, enterprise_id, is_enterprise_install
    )
    payload["trigger_id"] = trigger_id or new_trigger_id()
    payload["actions"] = [dict(a) for a in actions]
    if view is not None:
        full_view = _full_view(view, team_id)
        payload["container"] = {"type": "view", "view_id": full_view["id"]}
        payload["view"] = full_view
    else:
        msg = dict(message or {"type": "message", "text": "", "ts": "1700000000.000100"})
        msg.setdefault("ts", "1700000000.000100")
        payload["container"] = {
            "type": "message",
            "message_ts": msg["ts"],
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": DEFAULT_CHANNEL_NAME}
        payload["message"] = msg
        payload["response_url"] = response_url
        payload["state"] = {"values": {}}
    return _form_payload(payload)


def state_values(values: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """`view.state` for a submission, from ``{block_id: {action_id: element_state}}``.

    An element state may be the full dict Slack sends (e.g. ``{"type": "static_select",
    "selected_option": selected_option("x")}``) or a plain string, short for a
    ``plain_text_input`` value; ``None`` is an empty text input.
    """
    out: dict[str, dict[str, Any]] = {}
    for block_id, actions in values.items():
        out[block_id] = {}
        for action_id, state in actions.items():
            if state is None or isinstance(state, str):
                out[block_id][action_id] = {"type": "plain_text_input", "value": state}
            else:
                out[block_id][action_id] = dict(state)
    return {"values": out}


def _full_view(view: Mapping[str, Any], team_id: str) -> dict[str, Any]:
    """The view as Slack echoes it: the app's fields plus the ids Slack adds."""
    full: dict[str, Any] = {
        "id": "V0SUBMITTED",
        "team_id": team_id,
        "type": "modal",
        "blocks": [],
        "private_metadata": "",
        "callback_id": "",
        "state": {"values": {}},
        "hash": "1700000000.abcdef12",
        "title": _plain("iso20k"),
        "clear_on_close": False,
        "notify_on_close": False,
        "close": None,
        "submit": None,
        "previous_view_id": None,
        "root_view_id": "V0SUBMITTED",
        "app_id": DEFAULT_APP_ID,
        "external_id": "",
        "app_installed_team_id": team_id,
        "bot_id": "B0BOT",
    }
    full.update(view)
    return full


def view_submission_body(
    view: Mapping[str, Any],
    *,
    team_id: str = DEFAULT_TEAM_ID,
    user_id: str = DEFAULT_USER_ID,
    user_name: str = DEFAULT_USER_NAME,
    trigger_id: str | None = None,
    response_urls: Sequence[Mapping[str, Any]] = (),
    enterprise_id: str | None = None,
    is_enterprise_install: bool = False,
) -> str:
    """A view_submission payload. `view` needs at least `callback_id` and usually
    `private_metadata` and ``state=state_values(...)``; Slack's ids are filled in."""
    payload = _interactive(
        "view_submission", team_id, user_id, user_name, enterprise_id, is_enterprise_install
    )
    payload["trigger_id"] = trigger_id or new_trigger_id()
    payload["view"] = _full_view(view, team_id)
    payload["response_urls"] = [dict(r) for r in response_urls]
    return _form_payload(payload)


def view_closed_body(
    view: Mapping[str, Any],
    *,
    team_id: str = DEFAULT_TEAM_ID,
    user_id: str = DEFAULT_USER_ID,
    user_name: str = DEFAULT_USER_NAME,
    is_cleared: bool = False,
) -> str:
    """A view_closed payload (sent only for views opened with ``notify_on_close: true``)."""
    payload = _interactive("view_closed", team_id, user_id, user_name)
    payload["view"] = _full_view(view, team_id)
    payload["is_cleared"] = is_cleared
    return _form_payload(payload)


# -- Events API ---------------------------------------------------------------------------


def event_body(
    event: Mapping[str, Any],
    *,
    team_id: str = DEFAULT_TEAM_ID,
    event_id: str | None = None,
    event_time: int | None = None,
    api_app_id: str = DEFAULT_APP_ID,
    bot_user_id: str = DEFAULT_BOT_USER_ID,
    enterprise_id: str | None = None,
    is_enterprise_install: bool = False,
) -> str:
    """A JSON ``event_callback`` envelope around `event` (e.g. ``{"type": "app_home_opened",
    "user": ..., "tab": "home"}``). Pass the same `event_id` twice to test deduplication.
    With `enterprise_id` it comes from a workspace of an Enterprise Grid; an org-wide install
    has no workspace in `authorizations` and names it in `context_team_id`."""
    now = int(time.time()) if event_time is None else event_time
    inner = dict(event)
    inner.setdefault("event_ts", f"{now}.000100")
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": inner,
        "type": "event_callback",
        "event_id": event_id or f"Ev{time.time_ns():X}",
        "event_time": now,
        "authorizations": [
            {
                "enterprise_id": enterprise_id,
                "team_id": None if is_enterprise_install else team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": is_enterprise_install,
            }
        ],
        "is_ext_shared_channel": False,
    }
    if enterprise_id is not None:
        envelope |= {"enterprise_id": enterprise_id, "context_enterprise_id": enterprise_id}
        envelope["context_team_id"] = team_id
    return json.dumps(envelope)


def url_verification_body(challenge: str) -> str:
    """The handshake Slack sends when the Request URL is saved; the app echoes `challenge`."""
    body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    return json.dumps(body)


# -- sending ------------------------------------------------------------------------------


class _Response(Protocol):
    status_code: int
    text: str

    @property
    def headers(self) -> Mapping[str, str]: ...


class HttpClient(Protocol):
    """What `post` needs from a client object: httpx.Client / Starlette's TestClient shape."""

    def post(self, url: str, *, content: bytes, headers: Mapping[str, str]) -> Any: ...


def post(
    client_or_base_url: str | HttpClient,
    path: str,
    body: str,
    secret: str,
    timestamp: int | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> tuple[int, dict[str, str], str]:
    """Sign `body` and POST it; return (status, lower-cased headers, body text).

    `client_or_base_url` is a base URL such as ``"http://127.0.0.1:8000"`` (sent with urllib,
    no extra dependency) or an object with an httpx-style ``post(url, content=, headers=)``
    (e.g. Starlette's TestClient, if httpx is installed). Non-2xx answers are returned, not
    raised, because tests assert on 401s.
    """
    headers = sign(secret, body, timestamp)
    headers.update(extra_headers or {})
    data = body.encode("utf-8")
    if not isinstance(client_or_base_url, str):
        response: _Response = client_or_base_url.post(path, content=data, headers=headers)
        lowered = {k.lower(): v for k, v in response.headers.items()}
        return response.status_code, lowered, response.text
    url = client_or_base_url.rstrip("/") + "/" + path.lstrip("/")
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, _lower(resp.headers.items()), resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        with err:
            return err.code, _lower(err.headers.items()), err.read().decode("utf-8")


def _lower(items: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in items}
