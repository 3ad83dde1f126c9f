"""The plan and costs as an Excel workbook: Tasks, Costs, Assumptions, Timeline.

Totals are formulas, not typed numbers, so an auditor or a controller who changes a line sees
the totals follow, and can check how each total is made. Dates are real Excel dates.

openpyxl stamps the workbook with the current time (document properties, and the date of
every member of the zip file); both are pinned to `evaluation.today` here so the same
evaluation always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from iso20k_core import figures as fig
from iso20k_core.language import _, _p
from iso20k_core.report.exports import PlanGroup, PlanItem, plan_groups
from iso20k_core.results import CostLine, Costs, Evaluation

if TYPE_CHECKING:
    from _typeshed import SizedBuffer, StrPath

DATE_FORMAT = "yyyy-mm-dd"
WEEK_FORMAT = "dd mmm yy"
BOLD = Font(bold=True)
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
GROUP_FILL = PatternFill("solid", fgColor="D9E1F2")
TOTAL_FILL = PatternFill("solid", fgColor="FFF2CC")
WRAP = Alignment(wrap_text=True, vertical="top")
INDENT = Alignment(indent=1)
# Timeline bars: one colour per kind of row, so the grid reads without a legend.
BAR_FILLS = {
    "stage": PatternFill("solid", fgColor="2F5597"),
    "task": PatternFill("solid", fgColor="9DC3E6"),
    "window": PatternFill("solid", fgColor="F4B183"),
    "milestone": PatternFill("solid", fgColor="C00000"),
    "audit": PatternFill("solid", fgColor="7030A0"),
}
MARKER = "◆"
MARKER_FONT = Font(color="FFFFFF")
CENTRE = Alignment(horizontal="center")

Row = Sequence[Any]  # cell values: text, numbers, dates, formulas, None


def sheet_names() -> tuple[str, ...]:
    """The sheets' names in the active language, in workbook order.

    Excel refuses a name longer than 31 characters, one with any of []:*?/\\ in it, or two
    names that differ only in case: every language's names must obey
    (tests/core/test_exports_in_chinese.py checks each catalog)."""
    return (
        _p("sheet", "Tasks"),
        _p("sheet", "Costs"),
        _p("sheet", "Assumptions"),
        _p("sheet", "Timeline"),
    )


def to_xlsx(evaluation: Evaluation) -> bytes:
    """The workbook as .xlsx bytes, identical for the same evaluation."""
    names = sheet_names()
    workbook = Workbook()
    tasks = workbook.active
    assert isinstance(tasks, Worksheet)  # a new workbook always has one worksheet
    tasks.title = names[0]
    _tasks_sheet(tasks, evaluation)
    _costs_sheet(workbook.create_sheet(names[1]), evaluation.costs)
    _assumptions_sheet(workbook.create_sheet(names[2]), evaluation)
    _timeline_sheet(workbook.create_sheet(names[3]), evaluation)
    return _save(workbook, evaluation)


# --- writing -------------------------------------------------------------------------------


def _save(workbook: Workbook, evaluation: Evaluation) -> bytes:
    stamp = dt.datetime.combine(evaluation.today, dt.time())
    props = workbook.properties
    props.creator = "iso20k"
    props.title = _(
        "ISO/IEC 20000-1 certification plan: {organisation}",
        organisation=evaluation.organisation,
    )
    props.created = stamp
    props.modified = stamp
    buffer = io.BytesIO()
    # ExcelWriter instead of Workbook.save(): save() overwrites `modified` with the clock.
    with _PinnedZipFile(buffer, date_time=stamp) as archive:
        ExcelWriter(workbook, archive).save()
    return buffer.getvalue()


class _PinnedZipFile(zipfile.ZipFile):
    """A zip file whose members all carry one fixed date instead of the current time.

    openpyxl adds most parts with `writestr` (dated with the clock) and each worksheet with
    `write` from a temporary file (dated with the file's mtime): both are pinned.
    """

    def __init__(self, file: io.BytesIO, *, date_time: dt.datetime) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self._date_time = date_time.timetuple()[:6]

    def writestr(
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: SizedBuffer | str,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._date_time)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16  # what ZipFile.writestr gives a file
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(
        self,
        filename: StrPath,
        arcname: StrPath | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        data = Path(filename).read_bytes()
        self.writestr(str(arcname or filename), data, compress_type, compresslevel)


def _header(ws: Worksheet, titles: Sequence[str], widths: Sequence[float]) -> None:
    """Bold header row, frozen so it stays in view, and the columns sized to their content."""
    for column, (title, width) in enumerate(zip(titles, widths, strict=True), 1):
        cell = ws.cell(row=1, column=column, value=title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A2"
    _print_setup(ws)


def _print_setup(ws: Worksheet) -> None:
    """Printed (or saved as PDF for an auditor): landscape, one page wide, header repeated."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "1:1"


class Formula(str):
    """A formula this module wrote. Any other text is stored as text, even when it starts
    with "=": titles and profile values must never run as formulas in someone's Excel."""


def _put(ws: Worksheet, row: int, values: Row) -> list[Cell]:
    cells = [ws.cell(row=row, column=c, value=v) for c, v in enumerate(values, 1)]
    for cell, value in zip(cells, values, strict=True):
        if cell.data_type == "f" and not isinstance(value, Formula):
            cell.data_type = "s"
    return cells


def _cell(ws: Worksheet, row: int, column: int) -> Cell:
    cell = ws.cell(row=row, column=column)
    assert isinstance(cell, Cell)  # no merged cells in these sheets
    return cell


def _emphasise(cells: Sequence[Cell], fill: PatternFill) -> None:
    for cell in cells:
        cell.font = BOLD
        cell.fill = fill


# --- Tasks ---------------------------------------------------------------------------------


def _task_columns() -> tuple[str, ...]:
    return (
        _p("column", "Stage"),
        _p("column", "Task"),
        _p("column", "Owner"),
        _p("column", "Effort (person-days)"),
        _p("column", "Start"),
        _p("column", "End"),
        _p("column", "Milestone"),
        _p("column", "Kind"),
        _p("column", "Key"),
        _p("column", "Notes"),
    )


TASK_WIDTHS = (34, 70, 30, 12, 12, 12, 10, 10, 22, 60)
EFFORT_COLUMN = "D"


def _tasks_sheet(ws: Worksheet, evaluation: Evaluation) -> None:
    """Stages as bold summary rows; their tasks, milestones and audits below them."""
    _header(ws, _task_columns(), TASK_WIDTHS)
    row = 2
    for group in plan_groups(evaluation):
        row = _task_group(ws, row, group)
    last = max(row - 1, 1)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(TASK_WIDTHS))}{last}"


