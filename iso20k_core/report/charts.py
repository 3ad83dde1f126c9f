"""Charts for the feasibility report: the plan as a Gantt chart, the costs, the maturity gaps.

Pure functions from an `Evaluation` to image bytes. They build `matplotlib.figure.Figure`
objects directly, never through pyplot: no global figure registry, no interactive backend and
nothing to close, a figure is garbage once its bytes are written.

The same evaluation always yields the same bytes, so charts are cached (`chart`, keyed as
memo.py says; `draw` draws afresh), compared and tested: fixed size, DPI and font (DejaVu Sans
ships with matplotlib, so every machine has it; Chinese text falls back glyph by glyph to the
system's CJK font, fonts.py), colours and fonts set on each artist rather than taken from the
rc settings, and no timestamp or software version in the file's metadata.

Every word on a chart is written in the active language (iso20k_core.language), dates on the
axes too.

Margins are computed from the measured label widths instead of matplotlib's constrained
layout: the layout engine draws every text once more, and the HTML report has a budget of
half a second including its three charts.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import matplotlib
import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.textpath import TextToPath
from matplotlib.ticker import FuncFormatter, MultipleLocator

from iso20k_core import figures
from iso20k_core.language import N_, _, _n, _p
from iso20k_core.report import fonts, memo
from iso20k_core.results import AreaResult, AuditBatch, Compliance, Evaluation
from iso20k_core.text import cells

ImageFormat = Literal["png", "svg"]
# "gantt_members": the plan without its tasks, for everyone (the tasks are for managers).
ChartName = Literal["gantt", "gantt_members", "cost", "maturity"]

DPI = 150
WIDTH_IN = 6.9  # the text width of an A4 page with the report's margins: printed 1:1
ROW_IN = 0.24  # height of one bar row
GANTT_ROW_IN = 0.2  # the plan has many rows: keep it to one page
# DejaVu Sans, then the system's CJK font where there is one (fonts.py).
FONT_FAMILY = fonts.families()
FONT = FontProperties(family=FONT_FAMILY, size=8)
BOLD = FontProperties(family=FONT_FAMILY, size=8, weight="bold")
SMALL = FontProperties(family=FONT_FAMILY, size=7)
TITLE = FontProperties(family=FONT_FAMILY, size=10, weight="bold")

# The report's palette (report.css uses the same values).
INK = "#1f2d3d"
NAVY = "#1f4e79"
PALE_BLUE = "#cfe0f1"
GRID = "#d9dee4"
MUTED = "#7f8c99"
RED = "#c0392b"
AMBER = "#e09b2d"
GREEN = "#2e8b57"
GREY = "#b8c0c8"
LIGHT = "#fbeec1"

COMPLIANCE_COLOURS: dict[Compliance, str] = {
    "met": GREEN,
    "partly met": AMBER,
    "not met": RED,
    "not assessed": GREY,
}
COMPLIANCE_LABELS: dict[Compliance, str] = {
    "met": N_("Met"),
    "partly met": N_("Partly met"),
    "not met": N_("Not met"),
    "not assessed": N_("Not assessed"),
}

# PNG: the Software key would name the matplotlib version. SVG: Date is the render time.
_PNG_METADATA: dict[str, str | None] = {"Software": None}
_SVG_METADATA: dict[str, str | None] = {"Date": None, "Creator": None}

# Fixed parts of the layout, in inches.
_TITLE_IN = 0.38  # the axes title above the plot
_XAXIS_IN = 0.32  # x tick labels below the plot
_XLABEL_IN = 0.2  # an x axis label under the tick labels
_LEGEND_ROW_IN = 0.19
_LABEL_PAD_IN = 0.14  # between the longest y label and the axes
_RIGHT_IN = 0.2
_EDGE_IN = 0.08


# --- writing and layout -------------------------------------------------------------------


def _to_bytes(fig: Figure, fmt: ImageFormat) -> bytes:
    out = io.BytesIO()
    if fmt == "png":
        fig.savefig(out, format="png", dpi=DPI, metadata=_PNG_METADATA)
    else:
        # rc_context touches matplotlib's global settings for the duration of the write only:
        # the SVG backend reads the salt from there and has no keyword for it.
        # The SVG writer derives element ids from this salt, else from a random UUID per file.
        with matplotlib.rc_context({"svg.hashsalt": "iso20k-report", "svg.fonttype": "path"}):
            fig.savefig(out, format="svg", dpi=DPI, metadata=_SVG_METADATA)
    return out.getvalue()


def _new_figure(height_in: float) -> Figure:
    return Figure(figsize=(WIDTH_IN, round(height_in, 2)), dpi=DPI, facecolor="white")


def _text_width_in(text: str, font: FontProperties) -> float:
    width, _height, _descent = TextToPath().get_text_width_height_descent(text, font, ismath=False)
    return float(width) / 72  # points


@dataclass(frozen=True)
class _Row:
    label: str
    bold: bool = False


def _left_in(rows: Sequence[_Row]) -> float:
    widest = max((_text_width_in(r.label, BOLD if r.bold else FONT) for r in rows), default=0)
    return _EDGE_IN + widest + _LABEL_PAD_IN


def _legend_in(entries: int, columns: int) -> float:
    return math.ceil(entries / columns) * _LEGEND_ROW_IN + _EDGE_IN if entries else 0.0


def _style_axes(ax: Axes) -> None:
    ax.set_facecolor("white")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(MUTED)
    ax.tick_params(colors=INK, labelsize=FONT.get_size(), labelfontfamily=FONT_FAMILY)
    # The offset text (a date axis's year) is not a tick label: tick_params misses it.
    for axis in (ax.xaxis, ax.yaxis):
        axis.get_offset_text().set_fontfamily(FONT_FAMILY)
    ax.set_axisbelow(True)


def _title(ax: Axes, text: str) -> None:
    """A heading that starts at the figure's left edge, over the labels: the plot area alone
    is too narrow for it."""
    axes_width_in = ax.get_position().width * WIDTH_IN
    x = -(ax.get_position().x0 * WIDTH_IN - _EDGE_IN) / axes_width_in
    ax.set_title(text, fontproperties=TITLE, loc="left", color=INK, pad=8, x=x)


def _legend(fig: Figure, handles: Sequence[Patch | Line2D], columns: int) -> None:
    fig.legend(
        handles=list(handles),
        loc="lower center",
        bbox_to_anchor=(0.5, _EDGE_IN / fig.get_figheight() / 2),
        ncols=columns,
        frameon=False,
        prop=SMALL,
        borderaxespad=0,
        handlelength=1.6,
        columnspacing=1.4,
    )


def _set_rows(ax: Axes, rows: Sequence[_Row]) -> None:
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r.label for r in rows])
    for tick, row in zip(ax.get_yticklabels(), rows, strict=True):
        tick.set_fontproperties(BOLD if row.bold else FONT)
    ax.set_ylim(len(rows) - 0.4, -0.6)  # first row on top
    ax.tick_params(axis="y", length=0)


def _figure_with_rows(
    rows: Sequence[_Row], plot_in: float, bottom_in: float
) -> tuple[Figure, Axes]:
    """A figure with one axes of labelled rows: a title above, `bottom_in` kept below."""
    fig = _new_figure(_TITLE_IN + plot_in + bottom_in)
    height, left_in = fig.get_figheight(), _left_in(rows)
    width = 1 - (left_in + _RIGHT_IN) / WIDTH_IN
    ax = fig.add_axes((left_in / WIDTH_IN, bottom_in / height, width, plot_in / height))
    _style_axes(ax)
    _set_rows(ax, rows)
    return fig, ax


def _shorten(text: str, limit: int = 42) -> str:
    """`text` cut to `limit` columns (a Chinese character takes two) with an ellipsis."""
    if cells(text) <= limit:
        return text
    kept, width = [], 1  # the ellipsis
    for char in text:
        width += cells(char)
        if width > limit:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


# --- the plan -----------------------------------------------------------------------------


# matplotlib.dates has no type hints: the three calls below are the only untyped ones.


def _x(day: dt.date) -> float:
    """matplotlib's date number (days since its epoch), the unit of the date axes."""
    return float(mdates.date2num(dt.datetime(day.year, day.month, day.day)))  # type: ignore[no-untyped-call]


