"""The MS Project file read as MS Project reads it: every field the export writes, and what
MS Project would make of it (durations from the calendar, dates from the links, work from the
assignments), worked out here from the file alone and compared with the plan.

The codes are the MSPDI schema's (mspdi_pj12.xsd annotations on learn.microsoft.com): Task
Type 1 fixed duration, 2 fixed work; DurationFormat and LagFormat 7 days; ConstraintType 0 as
soon as possible, 4 start no earlier than; link Type 1 finish-to-start, 3 start-to-start;
LinkLag in tenths of a minute; an Exception of Type 1 is daily.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from iso20k_core.evaluate import evaluate
from iso20k_core.report.exports.mspdi import to_mspdi
from iso20k_core.results import Evaluation
from tests.core.helpers import TODAY, all_at, profile
from tests.core.test_exports import (
    EXAMPLE_IDS,
    Q,
    all_tasks,
    evaluated,
    exported_calendar,
    project,
    text,
)

HOURS_PER_DAY = 8
LAG_UNITS_PER_DAY = HOURS_PER_DAY * 60 * 10  # LinkLag counts tenths of a minute
NOT_STARTED = "PT0H0M0S"


def hours(duration: str) -> int:
    found = re.fullmatch(r"PT(\d+)H0M0S", duration)
    assert found, duration
    return int(found[1])


def stamp(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def optional(element: ET.Element, tag: str) -> str | None:
    found = element.find(Q + tag)
    return None if found is None else found.text


class Calendar:
    """Working days as the file defines them: its weekdays and its holiday exceptions."""

    def __init__(self, root: ET.Element) -> None:
        self.working, self.holidays = exported_calendar(root)

    def works(self, day: dt.date) -> bool:
        return day.weekday() in self.working and day not in self.holidays

    def days(self, start: dt.date, end: dt.date) -> int:
        span = (end - start).days + 1
        return sum(self.works(start + dt.timedelta(days=n)) for n in range(span))

    def hours(self, start: dt.datetime, finish: dt.datetime) -> int:
        """Working hours between two instants at the start (08:00) or end (17:00) of a day."""
        total = self.days(start.date(), finish.date()) * HOURS_PER_DAY
        total -= HOURS_PER_DAY if start.hour == 17 else 0
        total -= HOURS_PER_DAY if finish.hour == 8 else 0
        return max(total, 0)

    def after(self, day: dt.date, business_days: int) -> dt.date:
        """The working day `business_days` working days after `day` (a working day)."""
        while business_days:
            day += dt.timedelta(days=1)
            business_days -= self.works(day)
        return day


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_mspdi_project_header(name: str) -> None:
    e, root = evaluated(name), project(name)
    first_stage, last = e.plan.stages[0], max(stamp(text(t, "Finish")) for t in all_tasks(root))
    title = f"ISO/IEC 20000-1 certification: {e.organisation}"
    expected = {
        "SaveVersion": "14",
        "Name": title,
        "Title": title,
        "Company": e.organisation,
        "Author": "iso20k",
        "CreationDate": f"{TODAY.isoformat()}T00:00:00",
        "ScheduleFromStart": "1",
        "StartDate": f"{first_stage.start.isoformat()}T08:00:00",
        "FinishDate": last.isoformat(),
        "CurrencyDigits": "0",
        "CurrencyCode": e.costs.currency,
        "CalendarUID": text(root, f"Calendars/{Q}Calendar/{Q}UID"),
        "DefaultStartTime": "08:00:00",
        "DefaultFinishTime": "17:00:00",
        "MinutesPerDay": "480",
        "MinutesPerWeek": "2400",
        "DaysPerMonth": "20",
        "DefaultTaskType": "1",
        "DurationFormat": "7",
        "WeekStartDay": "1",
        "CurrentDate": f"{TODAY.isoformat()}T08:00:00",
    }
    assert {tag: text(root, tag) for tag in expected} == expected


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_mspdi_calendar_is_the_projects_standard_base_calendar(name: str) -> None:
    root = project(name)
    (calendar,) = root.findall(f"{Q}Calendars/{Q}Calendar")
    header = {tag: text(calendar, tag) for tag in ("UID", "Name", "IsBaseCalendar")}
    assert header == {"UID": "1", "Name": "Standard", "IsBaseCalendar": "1"}
    assert text(calendar, "BaseCalendarUID") == "-1"  # a base calendar has none
    days = calendar.findall(f"{Q}WeekDays/{Q}WeekDay")
    assert [text(d, "DayType") for d in days] == [str(n) for n in range(1, 8)]  # Sun to Sat
    for day in days:
        times = [
            (text(t, "FromTime"), text(t, "ToTime"))
            for t in day.findall(f"{Q}WorkingTimes/{Q}WorkingTime")
        ]
        working = text(day, "DayWorking") == "1"
        assert times == ([("08:00:00", "12:00:00"), ("13:00:00", "17:00:00")] if working else [])


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_mspdi_holidays_are_whole_days_off_in_date_order(name: str) -> None:
    root = project(name)
    exceptions = list(root.iter(Q + "Exception"))
    assert exceptions
    days = []
    for exception in exceptions:
        start = text(exception, f"TimePeriod/{Q}FromDate")
        day = dt.date.fromisoformat(start[:10])
        fields = {
            tag: text(exception, tag)
            for tag in ("EnteredByOccurrences", "Occurrences", "Name", "Type", "DayWorking")
        }
        assert fields == {
            "EnteredByOccurrences": "0",
            "Occurrences": "1",
            "Name": "Public holiday",
            "Type": "1",
            "DayWorking": "0",
        }
        assert start == f"{day.isoformat()}T00:00:00"
        assert text(exception, f"TimePeriod/{Q}ToDate") == f"{day.isoformat()}T23:59:00"
        days.append(day)
    assert days == sorted(set(days))  # MS Project ignores exceptions out of order
    working, _holidays = exported_calendar(root)
    assert all(d.weekday() in working for d in days)  # a holiday on a weekend changes nothing


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_mspdi_tasks_are_numbered_outlined_and_not_started(name: str) -> None:
    root = project(name)
    rows = all_tasks(root)
    assert [text(t, "UID") for t in rows] == [str(n) for n in range(len(rows))]
    parents: dict[int, str] = {}
    for task in rows:
        assert text(task, "ID") == text(task, "UID")
        assert text(task, "WBS") == text(task, "OutlineNumber")
        level, outline = int(text(task, "OutlineLevel")), text(task, "OutlineNumber")
        if level == 0:
            assert outline == "0"
        else:
            assert outline.count(".") == level - 1
            if level > 1:
                assert outline.rsplit(".", 1)[0] == parents[level - 1]
        parents[level] = outline
        not_started = {
            "IsNull": "0",
            "CreateDate": f"{TODAY.isoformat()}T00:00:00",
            "Priority": "500",
            "DurationFormat": "7",
            "Estimated": "0",
            "PercentComplete": "0",
            "ActualDuration": NOT_STARTED,
            "ActualWork": NOT_STARTED,
            "RemainingDuration": text(task, "Duration"),
            "RemainingWork": text(task, "Work"),
            "CalendarUID": "-1",  # the project's calendar
        }
        assert {tag: text(task, tag) for tag in not_started} == not_started


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_mspdi_durations_and_work_follow_the_calendar_and_add_up(name: str) -> None:
    root = project(name)
    calendar = Calendar(root)
    rows = all_tasks(root)
    children: dict[str, list[ET.Element]] = {}
    for task in rows[1:]:
        parent = text(task, "OutlineNumber").rpartition(".")[0] or "0"
        children.setdefault(parent, []).append(task)
    for task in rows:
        start, finish = stamp(text(task, "Start")), stamp(text(task, "Finish"))
        assert start <= finish and start.hour in (8, 17) and finish.hour in (8, 17)
        duration = hours(text(task, "Duration"))
        if text(task, "Milestone") == "1":
            assert duration == 0 and start == finish
        elif task is not rows[0]:
            assert duration == calendar.hours(start, finish), text(task, "Name")
        if text(task, "Summary") == "1":
            below = children[text(task, "OutlineNumber")]
            if task is rows[0]:
                below = [t for t in rows if text(t, "Summary") == "0"]
            assert hours(text(task, "Work")) == sum(hours(text(t, "Work")) for t in below)
            assert start == min(stamp(text(t, "Start")) for t in below)
            assert finish == max(stamp(text(t, "Finish")) for t in below)
            assert (text(task, "ConstraintType"), optional(task, "ConstraintDate")) == ("0", None)
        else:
            assert text(task, "ConstraintType") == "4"  # start no earlier than the plan
            assert text(task, "ConstraintDate") == text(task, "Start")


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_mspdi_summaries_say_how_long_a_stage_is_and_when_the_certificate_expires(
    name: str,
) -> None:
    e, root = evaluated(name), project(name)
    summaries = {text(t, "Name"): t for t in all_tasks(root) if text(t, "OutlineLevel") == "1"}
    for stage in e.plan.stages:
        assert text(summaries[stage.title], "Notes") == f"{stage.business_days} business days"
    cycle = [
        t for t in summaries.values() if text(t, "Name") not in {s.title for s in e.plan.stages}
    ]
    assert len(cycle) == 1
    expiry = e.plan.certificate_expiry.isoformat()
    assert text(cycle[0], "Notes") == f"certificate expires on {expiry}"
    assert not [t for t in all_tasks(root) if expiry in text(t, "Start")]  # not as a milestone


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_mspdi_links_reproduce_the_plans_dates(name: str) -> None:
    """Scheduled by its links alone, every task starts on its planned day: a start-to-start
    lag counts business days from the stage's first work, and a finish-to-start follows the
    work's end."""
    root = project(name)
    calendar = Calendar(root)
    by_uid = {text(t, "UID"): t for t in all_tasks(root)}
    linked = 0
    for task in all_tasks(root):
        start = stamp(text(task, "Start"))
        for link in task.findall(Q + "PredecessorLink"):
            predecessor = by_uid[text(link, "PredecessorUID")]
            assert (text(link, "CrossProject"), text(link, "LagFormat")) == ("0", "7")
            lag_units = int(text(link, "LinkLag"))
            assert lag_units % LAG_UNITS_PER_DAY == 0  # whole days
            lag = lag_units // LAG_UNITS_PER_DAY
            if text(link, "Type") == "3":  # start-to-start
                assert text(predecessor, "Summary") == "0"
                earliest = calendar.after(stamp(text(predecessor, "Start")).date(), lag)
                assert earliest == start.date(), text(task, "Name")
            else:
                assert text(link, "Type") == "1" and lag == 0  # finish-to-start
                assert stamp(text(predecessor, "Finish")) <= start
            linked += 1
    assert linked > len(by_uid) // 2


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_mspdi_a_milestone_at_a_stages_end_waits_for_all_its_work(name: str) -> None:
    """The work of a stage (its tasks, or the one task spanning it) follows nothing inside
    it; a milestone on the stage's last day follows all of it, any other mark of the stage
    starts with its first work."""
    root = project(name)
    rows = all_tasks(root)
    summaries = {text(t, "OutlineNumber"): t for t in rows if text(t, "OutlineLevel") == "1"}
    for outline, summary in summaries.items():
        inside = [t for t in rows if text(t, "OutlineNumber").rpartition(".")[0] == outline]
        unlinked = [t for t in inside if not t.findall(Q + "PredecessorLink")]
        work = [t for t in unlinked if text(t, "Milestone") == "0"]
        if not work:  # the certification cycle: its audits have no work to follow
            assert text(summary, "Name").startswith("Certification cycle")
            continue
        assert work == unlinked
        first = min(work, key=lambda t: (stamp(text(t, "Start")), int(text(t, "UID"))))
        last_day = stamp(text(summary, "Finish")).date()
        for task in (t for t in inside if t.findall(Q + "PredecessorLink")):
            links = [
                (text(x, "PredecessorUID"), text(x, "Type"))
                for x in task.findall(Q + "PredecessorLink")
            ]
            at_the_end = text(task, "Milestone") == "1" and (
                stamp(text(task, "Start")).date() == last_day
            )
            if at_the_end:
                assert links == [(text(w, "UID"), "1") for w in work], text(task, "Name")
            else:
                assert links == [(text(first, "UID"), "3")], text(task, "Name")


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_mspdi_assignments_put_each_owner_on_the_work_of_their_tasks(name: str) -> None:
    root = project(name)
    by_uid = {text(t, "UID"): t for t in all_tasks(root)}
    resources = root.findall(f"{Q}Resources/{Q}Resource")
    assert [text(r, "UID") for r in resources] == [str(n) for n in range(1, len(resources) + 1)]
    for resource in resources:
        assert (text(resource, "ID"), text(resource, "Type")) == (text(resource, "UID"), "1")
        assert text(resource, "IsNull") == "0"
    names = {text(r, "UID"): text(r, "Name") for r in resources}
    assert len(set(names.values())) == len(names)
    assignments = root.findall(f"{Q}Assignments/{Q}Assignment")
    assert [text(a, "UID") for a in assignments] == [str(n) for n in range(1, len(assignments) + 1)]
    assigned = set()
    for assignment in assignments:
        task = by_uid[text(assignment, "TaskUID")]
        assigned.add(text(task, "UID"))
        assert names[text(assignment, "ResourceUID")] == text(task, "Contact")
        for tag in ("Start", "Finish"):
            assert text(assignment, tag) == text(task, tag)
        work = hours(text(task, "Work"))
        assert text(assignment, "Work") == text(assignment, "RemainingWork") == text(task, "Work")
        units = float(text(assignment, "Units"))
        assert (
            round(units * hours(text(task, "Duration"))) == work
        )  # MS Project: work = units x duration
    for uid, task in by_uid.items():
        fixed_work = uid in assigned
        assert text(task, "Type") == ("2" if fixed_work else "1"), text(task, "Name")
        assert text(task, "EffortDriven") == ("1" if fixed_work else "0")
        if text(task, "Summary") == "0" and text(task, "Milestone") == "0" and not fixed_work:
            assert hours(text(task, "Work")) == 0 or text(task, "OutlineLevel") != "2"
    assert {names[text(a, "ResourceUID")] for a in assignments} == set(names.values())