def _task_group(ws: Worksheet, row: int, group: PlanGroup) -> int:
    first, last = row + 1, row + len(group.items)
    # A stage's effort is the sum of the rows below it: it follows when someone edits them.
    effort = Formula(f"=SUM({EFFORT_COLUMN}{first}:{EFFORT_COLUMN}{last})") if group.items else 0
    days = _("{days} business days", days=group.business_days) if group.business_days else None
    cells = _put(
        ws,
        row,
        (
            group.label,
            group.title,
            None,
            effort,
            group.start,
            group.end,
            None,
            "stage",
            group.key,
            days,
        ),
    )
    _emphasise(cells, GROUP_FILL)
    _date_format(cells)
    for offset, item in enumerate(group.items, 1):
        _date_format(_put(ws, row + offset, _task_row(group, item)))
        _cell(ws, row + offset, 2).alignment = INDENT
    return last + 1


def _task_row(group: PlanGroup, item: PlanItem) -> Row:
    return (
        group.label,
        item.title,
        item.owner,
        item.effort_days,
        item.start,
        item.end,
        _p("answer", "yes") if item.milestone else None,
        item.kind,
        item.key,
        item.notes,
    )


def _date_format(cells: Sequence[Cell]) -> None:
    for cell in cells[4:6]:  # Start, End
        cell.number_format = DATE_FORMAT