def _span(start: dt.date, end: dt.date) -> tuple[float, float]:
    """A bar from the start of `start` to the end of `end`: plan dates are inclusive."""
    return _x(start), _x(end) - _x(start) + 1.0


def _gap_colour(gap: float) -> str:
    # The plan's own bands: "define and introduce" from 2 levels short, "close the remaining
    # gaps" under 1.
    if gap >= 2.0:
        return RED
    return AMBER if gap >= 1.0 else GREEN


def _date_axis(ax: Axes) -> None:
    locator = mdates.AutoDateLocator(minticks=5, maxticks=12)  # type: ignore[no-untyped-call]
    # strftime names months in the C locale's English: the formats are translated instead
    # (Chinese writes months as numbers: 3月).
    formatter = mdates.ConciseDateFormatter(  # type: ignore[no-untyped-call]
        locator,
        formats=[
            _p("chart years", "%Y"),
            _p("chart months", "%b"),
            _p("chart days", "%d"),
            "%H:%M",
            "%H:%M",
            "%S.%f",
        ],
        offset_formats=[
            "",
            _p("chart years", "%Y"),
            _p("chart year and month", "%Y-%b"),
            _p("chart day", "%Y-%b-%d"),
            _p("chart day", "%Y-%b-%d"),
            "%Y-%b-%d %H:%M",
        ],
    )
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)
    ax.grid(axis="x", color=GRID, linewidth=0.6)


