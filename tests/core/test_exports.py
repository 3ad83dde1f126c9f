"""The exports (Excel, MS Project XML, iCalendar) read back with independent parsers.

Each export is reopened the way its users' tools would read it (openpyxl, ElementTree,
icalendar) and compared with the evaluation it came from. The workbook's formulas are checked
twice: by a small evaluator here (every formula the workbook may contain), and by LibreOffice
recalculating the file, which is what a spreadsheet user sees.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from icalendar import Calendar
from openpyxl.worksheet.worksheet import Worksheet

from iso20k_core.evaluate import evaluate
from iso20k_core.inputs import EvaluationInput, parse_input_text
from iso20k_core.report.exports import (
    EXPORT_MIME,
    EXPORT_SUFFIX,
    FORMATS,
    ExportFormat,
    export,
    plan_groups,
)
from iso20k_core.report.exports.ics import PRODID, event_uid, to_ics
from iso20k_core.report.exports.mspdi import NS, to_mspdi
from iso20k_core.report.exports.xlsx import to_xlsx
from iso20k_core.results import Assumption, Evaluation, Stage
from tests.core.helpers import TODAY, all_at, all_best, profile

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
EXAMPLE_IDS = [p.stem for p in EXAMPLES]
BLANK = (None, "00000000")  # openpyxl's colour of an unfilled cell


@functools.cache
def example_input(name: str) -> EvaluationInput:
    return parse_input_text((ROOT / "examples" / f"{name}.yaml").read_text(encoding="utf-8"))


@functools.cache
def evaluated(name: str) -> Evaluation:
    given = example_input(name)
    return evaluate(given.profile, given.answers, TODAY, given.bank)


@functools.cache
def xlsx_bytes(name: str) -> bytes:
    return to_xlsx(evaluated(name))


def test_there_are_examples_to_export() -> None:
    assert len(EXAMPLES) >= 3


def test_export_dispatches_every_format() -> None:
    e = evaluated("small-it-department")
    assert set(EXPORT_SUFFIX) == set(EXPORT_MIME) == set(FORMATS)
    assert export(e, "xlsx") == to_xlsx(e)
    assert export(e, "mspdi") == to_mspdi(e)
    assert export(e, "ics") == to_ics(e)
    with pytest.raises(ValueError, match="unknown export format"):
        export(e, "pdf")  # type: ignore[arg-type]


# --- xlsx ----------------------------------------------------------------------------------


def workbook(name: str, data_only: bool = False) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(xlsx_bytes(name)), data_only=data_only)


def sheet(book: openpyxl.Workbook, title: str) -> Worksheet:
    ws = book[title]
    assert isinstance(ws, Worksheet)
    return ws


def records(ws: Worksheet) -> list[dict[str, Any]]:
    """Rows below the header as {header: value}, with their row number under "_row"."""
    rows = ws.iter_rows(values_only=True)
    header = [str(h) for h in next(rows)]
    found = []
    for number, values in enumerate(rows, 2):
        if any(v is not None for v in values):
            found.append({"_row": number, **dict(zip(header, values, strict=False))})
    return found


def day(value: object) -> dt.date:
    assert isinstance(value, dt.datetime), value  # openpyxl reads Excel dates as datetimes
    return value.date()


def cell_value(ws: Worksheet, ref: str) -> float:
    """A cell's value, computing it when it holds one of the formulas the export writes."""
    value = ws[ref].value
    if isinstance(value, str) and value.startswith("="):
        return formula_value(ws, value[1:])
    assert value is None or isinstance(value, int | float), (ref, value)
    return value or 0


def formula_value(ws: Worksheet, expression: str) -> float:
    total = re.fullmatch(r"SUM\(([A-Z0-9:,]+)\)", expression)
    if total:
        return sum(argument_value(ws, arg) for arg in total.group(1).split(","))
    if re.fullmatch(r"[A-Z]+[0-9]+", expression):
        return cell_value(ws, expression)
    raise AssertionError(f"a formula the export should not write: ={expression}")


