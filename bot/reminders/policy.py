"""An organisation's reminder settings, with the defaults people accept (DESIGN.md).

Fixed offsets before a deadline, only to those who still have something to do, in working
hours, a capped number of nudges.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Offsets = tuple[int, ...]


class ReminderPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # business days before each milestone, to the managers
    milestone_days: Offsets = (3,)
    # business days before each audit booking deadline (about 4 weeks, 2 weeks, 3 days)
    booking_days: Offsets = (20, 10, 3)
    # calendar days before each audit, to the team channel
    audit_days: Offsets = (14, 7, 1)
    # working days after an assignment's due date to nudge again (after the due day itself)
    nudge_repeats: Offsets = (1, 3)
    digest_weekday: int = Field(default=0, ge=0, le=6)  # Monday
    work_start: dt.time = dt.time(9, 0)
    work_end: dt.time = dt.time(17, 0)
    paused: bool = False

    @model_validator(mode="after")
    def _sane(self) -> ReminderPolicy:
        for name in ("milestone_days", "booking_days", "audit_days", "nudge_repeats"):
            values = getattr(self, name)
            if len(values) > 6 or any(not 0 <= v <= 120 for v in values):
                raise ValueError(f"{name}: at most six offsets, each from 0 to 120 days")
        if self.work_end <= self.work_start:
            raise ValueError("work_end must come after work_start")
        return self


def policy_of(raw: dict[str, Any] | None) -> ReminderPolicy:
    """The stored policy, or the defaults when none (or an unreadable one) is stored."""
    if not raw:
        return ReminderPolicy()
    try:
        return ReminderPolicy.model_validate(raw)
    except ValidationError:
        return ReminderPolicy()