def _project_audits(e: Evaluation) -> tuple[AuditBatch, ...]:
    """The audits that lead to the certificate; the later ones are on the cycle panel."""
    return tuple(b for b in e.plan.audit_batches if b.planned_date <= e.plan.certification_date)


def _project_rows(e: Evaluation) -> list[_Row]:
    p = e.plan
    rows = [_Row(f"{s.number}  {s.title}", bold=True) for s in p.stages]
    rows += [_Row(_shorten(e.area(t.area).title)) for t in p.tasks]
    rows.append(_Row(_("Milestones"), bold=True))
    rows += [_Row(_audit_label(b), bold=True) for b in _project_audits(e)]
    return rows


def _audit_label(batch: AuditBatch) -> str:
    return _("{title} (booked)", title=batch.title) if batch.booked else batch.title


def _cycle_rows(e: Evaluation) -> list[_Row]:
    return [_Row(_audit_label(b), bold=True) for b in e.plan.audit_batches]


def _audit_marks(ax: Axes, batch: AuditBatch, y: float) -> None:
    """Booking deadline, the planned audit and the reserve the certification body may use."""
    left, width = _span(batch.planned_date, batch.window_end)
    ax.barh(y, width, left=left, height=0.5, color=PALE_BLUE, edgecolor=NAVY, linewidth=0.5)
    if batch.booking_deadline is not None:
        book = _x(batch.booking_deadline)
        ax.plot([book, _x(batch.planned_date)], [y, y], color=MUTED, linewidth=0.8, ls="--")
        ax.plot(book, y, marker="v", color=RED, markersize=6, linestyle="none")
    ax.plot(_x(batch.planned_date), y, marker="s", color=NAVY, markersize=5, linestyle="none")


def _draw_bars(ax: Axes, e: Evaluation) -> int:
    """Stages then tasks, one row each; returns the next free row."""
    p = e.plan
    stage_spans = [_span(s.start, s.end) for s in p.stages]
    ax.barh(
        range(len(stage_spans)),
        [w for _, w in stage_spans],
        left=[left for left, _ in stage_spans],
        height=0.6,
        color=NAVY,
    )
    first_task = len(stage_spans)
    task_spans = [_span(t.start, t.end) for t in p.tasks]
    ax.barh(
        range(first_task, first_task + len(task_spans)),
        [w for _, w in task_spans],
        left=[left for left, _ in task_spans],
        height=0.45,
        color=[_gap_colour(t.gap) for t in p.tasks],
    )
    return first_task + len(task_spans)


def _project_limits(e: Evaluation) -> tuple[float, float]:
    p = e.plan
    audits = _project_audits(e)
    dates = [p.start, p.certification_date, *(b.window_end for b in audits)]
    dates += [b.booking_deadline for b in audits if b.booking_deadline is not None]
    if p.target_date is not None:
        dates.append(p.target_date)
    return _x(min(dates)) - 10, _x(max(dates)) + 15