def argument_value(ws: Worksheet, argument: str) -> float:
    if ":" not in argument:
        return cell_value(ws, argument)
    first, last = argument.split(":")
    column = re.sub(r"[0-9]", "", first)
    assert column == re.sub(r"[0-9]", "", last), "SUM over one column only"
    rows = range(int(first[len(column) :]), int(last[len(column) :]) + 1)
    return sum(cell_value(ws, f"{column}{r}") for r in rows)


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_xlsx_tasks_list_every_stage_task_milestone_and_audit(name: str) -> None:
    e = evaluated(name)
    ws = sheet(workbook(name), "Tasks")
    assert ws.freeze_panes == "A2"
    rows = records(ws)
    assert ws.auto_filter.ref == f"A1:J{rows[-1]['_row']}"
    by_key = {(r["Kind"], r["Key"]): r for r in rows}

    for stage in e.plan.stages:
        row = by_key[("stage", stage.key)]
        assert (day(row["Start"]), day(row["End"])) == (stage.start, stage.end)
        assert ws.cell(row=row["_row"], column=5).number_format == "yyyy-mm-dd"
        assert ws.cell(row=row["_row"], column=1).font.bold
    process = next(s for s in e.plan.stages if s.key == "process_establishment")
    for task in e.plan.tasks:
        row = by_key[("task", task.area)]
        assert row["Task"] == task.title
        assert row["Owner"] == task.owner_role
        assert row["Effort (person-days)"] == task.effort_days
        assert (day(row["Start"]), day(row["End"])) == (task.start, task.end)
        assert row["Milestone"] is None
        assert row["Stage"] == f"{process.number}. {process.title}"
    for m in e.plan.milestones:
        row = by_key[("milestone", m.key)]
        assert (row["Task"], row["Owner"], row["Milestone"]) == (m.title, m.owner_role, "yes")
        assert row["Effort (person-days)"] == 0
        assert day(row["Start"]) == day(row["End"]) == m.date
    for b in e.plan.audit_batches:
        row = by_key[("audit", b.key)]
        assert (row["Milestone"], row["Effort (person-days)"]) == ("yes", 0)
        assert day(row["Start"]) == b.planned_date
        assert b.window_end.isoformat() in row["Notes"]
    rows_below_stages = [r for r in rows if r["Kind"] != "stage"]
    expected = len(e.plan.tasks) + len(e.plan.milestones) + len(e.plan.audit_batches) + 3
    # + the improvement and nonconformity windows and the certificate's expiry
    assert len(rows_below_stages) == expected
    window = by_key[("window", "nonconformity_window")]
    assert (day(window["Start"]), day(window["End"])) == e.plan.nonconformity_window


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_xlsx_stage_effort_is_a_formula_over_its_rows(name: str) -> None:
    e = evaluated(name)
    ws = sheet(workbook(name), "Tasks")
    for row in records(ws):
        if row["Kind"] == "stage" and row["Key"] == "process_establishment":
            assert str(row["Effort (person-days)"]).startswith("=SUM(")
            total = cell_value(ws, f"D{row['_row']}")
            assert total == sum(t.effort_days for t in e.plan.tasks)


def test_xlsx_text_that_looks_like_a_formula_stays_text() -> None:
    """A title or profile value starting with "=" must not become a live formula."""
    e = evaluated("small-it-department")
    trap = Assumption(key="x", value="=1+1", origin="profile", source='=HYPERLINK("http://x")')
    ws = sheet(
        openpyxl.load_workbook(io.BytesIO(to_xlsx(e.model_copy(update={"assumptions": (trap,)})))),
        "Assumptions",
    )
    assert (ws["B2"].value, ws["B2"].data_type) == ("=1+1", "s")
    assert (ws["D2"].value, ws["D2"].data_type) == ('=HYPERLINK("http://x")', "s")