# --- Costs ---------------------------------------------------------------------------------

COST_WIDTHS = (44, 46, 46, 16, 14, 14)
AMOUNT_COLUMN = "D"
# The project's lines and totals carry how low and how high they may come out (equal to the
# amount where the basis is certain); their totals are formulas over the same rows.
RANGE_COLUMNS = ("E", "F")
MONEY_COLUMNS = (AMOUNT_COLUMN, *RANGE_COLUMNS)


def _costs_sheet(ws: Worksheet, costs: Costs) -> None:
    """Lines, a formula subtotal per part, formula totals, and the certification cycle by
    step and by fiscal year, each figure with how low and how high it may come out."""
    cur = costs.currency
    titles = (
        _p("column", "Part"),
        _p("column", "Item"),
        _p("column", "Basis"),
        _("Amount ({currency})", currency=cur),
        _p("column", "Low"),
        _p("column", "High"),
    )
    _header(ws, titles, COST_WIDTHS)
    money = f'#,##0 "{cur}"'
    line_rows: dict[str, int] = {}
    row, subtotals = _cost_parts(ws, 2, costs, line_rows)
    project = row
    labels = (_("Project total"), _("sum of the five parts"), None)
    _total_of(ws, project, labels, subtotals, costs.project_needs)
    internal = project + 1
    internal_cost = _amount(costs.internal_cost, costs.internal_needs)
    _put(
        ws,
        internal,
        (
            _("Internal effort"),
            _("Own staff time"),
            _internal_basis(costs),
            internal_cost,
            internal_cost,
            internal_cost,
        ),
    )
    labels = (_("Total with internal effort"), _("project total and internal effort"), None)
    _total_of(ws, internal + 1, labels, [project, internal], costs.total_needs)
    end = _cycle_steps(
        ws, internal + 3, costs, dict(zip(_part_keys(costs), subtotals, strict=True)), line_rows
    )
    end = _fiscal_years(ws, end + 1, costs, line_rows)
    for cells in ws.iter_rows(min_row=2, max_row=end, min_col=4, max_col=6):
        for cell in cells:
            cell.number_format = money


def _internal_basis(costs: Costs) -> str:
    """`412 person-days: Process work 300; Project coordination (SMS manager) 80; …`"""
    lines = _p("list separator", "; ").join(
        _("{item} {days}", item=line.title, days=fig.count(line.days))
        for line in costs.internal_effort
    )
    return _("{days} person-days: {lines}", days=fig.count(costs.internal_days), lines=lines)


def _part_keys(costs: Costs) -> list[str]:
    return [p.key for p in costs.parts]


def _cost_parts(
    ws: Worksheet, row: int, costs: Costs, line_rows: dict[str, int]
) -> tuple[int, list[int]]:
    subtotals = []
    for part in costs.parts:
        first = row
        for line in part.lines:
            _put(ws, row, (part.title, line.title, line.basis, *_figures(line)))
            line_rows[line.key] = row
            row += 1
        _subtotal(ws, row, first, part.title, part.needs)
        subtotals.append(row)
        row += 1
    return row, subtotals


def _cycle_steps(
    ws: Worksheet,
    row: int,
    costs: Costs,
    part_rows: dict[str, int],
    line_rows: dict[str, int],
) -> int:
    """The cycle's steps. The initial certification repeats the parts as links to their
    subtotals, not copies; each later line's row is noted for the fiscal years to link."""
    heading = _("Certification cycle by step")
    _emphasise(_put(ws, row, (heading, None, None, None)), GROUP_FILL)
    row += 1
    step_rows = []
    for step in costs.cycle_steps:
        first = row
        title = _("{step}, {date}", step=step.title, date=fig.date(step.date))
        for line in step.lines:
            linked = part_rows.get(line.key) if step.key == "initial" else None
            _put(ws, row, (title, line.title, line.basis, *_linked_or_figures(linked, line)))
            if step.key != "initial":
                line_rows[line.key] = row
            row += 1
        _subtotal(ws, row, first, title, step.needs)
        step_rows.append(row)
        row += 1
    labels = (_("Cycle total"), _("initial certification to recertification"), None)
    _total_of(ws, row, labels, step_rows, costs.cycle_needs)
    included = costs.quote_includes_surveillance
    quote = {True: _p("answer", "yes"), False: _p("answer", "no"), None: _("not known")}[included]
    asked = _("Quote includes surveillance and recertification")
    _put(ws, row + 1, (asked, quote, "", None))
    return row + 1


