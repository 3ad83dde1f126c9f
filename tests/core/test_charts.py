"""What the charts draw, read from the figures before they become pixels: each bar, mark and
line at its dates, in the style its legend entry promises, with nothing cut off.

The legend is the chart's own documentation for a reader: a mark whose colour, line style or
marker differs from its entry misleads, so every mark is checked against the entry it stands
for. Dates are converted here with matplotlib's `date2num`, not with the code under test.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import matplotlib.dates as mdates
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import BboxBase

from iso20k_core.report import charts
from iso20k_core.results import AuditBatch, Evaluation
from tests.core.test_report import CASES, NO_ANSWERS, evaluation


def x(day: dt.date) -> float:
    return float(mdates.date2num(dt.datetime(day.year, day.month, day.day)))  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class Style:
    """What a legend entry promises: a patch's fill and edge, a line's colour, style, marker."""

    colour: str
    edge: str | None = None
    linestyle: str | None = None
    marker: str | None = None


def style_of(artist: object) -> Style:
    if isinstance(artist, Rectangle):
        edge = to_hex(artist.get_edgecolor(), keep_alpha=True)
        return Style(to_hex(artist.get_facecolor()), None if edge.endswith("00") else edge[:7])
    assert isinstance(artist, Line2D), artist
    marker = str(artist.get_marker())
    linestyle = str(artist.get_linestyle())
    return Style(
        to_hex(str(artist.get_color())),
        linestyle=None if linestyle == "None" else linestyle,
        marker=None if marker == "None" else marker,
    )


def legend(fig: Figure) -> dict[str, Style]:
    (box,) = fig.legends
    return {
        text.get_text(): style_of(handle)
        for handle, text in zip(box.legend_handles, box.get_texts(), strict=True)
    }


def rows(ax: Axes) -> list[str]:
    return [label.get_text() for label in ax.get_yticklabels()]


def bold_rows(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"]


def bars(ax: Axes) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def bar_at(ax: Axes, row: int, left: float) -> Rectangle:
    found = [b for b in bars(ax) if b.get_y() + b.get_height() / 2 == row and b.get_x() == left]
    assert len(found) == 1, (row, left, found)
    return found[0]


def points(line: Line2D) -> list[tuple[float, float]]:
    return [(float(px), float(py)) for px, py in np.asarray(line.get_xydata(), dtype=float)]


def marks(ax: Axes, marker: str) -> list[tuple[float, float]]:
    return [p for line in ax.lines if line.get_marker() == marker for p in points(line)]


def vertical_lines(ax: Axes) -> dict[float, list[Style]]:
    """The styles of the lines across the whole panel (axvline: x in data, y from 0 to 1 of
    the axes), by their x (a target date may fall on the certification date)."""
    found: dict[float, list[Style]] = {}
    for line in ax.lines:
        match points(line):
            case [(x0, 0.0), (x1, 1.0)] if x0 == x1:
                found.setdefault(x0, []).append(style_of(line))
    return found


def gantt(case: str, with_tasks: bool = True) -> tuple[Evaluation, Figure, Axes, Axes]:
    e = evaluation(case)
    fig = charts.gantt_figure(e, with_tasks=with_tasks)
    project, cycle = fig.axes
    return e, fig, project, cycle


def project_audits(e: Evaluation) -> list[AuditBatch]:
    return [b for b in e.plan.audit_batches if b.planned_date <= e.plan.certification_date]


# --- the plan -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_gantt_rows_are_stages_tasks_milestones_and_audits(case: str) -> None:
    e, _fig, project, cycle = gantt(case)
    p = e.plan
    stages = [f"{s.number}  {s.title}" for s in p.stages]
    audits = [f"{b.title} (booked)" if b.booked else b.title for b in project_audits(e)]
    assert rows(project)[: len(stages)] == stages
    assert rows(project)[len(stages) + len(p.tasks) :] == ["Milestones", *audits]
    assert bold_rows(project) == [*stages, "Milestones", *audits]  # tasks in plain type
    assert rows(cycle) == bold_rows(cycle) == [b.title for b in p.audit_batches]
    # the first row on top, every row inside the panel
    low, high = project.get_ylim()
    assert high < 0 < len(rows(project)) - 1 < low


@pytest.mark.parametrize("case", CASES)
def test_gantt_bars_span_each_stage_and_task_in_its_legend_colour(case: str) -> None:
    e, fig, project, _cycle = gantt(case)
    key = legend(fig)
    for row, stage in enumerate(e.plan.stages):
        bar = bar_at(project, row, x(stage.start))
        assert bar.get_width() == x(stage.end) - x(stage.start) + 1  # dates are inclusive
        assert style_of(bar).colour == key["Stage"].colour
    first = len(e.plan.stages)
    for row, task in enumerate(e.plan.tasks, start=first):
        bar = bar_at(project, row, x(task.start))
        assert bar.get_width() == x(task.end) - x(task.start) + 1
        band = "≥ 2" if task.gap >= 2 else "1 to 2" if task.gap >= 1 else "< 1"
        assert style_of(bar).colour == key[f"Task, gap {band}"].colour
        assert bar.get_height() < bar_at(project, 0, x(e.plan.stages[0].start)).get_height()


def test_the_gap_bands_meet_at_one_and_two_levels() -> None:
    e = evaluation("small-it-department")
    task = e.plan.tasks[0]
    gaps = (2.0, 1.99, 1.0, 0.99, 0.0)
    tasks = tuple(task.model_copy(update={"gap": g}) for g in gaps)
    fig = charts.gantt_figure(
        e.model_copy(update={"plan": e.plan.model_copy(update={"tasks": tasks})})
    )
    key = legend(fig)
    colours = [
        style_of(bar_at(fig.axes[0], len(e.plan.stages) + n, x(task.start))).colour
        for n in range(5)
    ]
    expected = [
        "Task, gap ≥ 2",
        "Task, gap 1 to 2",
        "Task, gap 1 to 2",
        "Task, gap < 1",
        "Task, gap < 1",
    ]
    assert colours == [key[label].colour for label in expected]
    assert len(set(colours)) == 3


@pytest.mark.parametrize("case", CASES)
def test_gantt_milestones_sit_on_their_row_at_their_dates(case: str) -> None:
    e, fig, project, _cycle = gantt(case)
    row = rows(project).index("Milestones")
    assert sorted(marks(project, "D")) == sorted((x(m.date), row) for m in e.plan.milestones)
    (line,) = [line for line in project.lines if line.get_marker() == "D"]
    assert style_of(line) == legend(fig)["Milestone"]


def assert_audit_drawn(ax: Axes, batch: AuditBatch, row: int, key: dict[str, Style]) -> None:
    reserve = bar_at(ax, row, x(batch.planned_date))
    assert reserve.get_width() == x(batch.window_end) - x(batch.planned_date) + 1
    assert style_of(reserve) == key["Reserve for the body"]
    assert (x(batch.planned_date), row) in marks(ax, "s")
    planned = [line for line in ax.lines if line.get_marker() == "s"]
    assert all(style_of(line) == key["Audit planned"] for line in planned)
    if batch.booking_deadline is None:
        return
    assert (x(batch.booking_deadline), row) in marks(ax, "v")
    deadline = [line for line in ax.lines if line.get_marker() == "v"]
    assert all(style_of(line) == key["Book audit by"] for line in deadline)
    # a dashed lead from the booking deadline to the audit, on the audit's row
    leads = [
        line
        for line in ax.lines
        if points(line) == [(x(batch.booking_deadline), row), (x(batch.planned_date), row)]
    ]
    assert len(leads) == 1 and leads[0].get_linestyle() == "--"


@pytest.mark.parametrize("case", CASES)
def test_gantt_audits_show_deadline_date_and_reserve_on_both_panels(case: str) -> None:
    e, fig, project, cycle = gantt(case)
    key = legend(fig)
    first = rows(project).index("Milestones") + 1
    for row, batch in enumerate(project_audits(e), start=first):
        assert_audit_drawn(project, batch, row, key)
    for row, batch in enumerate(e.plan.audit_batches):
        assert_audit_drawn(cycle, batch, row, key)
    assert marks(cycle, "s") == [
        (x(b.planned_date), row) for row, b in enumerate(e.plan.audit_batches)
    ]


@pytest.mark.parametrize("case", CASES)
def test_gantt_decision_expiry_and_improvement_window_as_the_legend_says(case: str) -> None:
    e, fig, project, cycle = gantt(case)
    p, key = e.plan, legend(fig)
    for ax in (project, cycle):
        assert key["Certification decision"] in vertical_lines(ax)[x(p.certification_date)]
    assert vertical_lines(cycle)[x(p.certificate_expiry)] == [key["Certificate expiry"]]
    assert x(p.certificate_expiry) not in vertical_lines(project)
    # the improvement window after stage 1 and the nonconformity window after stage 2
    shade = key["Windows to correct findings"].colour
    windows = [b for b in bars(project) if style_of(b).colour == shade]
    assert [(w.get_x(), w.get_x() + w.get_width()) for w in windows] == [
        (x(lo), x(hi) + 1) for lo, hi in (p.improvement_window, p.nonconformity_window)
    ]
    others = [b for b in bars(project) if b not in windows]
    assert max(w.get_zorder() for w in windows) < min(b.get_zorder() for b in others)


@pytest.mark.parametrize("feasible", [True, False, None])
def test_gantt_target_date_line_is_red_only_when_the_target_is_missed(
    feasible: bool | None,
) -> None:
    e = evaluation("small-it-department")
    target = e.plan.certification_date + dt.timedelta(days=30)
    plan = e.plan.model_copy(update={"target_date": target, "target_feasible": feasible})
    fig = charts.gantt_figure(e.model_copy(update={"plan": plan}))
    key = legend(fig)
    (line,) = vertical_lines(fig.axes[0])[x(target)]
    assert line.linestyle == key["Target date"].linestyle == "-."
    expected = key["Certificate expiry"].colour if feasible is False else key["Target date"].colour
    assert line.colour == expected
    assert key["Target date"].colour != key["Certificate expiry"].colour
    assert fig.axes[0].get_xlim()[1] > x(target)


@pytest.mark.parametrize("case", CASES)
def test_gantt_panels_show_every_date_they_draw(case: str) -> None:
    e, _fig, project, cycle = gantt(case)
    p = e.plan
    drawn = [p.start, p.certification_date, *(b.window_end for b in project_audits(e))]
    drawn += [b.booking_deadline for b in project_audits(e) if b.booking_deadline]
    drawn += [d for s in p.stages for d in (s.start, s.end)] + [m.date for m in p.milestones]
    left, right = project.get_xlim()
    assert left < x(min(drawn)) and x(max(drawn)) + 1 < right
    assert right - x(max(drawn)) < 60  # the plan fills the panel: no months of empty space
    left, right = cycle.get_xlim()
    first = [b.booking_deadline or b.planned_date for b in p.audit_batches]
    assert left < x(min(first)) and x(p.certificate_expiry) + 30 < right  # room for the label


@pytest.mark.parametrize("case", CASES)
def test_gantt_legend_lists_what_the_chart_can_show(case: str) -> None:
    e, fig, _project, _cycle = gantt(case)
    expected = ["Stage"]
    if e.plan.tasks:
        expected += ["Task, gap ≥ 2", "Task, gap 1 to 2", "Task, gap < 1"]
    expected += [
        "Milestone", "Book audit by", "Audit planned", "Reserve for the body",
        "Windows to correct findings", "Certification decision", "Certificate expiry",
    ]  # fmt: skip
    if e.plan.target_date is not None:
        expected.append("Target date")
    assert list(legend(fig)) == expected
    styles = list(legend(fig).values())
    assert len(set(styles)) == len(styles)  # no two entries look alike


def test_gantt_for_members_has_no_tasks() -> None:
    e, fig, project, _cycle = gantt("small-it-department", with_tasks=False)
    assert e.plan.tasks
    stages = [f"{s.number}  {s.title}" for s in e.plan.stages]
    assert rows(project)[: len(stages) + 1] == [*stages, "Milestones"]
    assert not any(label.startswith("Task") for label in legend(fig))


def test_gantt_height_grows_a_fifth_of_an_inch_a_row() -> None:
    e = evaluation("small-it-department")
    fewer = e.plan.model_copy(update={"tasks": e.plan.tasks[:8]})
    full, short = charts.gantt_figure(e), charts.gantt_figure(e.model_copy(update={"plan": fewer}))
    assert full.get_figwidth() == short.get_figwidth() == charts.WIDTH_IN  # A4 text width
    per_row = (full.get_figheight() - short.get_figheight()) / (len(e.plan.tasks) - 8)
    assert 0.18 < per_row < 0.22  # the plan keeps to one page


# --- costs and maturity ---------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_cost_chart_has_a_bar_and_an_amount_per_part_and_internal_effort(case: str) -> None:
    e = evaluation(case)
    c = e.costs
    fig = charts.cost_figure(e)
    (ax,) = fig.axes
    amounts = [part.amount for part in c.parts] + [c.internal_cost]
    assert rows(ax) == [part.title for part in c.parts] + [
        f"Internal effort ({c.internal_days:,} person-days)"
    ]
    drawn = [bar_at(ax, row, 0.0) for row in range(len(amounts))]
    assert [bar.get_width() for bar in drawn] == amounts
    paid, staff = drawn[:-1], drawn[-1]
    assert len({style_of(bar).colour for bar in paid}) == 1
    assert style_of(staff).colour != style_of(paid[0]).colour and staff.get_hatch()
    labels = [t.get_text() for t in ax.texts]
    assert labels == [f"{amount:,} {c.currency}" for amount in amounts]
    for text, amount in zip(ax.texts, amounts, strict=True):
        assert text.get_position()[0] > amount  # beside its bar, not over it
    assert ax.get_xlim()[1] > max(amounts, default=0) * 1.2  # room for the longest amount
    assert ax.get_xlabel() == c.currency
    assert ax.get_title(loc="left").startswith(f"Project cost {c.project_total:,} {c.currency}")


@pytest.mark.parametrize("case", CASES)
def test_maturity_chart_has_a_bar_and_a_required_mark_per_clause_area(case: str) -> None:
    e = evaluation(case)
    fig = charts.maturity_figure(e)
    (ax,) = fig.axes
    areas = charts.requirement_areas(e)
    key = legend(fig)
    assert len(rows(ax)) == len(areas)
    for row, area in enumerate(areas):
        bar = bar_at(ax, row, 0.0)
        assert bar.get_width() == area.maturity
        assert style_of(bar).colour == key[area.compliance.capitalize()].colour
    (marks_drawn,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    segments = [tuple(map(tuple, s)) for s in marks_drawn.get_segments()]
    required = [(row, a.required) for row, a in enumerate(areas) if a.required is not None]
    assert [(s[0][0], (s[0][1] + s[1][1]) / 2) for s in segments] == [
        (r, row) for row, r in required
    ]
    assert all(s[0][0] == s[1][0] and abs(s[1][1] - s[0][1]) < 1 for s in segments)
    colour = np.asarray(marks_drawn.get_colors(), dtype=float)[0].tolist()
    assert to_hex(colour) == key["Required level"].colour
    notes = [t.get_text() for t in ax.texts]
    assert notes == [
        "not assessed" if a.compliance == "not assessed" else f"{a.maturity:.1f}" for a in areas
    ]
    for text, area in zip(ax.texts, areas, strict=True):
        assert text.get_position()[0] > area.maturity  # beside the bar
        if area.required is not None and abs(area.required - area.maturity) < 0.3:
            assert text.get_position()[0] > area.required  # and past the mark it would hide
    assert ax.get_xlim() == (0.0, 5.3)
    assert list(legend(fig)) == ["Met", "Partly met", "Not met", "Not assessed", "Required level"]


def test_no_answers_shows_every_area_not_assessed() -> None:
    fig = charts.maturity_figure(evaluation(NO_ANSWERS))
    assert {t.get_text() for t in fig.axes[0].texts} == {"not assessed"}


# --- layout -------------------------------------------------------------------------------


def boxes(fig: Figure) -> tuple[BboxBase, list[tuple[str, BboxBase]], list[BboxBase]]:
    """The figure's box, every text with its box, and the plot areas, as drawn."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    texts: list[tuple[str, BboxBase]] = []
    for ax in fig.axes:
        lo, hi = sorted(ax.get_xlim())
        shown = [  # matplotlib lists ticks beyond the view too, and does not draw them
            t for t, at in zip(ax.get_xticklabels(), ax.get_xticks(), strict=True) if lo <= at <= hi
        ]
        titles_and_notes = [c for c in ax.get_children() if isinstance(c, Text)]
        labels = [*shown, *ax.get_yticklabels(), ax.xaxis.label, *titles_and_notes]
        texts += [
            (f"axes {t.get_text()!r}", t.get_window_extent(renderer))
            for t in labels
            if t.get_text()
        ]
    for box in fig.legends:
        texts.append(("legend", box.get_window_extent(renderer)))
    plots: list[BboxBase] = [ax.get_window_extent(renderer) for ax in fig.axes]
    return fig.bbox, texts, plots