def cost_rows(ws: Worksheet) -> dict[tuple[str, str], dict[str, Any]]:
    return {(str(r["Part"]), str(r["Item"])): r for r in records(ws)}


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_xlsx_cost_totals_are_formulas_that_add_up(name: str) -> None:
    costs = evaluated(name).costs
    ws = sheet(workbook(name), "Costs")
    assert ws["D1"].value == f"Amount ({costs.currency})"
    rows = cost_rows(ws)

    def formula(part: str, item: str) -> tuple[str, float]:
        ref = f"D{rows[(part, item)]['_row']}"
        text = ws[ref].value
        assert isinstance(text, str) and text.startswith("=SUM("), (part, item, text)
        assert costs.currency in ws[ref].number_format
        return text, cell_value(ws, ref)

    for part in costs.parts:
        assert formula(part.title, "Subtotal")[1] == part.amount
    assert formula("Project total", "sum of the five parts")[1] == costs.project_total
    internal = rows[("Internal effort", "Own staff time")]
    assert internal["Amount (" + costs.currency + ")"] == costs.internal_cost
    assert internal["Basis"].startswith(f"{costs.internal_days:,} person-days: Process work ")
    with_internal = formula("Total with internal effort", "project total and internal effort")
    assert with_internal[1] == costs.total_with_internal
    titles = {s.key: f"{s.title}, {s.date.isoformat()}" for s in costs.cycle_steps}
    for step in costs.cycle_steps:
        assert formula(titles[step.key], "Subtotal")[1] == step.amount
    total = formula("Cycle total", "initial certification to recertification")
    assert total[1] == costs.cycle_total
    for fy in costs.fiscal_years:
        if fy.lines:
            assert formula(fy.title, "Subtotal")[1] == fy.amount
    by_year = formula("Cycle total, by fiscal year", "the same total as by step")
    assert by_year[1] == costs.cycle_total
    # The initial certification repeats the five parts as links to their subtotals: change
    # a rate in the parts and the cycle follows.
    initial = titles["initial"]
    for part in costs.parts:
        subtotal = rows[(part.title, "Subtotal")]["_row"]
        assert ws[f"D{rows[(initial, part.title)]['_row']}"].value == f"=D{subtotal}"


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_xlsx_assumptions_sheet(name: str) -> None:
    e = evaluated(name)
    rows = records(sheet(workbook(name), "Assumptions"))
    assert [(r["Key"], r["Value"], r["Origin"], r["Source"]) for r in rows] == [
        (a.key, a.value, a.origin, a.source) for a in e.assumptions
    ]


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_xlsx_timeline_draws_each_stage_in_its_weeks(name: str) -> None:
    e = evaluated(name)
    ws = sheet(workbook(name), "Timeline")
    weeks = {day(c.value): n for n, c in enumerate(ws[1][3:])}  # week start -> grid column
    labels = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    for stage in e.plan.stages:
        row = labels[f"{stage.number}. {stage.title}"]
        filled = {n for n, c in enumerate(ws[row][3:]) if c.fill.fgColor.rgb not in BLANK}
        first = weeks[stage.start - dt.timedelta(days=stage.start.weekday())]
        last = weeks[stage.end - dt.timedelta(days=stage.end.weekday())]
        assert filled == set(range(first, last + 1))
    # A milestone is a day: its own week marked with a diamond, not a bar; a stage has none.
    for m in e.plan.milestones:
        row = labels[m.title]
        marked = [n for n, c in enumerate(ws[row][3:]) if c.value == "◆"]
        assert marked == [weeks[m.date - dt.timedelta(days=m.date.weekday())]], m.title
    for stage in e.plan.stages:
        row = labels[f"{stage.number}. {stage.title}"]
        assert not [c for c in ws[row][3:] if c.value == "◆"]


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, openpyxl.Workbook]:
    """Every example's workbook opened, recalculated and saved again by LibreOffice."""
    soffice = libreoffice()
    if soffice is None:
        missing = "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc"
        if os.environ.get("CI"):  # on CI a skip would hide that formulas were never computed
            pytest.fail(missing, pytrace=False)
        pytest.skip(missing)
    source = tmp_path_factory.mktemp("xlsx")
    out = tmp_path_factory.mktemp("recalculated")
    profile = tmp_path_factory.mktemp("lo-profile")  # its own profile: no lock on the user's
    for name in EXAMPLE_IDS:
        (source / f"{name}.xlsx").write_bytes(xlsx_bytes(name))
    command = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(out),
        *(str(source / f"{name}.xlsx") for name in EXAMPLE_IDS),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=240)
    return {
        name: openpyxl.load_workbook(out / f"{name}.xlsx", data_only=True) for name in EXAMPLE_IDS
    }


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_libreoffice_computes_the_same_totals(
    name: str, recalculated: dict[str, openpyxl.Workbook]
) -> None:
    costs = evaluated(name).costs
    original = sheet(workbook(name), "Costs")
    computed = sheet(recalculated[name], "Costs")
    rows = cost_rows(original)

    def computed_at(part: str, item: str) -> object:
        return computed[f"D{rows[(part, item)]['_row']}"].value

    assert computed_at("Project total", "sum of the five parts") == costs.project_total
    assert (
        computed_at("Total with internal effort", "project total and internal effort")
        == costs.total_with_internal
    )
    assert (
        computed_at("Cycle total", "initial certification to recertification")
        == costs.cycle_total
        == computed_at("Cycle total, by fiscal year", "the same total as by step")
    )
    for part in costs.parts:
        assert computed_at(part.title, "Subtotal") == part.amount
    # every other formula too, in every sheet: LibreOffice agrees with the evaluator above
    for title in ("Tasks", "Costs"):
        mine, theirs = sheet(workbook(name), title), sheet(recalculated[name], title)
        for row in mine.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    ref = cell.coordinate
                    assert theirs[ref].value == cell_value(mine, ref), (title, ref)


