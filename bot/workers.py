"""The two lanes of dialog workers every channel shares, built once from the settings.

Slack and Teams requests run on the same workers: each worker process is set up for every
platform that has credentials (its API client, its directory of people), so a deployment with
both runs one pool per lane, not one per platform. `Deps` is what every listener and endpoint
needs, passed in rather than reached for.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from bot.dialogs.background import Background
from bot.dialogs.files import warm_renderers
from bot.dialogs.lanes import SlowLane, health_of, lane_of
from bot.dialogs.repeats import InFlight
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
    install_locale,
)
from bot.settings import Settings
from bot.store.models import Platform
from iso20k_core import places
from iso20k_core.standard import Bank

__all__ = ["Deps", "DialogWorker", "make_slow_lane", "make_worker", "worker_setup"]
MIB = 2**20
# Below the dialog workers' 10: on a busy machine a page save gets the CPU before a PDF.
REPORT_NICENESS = 15


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def worker_setup(settings: Settings) -> Setup:
    """What each worker sets up when it starts: the sender and directory of every platform
    with credentials, and the deployment's language (a picklable partial: it runs in the
    worker processes)."""
    steps: list[Setup] = [functools.partial(install_locale, settings.iso20k_locale)]
    if settings.slack_oauth:  # many workspaces: each request with its workspace's token
        from bot.slack.sender import install_oauth_sender

        steps.append(
            functools.partial(
                install_oauth_sender,
                settings.iso20k_secret_key or "",
                settings.slack_client_id or "",
                settings.slack_client_secret or "",
                settings.slack_api_url,
                settings.slack_token_rotation_minutes,
            )
        )
    elif settings.slack:
        from bot.slack.sender import install_sender

        steps.append(
            functools.partial(
                install_sender, settings.slack_bot_token or "", settings.slack_api_url
            )
        )
    if settings.teams:
        from bot.teams.sender import install_teams

        steps.append(functools.partial(install_teams, settings))
    return functools.partial(chain, tuple(steps))


def warm_dialogs(state: object) -> None:
    """Worker setup for the dialog lane: what the first setup form would otherwise load while
    a person waits (the places it offers; iso20k_core/places.py)."""
    places.warm()


def make_worker(settings: Settings, engine: Engine, bank: Bank, processes: int) -> DialogWorker:
    """Dialog steps and platform calls in `processes` worker processes (each warmed with the
    dialogs' lists), or one thread if 0."""
    setup = functools.partial(chain, (worker_setup(settings), warm_dialogs))
    if processes:
        return ProcessWorker(
            settings.database_url,
            bank,
            processes,
            setup,
            max_rss=settings.worker_max_rss_mb * MIB,
            pool=settings.pool,
        )
    return ThreadWorker(engine, bank, setup)


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
            functools.partial(chain, (worker_setup(settings), warm_renderers)),
            niceness=REPORT_NICENESS,
            max_jobs=settings.report_max_jobs,
            max_rss=settings.worker_max_rss_mb * MIB,
            name="report",
            pool=settings.pool,
        )
    else:
        worker = ThreadWorker(engine, bank, worker_setup(settings))
    return SlowLane(worker, processes, settings.report_queue, settings.report_wait_seconds)


@dataclass(frozen=True)
class Deps:
    engine: Engine
    bank: Bank
    worker: DialogWorker  # the interactive lane: everything a person waits for in seconds
    clock: Callable[[], dt.datetime] = utc_now
    slow: DialogWorker | None = None  # reports, exports, charts; None: they share `worker`
    background: Background = field(default_factory=Background)
    # The deliveries being acted on in this process: a repeat waits for the first's answer
    # instead of taking a worker's place (bot/dialogs/repeats.py).
    in_flight: InFlight = field(default_factory=InFlight)
    # The deployment's language (ISO20K_LOCALE): what the web process itself writes in when
    # no worker could say whom it answers (an apology for a busy or broken lane).
    locale: str | None = None

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
        platform: Platform,
        operation: Operation,
        workspace_id: str,
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
            platform=platform,
            workspace_id=workspace_id,
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
