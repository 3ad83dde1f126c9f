"""Audit days for the certification cycle: the table, its documented adjustments, the range.

Sources:
- IAF MD 5:2019 (duration of QMS/EMS audits), Annex A: the shape of the default table in
  `profile.DEFAULT_AUDIT_DAYS`; surveillance about one third and recertification about two
  thirds of the initial audit days.
- ISO/IEC 20000-6:2017 9.1.4: an SMS audit's duration follows persons in scope; 9.1.4.2:
  all reductions together may not exceed 30 % of the table's figure. EA FAQ 48.4 (European
  co-operation for Accreditation, September 2024, "Audit time determination to ISO/IEC
  20000-6"): a body may weigh factors for more time as well as less ("complex business
  processes (+10%)", "low level of reliance on third party (-10%)", "combined audit with
  another MS (-20%)" in the question's example) and must justify each one; the 30 % limit
  holds however many reductions apply.
- IAF MD 1:2018 6.1.3.3, as EA FAQ 42.6 (September 2021) and 46.5 (March 2023) quote it: of
  the x sites beyond the central function, a sample of y = √x (rounded up) is audited at
  initial certification; EA FAQ 38.2 (September 2019) quotes MD 1:2018 7.3: the audit time
  of a sampled site may be reduced by at most 50 %.
The table itself is an assumption to confirm with the certification body; the profile may
replace it. Each adjustment that is an estimate says so in its reason.
"""

from __future__ import annotations

import math

from iso20k_core.language import _, _p
from iso20k_core.profile import DEFAULT_AUDIT_DAYS, Assumptions, Profile
from iso20k_core.results import AuditAdjustment, AuditDays, DayRange

MAX_REDUCTION_PERCENT = 30.0  # ISO/IEC 20000-6:2017 9.1.4.2
PERSONS_PER_EXTRA_DAY = 2500  # beyond the table, follow its progression
SURVEILLANCE_SHARE = 1 / 3  # IAF MD 5 Annex B
RECERTIFICATION_SHARE = 2 / 3

# Estimates, each named as such in the adjustment's reason (see README "How the engine
# decides"). The reference organisation (one site, REFERENCE_SERVICES services, normal
# complexity, nothing outsourced, no other certification) gets none of them.
SITE_SHARE_OF_SMALLEST_BAND = 0.5  # MD 1:2018 7.3: a sampled site at most 50 % off its time
REFERENCE_SERVICES = 8
SERVICES_PER_STEP = 10
PERCENT_PER_SERVICE_STEP = 5.0
MAX_SERVICES_PERCENT = 30.0
COMPLEXITY_PERCENT = 10.0  # EA FAQ 48.4's example: complex business processes +10 %
PERCENT_PER_OUTSOURCED = 5.0
MAX_OUTSOURCED_PERCENT = 20.0
CERTIFIED_INTEGRATION_PERCENT = 10.0
# The range of the default table: ISO/IEC 27006's information-security table gives about
# twice the days of the QMS column at the same size (estimate; issue 11's consultant).
HIGH_TABLE_FACTOR = 2.0
# One auditor audits up to a working week on site; more audit days bring more auditors
# into the same week (estimate: bodies keep an audit within a week where they can).
MAX_ON_SITE_DAYS = 5


def _g(value: float) -> str:
    """A percentage or a number of days in an adjustment's words, as its change shows them
    (`5`, `0.75`, `32.5`): the figures the profile and the sources give, not rounded."""
    return f"{value:g}"


def round_up_half(days: float) -> float:
    """Audit time is planned in half days."""
    return math.ceil(round(days * 2, 6)) / 2


def table_days(assumptions: Assumptions, persons: int) -> float:
    for band in assumptions.audit_days_table:
        if persons <= band.max_persons:
            return band.days
    last = assumptions.audit_days_table[-1]
    return last.days + math.ceil((persons - last.max_persons) / PERSONS_PER_EXTRA_DAY)


def sampled_sites(sites: int) -> int:
    """Sites beyond the central function audited at initial certification: √x rounded up
    (IAF MD 1:2018 6.1.3.3)."""
    others = sites - 1
    return math.ceil(round(math.sqrt(others), 6)) if others > 0 else 0


def _site_adjustment(profile: Profile) -> AuditAdjustment | None:
    sample = sampled_sites(profile.sites)
    if not sample:
        return None
    per_site = profile.assumptions.audit_days_table[0].days * SITE_SHARE_OF_SMALLEST_BAND
    return AuditAdjustment(
        key="sites",
        title=_(
            "{sites} sites: {sample} sampled beyond the central one",
            sites=profile.sites,
            sample=sample,
        ),
        days=sample * per_site,
        reason=_(
            "IAF MD 1:2018 6.1.3.3 (EA FAQ 42.6, 46.5): of the {others} other sites a sample "
            "of √{others}, rounded up, is audited at initial certification; estimate: "
            "{per_site} audit days each, the table's smallest band with the 50 % a sampled "
            "site may be reduced at most (IAF MD 1:2018 7.3, EA FAQ 38.2)",
            others=profile.sites - 1,
            per_site=_g(per_site),
        ),
    )


