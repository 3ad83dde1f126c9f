"""The feasibility report: every section and key figure in Markdown, HTML and PDF; the charts;
a self-contained HTML that a real browser renders without console errors.

PDF and HTML rendering are the slow parts: each report is rendered once per module and shared.
"""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from iso20k_core.evaluate import evaluate
from iso20k_core.inputs import parse_input_text
from iso20k_core.report import charts
from iso20k_core.report.document import REPORT_FORMATS, SECTIONS, ReportFormat, render_report
from iso20k_core.results import Evaluation
from tests.core.helpers import TODAY, profile

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
NO_ANSWERS = "small-it-department, no answers"
CASES = [*EXAMPLE_NAMES, NO_ANSWERS]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@cache
def evaluation(case: str) -> Evaluation:
    name = "small-it-department" if case == NO_ANSWERS else case
    given = parse_input_text((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    answers = {} if case == NO_ANSWERS else given.answers
    return evaluate(given.profile, answers, TODAY, given.bank)


Rendered = Callable[[str, ReportFormat], bytes]


@pytest.fixture(scope="module")
def report() -> Iterator[Rendered]:
    """Each report rendered once for the module: PDF (and HTML, with its charts) is slow."""

    @cache
    def render(case: str, fmt: ReportFormat) -> bytes:
        return render_report(evaluation(case), fmt)

    yield render
    render.cache_clear()


def text_of(report: Rendered, case: str, fmt: ReportFormat) -> str:
    """The report's text with HTML entities resolved and runs of whitespace as one space."""
    raw = report(case, fmt)
    if fmt == "pdf":
        text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(raw)).pages)
    else:
        text = raw.decode("utf-8")
    if fmt == "html":
        text = html.unescape(text)
    return " ".join(text.split())


def written(amount: int, currency: str) -> str:
    """An amount as the report must write it, spelt out here rather than with the code under
    test: whole units, thousands separated by commas, the currency code after (`56,640 EUR`;
    test_amounts_as_written.py has every amount of one example worked out by hand)."""
    return f"{amount:,} {currency}"


def key_figures(e: Evaluation) -> list[str]:
    """As the report must write them: percentages to one decimal, dates as YYYY-MM-DD."""
    return [
        e.feasibility.verdict,
        f"{e.readiness_percent:.1f} %",
        e.plan.certification_date.isoformat(),
        written(e.costs.project_total, e.costs.currency),
    ]


def test_there_are_examples_to_report_on() -> None:
    assert len(EXAMPLE_NAMES) >= 3


# --- Markdown and HTML ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("case", CASES)
def test_every_section_in_order_with_the_key_figures(
    report: Rendered, case: str, fmt: ReportFormat
) -> None:
    e, text = evaluation(case), text_of(report, case, fmt)
    positions = [text.find(section.title) for section in SECTIONS]
    assert -1 not in positions, [
        s.title for s, at in zip(SECTIONS, positions, strict=True) if at < 0
    ]
    assert positions == sorted(positions), "sections out of order"
    for figure in key_figures(e):
        assert figure in text
    for risk in e.risks:
        assert risk.title in text
    for stage in e.plan.stages:
        assert stage.title in text


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("case", CASES)
def test_the_plan_costs_and_appendix_are_complete(
    report: Rendered, case: str, fmt: ReportFormat
) -> None:
    e, text = evaluation(case), text_of(report, case, fmt)
    for task in e.plan.tasks:
        assert task.title in text
    for batch in e.plan.audit_batches:
        assert batch.booking_deadline is None or batch.booking_deadline.isoformat() in text
    for part in e.costs.parts:
        assert f"{part.title}" in text
    assert written(e.costs.cycle_total, e.costs.currency) in text
    for step in e.costs.cycle_steps:
        assert step.title in text
    for fy in e.costs.fiscal_years:
        assert fy.title in text
    assert "What to check in the certification body's quote" in text
    for check in e.costs.quote_checklist:
        if check.key not in ("audit_days", "cycle"):  # written out with the estimate's days
            assert check.item in text, check.key
    assert "30 %" in text  # reductions are capped at 30 % (ISO/IEC 20000-6:2017 9.1.4.2)
    assert "ISO/IEC 17021-1" in text
    for assumption in e.assumptions:
        assert assumption.key in text
    for reason in e.feasibility.reasons:
        assert reason in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_report_without_answers_is_provisional(report: Rendered, fmt: ReportFormat) -> None:
    text = text_of(report, NO_ANSWERS, fmt)
    assert "Provisional report" in text
    assert "Not yet assessed: 157 of 157 questions unanswered" in text
    assert "not rated" in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_nearly_complete_assessment_is_not_provisional(
    report: Rendered, fmt: ReportFormat
) -> None:
    assert evaluation("small-it-department").completion.percent >= 80
    assert "Provisional report" not in text_of(report, "small-it-department", fmt)


