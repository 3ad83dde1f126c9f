"""The feasibility report: the whole evaluation in front of senior management.

`render_report(evaluation, "md" | "html" | "pdf")` renders nine sections and an appendix, in a
fixed order under fixed headings (`SECTIONS`), from templates beside this module:
`report.md.j2`, `report.html.j2` (with `report.css`) and `report_text.j2`, the wording both
share. This module only derives the facts the templates need (what is missing, which areas
are weakest, which audit to book first); the sentences are in the templates, where a
consultant can change them without touching code.

The report is written in the language active where it renders (iso20k_core.language): the
headings, the templates' messages, the charts' titles and descriptions; `<html lang>` says
which. In Chinese the sections read as a consultant's feasibility report does (可行性分析 with
管理基础分析 and 效益分析, 认证实施计划, 资源与费用, 风险因素及对策, 结论): the translations of the
English headings, the structure the same.

The HTML is one self-contained file: the charts are embedded as data URIs and nothing refers
to the network. The PDF is that HTML laid out by WeasyPrint with a URL fetcher that refuses
everything but data URIs, so a stray reference fails the rendering instead of fetching.

`render_report` keeps what it rendered per evaluation and language (memo.py): WeasyPrint
alone takes over a second for the PDF even when the charts come from their cache, and the
same evaluation gives the same bytes.
"""

from __future__ import annotations

import base64
import functools
import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

import jinja2
from markupsafe import Markup

from iso20k_core import figures as fig
from iso20k_core.audit import MAX_REDUCTION_PERCENT, round_up_half
from iso20k_core.language import N_, _, _p, active
from iso20k_core.report import charts, fonts, memo

# One formatting of every figure across the summary and the report (figures.py).
from iso20k_core.report.render import make_environment
from iso20k_core.results import (
    AreaResult,
    AuditBatch,
    BenefitResult,
    Compliance,
    Evaluation,
    Risk,
    rates_needed,
)
from iso20k_core.scoring import LOW_BENEFIT_SCORE, PROVISIONAL_COMPLETION

ReportFormat = Literal["md", "html", "pdf"]
REPORT_FORMATS: tuple[ReportFormat, ...] = ("md", "html", "pdf")

TOP_BENEFITS = 3
TOP_RISKS = 3


@dataclass(frozen=True)
class Section:
    key: str  # the HTML anchor
    title: str


# The headings are part of the report's contract: tests, exports and people's bookmarks
# rely on them. Change the wording here, never in a template. They are written in the
# reader's language where the report renders (`sections()`); the anchors stay the keys.
SECTIONS: tuple[Section, ...] = (
    Section("introduction", N_("1 Introduction to ISO/IEC 20000 and certification")),
    Section("foundation", N_("2 Management foundation analysis")),
    Section("benefits", N_("3 Benefit analysis")),
    Section("verdict", N_("4 Feasibility verdict and what drove it")),
    Section("gaps", N_("5 Gap analysis per area")),
    Section("plan", N_("6 Implementation plan")),
    Section("costs", N_("7 Resources and costs")),
    Section("risks", N_("8 Risk factors and countermeasures")),
    Section("conclusion", N_("9 Conclusion: is it worth doing, and how")),
    Section("appendix", N_("Appendix: assumptions and sources")),
)


def sections() -> tuple[Section, ...]:
    """The sections with their headings in the active language."""
    return tuple(Section(s.key, _(s.title)) for s in SECTIONS)


COMPLIANCE_ORDER: tuple[Compliance, ...] = ("met", "partly met", "not met", "not assessed")


# --- facts the templates need -------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """Derived from the evaluation, never new judgements: the engine made those."""

    provisional: bool
    unanswered: int
    foundation_management: tuple[AreaResult, ...]
    foundation_technical: tuple[AreaResult, ...]
    foundation_short: tuple[AreaResult, ...]
    requirement_areas: tuple[AreaResult, ...]
    compliance_counts: tuple[tuple[Compliance, int], ...]
    weakest: tuple[AreaResult, ...]
    top_benefits: tuple[BenefitResult, ...]
    low_benefits: bool
    project_audits: tuple[AuditBatch, ...]
    later_audits: tuple[AuditBatch, ...]
    first_booking: AuditBatch | None
    stage1: AuditBatch
    task_effort_days: int
    after_certification_cost: int | None
    max_reduction_percent: float
    min_initial_audit_days: float
    requested_reduction: float | None
    after_certification_needs: tuple[str, ...]
    auditor_day_rate: int | None  # None: unknown, the currency has no rate table
    internal_day_rate: float | None
    top_risks: tuple[Risk, ...]


def _assumption(e: Evaluation, key: str) -> str | None:
    return next((a.value for a in e.assumptions if a.key == key), None)


def _as_float(value: str | None) -> float | None:
    try:
        return None if value is None else float(value)
    except ValueError:
        return None


def _as_int(value: str | None) -> int | None:
    number = _as_float(value)
    return None if number is None else round(number)