def test_mspdi_a_stage_without_tasks_gets_its_work_and_an_owner() -> None:
    e = evaluate(profile(), all_at(5), TODAY)
    root = ET.fromstring(to_mspdi(e))
    stages = {s.title for s in e.plan.stages}
    rows = all_tasks(root)
    for summary in (t for t in rows if text(t, "Name") in stages):
        outline = text(summary, "OutlineNumber")
        inside = [t for t in rows if text(t, "OutlineNumber").rpartition(".")[0] == outline]
        work = [t for t in inside if text(t, "Milestone") == "0"]
        assert work, text(summary, "Name")
        if len(work) == 1 and optional(work[0], "Notes") == "the work of the whole stage":
            assert text(work[0], "Contact") == "SMS manager"
            assert (text(work[0], "Start"), text(work[0], "Finish")) == (
                text(summary, "Start"),
                text(summary, "Finish"),
            )


def notes_by_task(e: Evaluation) -> dict[str, str | None]:
    return {text(t, "Name"): optional(t, "Notes") for t in all_tasks(ET.fromstring(to_mspdi(e)))}


def test_mspdi_tasks_keep_their_notes() -> None:
    e = evaluated("small-it-department")
    notes = notes_by_task(e)
    batches = [b for b in e.plan.audit_batches if b.booking_deadline is not None]
    assert batches
    for batch in batches:
        note = notes[batch.title]
        assert note is not None and batch.booking_deadline is not None
        assert batch.booking_deadline.isoformat() in note