def test_the_quote_flag_is_reported(report: Rendered) -> None:
    flags = {case: evaluation(case).costs.quote_includes_surveillance for case in EXAMPLE_NAMES}
    assert {None, True} <= set(flags.values())  # the examples cover both
    for case, flag in flags.items():
        text = text_of(report, case, "md")
        assert ("Unknown: ask." in text) == (flag is None)
        assert ("The profile says the quote includes them" in text) == (flag is True)


def test_markdown_has_no_images_but_says_where_the_charts_are(report: Rendered) -> None:
    text = report("small-it-department", "md").decode("utf-8")
    assert "![" not in text and "data:image" not in text
    assert "Charts are in the HTML and PDF versions" in text


# --- HTML -------------------------------------------------------------------------------------

RESOURCE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*([^"'\s>]+)""", re.IGNORECASE)


@pytest.mark.parametrize("case", CASES)
def test_html_is_self_contained(report: Rendered, case: str) -> None:
    page = report(case, "html").decode("utf-8")
    references = RESOURCE.findall(page)
    images = [r for r in references if r.startswith("data:")]
    assert len(images) == 3
    assert all(r.startswith("data:image/png;base64,") for r in images)
    outside = [r for r in references if not r.startswith(("data:", "#"))]
    assert outside == []
    assert "http://" not in page and "https://" not in page
    assert "url(" not in page and "@import" not in page
    assert len(re.findall(r"<img [^>]*alt=\"[^\"]{20,}\"", page)) == 3  # real alt texts


@pytest.mark.parametrize("case", CASES)
def test_html_starts_each_main_section_with_its_anchor(report: Rendered, case: str) -> None:
    page = report(case, "html").decode("utf-8")
    for section in SECTIONS:
        assert f'id="{section.key}"' in page
        assert f'href="#{section.key}"' in page  # the table of contents


def test_html_escapes_what_users_typed() -> None:
    e = evaluate(profile(organisation='<script>alert("x")</script> & Co'), {}, TODAY)
    page = render_report(e, "html").decode("utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in page


def test_every_format_renders_and_an_unknown_one_is_refused() -> None:
    assert REPORT_FORMATS == ("md", "html", "pdf")
    with pytest.raises(ValueError, match="unknown report format"):
        render_report(evaluation(EXAMPLE_NAMES[0]), "docx")  # type: ignore[arg-type]


# --- PDF --------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_pdf_has_the_sections_verdict_and_total(report: Rendered, case: str) -> None:
    assert report(case, "pdf").startswith(b"%PDF")
    e, text = evaluation(case), text_of(report, case, "pdf")
    for section in SECTIONS:
        assert section.title in text
    assert e.feasibility.verdict in text
    assert written(e.costs.project_total, e.costs.currency) in text
    assert ("Provisional report" in text) == (case == NO_ANSWERS)


def test_pdf_is_a4_and_paginated(report: Rendered) -> None:
    reader = PdfReader(io.BytesIO(report("small-it-department", "pdf")))
    assert len(reader.pages) >= len(SECTIONS) + 1  # a cover, then each section on a new page
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points


# --- charts -----------------------------------------------------------------------------------

# Each chart's shortcut, served from the cache; `charts.draw` draws the chart afresh.
PNG_SHORTCUTS: dict[charts.ChartName, Callable[[Evaluation], bytes]] = {
    "gantt": charts.gantt_png,
    "cost": charts.cost_png,
    "maturity": charts.maturity_png,
}
SVG_SHORTCUTS: dict[charts.ChartName, Callable[[Evaluation], bytes]] = {
    "gantt": charts.gantt_svg,
    "cost": charts.cost_svg,
    "maturity": charts.maturity_svg,
}


@pytest.mark.parametrize("name", PNG_SHORTCUTS)
@pytest.mark.parametrize("case", ["small-it-department", NO_ANSWERS])
def test_charts_are_deterministic_pngs(case: str, name: charts.ChartName) -> None:
    first = PNG_SHORTCUTS[name](evaluation(case))
    assert first.startswith(PNG_MAGIC)
    assert first == charts.draw(evaluation(case), name, "png")
    assert b"Software" not in first  # no matplotlib version in the metadata


def test_svg_charts_are_deterministic_too() -> None:
    e = evaluation("itil-service-provider")
    for name, chart in SVG_SHORTCUTS.items():
        first = chart(e)
        assert first.lstrip().startswith(b"<?xml") and b"<svg" in first
        assert first == charts.draw(e, name, "svg")


def test_the_maturity_chart_follows_the_clauses() -> None:
    clauses = [a.clause for a in charts.requirement_areas(evaluation("small-it-department"))]
    assert clauses[:5] == ["4", "5", "6", "7", "8.1"]
    assert clauses[-2:] == ["9", "10"]
    assert charts.clause_key("8.2.10") > charts.clause_key("8.2.9")


# --- a real browser ---------------------------------------------------------------------------


def chromium() -> str:
    """The browser, or skip here and fail on CI, where a skipped browser check would hide that
    nobody ever looked at the HTML in a browser."""
    found = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
    if found is None:
        message = "chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


def test_html_renders_in_headless_chromium_without_console_errors(
    report: Rendered, tmp_path: Path
) -> None:
    browser = chromium()
    page = tmp_path / "report.html"
    page.write_bytes(report("small-it-department", "html"))
    shot = tmp_path / "r.png"
    run = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1200,2000",
            "--enable-logging=stderr",
            "--v=0",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    # Chromium logs console.error() and uncaught exceptions as "INFO:CONSOLE" lines; the
    # report has no script at all, so any console line is a fault.
    console = [
        line
        for line in run.stderr.splitlines()
        if "Uncaught" in line or "ERROR:CONSOLE" in line or ":CONSOLE" in line
    ]
    assert console == []
    assert shot.exists()
    image = shot.read_bytes()
    assert image.startswith(PNG_MAGIC)
    assert len(image) > 50_000  # a rendered page of text, tables and a verdict box, not blank


# --- the PDF never reaches out -------------------------------------------------------------


@pytest.mark.parametrize(
    "reference",
    [
        '<img src="http://127.0.0.1:9/chart.png" alt="chart">',
        '<img src="file:///etc/hostname" alt="chart">',
        '<link rel="stylesheet" href="https://example.org/style.css">',
    ],
)
def test_a_pdf_whose_html_refers_outside_fails_instead_of_fetching(
    monkeypatch: pytest.MonkeyPatch, reference: str
) -> None:
    """Only data: URIs are fetched, and a refused one fails the rendering: a template that
    came to refer to a file or the network could neither leak nor silently lose a chart."""
    from iso20k_core.report import document

    page = f"<html><head></head><body><p>Report</p>{reference}</body></html>"
    monkeypatch.setattr(document, "render_html", lambda e: page)
    from weasyprint.urls import FatalURLFetchingError

    with pytest.raises(FatalURLFetchingError) as refused:
        document.render_pdf(evaluation("small-it-department"))
    assert "disallowed protocol" in str(refused.value.__cause__ or refused.value.__context__)


def test_a_pdf_embeds_data_uris(monkeypatch: pytest.MonkeyPatch) -> None:
    from iso20k_core.report import document

    png = charts.cost_png(evaluation("small-it-department"))
    page = f'<html><body><img src="{document._data_uri(png)}" alt="cost"></body></html>'
    monkeypatch.setattr(document, "render_html", lambda e: page)
    pdf = document.render_pdf(evaluation("small-it-department"))
    assert pdf.startswith(b"%PDF") and b"/Image" in pdf
