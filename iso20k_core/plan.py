"""The five-stage certification plan on a business-day calendar.

Stages, in the order a consultancy's method prepares for certification: preliminary
preparation, gap analysis, process establishment and improvement, trial operation,
certification audit. Durations are business days and shrink as
maturity grows; process work is sized from the gaps and the staff available, biggest gaps
first. The certification stage holds the audit batches: stage 1, an improvement window, stage
2 (ISO/IEC 17021-1 9.3), each with a booking deadline and a reserve for the certification
body, then a window to close the nonconformities stage 2 finds and the certification
decision after it. Before stage 1 the plan has the application to the certification body (in
time for the stage 1 booking deadline) and the documented information ready for the body to
review (ISO/IEC 17021-1 9.3.1.2). Surveillance follows within 12 months of the
certification decision and again in the second year, recertification before the certificate
expires after three years (ISO/IEC 17021-1 9.1.3, 9.6.2, 9.6.3).

Every duration function is monotone: a higher maturity never yields a longer stage.

Two bounds keep every plan finite and every evaluation fast, whatever the input:
- Process work is capped at `MAX_PROCESS_YEARS`. When the work cannot be done in that time
  with the staff available, the stage is laid out at the cap, the plan says so
  (`process_capped`, `process_years_needed`) and the verdict is "not yet feasible": a plan
  that runs longer is no plan (scoring.feasibility, risks.too_few_people).
- Dates come in only within the horizon of `dates.py` (the start and target dates, the
  bookings), and audit-day bands are bounded (`profile.MAX_BAND_DAYS`), so the plan and its
  three-year cycle end within 20 years of `today` (a start ten years ahead, at most about six
  years of plan with every input at its bound, three years of certificate).

Bookings (audit key -> the date the certification body confirmed) replace the planned date of
their audit; what follows moves with them: stage 2 after a booked stage 1's on-site days and
the improvement window (unless stage 2 is booked too), then the certification decision,
surveillance and recertification. A booked audit needs no booking deadline and no reserve.
Bookings that contradict the plan (stage 2 before the trial operation ends, surveillance after
its deadline) are kept as booked and listed in `booking_conflicts`, which a risk reports.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

from iso20k_core import figures as fig
from iso20k_core.audit import on_site_days
from iso20k_core.calendar import ONE_DAY, BusinessCalendar, calendar_for
from iso20k_core.language import N_, _, _n
from iso20k_core.profile import Profile
from iso20k_core.results import AreaResult, AuditBatch, AuditDays, Milestone, Plan, Stage, Task
from iso20k_core.standard import Bank

# effort_days in the bank are for an organisation of about this many persons in scope
REFERENCE_PERSONS = 50
MIN_PROCESS_DAYS = 15
MAX_PEOPLE_PER_TASK = 2.0
# Certification bodies expect the SMS to run about three months, with an internal audit and
# a management review, before stage 2 (CNCA's rules for IT service management certification,
# 3.1.2(6): at least three months of operation): 13 weeks of business days.
MIN_TRIAL_DAYS = 65
DECISION_DAYS = 10  # the body's technical review and certification decision
# After stage 2, corrections and corrective actions for its nonconformities go to the body
# before it decides: a major one blocks the certificate until closed, and bodies set at most
# 90 days for it (Parkinson Howe, Conditions for Handling Non-Conformities,
# parkinsonhowe.co.uk/blogs/08/: "a max of 90 days"; IIC repeats stage 2 when a major one is
# not verified within 6 months, eng.iicregistrar.com). Six weeks of business days is an
# estimate: time for a root-cause analysis and an action with evidence, leaving half of the
# body's period in reserve; with no major nonconformity the decision can come sooner.
NONCONFORMITY_DAYS = 30
# The application to the certification body goes out this long before the stage 1 booking
# deadline: the body reviews the application (ISO/IEC 17021-1 9.1.2), quotes, and the
# contract is signed before stage 1 can be booked (MPS, certification process,
# mps-cert.co.uk/cert_process.htm: application, quotation, contract, documents, stage 1).
# Three weeks is an estimate: no body publishes how long its review and the client's
# purchase approval take.
APPLICATION_DAYS = 15
# The documented information is ready and sent this long before stage 1, for the auditor to
# read ahead (an estimate: one working week).
DOCUMENTS_AHEAD_DAYS = 5
SURVEILLANCE_MONTHS = (12, 24)
CERTIFICATE_YEARS = 3
BUSINESS_DAYS_PER_YEAR = 260  # 52 weeks of five days
# A certification project is planned in months (ISO/IEC 20000-1 projects typically take one
# to two years); process work that needs more than this with the staff available is a
# staffing problem to solve first, not a plan.
MAX_PROCESS_YEARS = 3
MAX_PROCESS_DAYS = MAX_PROCESS_YEARS * BUSINESS_DAYS_PER_YEAR
MAX_NEEDED = 1e9  # business days: beyond any plan, small enough to print
AUDIT_KEYS = ("stage1", "stage2", "surveillance1", "surveillance2", "recertification")

STAGES = (
    ("preparation", N_("Preliminary preparation")),
    ("gap_analysis", N_("Gap analysis")),
    ("process_establishment", N_("Process establishment and improvement")),
    ("trial_operation", N_("Trial operation")),
    ("certification_audit", N_("Certification audit")),
)
# The audit batches' names, by key (the keys are what bookings and exports read).
AUDIT_TITLES = {
    "stage1": N_("Stage 1 audit"),
    "stage2": N_("Stage 2 audit"),
    "surveillance1": N_("Surveillance audit 1"),
    "surveillance2": N_("Surveillance audit 2"),
    "recertification": N_("Recertification audit"),
}


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
    process_needed: float  # business days the process work needs at the staff available
    process_capped: bool  # it needs more than MAX_PROCESS_DAYS: `process` is the cap

    @property
    def certification(self) -> int:
        return (
            self.stage1_on_site
            + self.reserve
            + self.improvement
            + self.stage2_on_site
            + self.reserve
            + NONCONFORMITY_DAYS
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
    days: AuditDays,
) -> Durations:
    unready = 1 - readiness / 100
    scale = size_scale(profile.persons_in_scope)
    capacity = profile.staff_available_fte
    per_task = min(capacity, MAX_PEOPLE_PER_TASK)
    total_effort = sum(t.effort_days for t in tasks)
    # With a tiny FTE these quotients are astronomical, even infinite: the figure needed is
    # kept (bounded, for the verdict's words) and the stage is laid out at the cap.
    longest = max((t.effort_days / per_task for t in tasks), default=0.0)
    needed = min(max(float(MIN_PROCESS_DAYS), total_effort / capacity, longest), MAX_NEEDED)
    process = max(
        MIN_PROCESS_DAYS,
        math.ceil(round(min(total_effort / capacity, MAX_NEEDED), 6)),
        math.ceil(min(longest, MAX_NEEDED)),
    )
    return Durations(
        preparation=math.ceil(
            round(10 + 15 * (1 - foundation_ratio(areas)) + min(profile.sites - 1, 10), 6)
        ),
        gap_analysis=math.ceil(
            round(5 + 0.5 * min(profile.services_in_scope, 40) + 10 * scale * unready, 6)
        ),
        process=min(process, MAX_PROCESS_DAYS),
        trial=MIN_TRIAL_DAYS + math.ceil(round(20 * unready, 6)),
        stage1_on_site=on_site_days(days.stage1),
        stage2_on_site=on_site_days(days.stage2),
        reserve=profile.assumptions.certification_body_reserve_days,
        improvement=10 + math.ceil(round(20 * unready, 6)),
        process_needed=needed,
        process_capped=process > MAX_PROCESS_DAYS,
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
            Stage(number=number, key=key, title=_(title), start=day, end=end, business_days=days)
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
        # Within the stage even when it is capped (tiny staff): the verdict says it won't fit.
        length = math.ceil(min(size.effort_days / per_task, stage.business_days))
        offset = math.floor(min(done_before / capacity, stage.business_days - length))
        start = cal.add(stage.start, offset)
        tasks.append(
            Task(
                area=size.area.id,
                title=_task_title(size.area),
                owner_role=size.area.owner_role or _("SMS manager"),
                gap=size.area.gap,
                effort_days=size.effort_days,
                start=start,
                end=cal.span_end(start, length),
            )
        )
        done_before += size.effort_days
    return tuple(tasks)


def _task_title(area: AreaResult) -> str:
    name = f"{area.title[0].lower()}{area.title[1:]}"
    level = area.required
    if area.gap >= 2:
        return _("Define and introduce {area} (to maturity {level})", area=name, level=level)
    if area.gap >= 1:
        return _("Document and implement {area} (to maturity {level})", area=name, level=level)
    return _("Close the remaining gaps in {area} (to maturity {level})", area=name, level=level)


def _batch(
    cal: BusinessCalendar,
    key: str,
    title: str,
    planned: dt.date,
    audit_days: float,
    reserve: int,
    lead: int,
    booked: bool = False,
) -> AuditBatch:
    """An audit on `planned`; unbooked, with its booking deadline and the body's reserve."""
    on_site = on_site_days(audit_days)
    return AuditBatch(
        key=key,
        title=title,
        planned_date=planned,
        on_site_days=on_site,
        audit_days=audit_days,
        window_end=cal.add(planned, on_site - 1 + (0 if booked else reserve)),
        booking_deadline=None if booked else cal.add(planned, -lead),
        booked=booked,
    )


