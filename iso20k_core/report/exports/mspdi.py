"""The plan as Microsoft Project XML (MSPDI), for MS Project and ProjectLibre.

Element names and their order follow the Project XML Data Interchange schema (mspdi_pj12.xsd,
"Project/Task/Calendar/Resource/Assignment Elements and XML Structure" on learn.microsoft.com).
The schema is an ordered sequence: MS Project silently drops an element out of place, so each
builder below writes its elements in schema order.

How the plan maps onto MS Project's scheduling rules:

- Task UID 0 is the project summary task, as MS Project writes it. Each stage is a summary
  task (outline level 1) following the previous stage finish-to-start; the audits after the
  project (surveillance, recertification) are a sixth summary after the fifth stage.
- MS Project derives a summary task's dates from its subtasks. A stage without tasks of its
  own would collapse onto its milestones, so it gets one task spanning the stage.
- Every subtask carries a "start no earlier than" constraint on its planned start: opened in
  MS Project the dates are the plan's, and a delay upstream still pushes them later.
- A milestone cannot link to its own summary task (MS Project forbids it), so it links to the
  work of its stage: a milestone on the stage's last day follows all that work
  finish-to-start; any other starts with the stage's first work, start-to-start with a lag.
- The calendar is the plan's: 08:00-12:00 and 13:00-17:00 on working days, the country's
  weekend off, and the public holidays in the plan's span as exceptions, so durations and lags
  counted in business days land on the same dates as in the plan.
- Owner roles are resources; each process task is assigned to its owner with its effort as
  work (8 hours per person-day).
"""

from __future__ import annotations

import datetime as dt
import itertools
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from iso20k_core import figures as fig
from iso20k_core.calendar import BusinessCalendar, calendar_of
from iso20k_core.language import N_, _, _p
from iso20k_core.report.exports import PlanGroup, PlanItem, plan_groups
from iso20k_core.results import Evaluation

NS = "http://schemas.microsoft.com/project"
SAVE_VERSION = 14  # the Project 2010 format; calendar exceptions use the 2007+ form
CALENDAR_UID = 1
HOURS_PER_DAY = 8
DAY_START = dt.time(8)
DAY_END = dt.time(17)
WORKING_TIMES = ((dt.time(8), dt.time(12)), (dt.time(13), dt.time(17)))

# MSPDI codes (schema annotations)
DURATION_DAYS = 7  # DurationFormat / LagFormat "d"
FIXED_DURATION, FIXED_WORK = 1, 2  # Task Type
START_NO_EARLIER_THAN = 4  # ConstraintType
WORK_RESOURCE = 1  # Resource Type
LinkType = Literal[0, 1, 3]  # finish-to-finish, finish-to-start, start-to-start
FS: LinkType = 1
SS: LinkType = 3
LAG_UNITS_PER_DAY = HOURS_PER_DAY * 60 * 10  # LinkLag counts tenths of a minute

# The work of a stage that has no tasks of its own, named for what happens in it.
STAGE_WORK = {
    "preparation": N_("Prepare the project: sponsor, scope, team and charter"),
    "gap_analysis": N_("Assess every requirement area and report the gaps"),
    "process_establishment": N_("Establish and improve the SMS processes"),
    "trial_operation": N_("Operate the SMS: records, internal audit, management review"),
    "certification_audit": N_("Certification audits, corrections and the body's decision"),
}


