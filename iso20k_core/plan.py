"""The five-stage certification plan on a business-day calendar.

Stages (DESIGN.md): preliminary preparation, gap analysis, process establishment and
improvement, trial operation, certification audit. Durations are business days and shrink as
maturity grows; process work is sized from the gaps and the staff available, biggest gaps
first. The certification stage holds the audit batches: stage 1, an improvement window, stage
2 (ISO/IEC 17021-1 9.3), each with a booking deadline and a reserve for the certification
body; surveillance follows within 12 months of the certification decision and again in the
second year, recertification before the certificate expires after three years (ISO/IEC
17021-1 9.1.3, 9.6.2, 9.6.3).

Every duration function is monotone: a higher maturity never yields a longer stage.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import math
from dataclasses import dataclass

from iso20k_core.audit import audit_days as compute_audit_days
from iso20k_core.audit import on_site_days
from iso20k_core.calendar import BusinessCalendar
from iso20k_core.profile import Profile
from iso20k_core.results import AreaResult, AuditBatch, Milestone, Plan, Stage, Task
from iso20k_core.standard import Bank

# effort_days in the bank are for an organisation of about this many persons in scope
REFERENCE_PERSONS = 50
MIN_PROCESS_DAYS = 15
MAX_PEOPLE_PER_TASK = 2.0
# Certification bodies expect the SMS to run about three months, with an internal audit and
# a management review, before stage 2 (DESIGN.md): 13 weeks of business days.
MIN_TRIAL_DAYS = 65
DECISION_DAYS = 10  # the body's technical review and certification decision after stage 2
SURVEILLANCE_MONTHS = (12, 24)
CERTIFICATE_YEARS = 3

STAGES = (
    ("preparation", "Preliminary preparation"),
    ("gap_analysis", "Gap analysis"),
    ("process_establishment", "Process establishment and improvement"),
    ("trial_operation", "Trial operation"),
    ("certification_audit", "Certification audit"),
)


@dataclass(frozen=True)
class TaskSize:
    area: AreaResult
    effort_days: int


def size_scale(persons: int) -> float:
    return min(max(math.sqrt(persons / REFERENCE_PERSONS), 0.5), 4.0)


def sized_tasks(
    profile: Profile, bank: Bank, areas: tuple[AreaResult, ...]
) -> tuple[TaskSize, ...]:
    """One task per requirement area short of its required maturity, biggest gap first."""
    effort_per_level = {a.id: a.effort_days or 0.0 for a in bank.areas}
    scale = size_scale(profile.persons_in_scope)
    tasks = [
        TaskSize(a, max(math.ceil(round(a.gap * effort_per_level[a.id] * scale, 6)), 1))
        for a in areas
        if a.kind == "requirements" and a.gap > 0
    ]
    return tuple(sorted(tasks, key=lambda t: (-t.area.gap, t.area.id)))


def foundation_ratio(areas: tuple[AreaResult, ...]) -> float:
    shares = [
        min(a.maturity / a.required, 1.0) if a.required else 1.0
        for a in areas
        if a.kind == "foundation"
    ]
    return sum(shares) / len(shares) if shares else 1.0


@dataclass(frozen=True)
class Durations:
    preparation: int
    gap_analysis: int
    process: int
    trial: int
    stage1_on_site: int
    stage2_on_site: int
    reserve: int
    improvement: int

    @property
    def certification(self) -> int:
        return (
            self.stage1_on_site
            + self.reserve
            + self.improvement
            + self.stage2_on_site
            + self.reserve
            + DECISION_DAYS
        )

    @property
    def stages(self) -> tuple[int, ...]:
        return (self.preparation, self.gap_analysis, self.process, self.trial, self.certification)


def durations(
    profile: Profile,
    areas: tuple[AreaResult, ...],
    readiness: float,
    tasks: tuple[TaskSize, ...],
) -> Durations:
    unready = 1 - readiness / 100
    scale = size_scale(profile.persons_in_scope)
    capacity = profile.staff_available_fte
    per_task = min(capacity, MAX_PEOPLE_PER_TASK)
    total_effort = sum(t.effort_days for t in tasks)
    longest = max((math.ceil(t.effort_days / per_task) for t in tasks), default=0)
    days = compute_audit_days(profile.assumptions, profile.persons_in_scope)
    return Durations(
        preparation=math.ceil(
            round(10 + 15 * (1 - foundation_ratio(areas)) + min(profile.sites - 1, 10), 6)
        ),
        gap_analysis=math.ceil(
            round(5 + 0.5 * min(profile.services_in_scope, 40) + 10 * scale * unready, 6)
        ),
        process=max(MIN_PROCESS_DAYS, math.ceil(round(total_effort / capacity, 6)), longest),
        trial=MIN_TRIAL_DAYS + math.ceil(round(20 * unready, 6)),
        stage1_on_site=on_site_days(days.stage1),
        stage2_on_site=on_site_days(days.stage2),
        reserve=profile.assumptions.certification_body_reserve_days,
        improvement=10 + math.ceil(round(20 * unready, 6)),
    )


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def _layout_stages(cal: BusinessCalendar, start: dt.date, d: Durations) -> tuple[Stage, ...]:
    stages = []
    day = cal.on_or_after(start)
    for number, ((key, title), days) in enumerate(zip(STAGES, d.stages, strict=True), 1):
        end = cal.span_end(day, days)
        stages.append(
            Stage(number=number, key=key, title=title, start=day, end=end, business_days=days)
        )
        day = cal.next_after(end)
    return tuple(stages)


def _tasks(
    cal: BusinessCalendar, stage: Stage, sizes: tuple[TaskSize, ...], capacity: float
) -> tuple[Task, ...]:
    """Biggest gaps start first; the team works through the list at its capacity."""
    per_task = min(capacity, MAX_PEOPLE_PER_TASK)
    tasks = []
    done_before = 0
    for size in sizes:
        length = math.ceil(size.effort_days / per_task)
        offset = min(math.floor(done_before / capacity), stage.business_days - length)
        start = cal.add(stage.start, offset)
        tasks.append(
            Task(
                area=size.area.id,
                title=_task_title(size.area),
                owner_role=size.area.owner_role or "SMS manager",
                gap=size.area.gap,
                effort_days=size.effort_days,
                start=start,
                end=cal.span_end(start, length),
            )
        )
        done_before += size.effort_days
    return tuple(tasks)


def _task_title(area: AreaResult) -> str:
    if area.gap >= 2:
        verb = "Define and introduce"
    elif area.gap >= 1:
        verb = "Document and implement"
    else:
        verb = "Close the remaining gaps in"
    return f"{verb} {area.title[0].lower()}{area.title[1:]} (to maturity {area.required})"


def _batch(
    cal: BusinessCalendar,
    key: str,
    title: str,
    planned: dt.date,
    audit_days: float,
    reserve: int,
    lead: int,
) -> AuditBatch:
    on_site = on_site_days(audit_days)
    return AuditBatch(
        key=key,
        title=title,
        planned_date=planned,
        on_site_days=on_site,
        audit_days=audit_days,
        window_end=cal.add(planned, on_site + reserve - 1),
        booking_deadline=cal.add(planned, -lead),
    )


def _batch_ending_by(
    cal: BusinessCalendar,
    key: str,
    title: str,
    latest: dt.date,
    audit_days: float,
    reserve: int,
    lead: int,
) -> AuditBatch:
    """A batch whose reserve window closes by `latest` (a deadline of the standard)."""
    window_end = cal.on_or_before(latest)
    planned = cal.add(window_end, -(on_site_days(audit_days) + reserve - 1))
    return _batch(cal, key, title, planned, audit_days, reserve, lead)


def _milestones(
    cal: BusinessCalendar,
    stages: tuple[Stage, ...],
    stage1: AuditBatch,
    stage2: AuditBatch,
    decision: dt.date,
) -> tuple[Milestone, ...]:
    prep, gap, process, trial, _ = stages
    items = [
        Milestone(
            key="kickoff",
            title="Project kick-off: sponsor, scope and team confirmed",
            date=prep.start,
            owner_role="Top management",
        ),
        Milestone(
            key="charter_approved",
            title="SMS scope and project charter approved",
            date=prep.end,
            owner_role="Top management",
        ),
        Milestone(
            key="gap_report",
            title="Gap analysis report accepted",
            date=gap.end,
            owner_role="SMS manager",
        ),
        Milestone(
            key="sms_established",
            title="SMS documented and processes in place",
            date=process.end,
            owner_role="SMS manager",
        ),
        Milestone(
            key="trial_start",
            title="Trial operation begins",
            date=trial.start,
            owner_role="SMS manager",
        ),
        Milestone(
            key="internal_audit",
            title="Internal audit of the whole SMS completed",
            date=cal.add(trial.start, math.floor(0.6 * trial.business_days)),
            owner_role="Internal audit lead",
        ),
        Milestone(
            key="management_review",
            title="Management review held and minuted",
            date=cal.add(trial.start, math.floor(0.85 * trial.business_days)),
            owner_role="Top management",
        ),
        Milestone(
            key="trial_end",
            title="Trial operation complete: ready for stage 1",
            date=trial.end,
            owner_role="SMS manager",
        ),
        Milestone(
            key="stage1_audit",
            title="Stage 1 audit (documentation and readiness)",
            date=stage1.planned_date,
            owner_role="SMS manager",
        ),
        Milestone(
            key="stage2_audit",
            title="Stage 2 audit (implementation)",
            date=stage2.planned_date,
            owner_role="SMS manager",
        ),
        Milestone(
            key="certification_decision",
            title="Certification decision expected",
            date=decision,
            owner_role="Top management",
        ),
    ]
    return tuple(sorted(items, key=lambda m: (m.date, m.key)))


def build_plan(
    profile: Profile,
    bank: Bank,
    areas: tuple[AreaResult, ...],
    readiness: float,
    today: dt.date,
) -> Plan:
    cal = BusinessCalendar(profile.country)
    sizes = sized_tasks(profile, bank, areas)
    d = durations(profile, areas, readiness, sizes)
    total = sum(d.stages)
    earliest_start = cal.on_or_after(profile.start_date or today)
    earliest_end = cal.add(earliest_start, total - 1)

    target = profile.target_certification_date
    mode: str = "forward"
    start = earliest_start
    feasible: bool | None = None
    if target is not None:
        feasible = earliest_end <= target
        if feasible:
            mode = "backward"
            start = cal.span_start(target, total)

    stages = _layout_stages(cal, start, d)
    audit = compute_audit_days(profile.assumptions, profile.persons_in_scope)
    lead = profile.assumptions.audit_booking_lead_days
    reserve = d.reserve
    certification = stages[-1]
    stage1 = _batch(
        cal, "stage1", "Stage 1 audit", certification.start, audit.stage1, reserve, lead
    )
    improvement_start = cal.next_after(stage1.window_end)
    improvement_end = cal.add(improvement_start, d.improvement - 1)
    stage2 = _batch(
        cal, "stage2", "Stage 2 audit", cal.next_after(improvement_end), audit.stage2, reserve, lead
    )
    decision = certification.end
    expiry = add_months(decision, 12 * CERTIFICATE_YEARS) - dt.timedelta(days=1)
    later = [
        _batch_ending_by(
            cal,
            f"surveillance{n}",
            f"Surveillance audit {n}",
            add_months(decision, months) - dt.timedelta(days=1),
            audit.surveillance,
            reserve,
            lead,
        )
        for n, months in enumerate(SURVEILLANCE_MONTHS, 1)
    ]
    recertification = _batch_ending_by(
        cal,
        "recertification",
        "Recertification audit",
        cal.add(cal.on_or_before(expiry), -DECISION_DAYS),
        audit.recertification,
        reserve,
        lead,
    )
    return Plan(
        mode="backward" if mode == "backward" else "forward",
        start=stages[0].start,
        certification_date=decision,
        target_date=target,
        target_feasible=feasible,
        earliest_certification_date=earliest_end,
        business_days=total,
        stages=stages,
        tasks=_tasks(cal, stages[2], sizes, profile.staff_available_fte),
        milestones=_milestones(cal, stages, stage1, stage2, decision),
        audit_batches=(stage1, stage2, *later, recertification),
        improvement_window=(improvement_start, improvement_end),
        certificate_expiry=expiry,
        calendar=cal.describe(),
        country=profile.country,
    )