def _after_certification_cost(e: Evaluation) -> int | None:
    """Surveillance 1 and 2 and the recertification; None when one of them is unknown."""
    amounts = [s.amount for s in e.costs.cycle_steps[1:]]
    known = [x for x in amounts if x is not None]
    return sum(known) if len(known) == len(amounts) else None


def _foundation(e: Evaluation, dimension: str) -> tuple[AreaResult, ...]:
    return tuple(a for a in e.areas if a.kind == "foundation" and a.dimension == dimension)


def _below_required(area: AreaResult) -> bool:
    return area.required is not None and area.maturity < area.required


def _compliance_counts(areas: tuple[AreaResult, ...]) -> tuple[tuple[Compliance, int], ...]:
    counts = Counter(a.compliance for a in areas)
    return tuple((c, counts[c]) for c in COMPLIANCE_ORDER if counts[c])


def _first_booking(audits: tuple[AuditBatch, ...]) -> AuditBatch | None:
    """The audit whose booking deadline comes first: the next thing to put in the diary
    (a booked audit has none)."""
    booked = [b for b in audits if b.booking_deadline is not None]
    return min(booked, key=lambda b: (b.booking_deadline, b.planned_date), default=None)


def _top_benefits(e: Evaluation) -> tuple[BenefitResult, ...]:
    # The engine sorts benefits by expected gain; unrated or fully delivered ones gain nothing.
    gaining = [b for b in e.feasibility.benefits if b.importance and b.expected_gain > 0]
    return tuple(gaining[:TOP_BENEFITS])


def _min_initial_audit_days(e: Evaluation) -> float:
    """The fewest initial audit days a quote may show: the table less the largest reduction
    ISO/IEC 20000-6:2017 9.1.4.2 allows, in half days as the engine plans them."""
    return round_up_half(e.costs.audit_days.table_days * (1 - MAX_REDUCTION_PERCENT / 100))


def facts(e: Evaluation) -> Facts:
    foundation = _foundation(e, "management") + _foundation(e, "technical")
    requirement_areas = tuple(charts.requirement_areas(e))
    project = tuple(b for b in e.plan.audit_batches if b.planned_date <= e.plan.certification_date)
    benefit_score = e.feasibility.benefit_score
    return Facts(
        provisional=e.completion.percent < PROVISIONAL_COMPLETION,
        unanswered=e.completion.total - e.completion.answered,
        foundation_management=_foundation(e, "management"),
        foundation_technical=_foundation(e, "technical"),
        foundation_short=tuple(a for a in foundation if _below_required(a)),
        requirement_areas=requirement_areas,
        compliance_counts=_compliance_counts(requirement_areas),
        weakest=tuple(e.area(area_id) for area_id in e.weakest_areas),
        top_benefits=_top_benefits(e),
        low_benefits=benefit_score is not None and benefit_score < LOW_BENEFIT_SCORE,
        project_audits=project,
        later_audits=tuple(b for b in e.plan.audit_batches if b not in project),
        first_booking=_first_booking(project),
        stage1=next(b for b in e.plan.audit_batches if b.key == "stage1"),
        task_effort_days=e.plan.process_work_days,  # the one figure of process work
        after_certification_cost=_after_certification_cost(e),
        max_reduction_percent=MAX_REDUCTION_PERCENT,
        min_initial_audit_days=_min_initial_audit_days(e),
        requested_reduction=_as_float(_assumption(e, "integration_reduction_percent")),
        after_certification_needs=rates_needed(*e.costs.cycle_steps[1:]),
        auditor_day_rate=_as_int(_assumption(e, "auditor_day_rate")),
        internal_day_rate=_as_float(_assumption(e, "internal_day_rate")),
        top_risks=e.risks[:TOP_RISKS],
    )


# --- charts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    alt: str  # also the Markdown report's text in place of the image
    src: str  # a data URI; empty in Markdown, which carries no images


def _audit_alt(b: AuditBatch) -> str:
    if b.booked or b.booking_deadline is None:
        return _("{audit} {day}, booked", audit=b.title, day=fig.date(b.planned_date))
    return _(
        "{audit} {day}, book by {deadline}",
        audit=b.title,
        day=fig.date(b.planned_date),
        deadline=fig.date(b.booking_deadline),
    )


def _gantt_alt(e: Evaluation) -> str:
    p = e.plan
    return _(
        "Gantt chart of the plan: {stages} stages from {start} to certification on {decision}, "
        "{tasks} tasks, {milestones} milestones. Audits: {audits}. Certificate valid until "
        "{expiry}.",
        stages=len(p.stages),
        start=fig.date(p.start),
        decision=fig.date(p.certification_date),
        tasks=len(p.tasks),
        milestones=len(p.milestones),
        audits=_p("list", "; ").join(_audit_alt(b) for b in p.audit_batches),
        expiry=fig.date(p.certificate_expiry),
    )