# --- MSPDI ---------------------------------------------------------------------------------

Q = f"{{{NS}}}"
# The order of the elements the export writes, as the MSPDI schema sequences them.
PROJECT_ORDER = [
    "SaveVersion", "Name", "Title", "Company", "Author", "CreationDate", "ScheduleFromStart",
    "StartDate", "FinishDate", "CurrencyDigits", "CurrencyCode", "CalendarUID",
    "DefaultStartTime", "DefaultFinishTime", "MinutesPerDay", "MinutesPerWeek", "DaysPerMonth",
    "DefaultTaskType", "DurationFormat", "WeekStartDay", "CurrentDate", "Calendars", "Tasks",
    "Resources", "Assignments",
]  # fmt: skip
TASK_ORDER = [
    "UID", "ID", "Name", "Type", "IsNull", "CreateDate", "Contact", "WBS", "OutlineNumber",
    "OutlineLevel", "Priority", "Start", "Finish", "Duration", "DurationFormat", "Work",
    "EffortDriven", "Estimated", "Milestone", "Summary", "PercentComplete", "ActualDuration",
    "ActualWork", "RemainingDuration", "RemainingWork", "ConstraintType",
    "CalendarUID", "ConstraintDate", "Deadline", "Notes", "PredecessorLink",
]  # fmt: skip
CALENDAR_ORDER = ["UID", "Name", "IsBaseCalendar", "BaseCalendarUID", "WeekDays", "Exceptions"]
EXCEPTION_ORDER = [
    "EnteredByOccurrences", "TimePeriod", "Occurrences", "Name", "Type", "DayWorking",
]  # fmt: skip
LINK_ORDER = ["PredecessorUID", "Type", "CrossProject", "LinkLag", "LagFormat"]
ASSIGNMENT_ORDER = [
    "UID", "TaskUID", "ResourceUID", "Finish", "RemainingWork", "Start", "Units", "Work",
]  # fmt: skip


def local(element: ET.Element) -> str:
    return element.tag.removeprefix(Q)


def assert_schema_order(element: ET.Element, order: list[str]) -> None:
    tags = [local(child) for child in element]
    assert set(tags) <= set(order), set(tags) - set(order)
    positions = [order.index(tag) for tag in tags]
    assert positions == sorted(positions), (local(element), tags)


@functools.cache
def project(name: str) -> ET.Element:
    return ET.fromstring(to_mspdi(evaluated(name)))


def text(element: ET.Element, tag: str) -> str:
    found = element.find(Q + tag)
    assert found is not None and found.text is not None, tag
    return found.text


