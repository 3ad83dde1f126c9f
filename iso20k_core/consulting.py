"""Consultant days: a documented rule by activity, with how low and how high they may come out.

No consultancy publishes ISO/IEC 20000 consulting person-days (searched in English and
Chinese: consultancies quote by project, 按项目报价). The rule is therefore an **estimate**,
with its reasoning, checked against what is published for neighbouring management systems:

- a consultant supports and coaches, the organisation's own staff do most of the work: in
  two studies of ISO 9001 implementations, internal costs "averaged approximately 3.6 times
  the cost of the consultant"
  (https://www.quality-assurance.com/soft-costs-average-cost-of-implementation.html); at the
  default rates (consultant 1,200, internal 480 a day) that is one consultant day for about
  nine days of the own staff;
- a small organisation "starting from scratch" needs its consultant "for a few days", longer
  when the consultant writes the documentation (a certification body's "ISO certification
  budget", 4 August 2021, https://ukas.cn/resources/301.html); a consultancy plans an
  implementation "over the number of working days estimated to be required" and maintains a
  system with visits of "2-3 days per month" (https://www.qualitysolutions.co.za/faq/).

So a 30-person organisation at low maturity should expect 20-45 consultant days (two or
three days a month through a project of about a year, 24-36 days, with a margin either
side; about a ninth of the own staff's days): `PLAUSIBLE_SMALL_LOW_MATURITY`. The rule
gives the example `small-it-department.yaml` 30 days, 22 to 43.

The activities, in the plan's stages (plan.STAGES):
- preparation: kick-off, scope, project plan: 2 days + 0.5 a size unit;
- gap analysis: interviews over the 28 requirement areas: 2 days + 3 a size unit;
- documentation and process support: `consulting_share` (default 0.05) of the process work
  the plan sizes from the gaps (`Plan.process_work_days`: gap × effort per level × size):
  a day of templates, review and coaching for every 20 days the own staff put into their
  processes. The own staff's process work is less by these days (costs.internal_effort).
  An earlier rule let consultants do a quarter of the process work, 91 days for the 30
  persons of `small-it-department.yaml`; a consultant judged it too high (issue 11);
- trial-operation coaching (internal audit, management review): 2 days + 1 a size unit;
- audit support: a day for each audit day of stage 1 and stage 2 (on site with the
  auditors, or preparing the evidence they ask for and the corrections).
The size unit of the other activities is √(persons / 50), at least 0.5 and at most 8
(reached at 3,200 persons): beyond it, an organisation rolls the system out through its own
trainers and process owners, and the consultant's part stops growing.

The range: each activity's expected days times a low and a high factor (documentation is
the least certain: it depends on how much the own staff write themselves; audit support
follows the audit-day range). Each figure is rounded up to whole days, so low ≤ expected ≤
high, and the total's range is the sum of the activities' ranges.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from iso20k_core.language import _p
from iso20k_core.plan import REFERENCE_PERSONS
from iso20k_core.profile import Profile
from iso20k_core.results import AuditDays, DayRange, Plan

MIN_SIZE = 0.5
MAX_SIZE = 8.0
# (days, days a size unit, low factor, high factor) per activity; estimates, reasoned above.
PREPARATION = (2.0, 0.5, 0.75, 1.25)
GAP_ANALYSIS = (2.0, 3.0, 0.75, 1.5)
TRIAL_COACHING = (2.0, 1.0, 0.75, 1.5)
DOCUMENTATION_FACTORS = (0.6, 1.6)
# Expected consultant days a consultant would sign for 30 persons in scope at low maturity
# (the reasoning above); the rule's low and high stay within 10-60.
PLAUSIBLE_SMALL_LOW_MATURITY = (20, 45)


@dataclass(frozen=True)
class Activity:
    key: str
    title: str
    days: DayRange  # whole days


@dataclass(frozen=True)
class ConsultingEffort:
    activities: tuple[Activity, ...]
    size: float  # the size unit the fixed activities scale with

    @property
    def total(self) -> DayRange:
        return add_ranges(a.days for a in self.activities)

    def days(self, key: str) -> DayRange:
        return next(a.days for a in self.activities if a.key == key)


def add_ranges(ranges: Iterable[DayRange]) -> DayRange:
    """Sums of lows, expected figures and highs."""
    items = tuple(ranges)
    return DayRange(
        low=sum(r.low for r in items),
        expected=sum(r.expected for r in items),
        high=sum(r.high for r in items),
    )


def consulting_size(persons: int) -> float:
    return min(max(math.sqrt(persons / REFERENCE_PERSONS), MIN_SIZE), MAX_SIZE)


def _whole(days: float) -> int:
    """Consultants are booked by the day: part of a day is a day."""
    return math.ceil(round(days, 6))


def _scaled(rule: tuple[float, float, float, float], size: float) -> DayRange:
    base, per_size, low, high = rule
    days = base + per_size * size
    return DayRange(low=_whole(days * low), expected=_whole(days), high=_whole(days * high))


def _documentation(process_work_days: int, share: float) -> DayRange:
    days = process_work_days * share
    low, high = DOCUMENTATION_FACTORS
    return DayRange(
        low=_whole(days * low),
        expected=_whole(days),
        high=_whole(min(days * high, process_work_days)),
    )


def _audit_support(audit: AuditDays) -> DayRange:
    r = audit.initial_range
    return DayRange(low=_whole(r.low), expected=_whole(audit.initial), high=_whole(r.high))


def consulting_effort(profile: Profile, plan: Plan, audit: AuditDays) -> ConsultingEffort:
    """The consultant days of the project, by activity; none without consultants."""
    size = consulting_size(profile.persons_in_scope)
    if not profile.use_consultants:
        return ConsultingEffort(activities=(), size=size)
    share = profile.assumptions.consulting_share
    return ConsultingEffort(
        activities=(
            Activity(
                "preparation",
                _p("consulting activity", "preparation"),
                _scaled(PREPARATION, size),
            ),
            Activity(
                "gap_analysis",
                _p("consulting activity", "gap analysis"),
                _scaled(GAP_ANALYSIS, size),
            ),
            Activity(
                "documentation",
                _p("consulting activity", "documentation and process support"),
                _documentation(plan.process_work_days, share),
            ),
            Activity(
                "trial_coaching",
                _p("consulting activity", "trial coaching"),
                _scaled(TRIAL_COACHING, size),
            ),
            Activity(
                "audit_support",
                _p("consulting activity", "audit support"),
                _audit_support(audit),
            ),
        ),
        size=size,
    )
