"""Audit days for the certification cycle.

Sources:
- IAF MD 5:2019 (duration of QMS/EMS audits), Annex A: the shape of the default table in
  `profile.DEFAULT_AUDIT_DAYS`; surveillance about one third and recertification about two
  thirds of the initial audit days.
- ISO/IEC 20000-6:2017 9.1.4: an SMS audit's duration follows persons in scope; 9.1.4.2:
  all reductions together may not exceed 30 % of the table's figure.
The table itself is an assumption to confirm with the certification body; the profile may
replace it.
"""

from __future__ import annotations

import math

from iso20k_core.profile import Assumptions, Profile
from iso20k_core.results import AuditDays, DayRange

MAX_REDUCTION_PERCENT = 30.0  # ISO/IEC 20000-6:2017 9.1.4.2
PERSONS_PER_EXTRA_DAY = 2500  # beyond the table, follow its progression
SURVEILLANCE_SHARE = 1 / 3  # IAF MD 5 Annex B
RECERTIFICATION_SHARE = 2 / 3


def round_up_half(days: float) -> float:
    """Audit time is planned in half days."""
    return math.ceil(round(days * 2, 6)) / 2


def table_days(assumptions: Assumptions, persons: int) -> float:
    for band in assumptions.audit_days_table:
        if persons <= band.max_persons:
            return band.days
    last = assumptions.audit_days_table[-1]
    return last.days + math.ceil((persons - last.max_persons) / PERSONS_PER_EXTRA_DAY)


def _point(days: float) -> DayRange:
    return DayRange(low=days, expected=days, high=days)


def audit_days(profile: Profile) -> AuditDays:
    """The audit days of the certification cycle for the profile's organisation."""
    assumptions = profile.assumptions
    table = table_days(assumptions, profile.persons_in_scope)
    reduction = min(assumptions.integration_reduction_percent, MAX_REDUCTION_PERCENT)
    initial = max(round_up_half(table * (1 - reduction / 100)), 1.0)
    stage1 = min(max(round_up_half(initial * assumptions.stage1_share), 0.5), initial - 0.5)
    surveillance = max(round_up_half(initial * SURVEILLANCE_SHARE), 0.5)
    recertification = max(round_up_half(initial * RECERTIFICATION_SHARE), 1.0)
    return AuditDays(
        table_days=table,
        reduction_percent=reduction,
        initial=initial,
        stage1=stage1,
        stage2=initial - stage1,
        surveillance=surveillance,
        recertification=recertification,
        initial_range=_point(initial),
        surveillance_range=_point(surveillance),
        recertification_range=_point(recertification),
    )


def auditors_for(days: float) -> int:
    """Audit teams grow with the audit so that an audit rarely runs past a week on site."""
    if days <= 5:
        return 1
    return 2 if days <= 12 else 3


def on_site_days(days: float) -> int:
    return max(math.ceil(days / auditors_for(days)), 1)