def _draw_project(ax: Axes, e: Evaluation) -> None:
    p = e.plan
    _set_rows(ax, _project_rows(e))
    y = _draw_bars(ax, e)
    milestone_x = [_x(m.date) for m in p.milestones]
    ax.plot(milestone_x, [y] * len(milestone_x), "D", color=INK, markersize=5)
    for offset, batch in enumerate(_project_audits(e), start=1):
        _audit_marks(ax, batch, y + offset)
    # the two windows for correcting findings: after stage 1, and after stage 2
    for lo, hi in (p.improvement_window, p.nonconformity_window):
        ax.axvspan(_x(lo), _x(hi) + 1, color=LIGHT, zorder=0)
    ax.axvline(_x(p.certification_date), color=GREEN, linewidth=1.2, linestyle="--")
    if p.target_date is not None:
        missed = p.target_feasible is False
        ax.axvline(_x(p.target_date), color=RED if missed else MUTED, linewidth=1.0, ls="-.")
    ax.set_xlim(*_project_limits(e))
    _date_axis(ax)
    _title(
        ax,
        _(
            "Project: {start} to certification {decision}",
            start=figures.date(p.start),
            decision=figures.date(p.certification_date),
        ),
    )


def _draw_cycle(ax: Axes, e: Evaluation) -> None:
    p = e.plan
    _set_rows(ax, _cycle_rows(e))
    for y, batch in enumerate(p.audit_batches):
        _audit_marks(ax, batch, y)
    ax.axvline(_x(p.certification_date), color=GREEN, linewidth=1.2, linestyle="--")
    ax.axvline(_x(p.certificate_expiry), color=RED, linewidth=1.2, linestyle=":")
    first = min((b.booking_deadline or b.planned_date for b in p.audit_batches), default=p.start)
    ax.set_xlim(_x(first) - 20, _x(p.certificate_expiry) + 40)
    _date_axis(ax)
    expiry = figures.date(p.certificate_expiry)
    _title(ax, _("Certification cycle: certificate valid until {expiry}", expiry=expiry))


def _plan_legend(e: Evaluation) -> list[Patch | Line2D]:
    handles: list[Patch | Line2D] = [Patch(color=NAVY, label=_("Stage"))]
    if e.plan.tasks:
        handles += [
            Patch(color=RED, label=_("Task, gap ≥ 2")),
            Patch(color=AMBER, label=_("Task, gap 1 to 2")),
            Patch(color=GREEN, label=_("Task, gap < 1")),
        ]
    handles += [
        Line2D([], [], marker="D", color=INK, ls="none", markersize=5, label=_("Milestone")),
        Line2D([], [], marker="v", color=RED, ls="none", markersize=6, label=_("Book audit by")),
        Line2D([], [], marker="s", color=NAVY, ls="none", markersize=5, label=_("Audit planned")),
        Patch(facecolor=PALE_BLUE, edgecolor=NAVY, label=_("Reserve for the body")),
        Patch(color=LIGHT, label=_("Windows to correct findings")),
        Line2D([], [], color=GREEN, ls="--", label=_("Certification decision")),
        Line2D([], [], color=RED, ls=":", label=_("Certificate expiry")),
    ]
    if e.plan.target_date is not None:
        handles.append(Line2D([], [], color=MUTED, ls="-.", label=_("Target date")))
    return handles


