"""What every Slack listener needs, passed in rather than reached for."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.dialogs.validation import RawValue
from bot.dialogs.worker import (
    DialogRequest,
    Health,
    Operation,
    ProcessWorker,
    ThreadWorker,
)
from bot.settings import Settings
from bot.slack.sender import install_sender
from bot.store.models import ProcessedEvent
from iso20k_core.standard import Bank

R = TypeVar("R")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DialogWorker(Protocol):
    async def call(self, fn: Callable[..., R], *args: Any) -> R: ...

    def health(self) -> Health: ...

    def close(self) -> None: ...


def make_worker(settings: Settings, engine: Engine, bank: Bank, processes: int) -> DialogWorker:
    """Dialog steps and Slack calls in `processes` worker processes, or one thread if 0."""
    setup = functools.partial(
        install_sender, settings.slack_bot_token or "", settings.slack_api_url
    )
    if processes:
        return ProcessWorker(settings.database_url, bank, processes, setup)
    return ThreadWorker(engine, bank, setup)


@dataclass(frozen=True)
class SlackDeps:
    engine: Engine
    bank: Bank
    worker: DialogWorker
    clock: Callable[[], dt.datetime] = utc_now

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
        )

    def first_delivery(self, team_id: str, event_id: str) -> bool:
        """True the first time an event id is seen; Slack's retries come back False."""
        with Session(self.engine) as session:
            session.add(ProcessedEvent(platform="slack", event_id=event_id, workspace_id=team_id))
            try:
                session.commit()
            except IntegrityError:
                return False
            return True