def overlap(a: BboxBase, b: BboxBase) -> bool:
    return bool(a.x0 < b.x1 - 1 and b.x0 < a.x1 - 1 and a.y0 < b.y1 - 1 and b.y0 < a.y1 - 1)


@pytest.mark.parametrize("chart", ["gantt", "gantt_members", "cost", "maturity"])
@pytest.mark.parametrize("case", CASES)
def test_nothing_is_cut_off_and_the_legend_covers_nothing(case: str, chart: str) -> None:
    fig = charts.CHARTS[chart](evaluation(case))  # type: ignore[index]
    page, texts, plots = boxes(fig)
    for name, box in texts:
        inside = page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1
        assert inside and page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1, (name, box, page)
    legends = [box for name, box in texts if name == "legend"]
    for legend_box in legends:
        assert not [name for name, box in texts if name != "legend" and overlap(box, legend_box)]
        assert not [plot for plot in plots if overlap(plot, legend_box)]
    words = [(name, box) for name, box in texts if name != "legend"]
    crowded = [
        (a, b)
        for (a, box_a), (b, box_b) in itertools.combinations(words, 2)
        if overlap(box_a, box_b)
    ]
    assert crowded == []
    for ax in fig.axes:  # rows a readable distance apart, about a fifth of an inch
        ys = sorted(t.get_window_extent().y0 for t in ax.get_yticklabels())
        gaps = [(b - a) / fig.dpi for a, b in itertools.pairwise(ys)]
        assert all(gap > 0.15 for gap in gaps), min(gaps)
    for upper, lower in itertools.pairwise(plots):
        assert upper.y0 > lower.y1  # the panels apart, the cycle's title between them
    titles = [box for name, box in texts if name.startswith("axes") and box.y0 >= plots[0].y1 - 1]
    assert titles, "each chart has its title above the plot"


def test_each_chart_has_its_title() -> None:
    e = evaluation("small-it-department")
    titles = {
        name: [ax.get_title(loc="left") for ax in charts.CHARTS[name](e).axes]
        for name in ("gantt", "cost", "maturity")
    }
    p = e.plan
    assert titles["gantt"] == [
        f"Project: {p.start.isoformat()} to certification {p.certification_date}",
        f"Certification cycle: certificate valid until {p.certificate_expiry}",
    ]
    assert titles["maturity"] == ["Maturity against the level certification needs, by clause"]
    assert titles["cost"][0].endswith("and internal effort")


def test_the_cost_bars_start_at_zero() -> None:
    (ax,) = charts.cost_figure(evaluation("small-it-department")).axes
    assert ax.get_xlim()[0] == 0