def test_china_s_worked_weekend_days_are_working_exceptions_in_date_order() -> None:
    """MS Project counts a worked Saturday only if the calendar says so: an exception with
    DayWorking 1 and working times (the 2026 schedule the holidays package carries)."""
    from iso20k_core.calendar import BusinessCalendar
    from iso20k_core.report.exports.mspdi import NS, WorkCalendar, _calendars

    built = ET.Element("Project", xmlns=NS)  # as to_mspdi builds it
    cal = BusinessCalendar("CN")
    _calendars(built, WorkCalendar(cal), dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    root = ET.fromstring(ET.tostring(built))
    exceptions = list(root.iter(Q + "Exception"))
    days = [stamp(text(x, "TimePeriod/" + Q + "FromDate")).date() for x in exceptions]
    assert days == sorted(days)
    worked = {d for d, x in zip(days, exceptions, strict=True) if text(x, "DayWorking") == "1"}
    assert worked == set(
        cal.worked_weekend_days_between(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    )
    assert {dt.date(2026, 2, 14), dt.date(2026, 2, 28)} <= worked
    for x in exceptions:
        if text(x, "DayWorking") == "1":
            assert text(x, "Name") == "Worked weekend day"
            assert list(x.iter(Q + "WorkingTime")), "a working exception has working times"
