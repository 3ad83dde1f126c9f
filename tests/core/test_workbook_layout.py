"""The workbook as a person opens and prints it: headers that stay in view and say what each
column holds, dates shown as dates, a filter on each table, pages that print landscape one
page wide with the header repeated, the timeline's weeks readable, and the file's own title.

Read back with openpyxl, as Excel or LibreOffice would read the same file.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools

import openpyxl
import pytest
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from iso20k_core.report.exports.xlsx import to_xlsx
from tests.core.test_exports import EXAMPLE_IDS, day, evaluated, sheet, workbook

HEADERS = {
    "Tasks": [
        "Stage", "Task", "Owner", "Effort (person-days)", "Start", "End", "Milestone", "Kind",
        "Key", "Notes",
    ],
    "Assumptions": ["Key", "Value", "Origin", "Source"],
    "Timeline": ["Item", "Start", "End"],
}  # fmt: skip


def header(ws: Worksheet) -> list[object]:
    return [c.value for c in ws[1]]


def filled(cell: Cell | MergedCell) -> bool:
    return bool(cell.fill.fill_type == "solid")


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_each_sheet_has_a_header_that_stays_in_view_and_prints_on_every_page(name: str) -> None:
    book = workbook(name)
    currency = evaluated(name).costs.currency
    expected = {**HEADERS, "Costs": ["Part", "Item", "Basis", f"Amount ({currency})"]}
    for title in ("Tasks", "Costs", "Assumptions", "Timeline"):
        ws = sheet(book, title)
        columns = expected[title]
        assert header(ws)[: len(columns)] == columns, title
        for cell in ws[1][: len(columns)]:
            assert cell.font.bold and filled(cell), (title, cell.coordinate)
            assert cell.alignment.wrap_text and cell.alignment.vertical == "center"
        for letter in "ABC":
            assert (ws.column_dimensions[letter].width or 0) >= 10, (title, letter)
        assert ws.freeze_panes == ("D2" if title == "Timeline" else "A2")
        assert ws.page_setup.orientation == "landscape"
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.sheet_properties.pageSetUpPr is not None
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1"


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_tables_can_be_filtered_over_all_their_rows(name: str) -> None:
    e, book = evaluated(name), workbook(name)
    tasks = sheet(book, "Tasks")
    assert tasks.auto_filter.ref == f"A1:J{tasks.max_row}"
    assumptions = sheet(book, "Assumptions")
    assert assumptions.auto_filter.ref == f"A1:D{len(e.assumptions) + 1}"
    assert [c.value for c in assumptions["A"][1:]] == [a.key for a in e.assumptions]
    assert all(c.alignment.wrap_text for c in assumptions["D"][1:])  # long sources wrap


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_dates_are_dates_and_amounts_are_money(name: str) -> None:
    e, book = evaluated(name), workbook(name)
    tasks = sheet(book, "Tasks")
    for row in tasks.iter_rows(min_row=2):
        for cell in row[4:6]:  # Start, End
            if cell.value is not None:
                assert isinstance(cell.value, dt.datetime) and cell.number_format == "yyyy-mm-dd"
        assert row[3].number_format != "yyyy-mm-dd"  # effort is a number
    costs = sheet(book, "Costs")
    amounts = [c for c in costs["D"][1:] if c.value is not None]
    assert amounts
    assert all(c.number_format == f'#,##0 "{e.costs.currency}"' for c in amounts)
    timeline = sheet(book, "Timeline")
    for row in timeline.iter_rows(min_row=2, max_col=3):
        if row[1].value is not None:
            assert [c.number_format for c in row[1:3]] == ["yyyy-mm-dd", "yyyy-mm-dd"]


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_timeline_weeks_are_mondays_in_a_readable_rotated_header(name: str) -> None:
    e = evaluated(name)
    ws = sheet(workbook(name), "Timeline")
    weeks = [day(c.value) for c in ws[1][3:]]
    first_monday = e.plan.start - dt.timedelta(days=e.plan.start.weekday())
    assert weeks[0] == first_monday
    assert all(b - a == dt.timedelta(weeks=1) for a, b in itertools.pairwise(weeks))
    assert weeks[-1] <= e.plan.certification_date < weeks[-1] + dt.timedelta(weeks=1)
    for cell in ws[1][3:]:
        assert cell.number_format == "dd mmm yy"
        assert cell.alignment.text_rotation == 90 and cell.alignment.horizontal == "center"
        assert cell.font.bold and filled(cell)
        width = ws.column_dimensions[get_column_letter(cell.column or 1)].width
        assert width is not None and 2.5 < width < 4  # narrow week columns: months on screen
    assert (ws.row_dimensions[1].height or 0) >= 50  # room for a rotated date


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_timeline_rows_are_stages_with_their_items_indented_below(name: str) -> None:
    e = evaluated(name)
    ws = sheet(workbook(name), "Timeline")
    labels = [ws.cell(row=r, column=1) for r in range(2, ws.max_row + 1)]
    stage_titles = [f"{s.number}. {s.title}" for s in e.plan.stages]
    stage_cells = [c for c in labels if c.value in stage_titles]
    assert [c.value for c in stage_cells] == stage_titles
    assert stage_cells[0].row == 2  # straight below the header
    for cell in stage_cells:
        assert cell.font.bold and filled(cell)
    items = [c for c in labels if c.value and c not in stage_cells and c is not labels[-1]]
    assert items and all(c.alignment.indent == 1 and not c.font.bold for c in items)
    rows = [c.row for c in labels if c.value][:-1]
    assert rows == list(range(2, 2 + len(rows)))  # no gaps between the rows
    note = labels[-1]
    assert note.row == rows[-1] + 2 and note.font.italic
    assert (
        note.value == "Surveillance and recertification audits follow later: see the Tasks sheet."
    )
    # the cycle after the decision is not in the grid
    assert not any(b.title == c.value for b in e.plan.audit_batches[2:] for c in labels)


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_a_days_mark_in_the_timeline_is_a_white_diamond_in_the_middle(name: str) -> None:
    ws = sheet(workbook(name), "Timeline")
    marks = [c for row in ws.iter_rows(min_row=2, min_col=4) for c in row if c.value]
    assert marks
    for cell in marks:
        assert cell.value == "◆"
        assert cell.font.color is not None and cell.font.color.rgb == "00FFFFFF"
        assert cell.alignment.horizontal == "center" and filled(cell)
    bars = [c for row in ws.iter_rows(min_row=2, min_col=4) for c in row if filled(c)]
    colours = {c.fill.fgColor.rgb for c in bars}
    assert len(colours) >= 3  # stages, tasks and audits told apart


def test_the_file_is_titled_for_the_organisation_and_made_by_iso20k() -> None:
    e = evaluated("small-it-department")
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(e)))
    assert book.properties.creator == "iso20k"
    assert book.properties.title == f"ISO/IEC 20000-1 certification plan: {e.organisation}"
    midnight = dt.datetime.combine(e.today, dt.time())
    assert book.properties.created == book.properties.modified == midnight