def _batch_ending_by(
    cal: BusinessCalendar,
    key: str,
    title: str,
    latest: dt.date,
    audit_days: float,
    reserve: int,
    lead: int,
    booked: dt.date | None = None,
) -> AuditBatch:
    """A batch whose reserve window closes by `latest` (a deadline of the standard), or on
    the day it is booked for."""
    if booked is not None:
        return _batch(cal, key, title, booked, audit_days, reserve, lead, booked=True)
    window_end = cal.on_or_before(latest)
    planned = cal.add(window_end, -(on_site_days(audit_days) + reserve - 1))
    return _batch(cal, key, title, planned, audit_days, reserve, lead)


def _milestones(
    cal: BusinessCalendar,
    stages: tuple[Stage, ...],
    c: _Cycle,
) -> tuple[Milestone, ...]:
    prep, gap, process, trial, _certification = stages
    stage1, stage2, decision = c.stage1, c.stage2, c.decision
    items = _certification_milestones(cal, c, prep.start)
    items += [
        Milestone(
            key="kickoff",
            title=_("Project kick-off: sponsor, scope and team confirmed"),
            date=prep.start,
            owner_role=_("Top management"),
        ),
        Milestone(
            key="charter_approved",
            title=_("SMS scope and project charter approved"),
            date=prep.end,
            owner_role=_("Top management"),
        ),
        Milestone(
            key="gap_report",
            title=_("Gap analysis report accepted"),
            date=gap.end,
            owner_role=_("SMS manager"),
        ),
        Milestone(
            key="sms_established",
            title=_("SMS documented and processes in place"),
            date=process.end,
            owner_role=_("SMS manager"),
        ),
        Milestone(
            key="trial_start",
            title=_("Trial operation begins"),
            date=trial.start,
            owner_role=_("SMS manager"),
        ),
        Milestone(
            key="internal_audit",
            title=_("Internal audit of the whole SMS completed"),
            date=cal.add(trial.start, math.floor(0.6 * trial.business_days)),
            owner_role=_("Internal audit lead"),
        ),
        Milestone(
            key="management_review",
            title=_("Management review held and minuted"),
            date=cal.add(trial.start, math.floor(0.85 * trial.business_days)),
            owner_role=_("Top management"),
        ),
        Milestone(
            key="trial_end",
            title=_("Trial operation complete: ready for stage 1"),
            date=trial.end,
            owner_role=_("SMS manager"),
        ),
        Milestone(
            key="stage1_audit",
            title=_("Stage 1 audit (documentation and readiness)"),
            date=stage1.planned_date,
            owner_role=_("SMS manager"),
        ),
        Milestone(
            key="stage2_audit",
            title=_("Stage 2 audit (implementation)"),
            date=stage2.planned_date,
            owner_role=_("SMS manager"),
        ),
        Milestone(
            key="certification_decision",
            title=_("Certification decision expected"),
            date=decision,
            owner_role=_("Top management"),
        ),
    ]
    return tuple(sorted(items, key=lambda m: (m.date, m.key)))