def _cost_alt(e: Evaluation) -> str:
    c = e.costs
    parts = _p("list", "; ").join(
        _(
            "{part} {amount}",
            part=p.title,
            amount=fig.money_range(p.amount, p.low, p.high, c.currency, p.needs),
        )
        for p in c.parts
    )
    total = fig.money_range(
        c.project_total, c.project_low, c.project_high, c.currency, c.project_needs
    )
    return _(
        "Bar chart of the project cost, {total}: {parts}; internal effort {days} person-days, "
        "{internal}.",
        total=total,
        parts=parts,
        days=fig.count(c.internal_days),
        internal=fig.money(c.internal_cost, c.currency, c.internal_needs),
    )


def _maturity_alt(e: Evaluation) -> str:
    areas = charts.requirement_areas(e)
    below = sum(1 for a in areas if _below_required(a))
    return _(
        "Bar chart of maturity against the required level for {areas} requirement areas, by "
        "clause: {below} below the required level. The table below has the values.",
        areas=len(areas),
        below=below,
    )


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _charts(e: Evaluation, with_images: bool) -> dict[str, Chart]:
    def build(name: charts.ChartName, title: str, alt: str) -> Chart:
        src = _data_uri(charts.chart(e, name, "png")) if with_images else ""
        return Chart(name, title, alt, src)

    return {
        "gantt": build("gantt", _("Implementation plan and certification cycle"), _gantt_alt(e)),
        "cost": build("cost", _("Project cost by part, and internal effort"), _cost_alt(e)),
        "maturity": build("maturity", _("Maturity against the required level"), _maturity_alt(e)),
    }


# --- templates ----------------------------------------------------------------------------


def _md_cell(value: object) -> str:
    """Text for a Markdown table cell: a pipe would end the cell, a newline the row."""
    return str(value).replace("|", "\\|").replace("\n", " ")


@functools.cache
def _environment(autoescape: bool) -> jinja2.Environment:
    # Two environments: autoescape on for HTML, so every value from a profile or an answer is
    # escaped; off for Markdown, where HTML entities would show as text.
    env = make_environment(autoescape)
    env.filters["cell"] = _md_cell
    return env


def _context(e: Evaluation, with_images: bool) -> dict[str, object]:
    headings = sections()
    return {
        "e": e,
        "x": facts(e),
        "areas": {a.id: a for a in e.areas},
        "sections": {s.key: s for s in headings},
        "section_list": headings,
        "charts": _charts(e, with_images),
        "lang": active().tag,  # <html lang>: the language the report is written in
        "running": _running_heads(),
    }


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'"{escaped}"'


def _running_heads() -> dict[str, Markup]:
    """The printed page's running heads as CSS `content` values (report.css), in the
    reader's language. The page numbers are CSS counters, so the sentence around them is
    translated whole and cut at its placeholders: Chinese puts them elsewhere (第 1 页，共 9 页)."""
    pages = _("Page {page} of {pages}", page="\x00page\x00", pages="\x00pages\x00")
    # Odd pieces are the counters' names, even ones the words between them.
    pieces = re.split(r"\x00(pages?)\x00", pages)
    parts = [
        f"counter({piece})" if i % 2 else _css_string(piece)
        for i, piece in enumerate(pieces)
        if piece
    ]
    return {
        "title": Markup(_css_string(_("ISO/IEC 20000-1 certification feasibility report"))),
        "pages": Markup(" ".join(parts)),
    }


def render_markdown(e: Evaluation) -> str:
    template = _environment(autoescape=False).get_template("report.md.j2")
    return template.render(_context(e, with_images=False))


def render_html(e: Evaluation) -> str:
    template = _environment(autoescape=True).get_template("report.html.j2")
    return template.render(_context(e, with_images=True))


def render_pdf(e: Evaluation) -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, and Markdown and HTML reports
    # should not need it.
    import weasyprint
    from weasyprint.urls import URLFetcher

    # Only data: URIs may be fetched, and a refusal is fatal: the PDF never silently misses
    # a chart, and rendering never reaches the network.
    fetcher = URLFetcher(allowed_protocols=("data",), fail_on_errors=True)
    html = render_html(e)
    # Chinese text with no CJK font installed would print as empty boxes: say so instead.
    fonts.require_glyphs(html)
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    return pdf


def render_report(evaluation: Evaluation, fmt: ReportFormat) -> bytes:
    """The full feasibility report as UTF-8 Markdown, UTF-8 HTML or PDF, rendered once per
    evaluation, format and language (memo.py: the key, the bound)."""
    return _kept(memo.key(evaluation), fmt)


@functools.lru_cache(maxsize=memo.REPORTS_KEPT)
def _kept(key: memo.EvaluationKey, fmt: ReportFormat) -> bytes:
    # The key carries the active language (memo.key): the report renders in it.
    return render_afresh(key.evaluation, fmt)


def render_afresh(evaluation: Evaluation, fmt: ReportFormat) -> bytes:
    """The report rendered again, never from the cache (its charts may come from theirs)."""
    if fmt == "md":
        return render_markdown(evaluation).encode("utf-8")
    if fmt == "html":
        return render_html(evaluation).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(evaluation)
    raise ValueError(f"unknown report format {fmt!r}; expected one of {REPORT_FORMATS}")