def to_mspdi(evaluation: Evaluation) -> bytes:
    """MSPDI XML, UTF-8 with a declaration, identical for the same evaluation."""
    calendar = WorkCalendar.of(evaluation)
    rows = _rows(evaluation, calendar)
    resources = _resources(rows)
    root = ET.Element("Project", xmlns=NS)  # the default namespace, without ET's global map
    _project_fields(root, evaluation, rows[0])
    _calendars(root, calendar, rows[0].start.date(), rows[0].finish.date())
    tasks = ET.SubElement(root, "Tasks")
    for row in rows:
        _task(tasks, row, evaluation.today)
    _resource_elements(root, resources)
    _assignments(root, rows, resources)
    ET.indent(root)
    declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return (declaration + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


# --- the calendar ------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkCalendar:
    """The plan's business days, as MS Project needs them: weekend days and holidays."""

    business: BusinessCalendar

    @classmethod
    def of(cls, evaluation: Evaluation) -> WorkCalendar:
        return cls(calendar_of(evaluation.plan))

    @property
    def weekend(self) -> frozenset[int]:  # date.weekday() numbers
        return self.business.weekend

    def days(self, start: dt.date, end: dt.date) -> int:
        return self.business.count(start, end)

    def hours(self, start: dt.datetime, finish: dt.datetime) -> int:
        """Working hours from `start` to `finish`, both at the start or end of a day."""
        hours = self.days(start.date(), finish.date()) * HOURS_PER_DAY
        hours -= HOURS_PER_DAY if start.time() == DAY_END else 0  # begins as the day ends
        hours -= HOURS_PER_DAY if finish.time() == DAY_START else 0  # ends as the day begins
        return max(hours, 0)

    def holidays_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Working weekdays that are public holidays: the calendar's exceptions."""
        return self.business.holidays_between(start, end)

    def worked_weekend_days_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Weekend days worked in exchange for a holiday: exceptions that work."""
        return self.business.worked_weekend_days_between(start, end)


def _calendars(root: ET.Element, calendar: WorkCalendar, start: dt.date, end: dt.date) -> None:
    cal = ET.SubElement(ET.SubElement(root, "Calendars"), "Calendar")
    _add(cal, "UID", CALENDAR_UID)
    _add(cal, "Name", _p("calendar", "Standard"))
    _add(cal, "IsBaseCalendar", 1)
    _add(cal, "BaseCalendarUID", -1)
    weekdays = ET.SubElement(cal, "WeekDays")
    for day_type in range(1, 8):  # 1 = Sunday ... 7 = Saturday
        python_weekday = (day_type + 5) % 7
        working = python_weekday not in calendar.weekend
        day = ET.SubElement(weekdays, "WeekDay")
        _add(day, "DayType", day_type)
        _add(day, "DayWorking", int(working))
        if working:
            _working_times(day)
    closed = [(when, False) for when in calendar.holidays_between(start, end)]
    worked = [(when, True) for when in calendar.worked_weekend_days_between(start, end)]
    if closed or worked:
        # MS Project ignores exceptions that are not in date order.
        exceptions = ET.SubElement(cal, "Exceptions")
        for when, working in sorted(closed + worked):
            _exception(exceptions, when, working)


def _working_times(parent: ET.Element) -> None:
    times = ET.SubElement(parent, "WorkingTimes")
    for start, end in WORKING_TIMES:
        period = ET.SubElement(times, "WorkingTime")
        _add(period, "FromTime", start.isoformat())
        _add(period, "ToTime", end.isoformat())


def _exception(parent: ET.Element, day: dt.date, working: bool = False) -> None:
    exception = ET.SubElement(parent, "Exception")
    _add(exception, "EnteredByOccurrences", 0)
    period = ET.SubElement(exception, "TimePeriod")
    _add(period, "FromDate", _stamp(day, dt.time(0)))
    _add(period, "ToDate", _stamp(day, dt.time(23, 59)))
    _add(exception, "Occurrences", 1)
    _add(exception, "Name", _("Worked weekend day") if working else _("Public holiday"))
    _add(exception, "Type", 1)  # daily
    _add(exception, "DayWorking", int(working))
    if working:
        _working_times(exception)


# --- the task rows -------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    predecessor: int
    type: LinkType
    lag_days: int = 0


@dataclass
class TaskRow:
    """One Task element, in outline order."""

    uid: int
    name: str
    level: int
    outline: str
    start: dt.datetime
    finish: dt.datetime
    hours: int
    work_hours: int = 0
    summary: bool = False
    milestone: bool = False
    owner: str = ""
    notes: str = ""
    deadline: dt.datetime | None = None
    links: list[Link] = field(default_factory=list)
    assigned: bool = False  # the owner is assigned with the task's work
    is_work: bool = False  # a process task or a stage's work, which milestones follow


def _rows(evaluation: Evaluation, calendar: WorkCalendar) -> list[TaskRow]:
    title = _("ISO/IEC 20000-1 certification: {organisation}", organisation=evaluation.organisation)
    rows: list[TaskRow] = []
    groups = [g for g in plan_groups(evaluation) if _exported(g)]
    previous: TaskRow | None = None
    for number, group in enumerate(groups, 1):
        summary, children = _group_rows(group, str(number), len(rows) + 1, calendar)
        if previous is not None:
            summary.links.append(Link(previous.uid, FS))
        rows += [summary, *children]
        previous = summary
    project = TaskRow(
        uid=0,
        name=title,
        level=0,
        outline="0",
        start=min(r.start for r in rows),
        finish=max(r.finish for r in rows),
        hours=0,
        work_hours=sum(r.work_hours for r in rows if not r.summary),
        summary=True,
    )
    project.hours = calendar.hours(project.start, project.finish)
    return [project, *rows]


def _exported(group: PlanGroup) -> bool:
    return any(_item_exported(i) for i in group.items) or group.number is not None


def _item_exported(item: PlanItem) -> bool:
    # The expiry may fall on a weekend, where MS Project cannot hold a milestone; the notes
    # of the certification cycle's summary carry it instead.
    return item.kind != "expiry"


def _group_rows(
    group: PlanGroup, outline: str, first_uid: int, calendar: WorkCalendar
) -> tuple[TaskRow, list[TaskRow]]:
    uids = itertools.count(first_uid + 1)
    items = [i for i in group.items if _item_exported(i)]
    children: list[TaskRow] = []
    if group.number is not None and not any(i.kind == "task" for i in items):
        children.append(_stage_work(group, next(uids), f"{outline}.1", calendar))
    for item in items:
        position = f"{outline}.{len(children) + 1}"
        children.append(_item_row(item, group, next(uids), position, calendar))
    if group.number is not None:
        _link_to_work(children, group, calendar)
        start, finish = _at(group.start, DAY_START), _at(group.end, DAY_END)
    else:  # the certification cycle spans its audits
        start, finish = min(c.start for c in children), max(c.finish for c in children)
    summary = TaskRow(
        uid=first_uid,
        name=group.title,
        level=1,
        outline=outline,
        start=start,
        finish=finish,
        hours=calendar.hours(start, finish),
        work_hours=sum(c.work_hours for c in children),
        summary=True,
        notes=_group_notes(group),
    )
    return summary, children


def _group_notes(group: PlanGroup) -> str:
    if group.business_days:
        return _("{days} business days", days=group.business_days)
    expiry = [i.start for i in group.items if i.kind == "expiry"]
    return _("certificate expires on {date}", date=fig.date(expiry[0])) if expiry else ""


def _stage_work(group: PlanGroup, uid: int, outline: str, calendar: WorkCalendar) -> TaskRow:
    return TaskRow(
        uid=uid,
        name=_stage_work_name(group),
        level=2,
        outline=outline,
        start=_at(group.start, DAY_START),
        finish=_at(group.end, DAY_END),
        hours=calendar.days(group.start, group.end) * HOURS_PER_DAY,
        owner=_("SMS manager"),
        notes=_("the work of the whole stage"),
        is_work=True,
    )


def _stage_work_name(group: PlanGroup) -> str:
    if group.key in STAGE_WORK:
        return _(STAGE_WORK[group.key])
    return _("{stage}: work of the stage", stage=group.title)


def _item_row(
    item: PlanItem, group: PlanGroup, uid: int, outline: str, calendar: WorkCalendar
) -> TaskRow:
    if item.milestone:
        # On the stage's last day a milestone closes the day's work; otherwise it opens it.
        at = _at(item.start, DAY_END if item.start == group.end else DAY_START)
        return TaskRow(
            uid=uid,
            name=item.title,
            level=2,
            outline=outline,
            start=at,
            finish=at,
            hours=0,
            milestone=True,
            owner=item.owner,
            notes=item.notes,
            deadline=_at(item.deadline, DAY_END) if item.deadline else None,
        )
    effort = item.effort_days or 0
    return TaskRow(
        uid=uid,
        name=item.title,
        level=2,
        outline=outline,
        start=_at(item.start, DAY_START),
        finish=_at(item.end, DAY_END),
        hours=calendar.days(item.start, item.end) * HOURS_PER_DAY,
        work_hours=effort * HOURS_PER_DAY,
        owner=item.owner,
        notes=item.notes,
        assigned=effort > 0,
        is_work=item.kind == "task",
    )


def _link_to_work(children: list[TaskRow], group: PlanGroup, calendar: WorkCalendar) -> None:
    """Milestones, audits and windows of a stage hang on its work (tasks or stage work)."""
    work = [c for c in children if c.is_work]
    if not work:
        return
    anchor = min(work, key=lambda w: (w.start, w.uid))
    for row in children:
        if row.is_work:
            continue
        if row.milestone and row.start.date() == group.end:
            row.links += [Link(w.uid, FS) for w in work]  # reached when all the work is done
        else:
            lag = calendar.days(anchor.start.date(), row.start.date()) - 1
            row.links.append(Link(anchor.uid, SS, max(lag, 0)))


# --- resources and assignments -------------------------------------------------------------


def _resources(rows: Iterable[TaskRow]) -> dict[str, int]:
    """Owner roles of the assigned tasks, numbered in order of first appearance."""
    uids: dict[str, int] = {}
    for row in rows:
        if row.assigned and row.owner not in uids:
            uids[row.owner] = len(uids) + 1
    return uids


def _resource_elements(root: ET.Element, resources: dict[str, int]) -> None:
    parent = ET.SubElement(root, "Resources")
    for name, uid in resources.items():
        resource = ET.SubElement(parent, "Resource")
        _add(resource, "UID", uid)
        _add(resource, "ID", uid)
        _add(resource, "Name", name)
        _add(resource, "Type", WORK_RESOURCE)
        _add(resource, "IsNull", 0)


def _assignments(root: ET.Element, rows: Iterable[TaskRow], resources: dict[str, int]) -> None:
    parent = ET.SubElement(root, "Assignments")
    for uid, row in enumerate((r for r in rows if r.assigned), 1):
        assignment = ET.SubElement(parent, "Assignment")
        _add(assignment, "UID", uid)
        _add(assignment, "TaskUID", row.uid)
        _add(assignment, "ResourceUID", resources[row.owner])
        _add(assignment, "Finish", row.finish.isoformat())
        _add(assignment, "RemainingWork", _hours(row.work_hours))
        _add(assignment, "Start", row.start.isoformat())
        _add(assignment, "Units", _units(row.work_hours, row.hours))
        _add(assignment, "Work", _hours(row.work_hours))


def _units(work_hours: int, hours: int) -> str:
    """People on the task at once (1 = one full-time person), precise enough that MS
    Project's work = units x duration lands on the same minute."""
    return f"{work_hours / max(hours, 1):.6f}".rstrip("0").rstrip(".")


# --- elements ------------------------------------------------------------------------------


def _project_fields(root: ET.Element, evaluation: Evaluation, project: TaskRow) -> None:
    _add(root, "SaveVersion", SAVE_VERSION)
    _add(root, "Name", project.name)
    _add(root, "Title", project.name)
    _add(root, "Company", evaluation.organisation)
    _add(root, "Author", "iso20k")
    _add(root, "CreationDate", _stamp(evaluation.today, dt.time(0)))
    _add(root, "ScheduleFromStart", 1)
    _add(root, "StartDate", project.start.isoformat())
    _add(root, "FinishDate", project.finish.isoformat())
    _add(root, "CurrencyDigits", 0)
    _add(root, "CurrencyCode", evaluation.costs.currency)
    _add(root, "CalendarUID", CALENDAR_UID)
    _add(root, "DefaultStartTime", DAY_START.isoformat())
    _add(root, "DefaultFinishTime", DAY_END.isoformat())
    _add(root, "MinutesPerDay", HOURS_PER_DAY * 60)
    _add(root, "MinutesPerWeek", HOURS_PER_DAY * 60 * 5)
    _add(root, "DaysPerMonth", 20)
    _add(root, "DefaultTaskType", FIXED_DURATION)
    _add(root, "DurationFormat", DURATION_DAYS)
    _add(root, "WeekStartDay", 1)  # Monday
    _add(root, "CurrentDate", _stamp(evaluation.today, DAY_START))


def _task(parent: ET.Element, row: TaskRow, today: dt.date) -> None:
    """One Task, its elements in schema order (UID ... Notes, then PredecessorLink)."""
    task = ET.SubElement(parent, "Task")
    _add(task, "UID", row.uid)
    _add(task, "ID", row.uid)
    _add(task, "Name", row.name)
    _add(task, "Type", FIXED_WORK if row.assigned else FIXED_DURATION)
    _add(task, "IsNull", 0)
    _add(task, "CreateDate", _stamp(today, dt.time(0)))
    if row.owner:
        _add(task, "Contact", row.owner)
    _add(task, "WBS", row.outline)
    _add(task, "OutlineNumber", row.outline)
    _add(task, "OutlineLevel", row.level)
    _add(task, "Priority", 500)
    _add(task, "Start", row.start.isoformat())
    _add(task, "Finish", row.finish.isoformat())
    _add(task, "Duration", _hours(row.hours))
    _add(task, "DurationFormat", DURATION_DAYS)
    _add(task, "Work", _hours(row.work_hours))
    _add(task, "EffortDriven", int(row.assigned))
    _add(task, "Estimated", 0)
    _add(task, "Milestone", int(row.milestone))
    _add(task, "Summary", int(row.summary))
    _add(task, "PercentComplete", 0)
    # Nothing is done yet: what MS Project itself writes for a task not started.
    _add(task, "ActualDuration", _hours(0))
    _add(task, "ActualWork", _hours(0))
    _add(task, "RemainingDuration", _hours(row.hours))
    _add(task, "RemainingWork", _hours(row.work_hours))
    if not row.summary:
        _add(task, "ConstraintType", START_NO_EARLIER_THAN)
        _add(task, "CalendarUID", -1)  # the project's calendar
        _add(task, "ConstraintDate", row.start.isoformat())
    else:
        _add(task, "ConstraintType", 0)  # as soon as possible
        _add(task, "CalendarUID", -1)
    if row.deadline is not None:
        _add(task, "Deadline", row.deadline.isoformat())
    if row.notes:
        _add(task, "Notes", row.notes)
    for link in row.links:
        _predecessor(task, link)


def _predecessor(task: ET.Element, link: Link) -> None:
    element = ET.SubElement(task, "PredecessorLink")
    _add(element, "PredecessorUID", link.predecessor)
    _add(element, "Type", link.type)
    _add(element, "CrossProject", 0)
    _add(element, "LinkLag", link.lag_days * LAG_UNITS_PER_DAY)
    _add(element, "LagFormat", DURATION_DAYS)


def _add(parent: ET.Element, tag: str, value: object) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = str(value)
    return element


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time)


def _stamp(day: dt.date, time: dt.time) -> str:
    return _at(day, time).isoformat()


def _hours(hours: int) -> str:
    return f"PT{hours}H0M0S"