def _services_adjustment(profile: Profile) -> AuditAdjustment | None:
    beyond = profile.services_in_scope - REFERENCE_SERVICES
    if beyond <= 0:
        return None
    steps = math.ceil(beyond / SERVICES_PER_STEP)
    percent = min(steps * PERCENT_PER_SERVICE_STEP, MAX_SERVICES_PERCENT)
    return AuditAdjustment(
        key="services",
        title=_("{services} services in scope", services=profile.services_in_scope),
        percent=percent,
        reason=_(
            "estimate: {step_percent} % for every {step} services or part beyond "
            "{reference}, at most {most} %: each service has its own agreements, reports and "
            "changes for the auditors to sample",
            step_percent=_g(PERCENT_PER_SERVICE_STEP),
            step=SERVICES_PER_STEP,
            reference=REFERENCE_SERVICES,
            most=_g(MAX_SERVICES_PERCENT),
        ),
    )


def _complexity_adjustment(profile: Profile) -> AuditAdjustment | None:
    if profile.complexity == "normal":
        return None
    high = profile.complexity == "high"
    return AuditAdjustment(
        key="complexity",
        title=_("High complexity") if high else _("Low complexity"),
        percent=COMPLEXITY_PERCENT if high else -COMPLEXITY_PERCENT,
        reason=_(
            "EA FAQ 48.4 (September 2024) names complex business processes as a reason for "
            "more audit time, +{percent} % in its example",
            percent=_g(COMPLEXITY_PERCENT),
        )
        if high
        else _(
            "estimate: the mirror of the +{percent} % for high complexity in EA FAQ 48.4's "
            "example; simple, repetitive services need fewer audit trails",
            percent=_g(COMPLEXITY_PERCENT),
        ),
    )


def _outsourced_adjustment(profile: Profile) -> AuditAdjustment | None:
    count = profile.outsourced_processes
    if not count:
        return None
    return AuditAdjustment(
        key="outsourced",
        title=_("{count} processes operated by other parties", count=count),
        percent=min(count * PERCENT_PER_OUTSOURCED, MAX_OUTSOURCED_PERCENT),
        reason=_(
            "estimate: {each} % each, at most {most} %: the auditors check how the "
            "organisation governs every process another party operates (ISO/IEC 20000-1:2018 "
            "8.2.3); EA FAQ 48.4's example counts a low reliance on third parties as a "
            "reduction, so a high one adds time",
            each=_g(PERCENT_PER_OUTSOURCED),
            most=_g(MAX_OUTSOURCED_PERCENT),
        ),
    )


def _other_certifications(profile: Profile) -> tuple[str, ...]:
    # ISO/IEC 20000-1 itself is no other management system to combine the audit with.
    return tuple(c for c in profile.existing_certifications if c != "ISO/IEC 20000-1")


def _integration_adjustment(profile: Profile) -> AuditAdjustment | None:
    asked = profile.assumptions.integration_reduction_percent
    others = _other_certifications(profile)
    if asked > 0:
        return AuditAdjustment(
            key="integration",
            title=_("Audit integrated with another management system"),
            percent=-asked,
            reason=_(
                "the profile's integration_reduction_percent (ISO/IEC 20000-6:2017 9.1.4.2 "
                "allows reductions; the body justifies each one, EA FAQ 48.4)"
            ),
        )
    if not others:
        return None
    return AuditAdjustment(
        key="integration",
        title=_(
            "Certified to {certifications}",
            certifications=_p("list separator", ", ").join(others),
        ),
        percent=-CERTIFIED_INTEGRATION_PERCENT,
        reason=_(
            "estimate: {percent} %, half the -20 % for a combined audit with another "
            "management system in EA FAQ 48.4's example, since combining the audits is the "
            "body's choice; give the body's figure as integration_reduction_percent",
            percent=_g(CERTIFIED_INTEGRATION_PERCENT),
        ),
    )


def adjustments(profile: Profile) -> tuple[AuditAdjustment, ...]:
    """The adjustments that apply to the profile, before the cap on reductions."""
    found = (
        _site_adjustment(profile),
        _services_adjustment(profile),
        _complexity_adjustment(profile),
        _outsourced_adjustment(profile),
        _integration_adjustment(profile),
    )
    return tuple(a for a in found if a is not None)