def gantt_figure(e: Evaluation, with_tasks: bool = True) -> Figure:
    """The plan; `with_tasks=False` leaves out the process tasks (their owners and effort are
    staffing, for managers only: README), keeping stages, milestones and audits."""
    if not with_tasks:
        e = e.model_copy(update={"plan": e.plan.model_copy(update={"tasks": ()})})
    project_rows, cycle_rows = _project_rows(e), _cycle_rows(e)
    legend = _plan_legend(e)
    gap_in = _XAXIS_IN + _TITLE_IN + 0.1  # between the panels: date labels and a title
    bottom_in = _EDGE_IN + _legend_in(len(legend), 4) + _XAXIS_IN
    plot_in = GANTT_ROW_IN * (len(project_rows) + len(cycle_rows) + 2)
    fig = _new_figure(_TITLE_IN + plot_in + gap_in + bottom_in)
    height, left_in = fig.get_figheight(), _left_in([*project_rows, *cycle_rows])
    grid = fig.add_gridspec(
        2,
        1,
        height_ratios=[len(project_rows) + 1, len(cycle_rows) + 1],
        left=left_in / WIDTH_IN,
        right=1 - _RIGHT_IN / WIDTH_IN,
        top=1 - _TITLE_IN / height,
        bottom=bottom_in / height,
        hspace=2 * gap_in / plot_in,  # hspace is relative to the mean panel height
    )
    project, cycle = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    for ax in (project, cycle):
        _style_axes(ax)
    _draw_project(project, e)
    _draw_cycle(cycle, e)
    _legend(fig, legend, columns=4)
    return fig


# --- costs --------------------------------------------------------------------------------


def _bar_label(amount: int | None, currency: str, needs: tuple[str, ...]) -> str:
    """The amount beside its bar; an unknown one names its rate, or counts several (they do
    not fit beside a bar: the cost table names them)."""
    if amount is None and len(needs) > 1:
        return _n("{n} rate needed", "{n} rates needed", len(needs))
    return figures.money(amount, currency, needs)


def _cost_rows(e: Evaluation) -> tuple[list[_Row], list[int], list[str]]:
    """Rows, bar lengths and labels. An unknown amount has no bar, only its label ("rate
    needed: …"): the chart never draws a figure nobody has given."""
    c = e.costs
    rows = [_Row(part.title) for part in c.parts]
    days = figures.count(c.internal_days)
    rows.append(_Row(_("Internal effort ({days} person-days)", days=days)))
    amounts = [part.amount for part in c.parts] + [c.internal_cost]
    needs = [part.needs for part in c.parts] + [c.internal_needs]
    labels = [_bar_label(x, c.currency, n) for x, n in zip(amounts, needs, strict=True)]
    return rows, [x or 0 for x in amounts], labels


def cost_figure(e: Evaluation) -> Figure:
    c = e.costs
    rows, amounts, labels = _cost_rows(e)
    plot_in = ROW_IN * 1.5 * len(rows)
    bottom_in = _EDGE_IN + _XAXIS_IN + _XLABEL_IN
    fig, ax = _figure_with_rows(rows, plot_in, bottom_in)
    colours = [NAVY] * (len(rows) - 1) + [GREY]
    bars = ax.barh(range(len(rows)), amounts, height=0.6, color=colours)
    bars[-1].set_hatch("///")  # staff time, not money paid out: set apart from the five parts
    bars[-1].set_edgecolor("white")
    top = max(amounts, default=0) or 1
    for y, (amount, label) in enumerate(zip(amounts, labels, strict=True)):
        ax.text(amount + top * 0.01, y, label, va="center", fontproperties=FONT, color=INK)
    ax.set_xlim(0, top * 1.25)  # room for the amount beside the longest bar
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: figures.count(round(value))))
    if not max(amounts, default=0):  # nothing known to scale: no axis of made-up figures
        ax.set_xticks([])
    else:  # a tick at the right edge would have its label cut off by the figure's border
        ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= top * 1.15])
    ax.set_xlabel(c.currency, fontproperties=FONT, color=INK, labelpad=2)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    # The title stays short: the bars' labels name the rates needed.
    if c.project_total is None:
        _title(ax, _("Project cost (rates needed) and internal effort"))
    else:
        total = figures.money(c.project_total, c.currency)
        _title(ax, _("Project cost {total} and internal effort", total=total))
    return fig


# --- maturity -----------------------------------------------------------------------------


def clause_key(clause: str | None) -> tuple[int, ...]:
    """'8.2.10' after '8.2.9': clauses compare as numbers; areas without one go last."""
    if not clause:
        return (999,)
    return tuple(int(part) if part.isdigit() else 999 for part in clause.split("."))


def requirement_areas(e: Evaluation) -> list[AreaResult]:
    """The clause 4 to 10 areas in the standard's order (the foundation areas have no clause
    order of their own)."""
    areas = [a for a in e.areas if a.kind == "requirements"]
    return sorted(areas, key=lambda a: (clause_key(a.clause), a.id))


