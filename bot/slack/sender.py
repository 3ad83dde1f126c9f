"""Everything the app sends to Slack, run by the dialog worker after the acknowledgement.

The web process only verifies, acknowledges and hands over; rendering the reply and the Web
API calls (with their polite retries) happen here, in a worker thread or process, so they
never delay another request's acknowledgement.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cachetools import LRUCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from bot.dialogs.apologies import APOLOGY, NOT_SHOWN
from bot.dialogs.model import Form, Message, Outcome
from bot.dialogs.worker import (
    Answer,
    DialogRequest,
    WorkerState,
    apology_language,
    perform_answer,
    translated,
)
from bot.slack.blocks import fallback_text, home_view, message_blocks, modal_view
from bot.slack.directory import SlackDirectory
from bot.slack.tokens import FixedToken, TokenSource, installed_tokens
from bot.store.transactions import StoreUnavailable
from iso20k_core.language import N_, _, resolve, using

log = logging.getLogger(__name__)
SLACK_API_URL = "https://slack.com/api/"
SENDER = "slack"  # its key in WorkerState.extras
# Where Slack's response_urls point (https://hooks.slack.com/commands/…, /actions/…).
SLACK_HOSTS = frozenset({"hooks.slack.com", "slack.com"})

# A submitted modal that could not be saved and could not be kept open either.
# Shown with `translated(NOT_SAVED)`, in the language of the person it is sent to.
NOT_SAVED = Message(
    heading=N_("Sorry, your form was not saved"),
    text=N_("Something went wrong on our side. Please open it again and fill it in once more."),
    tone="error",
)


def not_saved(button: str) -> str:
    """The error shown on a modal kept open because saving failed: its values are still there."""
    return _(
        "Not saved: something went wrong on our side. Everything you entered is still here; "
        "press “{button}” again in a moment.",
        button=button,
    )


def not_saved_yet(button: str) -> str:
    """The error on a modal whose save took longer than Slack waits: it may yet be saved."""
    return _(
        "Not saved yet: this took longer than Slack waits. Everything you entered is still "
        "here; press “{button}” again in a moment (what was saved is not saved twice).",
        button=button,
    )


def not_saved_busy(button: str) -> str:
    """The error on a modal whose save was not started: the workers could not have answered
    within Slack's wait (bot/dialogs/admission.py), so nothing of it was done."""
    return _(
        "Not saved: we are very busy right now, so this was not started. Everything you "
        "entered is still here; press “{button}” again in a moment.",
        button=button,
    )


def retry_handlers() -> list[Any]:
    """slack_sdk retries only connection errors by default; rate limits (429 with
    Retry-After) and 5xx answers are retried too (PLATFORM.md)."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


@dataclass(frozen=True)
class Target:
    """Where an answer goes: the person, and how Slack lets us reach them this time."""

    user_id: str
    trigger_id: str | None = None
    response_url: str | None = None  # ephemeral replies to commands and message buttons
    home: bool = False  # publish on the App Home tab
    metadata: dict[str, Any] = field(default_factory=dict)
    # The language the answer is written in (a tag), when it was decided before delivery
    # (a modal's step ran first); None: English, or whatever is active.
    language: str | None = None
    # The workspace (`Organisation.external_id`) whose token delivers an answer computed
    # earlier; None: only the response_url, which needs no token, or the one workspace.
    workspace: str | None = None


def slack_response_url(url: str, api_url: str) -> bool:
    """Whether a response_url may be followed: https on Slack's hosts, or the origin of the
    configured Web API (an enterprise's or the tests' fake). Anything else (file://, another
    host, credentials in the URL) would make the app send what it knows wherever a payload
    says."""
    try:
        parts, api = urlsplit(url), urlsplit(api_url)
        port, api_port = parts.port, api.port
    except ValueError:  # a malformed port or address
        return False
    if parts.username is not None or parts.password is not None or not parts.hostname:
        return False
    if parts.scheme == "https" and parts.hostname in SLACK_HOSTS and port in (None, 443):
        return True
    return (parts.scheme, parts.hostname, port) == (api.scheme, api.hostname, api_port)


class SlackSender:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def send_message(self, user_id: str, message: Message, response_url: str | None = None) -> None:
        """Reply where the person asked (ephemeral) or else in the app's direct messages."""
        blocks = message_blocks(message)
        text = fallback_text(message)
        if response_url and not slack_response_url(response_url, self.client.base_url):
            log.warning("not following a response_url outside Slack")
            response_url = None
        if not response_url and not user_id:
            return  # nowhere Slack vouches for
        if response_url:
            webhook = WebhookClient(response_url, retry_handlers=retry_handlers())
            answer = webhook.send(
                text=text, blocks=blocks, response_type="ephemeral", replace_original=False
            )
            if answer.status_code >= 400:
                raise RuntimeError(f"response_url answered {answer.status_code}")
        else:
            self.client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
        if message.file is not None:
            self.send_file(user_id, message)

    def send_file(self, user_id: str, message: Message) -> None:
        """Files go to the person's direct messages with the app (files_upload_v2: the
        external-upload flow; files.upload is gone, PLATFORM.md)."""
        assert message.file is not None
        channel = self.client.conversations_open(users=user_id)["channel"]["id"]
        self.client.files_upload_v2(
            channel=channel,
            content=message.file.content,
            filename=message.file.filename,
            title=message.file.title,
        )

    def deliver(self, outcome: Outcome, target: Target) -> None:
        for notice in outcome.notices:
            try:
                self.send_message(notice.user_id, notice.message)
            except SlackApiError as exc:  # one unreachable person must not cost the others
                log.warning("could not notify %s: %s", notice.user_id, exc.response.get("error"))
        reply = outcome.reply
        if isinstance(reply, Form):
            if target.trigger_id is None:
                note = Message(
                    heading=reply.title, text=_("Open it again from /iso20k."), tone="warning"
                )
                self.send_message(target.user_id, note, target.response_url)
                return
            self.client.views_open(
                trigger_id=target.trigger_id, view=modal_view(reply, target.metadata)
            )
        elif isinstance(reply, Message):
            if target.home:
                self.client.views_publish(user_id=target.user_id, view=home_view(reply))
            else:
                self.send_message(target.user_id, reply, target.response_url)

    def apologise(self, target: Target, message: Message = APOLOGY) -> None:
        try:
            self.send_message(target.user_id, translated(message), target.response_url)
        except Exception:  # best effort; the original error is already logged
            log.exception("could not apologise to %s", target.user_id)