def _certification_milestones(cal: BusinessCalendar, c: _Cycle, start: dt.date) -> list[Milestone]:
    """The application in time for the stage 1 booking, the documents before stage 1, the
    nonconformities closed before the decision. A booked stage 1 has its contract already;
    an application due before the project starts is due at its kick-off."""
    items = []
    if c.stage1.booking_deadline is not None:
        items.append(
            Milestone(
                key="certification_application",
                title=_(
                    "Application sent to the certification body: quote and contract "
                    "before the stage 1 booking deadline"
                ),
                date=max(cal.add(c.stage1.booking_deadline, -APPLICATION_DAYS), start),
                owner_role=_("SMS manager"),
            )
        )
    items += [
        Milestone(
            key="stage1_documents",
            title=_("Documented information ready for stage 1 and sent to the certification body"),
            date=cal.add(c.stage1.planned_date, -DOCUMENTS_AHEAD_DAYS),
            owner_role=_("SMS manager"),
        ),
        Milestone(
            key="nonconformities_closed",
            title=_("Stage 2 nonconformities closed: corrections and corrective actions sent"),
            date=c.nonconformity[1],
            owner_role=_("SMS manager"),
        ),
    ]
    return items


@dataclass(frozen=True)
class _Cycle:
    """The certification stage's audits and what hangs on them."""

    stage1: AuditBatch
    improvement: tuple[dt.date, dt.date]
    stage2: AuditBatch
    nonconformity: tuple[dt.date, dt.date]  # closing stage 2's findings before the decision
    decision: dt.date
    later: tuple[AuditBatch, ...]  # surveillance 1 and 2, recertification
    expiry: dt.date
    deadlines: dict[str, dt.date]  # latest day each later audit's window may close