def all_tasks(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{Q}Tasks/{Q}Task")


def tasks(name: str) -> list[ET.Element]:
    return all_tasks(project(name))


def parent_of(name: str) -> dict[str, ET.Element]:
    """Each task's summary task, by the task's UID (tasks are written in outline order)."""
    parents: dict[int, ET.Element] = {}
    result = {}
    for task in tasks(name):
        level = int(text(task, "OutlineLevel"))
        if level > 0:
            result[text(task, "UID")] = parents[level - 1]
        parents[level] = task
    return result


def links(task: ET.Element) -> list[tuple[str, str]]:
    return [
        (text(x, "PredecessorUID"), text(x, "Type")) for x in task.findall(Q + "PredecessorLink")
    ]


def named(name: str, title: str) -> list[ET.Element]:
    return [t for t in tasks(name) if text(t, "Name") == title]


def test_mspdi_is_utf8_xml_with_a_declaration_in_the_project_namespace() -> None:
    data = to_mspdi(evaluated("small-it-department"))
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"')
    root = ET.fromstring(data)
    assert root.tag == Q + "Project"
    assert "Stadt Lindenau - Amt für Informationstechnik" in text(root, "Title")


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_mspdi_elements_are_in_schema_order(name: str) -> None:
    root = project(name)
    assert_schema_order(root, PROJECT_ORDER)
    for calendar in root.iter(Q + "Calendar"):
        assert_schema_order(calendar, CALENDAR_ORDER)
    for exception in root.iter(Q + "Exception"):
        assert_schema_order(exception, EXCEPTION_ORDER)
    for task in tasks(name):
        assert_schema_order(task, TASK_ORDER)
        for link in task.findall(Q + "PredecessorLink"):
            assert_schema_order(link, LINK_ORDER)
    for assignment in root.iter(Q + "Assignment"):
        assert_schema_order(assignment, ASSIGNMENT_ORDER)


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_mspdi_stages_are_summaries_that_follow_each_other(name: str) -> None:
    e = evaluated(name)
    all_tasks = tasks(name)
    summary = all_tasks[0]
    assert (text(summary, "UID"), text(summary, "OutlineLevel"), text(summary, "Summary")) == (
        "0",
        "0",
        "1",
    )
    previous = None
    for stage in e.plan.stages:
        (task,) = named(name, stage.title)
        assert (text(task, "OutlineLevel"), text(task, "Summary")) == ("1", "1")
        assert text(task, "Start") == f"{stage.start.isoformat()}T08:00:00"
        assert text(task, "Finish") == f"{stage.end.isoformat()}T17:00:00"
        assert text(task, "Duration") == f"PT{stage.business_days * 8}H0M0S"
        expected: list[tuple[str, str]] = (
            [] if previous is None else [(text(previous, "UID"), "1")]
        )  # finish-to-start
        assert links(task) == expected
        previous = task


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_mspdi_tasks_carry_dates_effort_and_owner(name: str) -> None:
    e = evaluated(name)
    parents = parent_of(name)
    root = project(name)
    assignments = {text(a, "TaskUID"): a for a in root.iter(Q + "Assignment")}
    resources = {text(r, "UID"): text(r, "Name") for r in root.iter(Q + "Resource")}
    for t in e.plan.tasks:
        (task,) = named(name, t.title)
        uid = text(task, "UID")
        assert text(parents[uid], "Name") == "Process establishment and improvement"
        assert (text(task, "OutlineLevel"), text(task, "Summary"), text(task, "Milestone")) == (
            "2",
            "0",
            "0",
        )
        assert text(task, "Start") == f"{t.start.isoformat()}T08:00:00"
        assert text(task, "Finish") == f"{t.end.isoformat()}T17:00:00"
        assert text(task, "Work") == f"PT{t.effort_days * 8}H0M0S"
        assert text(task, "Contact") == t.owner_role
        assert text(task, "ConstraintType") == "4"  # start no earlier than the plan's start
        assert text(task, "ConstraintDate") == text(task, "Start")
        assignment = assignments[uid]
        assert resources[text(assignment, "ResourceUID")] == t.owner_role
        assert text(assignment, "Work") == f"PT{t.effort_days * 8}H0M0S"


def stage_of(e: Evaluation, date: dt.date) -> Stage | None:
    return next((s for s in e.plan.stages if s.start <= date <= s.end), None)


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_mspdi_milestones_sit_in_their_stage_and_link_to_its_work(name: str) -> None:
    e = evaluated(name)
    parents = parent_of(name)
    by_uid = {text(t, "UID"): t for t in tasks(name)}
    for m in e.plan.milestones:
        (task,) = named(name, m.title)
        assert (text(task, "Milestone"), text(task, "Duration")) == ("1", "PT0H0M0S")
        assert text(task, "Start")[:10] == text(task, "Finish")[:10] == m.date.isoformat()
        stage = stage_of(e, m.date)
        assert stage is not None
        parent = parents[text(task, "UID")]
        assert text(parent, "Name") == stage.title
        predecessors = links(task)
        assert predecessors, m.key
        for uid, kind in predecessors:
            # never its own summary (MS Project refuses that), always work in the same stage
            assert parents[uid] is parent and text(by_uid[uid], "Summary") == "0"
            assert kind == ("1" if m.date == stage.end else "3")


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_mspdi_audit_batches_are_milestones_with_their_window_as_deadline(name: str) -> None:
    e = evaluated(name)
    for b in e.plan.audit_batches:
        (task,) = named(name, b.title)
        assert text(task, "Milestone") == "1"
        assert text(task, "Start") == f"{b.planned_date.isoformat()}T08:00:00"
        assert text(task, "Deadline") == f"{b.window_end.isoformat()}T17:00:00"
        assert b.booking_deadline is not None
        assert b.booking_deadline.isoformat() in text(task, "Notes")


def exported_calendar(root: ET.Element) -> tuple[set[int], set[dt.date]]:
    """Working weekdays (Python numbering) and holiday exceptions of the exported calendar."""
    working = {
        (int(text(d, "DayType")) + 5) % 7
        for d in root.iter(Q + "WeekDay")
        if text(d, "DayWorking") == "1"
    }
    holidays = {
        dt.date.fromisoformat(text(x, "TimePeriod/" + Q + "FromDate")[:10])
        for x in root.iter(Q + "Exception")
        if text(x, "DayWorking") == "0"  # a worked weekend day is an exception that works
    }
    return working, holidays


def assert_calendar_counts_business_days(e: Evaluation, root: ET.Element) -> None:
    working, holidays = exported_calendar(root)
    for stage in e.plan.stages:
        days = [
            stage.start + dt.timedelta(days=n) for n in range((stage.end - stage.start).days + 1)
        ]
        count = sum(d.weekday() in working and d not in holidays for d in days)
        assert count == stage.business_days, stage.key
        assert stage.start.weekday() in working and stage.start not in holidays
    if e.plan.country is not None:
        assert holidays, "a country's plan has public holidays as calendar exceptions"


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_mspdi_calendar_counts_the_plans_business_days(name: str) -> None:
    """Open in MS Project, every stage keeps its length: the calendars agree."""
    assert_calendar_counts_business_days(evaluated(name), project(name))
    assert exported_calendar(project(name))[0] == {0, 1, 2, 3, 4}


@pytest.mark.parametrize("country", [None, "GB", "IL"])
def test_mspdi_calendar_follows_the_country(country: str | None) -> None:
    """No country: Monday to Friday; Israel: Sunday to Thursday, with its holidays."""
    e = evaluate(profile(country=country), all_at(2), TODAY)
    root = ET.fromstring(to_mspdi(e))
    assert_calendar_counts_business_days(e, root)
    working, holidays = exported_calendar(root)
    assert working == ({6, 0, 1, 2, 3} if country == "IL" else {0, 1, 2, 3, 4})
    assert bool(holidays) == (country is not None)


def test_the_plan_carries_its_country() -> None:
    for name in EXAMPLE_IDS:
        assert evaluated(name).plan.country == example_input(name).profile.country


# --- iCalendar -----------------------------------------------------------------------------


def events(e: Evaluation) -> dict[str, Any]:
    calendar = Calendar.from_ical(to_ics(e))
    found = list(calendar.walk("VEVENT"))
    uids = [str(ev["UID"]) for ev in found]
    assert len(uids) == len(set(uids)), "UIDs are unique"
    return {str(ev["UID"]): ev for ev in found}


def dates(event: Any) -> tuple[dt.date, dt.date]:
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert type(start) is dt.date and type(end) is dt.date  # all-day, not date-times
    return start, end


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_ics_has_every_milestone_audit_and_deadline(name: str) -> None:
    e = evaluated(name)
    org = e.organisation
    calendar = Calendar.from_ical(to_ics(e))
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert org in str(calendar["X-WR-CALNAME"])
    found = events(e)
    one = dt.timedelta(days=1)
    for m in e.plan.milestones:
        assert dates(found[event_uid("milestone", m.key, org)]) == (m.date, m.date + one)
    for b in e.plan.audit_batches:
        audit = found[event_uid("audit", b.key, org)]
        assert dates(audit) == (b.planned_date, b.window_end + one)
        assert b.booking_deadline is not None
        assert b.booking_deadline.isoformat() in str(audit["DESCRIPTION"])
        assert "reserve" in str(audit["DESCRIPTION"])
        booking = found[event_uid("booking", b.key, org)]
        assert dates(booking) == (b.booking_deadline, b.booking_deadline + one)
    start, end = e.plan.improvement_window
    assert dates(found[event_uid("window", "improvement", org)]) == (start, end + one)
    expiry = e.plan.certificate_expiry
    assert dates(found[event_uid("certificate", "expiry", org)]) == (expiry, expiry + one)
    for event in found.values():
        assert event.decoded("DTSTAMP") == dt.datetime.combine(e.today, dt.time(), dt.UTC)
        assert str(event["UID"]).endswith("@iso20k")


def kind_of(event: Any) -> tuple[list[str], str]:
    return [str(c) for c in event["CATEGORIES"].cats], str(event["SUMMARY"])


def test_ics_events_say_what_they_are() -> None:
    # Calendars sort and colour by category: each kind of event has its own, and its words.
    e = evaluated("small-it-department")
    org = e.organisation
    found = events(e)
    for m in e.plan.milestones:
        event = found[event_uid("milestone", m.key, org)]
        assert kind_of(event) == (["Milestone"], m.title)
        assert str(event["DESCRIPTION"]) == f"Milestone. Owner: {m.owner_role}."
    stage1 = next(b for b in e.plan.audit_batches if b.key == "stage1")
    assert kind_of(found[event_uid("audit", "stage1", org)]) == (
        ["Audit"],
        f"Stage 1 audit window ({stage1.on_site_days} days on site)",
    )
    assert kind_of(found[event_uid("booking", "stage1", org)]) == (
        ["Booking deadline"],
        "Book the stage 1 audit with the certification body",
    )
    assert kind_of(found[event_uid("window", "improvement", org)]) == (
        ["Plan"],
        "Improvement window: correct the stage 1 findings",
    )
    assert kind_of(found[event_uid("certificate", "expiry", org)]) == (
        ["Certification"],
        "ISO/IEC 20000-1 certificate expires",
    )


def test_ics_is_a_published_gregorian_calendar_of_markers() -> None:
    """What calendar programs read before the events: a feed to subscribe to (PUBLISH, not
    an invitation), its name and description, and events that leave the day free."""
    e = evaluated("small-it-department")
    calendar = Calendar.from_ical(to_ics(e))
    header = {key: str(calendar[key]) for key in ("CALSCALE", "METHOD", "X-WR-CALDESC")}
    assert header == {
        "CALSCALE": "GREGORIAN",
        "METHOD": "PUBLISH",
        "X-WR-CALDESC": "Milestones, audits and booking deadlines of the plan",
    }
    assert str(calendar["X-WR-CALNAME"]) == f"ISO/IEC 20000-1: {e.organisation}"
    found = events(e)
    assert {str(event["TRANSP"]) for event in found.values()} == {"TRANSPARENT"}
    org = e.organisation
    assert str(found[event_uid("window", "improvement", org)]["DESCRIPTION"]) == (
        "Time between the stage 1 and stage 2 audits to correct findings."
    )
    assert str(found[event_uid("certificate", "expiry", org)]["DESCRIPTION"]) == (
        "The recertification decision must come before this day (ISO/IEC 17021-1 9.6.3)."
    )
    stage1 = next(b for b in e.plan.audit_batches if b.key == "stage1")
    assert str(found[event_uid("booking", "stage1", org)]["DESCRIPTION"]) == (
        f"Last day to book the stage 1 audit planned for {stage1.planned_date.isoformat()}."
    )


def test_ics_uids_survive_a_changed_plan() -> None:
    """Re-importing an updated plan updates the events: same keys, same UIDs, new dates."""
    given = example_input("small-it-department")
    weak = evaluate(given.profile, all_at(1, given.bank), TODAY, given.bank)
    strong = evaluate(given.profile, all_at(4, given.bank), TODAY, given.bank)
    before, after = events(weak), events(strong)
    assert set(before) == set(after)
    moved = [uid for uid in before if dates(before[uid]) != dates(after[uid])]
    assert moved, "the plans differ, so some dates must move"


def test_ics_uids_are_per_organisation() -> None:
    assert event_uid("milestone", "kickoff", "Stadt Lindenau - Amt für IT") == (
        "milestone-kickoff-stadt-lindenau-amt-fur-it@iso20k"
    )
    assert event_uid("milestone", "kickoff", "A") != event_uid("milestone", "kickoff", "B")


# --- all formats ---------------------------------------------------------------------------


def test_xlsx_document_dates_are_the_evaluation_day() -> None:
    e = evaluated("enterprise-iso27001")
    props = workbook("enterprise-iso27001").properties
    midnight = dt.datetime.combine(e.today, dt.time())
    assert (props.created, props.modified) == (midnight, midnight)
    assert props.creator == "iso20k"
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes("enterprise-iso27001"))) as archive:
        assert {info.date_time for info in archive.infolist()} == {midnight.timetuple()[:6]}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_exports_are_deterministic(name: str, fmt: ExportFormat) -> None:
    e = evaluated(name)
    assert export(e, fmt) == export(e, fmt)