class SlackClients:
    """Each workspace's sender and directory, made with its own token (the token source)
    and kept per token: a rotated token gets new ones, at most `MAX_CLIENTS` are kept."""

    MAX_CLIENTS = 1_000

    def __init__(self, tokens: TokenSource, base_url: str | None) -> None:
        self.tokens = tokens
        self.base_url = base_url or SLACK_API_URL
        self._made: LRUCache[str, tuple[SlackSender, SlackDirectory]] = LRUCache(self.MAX_CLIENTS)
        self._lock = threading.Lock()

    def sender(self, workspace: str | None) -> SlackSender | None:
        made = self._for(workspace)
        return None if made is None else made[0]

    def directory(self, workspace: str | None) -> SlackDirectory | None:
        made = self._for(workspace)
        return None if made is None else made[1]

    def _for(self, workspace: str | None) -> tuple[SlackSender, SlackDirectory] | None:
        token = self.tokens.bot_token(workspace)
        if token is None and workspace is not None:
            return None  # not installed there: the token source said so in the log
        key = token or ""
        with self._lock:
            made = self._made.get(key)
            if made is None:
                # No token: a sender that can only follow a response_url (it needs none).
                client = WebClient(
                    token=token, base_url=self.base_url, retry_handlers=retry_handlers()
                )
                made = self._made[key] = (SlackSender(client), SlackDirectory(client))
        return made


def install_sender(token: str, base_url: str | None, state: WorkerState) -> None:
    """Worker setup for one workspace (SLACK_BOT_TOKEN), `functools.partial` it."""
    clients = SlackClients(FixedToken(token), base_url)
    state.extras[SENDER] = clients
    directory = clients.directory(None)
    assert directory is not None
    state.directories["slack"] = directory


def install_oauth_sender(
    secret_key: str,
    client_id: str,
    client_secret: str,
    base_url: str | None,
    rotation_minutes: int,
    state: WorkerState,
) -> None:
    """Worker setup for many workspaces (Slack OAuth): each request is answered with its
    workspace's own token, read from the installation store on the worker's engine."""
    tokens = installed_tokens(
        state.engine, secret_key, client_id, client_secret, base_url, rotation_minutes
    )
    state.extras[SENDER] = SlackClients(tokens, base_url)


def sender_for(state: WorkerState, workspace: str | None) -> SlackSender | None:
    """The sender with `workspace`'s token, or None (logged) where the app is not installed."""
    kept = state.extras[SENDER]
    return kept.sender(workspace) if isinstance(kept, SlackClients) else kept


def scoped(state: WorkerState, workspace: str) -> WorkerState:
    """The worker's state with the directory of `workspace` (many workspaces: each has its
    own token to ask users.info with)."""
    kept = state.extras[SENDER]
    if not isinstance(kept, SlackClients) or "slack" in state.directories:
        return state
    directory = kept.directory(workspace)
    if directory is None:
        return state
    return dataclasses.replace(state, directories={**state.directories, "slack": directory})


def perform_submission(state: WorkerState, request: DialogRequest) -> Answer:
    """A modal submission's step, with the directory of its workspace."""
    return perform_answer(scoped(state, request.workspace_id), request)


def answer(state: WorkerState, request: DialogRequest, target: Target) -> None:
    """Run the dialog step and deliver its outcome; on failure, apologise (never a trace),
    saying whether the request was done."""
    sender = sender_for(state, request.workspace_id)
    if sender is None:  # nobody could be told anything: the step is not run either
        log.warning(
            "%s %r not run: the workspace has no installation", request.operation, request.name
        )
        return
    state = scoped(state, request.workspace_id)
    try:
        answered = perform_answer(state, request)
    except StoreUnavailable as exc:  # an outage is expected, and one line tells it
        log.warning("%s %r not done: %s", request.operation, request.text or request.name, exc)
        with using(apology_language(state, request)):
            sender.apologise(target, APOLOGY)
        return
    except Exception:  # rolled back: the request was not completed
        log.exception("%s %r failed", request.operation, request.text or request.name)
        with using(apology_language(state, request)):
            sender.apologise(target, APOLOGY)
        return
    # The reply is rendered (Block Kit, the Home tab) in the language the step wrote in.
    with using(answered.language):
        try:
            sender.deliver(answered.outcome, target)
        except Exception:  # committed, but the answer did not get through
            log.exception("answer to %s %r not delivered", request.operation, request.name)
            sender.apologise(target, NOT_SHOWN)


def deliver(state: WorkerState, outcome: Outcome, target: Target) -> None:
    """Deliver an outcome computed earlier (after a modal was closed), in the language it
    was written in (`target.language`)."""
    sender = sender_for(state, target.workspace)
    if sender is None:
        log.warning("delivery to %s not made: the workspace has no installation", target.user_id)
        return
    try:
        with using(resolve(target.language, state.locale)):
            sender.deliver(outcome, target)
    except Exception:
        log.exception("delivery to %s failed", target.user_id)