def _cycle(
    cal: BusinessCalendar,
    profile: Profile,
    d: Durations,
    certification: Stage,
    bookings: Mapping[str, dt.date],
    audit: AuditDays,
) -> _Cycle:
    lead = profile.assumptions.audit_booking_lead_days
    reserve = d.reserve

    def batch(key: str, planned: dt.date, days: float) -> AuditBatch:
        booked = bookings.get(key)
        day = planned if booked is None else booked
        title = _(AUDIT_TITLES[key])
        return _batch(cal, key, title, day, days, reserve, lead, booked=booked is not None)

    stage1 = batch("stage1", certification.start, audit.stage1)
    improvement_start = cal.next_after(stage1.window_end)
    booked2 = bookings.get("stage2")
    if booked2 is None:
        improvement_end = cal.add(improvement_start, d.improvement - 1)
        stage2_day = cal.next_after(improvement_end)
    else:  # the time there is, or (booked out of order) a window of one day
        improvement_end = max(improvement_start, cal.on_or_before(booked2 - ONE_DAY))
        stage2_day = booked2
    stage2 = batch("stage2", stage2_day, audit.stage2)
    nonconformity_start = cal.next_after(stage2.window_end)
    nonconformity_end = cal.add(nonconformity_start, NONCONFORMITY_DAYS - 1)
    decision = cal.add(nonconformity_end, DECISION_DAYS)
    expiry = add_months(decision, 12 * CERTIFICATE_YEARS) - ONE_DAY
    deadlines = {
        f"surveillance{n}": add_months(decision, months) - ONE_DAY
        for n, months in enumerate(SURVEILLANCE_MONTHS, 1)
    }
    # No nonconformity window here: at recertification the body shortens its period so the
    # decision comes before expiry (Parkinson Howe, as for NONCONFORMITY_DAYS).
    deadlines["recertification"] = cal.add(cal.on_or_before(expiry), -DECISION_DAYS)
    later = tuple(
        _batch_ending_by(
            cal,
            key,
            _(AUDIT_TITLES[key]),
            deadlines[key],
            days,
            reserve,
            lead,
            booked=bookings.get(key),
        )
        for key, days in (
            ("surveillance1", audit.surveillance),
            ("surveillance2", audit.surveillance),
            ("recertification", audit.recertification),
        )
    )
    return _Cycle(
        stage1,
        (improvement_start, improvement_end),
        stage2,
        (nonconformity_start, nonconformity_end),
        decision,
        later,
        expiry,
        deadlines,
    )


def _described(cal: BusinessCalendar, start: dt.date, end: dt.date) -> str:
    """The calendar in words, with the years of the cycle whose holidays are only estimated."""
    estimated = cal.estimated_years(start, end)
    if not estimated:
        return cal.describe()
    years = str(estimated[0]) if len(estimated) == 1 else f"{estimated[0]}–{estimated[-1]}"
    return _(
        "{calendar}; the public holidays of {years} are estimated: their official "
        "schedule is not yet published, so dates in those years may move",
        calendar=cal.describe(),
        years=years,
    )


