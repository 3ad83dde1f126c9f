"""What every Slack listener needs, passed in rather than reached for; and what identifies
each delivery of a request, so that a repeat is acted on once (bot.store.deliveries)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from bot.dialogs.background import Background
from bot.dialogs.files import warm_renderers
from bot.dialogs.lanes import SlowLane, health_of, lane_of
from bot.dialogs.validation import RawValue
from bot.dialogs.worker import (
    DialogRequest,
    DialogWorker,
    Health,
    Operation,
    ProcessWorker,
    Setup,
    ThreadWorker,
    chain,
)
from bot.settings import Settings
from bot.slack.sender import install_sender
from iso20k_core.standard import Bank

__all__ = ["DialogWorker", "SlackDeps", "make_slow_lane", "make_worker"]
MIB = 2**20
# Below the dialog workers' 10: on a busy machine a page save gets the CPU before a PDF.
REPORT_NICENESS = 15


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sender(settings: Settings) -> Setup:
    return functools.partial(install_sender, settings.slack_bot_token or "", settings.slack_api_url)


def make_worker(settings: Settings, engine: Engine, bank: Bank, processes: int) -> DialogWorker:
    """Dialog steps and Slack calls in `processes` worker processes, or one thread if 0."""
    if processes:
        return ProcessWorker(
            settings.database_url,
            bank,
            processes,
            _sender(settings),
            max_rss=settings.worker_max_rss_mb * MIB,
        )
    return ThreadWorker(engine, bank, _sender(settings))


def make_slow_lane(settings: Settings, engine: Engine, bank: Bank) -> SlowLane:
    """Reports, exports and charts in REPORT_PROCESSES processes of their own (warmed with
    the renderers' imports and fonts, recycled after REPORT_MAX_JOBS calls or above
    WORKER_MAX_RSS_MB), or on a thread of their own if 0; REPORT_QUEUE may wait, none longer
    than REPORT_WAIT_SECONDS."""
    processes = settings.report_processes
    worker: DialogWorker
    if processes:
        worker = ProcessWorker(
            settings.database_url,
            bank,
            processes,
            functools.partial(chain, (_sender(settings), warm_renderers)),
            niceness=REPORT_NICENESS,
            max_jobs=settings.report_max_jobs,
            max_rss=settings.worker_max_rss_mb * MIB,
            name="report",
        )
    else:
        worker = ThreadWorker(engine, bank, _sender(settings))
    return SlowLane(worker, processes, settings.report_queue, settings.report_wait_seconds)


@dataclass(frozen=True)
class SlackDeps:
    engine: Engine
    bank: Bank
    worker: DialogWorker  # the interactive lane: everything a person waits for in 3 s
    clock: Callable[[], dt.datetime] = utc_now
    slow: DialogWorker | None = None  # reports, exports, charts; None: they share `worker`
    background: Background = field(default_factory=Background)

    def lane(self, request: DialogRequest) -> DialogWorker:
        """The worker `request` runs on (bot.dialogs.lanes classifies it)."""
        if self.slow is not None and lane_of(request) == "slow":
            return self.slow
        return self.worker

    def health(self) -> Health:
        return health_of(self.worker, *([] if self.slow is None else [self.slow]))

    def close(self) -> None:
        self.worker.close()
        if self.slow is not None:
            self.slow.close()

    def request(
        self,
        operation: Operation,
        team_id: str,
        user_id: str,
        *,
        text: str = "",
        name: str = "",
        state: Mapping[str, str] | None = None,
        raw: Mapping[str, RawValue] | None = None,
        team_name: str | None = None,
        delivery: str | None = None,
    ) -> DialogRequest:
        return DialogRequest(
            platform="slack",
            workspace_id=team_id,
            user_id=user_id,
            now=self.clock(),
            operation=operation,
            text=text,
            name=name,
            state=dict(state or {}),
            raw=dict(raw or {}),
            workspace_name=team_name,
            delivery=delivery,
        )


# What identifies one delivery of each kind of request (Slack's payload references). A
# repeat carries the same key: Slack's retries, a replayed request, a double click on a
# modal's submit button. Keys name the workspace and person too, since Slack documents some
# ids as unique only within a channel or workspace (a message's ts). None when the payload
# lacks the id: then the request is acted on every time, as before.


def command_key(team_id: str, command: Mapping[str, Any]) -> str | None:
    """A slash command: its trigger_id, minted by Slack for each invocation."""
    trigger = command.get("trigger_id")
    return f"command:{team_id}:{trigger}" if trigger else None


def action_key(
    team_id: str, user_id: str, body: Mapping[str, Any], action: Mapping[str, Any]
) -> str | None:
    """A button press: where the button is (the channel and message ts, or the view id),
    which action, and the action's own timestamp: each click has its own action_ts."""
    container = body.get("container") or {}
    where = container.get("view_id") or (
        f"{container.get('channel_id', '')}/{container.get('message_ts', '')}"
    )
    stamp = action.get("action_ts") or body.get("trigger_id")
    if not stamp:
        return None
    return f"action:{team_id}:{user_id}:{where}:{action.get('action_id', '')}:{stamp}"


def submission_key(team_id: str, user_id: str, view: Mapping[str, Any]) -> str | None:
    """A modal submission: the view's id and hash (the hash changes whenever the view is
    updated, e.g. to its next page) and what was entered, so a corrected entry after an error
    is a new submission while a double click on the submit button is not. A submission that
    could not be saved is not recorded, so pressing the button again saves it."""
    view_id, view_hash = view.get("id"), view.get("hash")
    if not view_id or not view_hash:
        return None
    values = json.dumps((view.get("state") or {}).get("values") or {}, sort_keys=True)
    digest = hashlib.sha256(values.encode()).hexdigest()
    return f"view:{team_id}:{user_id}:{view_id}:{view_hash}:{digest}"


def event_key(body: Mapping[str, Any]) -> str | None:
    """An Events API delivery: its event_id, unique across workspaces and kept by retries."""
    event_id = body.get("event_id")
    return f"event:{event_id}" if event_id else None