def _maturity_note(ax: Axes, a: AreaResult, y: int) -> None:
    """The value beside its bar; moved past the required mark when the two would overlap."""
    note = _("not assessed") if a.compliance == "not assessed" else figures.level(a.maturity)
    x = a.maturity + 0.05
    if a.required is not None and -0.05 <= a.required - a.maturity < 0.35:
        x = a.required + 0.08
    ax.text(x, y, note, va="center", fontproperties=SMALL, color=INK)


def _maturity_legend() -> list[Patch | Line2D]:
    handles: list[Patch | Line2D] = [
        Patch(color=colour, label=_(COMPLIANCE_LABELS[compliance]))
        for compliance, colour in COMPLIANCE_COLOURS.items()
    ]
    handles.append(Line2D([], [], color=INK, linewidth=2.0, label=_("Required level")))
    return handles


def maturity_figure(e: Evaluation) -> Figure:
    areas = requirement_areas(e)
    rows = [_Row(f"{a.clause or '–'}  {_shorten(a.title, 38)}") for a in areas]
    legend = _maturity_legend()
    plot_in = ROW_IN * max(len(rows), 1)
    bottom_in = _EDGE_IN + _legend_in(len(legend), 5) + _XAXIS_IN + _XLABEL_IN
    fig, ax = _figure_with_rows(rows, plot_in, bottom_in)
    colours = [COMPLIANCE_COLOURS[a.compliance] for a in areas]
    ax.barh(range(len(areas)), [a.maturity for a in areas], height=0.6, color=colours)
    marks = [(y, a.required) for y, a in enumerate(areas) if a.required is not None]
    ax.vlines(
        [r for _, r in marks],
        [y - 0.42 for y, _ in marks],
        [y + 0.42 for y, _ in marks],
        colors=INK,
        linewidth=2.0,
    )
    for y, area in enumerate(areas):
        _maturity_note(ax, area, y)
    ax.set_xlim(0, 5.3)
    ax.xaxis.set_major_locator(MultipleLocator(1))
    ax.set_xlabel(_("Maturity (0 = absent, 5 = optimised)"), fontproperties=FONT, color=INK)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    _title(ax, _("Maturity against the level certification needs, by clause"))
    _legend(fig, legend, columns=5)
    return fig


# --- the public functions -----------------------------------------------------------------

CHARTS: dict[ChartName, Callable[[Evaluation], Figure]] = {
    "gantt": gantt_figure,
    "gantt_members": lambda e: gantt_figure(e, with_tasks=False),
    "cost": cost_figure,
    "maturity": maturity_figure,
}


def chart(e: Evaluation, name: ChartName, fmt: ImageFormat = "png") -> bytes:
    """The chart, drawn once per evaluation, chart and format (memo.py: the key, the bound)."""
    return _kept(memo.key(e), name, fmt)


@functools.lru_cache(maxsize=memo.CHARTS_KEPT)
def _kept(key: memo.EvaluationKey, name: ChartName, fmt: ImageFormat) -> bytes:
    return draw(key.evaluation, name, fmt)


def draw(e: Evaluation, name: ChartName, fmt: ImageFormat = "png") -> bytes:
    """The chart drawn afresh, never from the cache. Raises `fonts.MissingFontError` when it
    has Chinese text and no CJK font is installed (it would draw empty boxes)."""
    figure = CHARTS[name](e)
    fonts.require_glyphs(" ".join(t.get_text() for t in figure.findobj(Text)))
    return _to_bytes(figure, fmt)


def gantt_png(e: Evaluation, with_tasks: bool = True) -> bytes:
    return chart(e, "gantt" if with_tasks else "gantt_members", "png")


def cost_png(e: Evaluation) -> bytes:
    return chart(e, "cost", "png")


def maturity_png(e: Evaluation) -> bytes:
    return chart(e, "maturity", "png")


def gantt_svg(e: Evaluation) -> bytes:
    return chart(e, "gantt", "svg")


def cost_svg(e: Evaluation) -> bytes:
    return chart(e, "cost", "svg")


def maturity_svg(e: Evaluation) -> bytes:
    return chart(e, "maturity", "svg")