HASH_SCRIPT = """
import datetime as dt, hashlib, pathlib
from iso20k_core.evaluate import evaluate
from iso20k_core.inputs import parse_input_text
from iso20k_core.report.exports import FORMATS, export
given = parse_input_text(pathlib.Path("examples/{name}.yaml").read_text(encoding="utf-8"))
e = evaluate(given.profile, given.answers, dt.date({y}, {m}, {d}), given.bank)
print(" ".join(hashlib.sha256(export(e, f)).hexdigest() for f in FORMATS))
"""


def other_process_hashes(name: str, seed: str) -> list[str]:
    script = HASH_SCRIPT.format(name=name, y=TODAY.year, m=TODAY.month, d=TODAY.day)
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout.split()


def test_exports_are_the_same_in_another_process_and_at_another_time() -> None:
    """No clock, no hash order: other processes, seconds later, write the same bytes."""
    name = "small-it-department"
    here = [hashlib.sha256(export(evaluated(name), f)).hexdigest() for f in FORMATS]
    time.sleep(2.1)  # zip entries are dated to 2 seconds: a clock would show by now
    assert other_process_hashes(name, "1") == here
    assert other_process_hashes(name, "2") == here


def test_an_evaluation_without_answers_still_exports() -> None:
    given = example_input("small-it-department")
    e = evaluate(given.profile, {}, TODAY, given.bank)
    for fmt in FORMATS:
        assert export(e, fmt), fmt
    book = openpyxl.load_workbook(io.BytesIO(export(e, "xlsx")))
    assert book.sheetnames == ["Tasks", "Costs", "Assumptions", "Timeline"]
    root = ET.fromstring(export(e, "mspdi"))
    assert len(root.findall(f"{Q}Tasks/{Q}Task")) > len(e.plan.stages)
    assert events(e)


