"""What every Slack listener needs, passed in rather than reached for."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.dialogs.context import DialogContext, enter
from bot.dialogs.model import Outcome
from bot.store.models import ProcessedEvent
from iso20k_core.standard import Bank


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class SlackDeps:
    engine: Engine
    bank: Bank
    clock: Callable[[], dt.datetime] = utc_now

    def run(
        self,
        team_id: str,
        user_id: str,
        step: Callable[[DialogContext], Outcome],
        team_name: str | None = None,
    ) -> Outcome:
        """Run one dialog step in one transaction for the workspace's member (blocking)."""
        with Session(self.engine) as session:
            ctx = enter(
                session,
                "slack",
                team_id,
                team_name or team_id,
                user_id,
                self.clock().date(),
                self.bank,
            )
            ctx.today = local_date(self.clock(), ctx.organisation.timezone)
            outcome = step(ctx)
            session.commit()
            return outcome

    def first_delivery(self, team_id: str, event_id: str) -> bool:
        """True the first time an event id is seen; Slack's retries come back False."""
        with Session(self.engine) as session:
            session.add(ProcessedEvent(platform="slack", event_id=event_id, workspace_id=team_id))
            try:
                session.commit()
            except IntegrityError:
                return False
            return True


def local_date(now: dt.datetime, timezone: str) -> dt.date:
    """The organisation's today: a plan day starts at midnight where the team works."""
    try:
        return now.astimezone(zoneinfo.ZoneInfo(timezone)).date()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return now.date()