def _fiscal_years(ws: Worksheet, row: int, costs: Costs, line_rows: dict[str, int]) -> int:
    """The same lines by fiscal year: a line shown above is linked to its row, so the two
    views cannot drift apart; a project line split over the stages is a figure of its own."""
    heading = _("Certification cycle by fiscal year")
    _emphasise(_put(ws, row, (heading, None, None, None)), GROUP_FILL)
    row += 1
    year_rows = []
    for fy in costs.fiscal_years:
        first = row
        for line in fy.lines:
            cells = _linked_or_figures(line_rows.get(line.key), line)
            day = fig.date(line.date) if line.date is not None else ""
            basis = _("{date}: {basis}", date=day, basis=line.basis)
            _put(ws, row, (fy.title, line.title, basis, *cells))
            row += 1
        _subtotal(ws, row, first, fy.title, fy.needs)
        year_rows.append(row)
        row += 1
    labels = (_("Cycle total, by fiscal year"), _("the same total as by step"), None)
    _total_of(ws, row, labels, year_rows, costs.cycle_needs)
    return row


def _subtotal(ws: Worksheet, row: int, first: int, title: str, needs: Sequence[str]) -> None:
    """A group's subtotal row: each money column's sum over the group's rows above it, or
    0 for a group without any (a fiscal year with nothing in it)."""
    if row == first:
        figures: list[Formula | str | int] = [0, 0, 0]
    else:
        figures = [*_sums_or_needed([_sum_range(first, row - 1, c) for c in MONEY_COLUMNS], needs)]
    _total(ws, row, (title, _("Subtotal"), None), *figures, fill=TOTAL_FILL)


def _total_of(
    ws: Worksheet, row: int, labels: Row, rows: Sequence[int], needs: Sequence[str]
) -> None:
    """A total row over the subtotal rows given, column by column."""
    _total(ws, row, labels, *_sums_or_needed([_sum_of(rows, c) for c in MONEY_COLUMNS], needs))


def _figures(line: CostLine) -> list[int | str]:
    """The amount, low and high of a line (each "rate needed: …" when unknown)."""
    return [_amount(x, line.needs) for x in (line.amount, line.low, line.high)]


def _linked_or_figures(linked: int | None, line: CostLine) -> list[Formula | int | str]:
    """A line shown in an earlier row links to that row's three figures, so the views
    cannot drift apart; any other line writes its own."""
    if linked is None:
        return list(_figures(line))
    return [Formula(f"={col}{linked}") for col in MONEY_COLUMNS]


def _amount(amount: int | None, needs: Sequence[str]) -> int | str:
    """A known amount as a number; an unknown one as the text "rate needed: …"."""
    return fig.money(None, "", needs) if amount is None else amount


def _sum_or_needed(formula: Formula, needs: Sequence[str]) -> Formula | str:
    """A sum over text cells would count them as 0 and show a figure nobody gave: where a
    rate is needed, the total says so instead."""
    return fig.needed(needs) if needs else formula


def _sums_or_needed(formulas: Sequence[Formula], needs: Sequence[str]) -> list[Formula | str]:
    """The amount's, the low's and the high's sums (each over its own column), or what
    they need."""
    return [_sum_or_needed(f, needs) for f in formulas]


def _sum_range(first: int, last: int, col: str = AMOUNT_COLUMN) -> Formula:
    return Formula(f"=SUM({col}{first}:{col}{last})")