def test_a_mature_organisation_without_process_tasks_still_exports() -> None:
    """No gaps, no process tasks: the process stage still spans its days in MS Project."""
    e = evaluate(profile(), all_best(), TODAY)
    assert not e.plan.tasks
    ws = sheet(openpyxl.load_workbook(io.BytesIO(to_xlsx(e))), "Tasks")
    process = next(r for r in records(ws) if r["Key"] == "process_establishment")
    assert cell_value(ws, f"D{process['_row']}") == 0
    root = ET.fromstring(to_mspdi(e))
    stage = next(s for s in e.plan.stages if s.key == "process_establishment")
    rows = root.findall(f"{Q}Tasks/{Q}Task")
    summary = next(t for t in rows if text(t, "Name") == stage.title)
    children = [t for t in rows if text(t, "OutlineNumber").startswith(text(summary, "WBS") + ".")]
    work = [t for t in children if text(t, "Milestone") == "0"]
    assert len(work) == 1
    assert text(work[0], "Start") == f"{stage.start.isoformat()}T08:00:00"
    assert text(work[0], "Finish") == f"{stage.end.isoformat()}T17:00:00"
    assert_calendar_counts_business_days(e, root)


def test_plan_groups_hold_every_item_once() -> None:
    e = evaluated("itil-service-provider")
    groups = plan_groups(e)
    assert [g.key for g in groups[:5]] == [s.key for s in e.plan.stages]
    keys = [(i.kind, i.key) for g in groups for i in g.items]
    assert len(keys) == len(set(keys))
    for group in groups[:5]:
        assert all(group.start <= i.start <= group.end for i in group.items)