def _booking_conflicts(
    cal: BusinessCalendar, d: Durations, trial: Stage, c: _Cycle
) -> tuple[str, ...]:
    """Where booked dates contradict what certification needs, in a manager's words."""
    found = []
    s1, s2 = c.stage1, c.stage2
    if s1.booked and s1.planned_date <= trial.end:
        found.append(
            _(
                "the stage 1 audit is booked for {booked}, before the trial operation ends on "
                "{trial_end}",
                booked=fig.date(s1.planned_date),
                trial_end=fig.date(trial.end),
            )
        )
    if s2.booked and s2.planned_date <= trial.end:
        found.append(
            _(
                "the stage 2 audit is booked for {booked}, before the trial operation ends on "
                "{trial_end}; certification bodies expect about three months of operation "
                "with an internal audit and a management review first",
                booked=fig.date(s2.planned_date),
                trial_end=fig.date(trial.end),
            )
        )
    if s2.booked and s2.planned_date <= s1.window_end:
        found.append(
            _(
                "the stage 2 audit is booked for {booked}, before the stage 1 audit ends on "
                "{stage1_end}",
                booked=fig.date(s2.planned_date),
                stage1_end=fig.date(s1.window_end),
            )
        )
    elif s2.booked:
        window = cal.count(c.improvement[0], c.improvement[1])
        if window < d.improvement:
            found.append(
                _n(
                    "{n} business day between the stage 1 and stage 2 audits to correct "
                    "findings; the plan allows {allowed}",
                    "{n} business days between the stage 1 and stage 2 audits to correct "
                    "findings; the plan allows {allowed}",
                    window,
                    allowed=d.improvement,
                )
            )
    for batch in c.later:
        deadline = c.deadlines[batch.key]
        if batch.booked and batch.planned_date > deadline:
            found.append(
                _(
                    "the {audit} is booked for {booked}, after its deadline {deadline}",
                    audit=batch.title.lower(),
                    booked=fig.date(batch.planned_date),
                    deadline=fig.date(deadline),
                )
            )
    return tuple(found)


def build_plan(
    profile: Profile,
    bank: Bank,
    areas: tuple[AreaResult, ...],
    readiness: float,
    today: dt.date,
    bookings: Mapping[str, dt.date] | None = None,
    *,
    audit: AuditDays,
    sizes: tuple[TaskSize, ...],
) -> Plan:
    """`audit` and `sizes` are the organisation's audit days and sized tasks, worked out
    once per evaluation (evaluate.py) for the plan and the costs alike."""
    cal = calendar_for(profile)
    d = durations(profile, areas, readiness, sizes, audit)
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

    planned = _layout_stages(cal, start, d)
    c = _cycle(cal, profile, d, planned[-1], bookings or {}, audit)
    # The certification stage holds its audits as booked: from the first of them (a stage 1
    # booked early overlaps the trial operation, and `booking_conflicts` says so) to the
    # certification decision.
    certification = planned[-1]
    stage5_start = min(certification.start, c.stage1.planned_date)
    stage5_end = max(c.decision, stage5_start)
    stages = (
        *planned[:-1],
        certification.model_copy(
            update={
                "start": stage5_start,
                "end": stage5_end,
                "business_days": cal.count(stage5_start, stage5_end),
            }
        ),
    )
    if target is not None and feasible and c.decision > target:
        feasible = False  # the plan fits, but the audits as booked do not
    return Plan(
        mode="backward" if mode == "backward" else "forward",
        start=stages[0].start,
        certification_date=c.decision,
        target_date=target,
        target_feasible=feasible,
        earliest_certification_date=earliest_end,
        business_days=cal.count(stages[0].start, max(s.end for s in stages)),
        stages=stages,
        tasks=_tasks(cal, stages[2], sizes, profile.staff_available_fte),
        milestones=_milestones(cal, stages, c),
        audit_batches=(c.stage1, c.stage2, *c.later),
        improvement_window=c.improvement,
        nonconformity_window=c.nonconformity,
        certificate_expiry=c.expiry,
        calendar=_described(cal, stages[0].start, c.expiry),
        country=profile.country,
        days_off=profile.days_off,
        working_days=profile.working_days,
        process_work_days=sum(t.effort_days for t in sizes),
        staff_available_fte=profile.staff_available_fte,
        max_process_years=MAX_PROCESS_YEARS,
        process_capped=d.process_capped,
        process_years_needed=round(d.process_needed / BUSINESS_DAYS_PER_YEAR, 1),
        booking_conflicts=_booking_conflicts(cal, d, planned[3], c),
    )
