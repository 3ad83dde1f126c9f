"""The workbook's rows, one by one, as the plan and the costs lay them out: every line where a
person expects it, no gap inside a table (a blank row breaks Excel's filter and sort), the
subtotals and totals as formulas over exactly their own rows, the initial certification of
the cycle linked to the project's subtotals, the fiscal years linked to the lines above, and
the timeline marking exactly each item's weeks.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from iso20k_core.evaluate import evaluate
from iso20k_core.report.exports import plan_groups
from iso20k_core.report.exports.xlsx import to_xlsx
from iso20k_core.results import Evaluation
from tests.core.helpers import TODAY, all_at, profile
from tests.core.test_exports import BLANK, EXAMPLE_IDS, day, evaluated, sheet, workbook

Cells = tuple[object, ...]


def values(ws: Worksheet, width: int) -> list[Cells]:
    return [tuple(c.value for c in row[:width]) for row in ws.iter_rows(min_row=2)]


def as_date(value: object) -> object:
    return day(value) if isinstance(value, dt.datetime) else value


def expected_tasks(e: Evaluation) -> list[Cells]:
    rows: list[Cells] = []
    for group in plan_groups(e):
        here = len(rows) + 2
        effort = f"=SUM(D{here + 1}:D{here + len(group.items)})" if group.items else 0
        days = f"{group.business_days} business days" if group.business_days else None
        stage = (group.label, group.title, None, effort, group.start, group.end, None)
        rows.append((*stage, "stage", group.key, days))
        for item in group.items:
            milestone = "yes" if item.milestone else None
            dates = (item.start, item.end)
            rows.append((group.label, item.title, item.owner, item.effort_days, *dates))
            rows[-1] = (*rows[-1], milestone, item.kind, item.key, item.notes)
    return rows


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_the_tasks_sheet_is_each_stage_then_its_items_without_gaps(name: str) -> None:
    e = evaluated(name)
    ws = sheet(workbook(name), "Tasks")
    found = [tuple(as_date(v) for v in row) for row in values(ws, 10)]
    blank_as_none = [tuple(None if v == "" else v for v in row) for row in expected_tasks(e)]
    assert found == blank_as_none  # an empty text is an empty cell
    for row in ws.iter_rows(min_row=2):
        stage = row[7].value == "stage"
        assert bool(row[1].font.bold) == stage
        assert (row[1].alignment.indent == 1) == (not stage)


def expected_costs(e: Evaluation) -> list[Cells]:
    c = e.costs
    rows: list[Cells] = []
    subtotals: dict[str, int] = {}
    line_rows_of_parts: dict[str, int] = {}
    for part in c.parts:
        first = len(rows) + 2
        for line in part.lines:
            rows.append((part.title, line.title, line.basis, line.amount))
            line_rows_of_parts[line.key] = len(rows) + 1
        rows.append((part.title, "Subtotal", None, f"=SUM(D{first}:D{len(rows) + 1})"))
        subtotals[part.key] = len(rows) + 1
    project = len(rows) + 2
    parts = "=SUM(" + ",".join(f"D{r}" for r in subtotals.values()) + ")"
    rows.append(("Project total", "sum of the five parts", None, parts))
    effort = "; ".join(f"{line.title} {line.days:,}" for line in c.internal_effort)
    basis = f"{c.internal_days:,} person-days: {effort}"
    rows.append(("Internal effort", "Own staff time", basis, c.internal_cost))
    both = f"=SUM(D{project},D{project + 1})"
    rows.append(("Total with internal effort", "project total and internal effort", None, both))
    rows.append((None, None, None, None))  # the one blank row: a table of its own below
    rows.append(("Certification cycle by step", None, None, None))
    step_totals, line_rows = [], dict(line_rows_of_parts)
    for step in c.cycle_steps:
        first = len(rows) + 2
        title = f"{step.title}, {step.date.isoformat()}"
        for line in step.lines:
            linked = subtotals.get(line.key) if step.key == "initial" else None
            amount = f"=D{linked}" if linked else line.amount
            rows.append((title, line.title, line.basis, amount))
            if step.key != "initial":
                line_rows[line.key] = len(rows) + 1
        rows.append((title, "Subtotal", None, f"=SUM(D{first}:D{len(rows) + 1})"))
        step_totals.append(len(rows) + 1)
    steps = "=SUM(" + ",".join(f"D{r}" for r in step_totals) + ")"
    rows.append(("Cycle total", "initial certification to recertification", None, steps))
    quote = {True: "yes", False: "no", None: "not known"}[c.quote_includes_surveillance]
    rows.append(("Quote includes surveillance and recertification", quote, None, None))
    # The same lines by fiscal year, each linked to its row above where it has one.
    rows.append(("Certification cycle by fiscal year", None, None, None))
    year_totals = []
    for fy in c.fiscal_years:
        first = len(rows) + 2
        for line in fy.lines:
            linked = line_rows.get(line.key)
            amount = f"=D{linked}" if linked else line.amount
            basis = f"{line.date.isoformat() if line.date else ''}: {line.basis}"
            rows.append((fy.title, line.title, basis, amount))
        total = f"=SUM(D{first}:D{len(rows) + 1})" if fy.lines else 0
        rows.append((fy.title, "Subtotal", None, total))
        year_totals.append(len(rows) + 1)
    years = "=SUM(" + ",".join(f"D{r}" for r in year_totals) + ")"
    rows.append(("Cycle total, by fiscal year", "the same total as by step", None, years))
    return rows


def costs_workbook(e: Evaluation) -> Worksheet:
    return sheet(openpyxl.load_workbook(io.BytesIO(to_xlsx(e))), "Costs")


@pytest.mark.parametrize("quote", [None, True, False])
def test_the_costs_sheet_row_by_row(quote: bool | None) -> None:
    e = evaluate(profile(assumptions={"quote_includes_surveillance": quote}), all_at(2), TODAY)
    ws = costs_workbook(e)
    found = [tuple(None if v == "" else v for v in row) for row in values(ws, 4)]
    assert found == expected_costs(e)
    money = f'#,##0 "{e.costs.currency}"'
    amounts = ws["D"][1 : ws.max_row]
    assert [c.number_format for c in amounts] == [money] * len(amounts)
    assert ws.max_row == len(found) + 1
    assert [line.key for line in e.costs.cycle_steps[0].lines] == [p.key for p in e.costs.parts]
    # Most fiscal-year lines are links to the line above, so the two views cannot drift.
    links = [c.value for c in ws["D"] if isinstance(c.value, str) and c.value.startswith("=D")]
    assert len(links) > len(e.costs.parts)


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_the_examples_costs_sheets_row_by_row(name: str) -> None:
    e = evaluated(name)
    found = [tuple(None if v == "" else v for v in row) for row in values(costs_workbook(e), 4)]
    assert found == expected_costs(e)


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_the_low_and_high_columns_follow_the_amount_column_row_by_row(name: str) -> None:
    # Columns E (low) and F (high): each project line's own figures, the internal effort a
    # point; each subtotal and total the formula of its amount in column D over the same rows
    # of its own column. Below the blank row, the cycle by step and by fiscal year: a line
    # shown above links to that row's three figures, a subtotal sums its own column, a line
    # of its own writes its low and high (in order around the amount).
    e = evaluated(name)
    ws = costs_workbook(e)
    assert (ws["E1"].value, ws["F1"].value) == ("Low", "High")
    rows = values(ws, 6)
    blank = next(i for i, row in enumerate(rows) if row[0] is None)
    figures = [(r[3], r[4], r[5]) for r in rows[:blank] if not str(r[3]).startswith("=")]
    lines = [(x.amount, x.low, x.high) for part in e.costs.parts for x in part.lines]
    internal = e.costs.internal_cost
    assert figures == [*lines, (internal, internal, internal)]
    for amount, low, high in (r[3:6] for r in rows[:blank]):
        if str(amount).startswith("="):
            assert (low, high) == (amount.replace("D", "E"), amount.replace("D", "F"))
    for amount, low, high in (r[3:6] for r in rows[blank + 1 :]):
        if str(amount).startswith("="):
            assert (low, high) == (amount.replace("D", "E"), amount.replace("D", "F"))
        elif isinstance(amount, int):
            assert isinstance(low, int) and isinstance(high, int)
            assert low <= amount <= high
        elif amount is None or amount == "":
            assert low in (None, "") and high in (None, "")
        else:  # "rate needed: …" in all three
            assert low == high == amount
    money = f'#,##0 "{e.costs.currency}"'
    assert ws["E2"].number_format == ws["F2"].number_format == money


def weeks_of(start: dt.date, end: dt.date, mondays: list[dt.date]) -> set[int]:
    """The grid columns of the weeks that [start, end] touches."""
    return {n for n, m in enumerate(mondays) if m <= end and start <= m + dt.timedelta(days=6)}


def assert_timeline_marks_each_items_weeks(e: Evaluation, book: openpyxl.Workbook) -> None:
    ws = sheet(book, "Timeline")
    mondays = [day(c.value) for c in ws[1][3:]]
    first = e.plan.start
    assert mondays[0] == first - dt.timedelta(days=first.weekday())
    rows: dict[object, int] = {}
    for r in range(2, ws.max_row + 1):
        rows.setdefault(ws.cell(row=r, column=1).value, r)
    items = [
        (f"{g.number}. {g.title}", g.start, g.end, False)
        for g in plan_groups(e)
        if g.number is not None
    ]
    items += [
        (i.title, i.start, i.end, i.start == i.end)
        for g in plan_groups(e)
        if g.number is not None
        for i in g.items
    ]
    for title, start, end, point in items:
        row = ws[rows[title]]
        assert (day(row[1].value), day(row[2].value)) == (start, end), title
        filled = {n for n, c in enumerate(row[3:]) if c.fill.fgColor.rgb not in BLANK}
        assert filled == weeks_of(start, end, mondays), title
        marked = {n for n, c in enumerate(row[3:]) if c.value == "◆"}
        assert marked == (filled if point else set()), title


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_the_timeline_marks_exactly_each_items_weeks(name: str) -> None:
    assert_timeline_marks_each_items_weeks(evaluated(name), workbook(name))


def test_the_timeline_of_a_plan_starting_midweek_starts_on_its_monday() -> None:
    e = evaluate(profile(start_date=dt.date(2027, 1, 13)), all_at(2), TODAY)  # a Wednesday
    assert e.plan.start.weekday() == 2
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(e)))
    assert_timeline_marks_each_items_weeks(e, book)


def test_the_plan_lists_the_improvement_window_and_the_expiry_in_words() -> None:
    e = evaluated("small-it-department")
    rows = {row[1]: row for row in values(sheet(workbook("small-it-department"), "Tasks"), 10)}
    window = rows["Improvement window: correct the stage 1 findings"]
    assert (as_date(window[4]), as_date(window[5])) == e.plan.improvement_window
    expiry = next(row for row in rows.values() if row[7] == "expiry")
    assert as_date(expiry[4]) == e.plan.certificate_expiry
    assert expiry[9] == "recertification must be decided before this date (ISO/IEC 17021-1 9.6.3)"


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_every_subtotal_looks_the_same_in_every_view(name: str) -> None:
    # The parts', the cycle steps' and the fiscal years' subtotals: bold, one fill colour,
    # and a different one from the totals below them.
    ws = costs_workbook(evaluated(name))
    subtotals = [row for row in ws.iter_rows(min_row=2) if row[1].value == "Subtotal"]
    parts, steps = len(evaluated(name).costs.parts), len(evaluated(name).costs.cycle_steps)
    assert len(subtotals) == parts + steps + len(evaluated(name).costs.fiscal_years)
    fills = {row[0].fill.fgColor.rgb for row in subtotals}
    assert len(fills) == 1 and all(row[0].font.bold for row in subtotals)
    totals = [row for row in ws.iter_rows(min_row=2) if str(row[0].value).endswith("total")]
    assert totals and all(row[0].fill.fgColor.rgb not in fills for row in totals)