def _sum_of(rows: Sequence[int], col: str = AMOUNT_COLUMN) -> Formula:
    return Formula("=SUM(" + ",".join(f"{col}{r}" for r in rows) + ")")


def _total(
    ws: Worksheet,
    row: int,
    labels: Row,
    *formulas: Formula | str | int,
    fill: PatternFill = GROUP_FILL,
) -> None:
    _emphasise(_put(ws, row, (*labels, *formulas)), fill)


# --- Assumptions ---------------------------------------------------------------------------


def _assumptions_sheet(ws: Worksheet, evaluation: Evaluation) -> None:
    titles = (_p("column", "Key"), _p("column", "Value"), _p("column", "Origin"))
    _header(ws, (*titles, _p("column", "Source")), (32, 16, 10, 100))
    for row, a in enumerate(evaluation.assumptions, 2):
        cells = _put(ws, row, (a.key, a.value, a.origin, a.source))
        cells[3].alignment = WRAP
    ws.auto_filter.ref = f"A1:D{max(len(evaluation.assumptions) + 1, 1)}"


# --- Timeline ------------------------------------------------------------------------------

FIRST_WEEK_COLUMN = 4  # after Item, Start, End


def _timeline_sheet(ws: Worksheet, evaluation: Evaluation) -> None:
    """A weekly Gantt grid of the project, bars drawn with cell fills.

    It covers the project up to the certification decision: the surveillance audits years
    later would make the grid too wide to read, and they are on the Tasks sheet.
    """
    groups = [g for g in plan_groups(evaluation) if g.number is not None]
    weeks = _weeks(evaluation.plan.start, evaluation.plan.certification_date)
    _header(ws, (_p("column", "Item"), _p("column", "Start"), _p("column", "End")), (60, 12, 12))
    for offset, monday in enumerate(weeks):
        column = FIRST_WEEK_COLUMN + offset
        cell = ws.cell(row=1, column=column, value=monday)
        cell.number_format = WEEK_FORMAT
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(text_rotation=90, horizontal="center")
        ws.column_dimensions[get_column_letter(column)].width = 3.2
    ws.row_dimensions[1].height = 58
    ws.freeze_panes = f"{get_column_letter(FIRST_WEEK_COLUMN)}2"
    row = 2
    for group in groups:
        _bar_row(ws, row, weeks, f"{group.number}. {group.title}", group.start, group.end, "stage")
        _emphasise([_cell(ws, row, 1)], GROUP_FILL)
        row += 1
        for item in group.items:
            _bar_row(ws, row, weeks, item.title, item.start, item.end, item.kind)
            _cell(ws, row, 1).alignment = INDENT
            row += 1
    note = _(
        "Surveillance and recertification audits follow later: see the {sheet} sheet.",
        sheet=sheet_names()[0],
    )
    ws.cell(row=row + 1, column=1, value=note).font = Font(italic=True)


def _weeks(start: dt.date, end: dt.date) -> list[dt.date]:
    monday = start - dt.timedelta(days=start.weekday())
    count = (end - monday).days // 7 + 1
    return [monday + dt.timedelta(weeks=n) for n in range(count)]


def _bar_row(
    ws: Worksheet,
    row: int,
    weeks: Sequence[dt.date],
    label: str,
    start: dt.date,
    end: dt.date,
    kind: str,
) -> None:
    cells = _put(ws, row, (label, start, end))
    for cell in cells[1:]:
        cell.number_format = DATE_FORMAT
    fill = BAR_FILLS.get(kind, BAR_FILLS["task"])
    point = start == end  # a milestone or audit day: one marked week, not a bar
    for offset, monday in enumerate(weeks):
        if monday <= end and start <= monday + dt.timedelta(days=6):
            cell = _cell(ws, row, FIRST_WEEK_COLUMN + offset)
            cell.fill = fill
            if point:
                cell.value = MARKER
                cell.font = MARKER_FONT
                cell.alignment = CENTRE