def _cap(reductions: float) -> AuditAdjustment:
    return AuditAdjustment(
        key="reduction_cap",
        title=_("Reductions capped at {cap} %", cap=_g(MAX_REDUCTION_PERCENT)),
        percent=reductions - MAX_REDUCTION_PERCENT,
        reason=_(
            "the reductions above add up to {reductions} %; all reductions together may not "
            "exceed {cap} % of the table's figure (ISO/IEC 20000-6:2017 9.1.4.2, EA FAQ 48.4)",
            reductions=_g(reductions),
            cap=_g(MAX_REDUCTION_PERCENT),
        ),
    )


def _initial(table: float, percent: float, site_days: float) -> float:
    return max(round_up_half(table * (1 + percent / 100) + site_days), 1.0)


def _split(initial: float, stage1_share: float) -> tuple[float, float]:
    """Stage 1 and stage 2 in half days; stage 2 keeps at least half a day. Both grow with
    the initial days, so the low and high figures split by the same rule stay in order."""
    stage1 = min(max(round_up_half(initial * stage1_share), 0.5), initial - 0.5)
    return stage1, initial - stage1


def _shares(initial: float) -> tuple[float, float]:
    surveillance = max(round_up_half(initial * SURVEILLANCE_SHARE), 0.5)
    return surveillance, max(round_up_half(initial * RECERTIFICATION_SHARE), 1.0)


def _range_basis(default_table: bool) -> str:
    if not default_table:
        return _("the profile's own audit-day table: a point, as the body's figures are")
    return _(
        "the default table is shaped like the QMS column of IAF MD 5:2019 Annex A, and "
        "ISO/IEC 20000-6:2017 Table 1 is not public here. Low: the same table with every "
        "reduction ISO/IEC 20000-6:2017 9.1.4.2 allows ({cap} %). High: estimate, a table "
        "twice as high, as the information-security table of ISO/IEC 27006 is said to be at "
        "small sizes. Ask the body which table it applies",
        cap=_g(MAX_REDUCTION_PERCENT),
    )


def audit_days(profile: Profile) -> AuditDays:
    """The audit days of the certification cycle for the profile's organisation."""
    assumptions = profile.assumptions
    table = table_days(assumptions, profile.persons_in_scope)
    found = adjustments(profile)
    percents = [a.percent for a in found if a.percent is not None]
    increase = sum(p for p in percents if p > 0)
    asked = -sum(p for p in percents if p < 0)
    reduction = min(asked, MAX_REDUCTION_PERCENT)
    if asked > MAX_REDUCTION_PERCENT:
        found += (_cap(asked),)
    site_days = sum(a.days for a in found if a.days is not None)

    initial = _initial(table, increase - reduction, site_days)
    stage1, stage2 = _split(initial, assumptions.stage1_share)
    surveillance, recertification = _shares(initial)

    default_table = assumptions.audit_days_table == DEFAULT_AUDIT_DAYS
    if default_table:
        low = _initial(table, increase - MAX_REDUCTION_PERCENT, site_days)
        high = _initial(
            table * HIGH_TABLE_FACTOR, increase - reduction, site_days * HIGH_TABLE_FACTOR
        )
    else:
        low = high = initial
    (low_s, low_r), (high_s, high_r) = _shares(low), _shares(high)
    (low_1, low_2), (high_1, high_2) = (
        _split(low, assumptions.stage1_share),
        _split(high, assumptions.stage1_share),
    )
    return AuditDays(
        table_days=table,
        reduction_percent=reduction,
        initial=initial,
        stage1=stage1,
        stage2=stage2,
        surveillance=surveillance,
        recertification=recertification,
        initial_range=DayRange(low=low, expected=initial, high=high),
        surveillance_range=DayRange(low=low_s, expected=surveillance, high=high_s),
        recertification_range=DayRange(low=low_r, expected=recertification, high=high_r),
        stage1_range=DayRange(low=low_1, expected=stage1, high=high_1),
        stage2_range=DayRange(low=low_2, expected=stage2, high=high_2),
        range_basis=_range_basis(default_table),
        increase_percent=increase,
        site_days=site_days,
        sampled_sites=sampled_sites(profile.sites),
        adjustments=found,
        auditors=auditors_for(stage2),
        stage1_on_site=on_site_days(stage1),
        stage2_on_site=on_site_days(stage2),
    )


def on_site_days(days: float) -> int:
    """Business days the audit takes on site: one auditor's days, up to a working week.

    One rule for team and days, so neither jumps: days on site grow with the audit days up
    to MAX_ON_SITE_DAYS and then stay there while auditors join (`auditors_for`). More
    audit days never mean fewer days on site, and the team never shrinks as they grow."""
    return min(max(math.ceil(round(days, 6)), 1), MAX_ON_SITE_DAYS)


def auditors_for(days: float) -> int:
    """The audit team: as many auditors as the audit days need within `on_site_days`."""
    return max(math.ceil(round(days / on_site_days(days), 6)), 1)
