"""An organisation's reminder settings, with the defaults people accept (DESIGN.md).

Fixed offsets before a deadline, only to those who still have something to do, in working
hours, a capped number of nudges.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

Offsets = tuple[int, ...]
MAX_OFFSETS = 6
MAX_OFFSET_DAYS = 120


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

    # Field validators, not one model check: each error names the field it is about, so a
    # form can show it on that field (PLATFORM.md: Slack refuses errors on other keys).
    @field_validator("milestone_days", "booking_days", "audit_days", "nudge_repeats")
    @classmethod
    def _few_offsets(cls, values: Offsets) -> Offsets:
        if len(values) > MAX_OFFSETS or any(not 0 <= v <= MAX_OFFSET_DAYS for v in values):
            raise ValueError(
                f"At most {MAX_OFFSETS} numbers, each from 0 to {MAX_OFFSET_DAYS} days."
            )
        return values

    @field_validator("work_end")
    @classmethod
    def _ends_after_start(cls, end: dt.time, info: ValidationInfo) -> dt.time:
        start = info.data.get("work_start")
        if isinstance(start, dt.time) and end <= start:
            raise ValueError(f"The working day must end after it starts ({start:%H:%M}).")
        return end


def policy_of(raw: dict[str, Any] | None) -> ReminderPolicy:
    """The stored policy, or the defaults when none (or an unreadable one) is stored."""
    if not raw:
        return ReminderPolicy()
    try:
        return ReminderPolicy.model_validate(raw)
    except ValidationError:
        return ReminderPolicy()
