"""Every amount as it must be written, in every format, worked out by hand.

The example is `helpers.two_weak_processes` (its docstring has the arithmetic): nothing here
formats an amount with the code under test, so a renderer that shows a tenth of an amount, a
total that leaves out a line, or a lost thousands separator fails.
"""

from __future__ import annotations

import html
import io
import re

import openpyxl
from pypdf import PdfReader

from iso20k_core.report.charts import cost_figure
from iso20k_core.report.document import render_report
from iso20k_core.report.exports.xlsx import to_xlsx
from iso20k_core.report.render import render
from iso20k_core.results import Evaluation
from tests.core.helpers import two_weak_processes
from tests.core.test_exports import cell_value, records, sheet

PARTS = [
    ("Consulting", "38,400 EUR"),
    ("Certification body", "7,000 EUR"),
    ("Training", "3,450 EUR"),
    ("Reference material and publicity", "2,250 EUR"),
    ("Tool software (optional)", "0 EUR"),
]


def example() -> Evaluation:
    # Not memoised: evaluated afresh by each test, so a mutation run sees its mutant in each.
    return two_weak_processes()


def squeezed(text: str) -> list[str]:
    """The lines of `text`, each with its runs of spaces as one."""
    return [" ".join(line.split()) for line in text.splitlines()]


def test_the_amounts_themselves() -> None:
    c = example().costs
    assert [(p.title, p.amount) for p in c.parts] == [
        ("Consulting", 38_400),
        ("Certification body", 7_000),
        ("Training", 3_450),
        ("Reference material and publicity", 2_250),
        ("Tool software (optional)", 0),
    ]
    lines = {line.key: line.amount for part in c.parts for line in part.lines}
    assert lines == {
        "consultant_days": 38_400,
        "stage1_audit": 2_100,
        "stage2_audit": 4_900,
        "awareness": 1_250,
        "internal_auditors": 0,
        "process_owners": 2_200,
        "standards": 450,
        "reference": 300,
        "publicity": 1_500,
        "tool_software": 0,
    }
    assert (c.project_total, c.internal_cost, c.total_with_internal) == (51_100, 59_520, 110_620)
    assert [y.amount for y in c.three_years] == [52_000, 3_700, 8_600]
    assert c.three_year_total == 64_300


def test_the_text_summary() -> None:
    text = render(example(), "text")
    block = squeezed(text[text.index("Costs (EUR)") : text.index("\nRisks\n")])
    assert block[:7] == [
        "Costs (EUR)",
        "Consulting 38,400 EUR",
        "Certification body 7,000 EUR",
        "Training 3,450 EUR",
        "Reference material and publicity 2,250 EUR",
        "Tool software (optional) 0 EUR",
        "Project total 51,100 EUR",
    ]
    assert "Internal effort (124 person-days) 59,520 EUR" in block
    assert "Three-year total (without internal) 64,300 EUR" in block
    # right-aligned in a column of 14 after a title column of 40
    assert "  Consulting" + " " * 31 + "    38,400 EUR\n" in text


def test_the_markdown_summary() -> None:
    lines = squeezed(render(example(), "markdown"))
    for row in (
        "| Project cost (without internal effort) | 51,100 EUR |",
        "| Consulting | Consultant days | 32 days × 1,200 EUR: 3 preparation, 7 gap analysis, "
        "14 process work (25 % of 54 person-days), 3 trial coaching, 5 audit support | "
        "38,400 EUR |",
        "| Certification body | Stage 1 audit | 1.5 audit days × 1,400 EUR | 2,100 EUR |",
        "| Certification body | Stage 2 audit | 3.5 audit days × 1,400 EUR | 4,900 EUR |",
        "| Training | SMS awareness for all staff in scope | 50 persons × 25 EUR | 1,250 EUR |",
        "| Training | Internal auditor course | 0 persons × 1,900 EUR | 0 EUR |",
        "| Training | Process owner training | 2 process owners of weak areas × 1,100 EUR | "
        "2,200 EUR |",
        "| Reference material and publicity | Internal publicity and certificate announcement "
        "| campaign | 1,500 EUR |",
        "| **Project total** | | | **51,100 EUR** |",
        "| Internal staff effort | 124 person-days | | 59,520 EUR |",
        "| **Total with internal effort** | | | **110,620 EUR** |",
        "| Year 1: preparation and initial certification | 52,000 EUR |",
        "| Year 2: first surveillance | 3,700 EUR |",
        "| Year 3: second surveillance and recertification | 8,600 EUR |",
        "| **Three-year total** | **64,300 EUR** |",
    ):
        assert row in lines, row


def test_the_markdown_report() -> None:
    report = render_report(example(), "md").decode("utf-8")
    lines = squeezed(report)
    for row in (
        "| Project cost (external) | 51,100 EUR |",
        "| Internal effort | 124 person-days (59,520 EUR) |",
        "| Three-year cost (external) | 64,300 EUR |",
        "| | **Consulting** | | **38,400 EUR** |",
        "| | **Certification body** | | **7,000 EUR** |",
        "| | **Training** | | **3,450 EUR** |",
        "| | **Reference material and publicity** | | **2,250 EUR** |",
        "| | **Tool software (optional)** | | **0 EUR** |",
        "| **Project total** | | | **51,100 EUR** |",
        "| Internal effort | 124 person-days of own staff | | 59,520 EUR |",
        "| **Total with internal effort** | | | **110,620 EUR** |",
        "| Year 2: first surveillance | Surveillance audit 1 | 2 audit days × 1,400 EUR | "
        "2,800 EUR |",
        "| | Recertification audit | 3.5 audit days × 1,400 EUR | 4,900 EUR |",
        "| | **Year 1 total** | | **52,000 EUR** |",
        "| | **Year 2 total** | | **3,700 EUR** |",
        "| | **Year 3 total** | | **8,600 EUR** |",
        "| **Three-year total** | | | **64,300 EUR** |",
    ):
        assert row in lines, row
    text = " ".join(report.split())
    for sentence in (
        "Together 51,100 EUR. On top comes the time of the organisation's own staff: "
        "124 person-days, valued at 59,520 EUR.",
        "Years 2 and 3 of the cycle cost 12,300 EUR here",
        "This estimate assumes 1,400 EUR per audit day.",
        "It takes 51,100 EUR of external spending and 124 person-days of own staff "
        "(59,520 EUR); over the three-year certificate cycle the external cost is 64,300 EUR.",
        "Approve the budget of 51,100 EUR,",
        # the cost chart's words, which stand in for it in Markdown
        "Bar chart of the project cost, 51,100 EUR: Consulting 38,400 EUR; Certification body "
        "7,000 EUR; Training 3,450 EUR; Reference material and publicity 2,250 EUR; Tool "
        "software (optional) 0 EUR; internal effort 124 person-days, 59,520 EUR.",
    ):
        assert sentence in text, sentence


def test_the_html_report() -> None:
    page = render_report(example(), "html").decode("utf-8")
    costs = page[page.index('id="costs"') :]
    costs = costs[: costs.index("</section>")]
    cells = [html.unescape(c) for c in re.findall(r'<td class="num">([^<]*)</td>', costs)]
    assert cells == [
        *("38,400 EUR", "38,400 EUR"),  # the line, the part's subtotal
        *("2,100 EUR", "4,900 EUR", "7,000 EUR"),
        *("1,250 EUR", "0 EUR", "2,200 EUR", "3,450 EUR"),
        *("450 EUR", "300 EUR", "1,500 EUR", "2,250 EUR"),
        *("0 EUR", "0 EUR"),
        *("51,100 EUR", "59,520 EUR", "110,620 EUR"),
        *("40", "55", "13", "6", "10", "124"),  # internal effort, person-days
        *("38,400 EUR", "7,000 EUR", "3,450 EUR", "2,250 EUR", "0 EUR", "900 EUR", "52,000 EUR"),
        *("2,800 EUR", "900 EUR", "0 EUR", "3,700 EUR"),
        *("2,800 EUR", "4,900 EUR", "900 EUR", "0 EUR", "8,600 EUR"),
        "64,300 EUR",
    ]
    summary = html.unescape(page[: page.index('id="costs"')])
    assert "<dt>Project cost (external)</dt><dd>51,100 EUR</dd>" in summary
    assert "<dt>Three-year cost (external)</dt><dd>64,300 EUR</dd>" in summary


def test_the_pdf_report() -> None:
    reader = PdfReader(io.BytesIO(render_report(example(), "pdf")))
    text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    for amount in ("38,400 EUR", "7,000 EUR", "51,100 EUR", "59,520 EUR", "110,620 EUR"):
        assert amount in text, amount
    assert "Years 2 and 3 of the cycle cost 12,300 EUR here" in text
    assert "Three-year total 64,300 EUR" in text


def test_the_cost_chart_labels_its_bars() -> None:
    figure = cost_figure(example())
    labels = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert labels == [
        "38,400 EUR",
        "7,000 EUR",
        "3,450 EUR",
        "2,250 EUR",
        "0 EUR",
        "59,520 EUR",
    ]
    assert figure.axes[0].get_title(loc="left") == "Project cost 51,100 EUR and internal effort"


def test_the_workbook_holds_the_amounts_and_its_formulas_add_them_up() -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(example())))
    ws = sheet(book, "Costs")
    rows = {(r["Part"], r["Item"]): r["_row"] for r in records(ws)}

    def amount(part: str, item: str) -> float:
        return cell_value(ws, f"D{rows[(part, item)]}")

    assert amount("Consulting", "Consultant days") == 38_400
    assert amount("Certification body", "Stage 1 audit") == 2_100
    assert amount("Certification body", "Stage 2 audit") == 4_900
    assert amount("Training", "Process owner training") == 2_200
    for title, written in PARTS:
        assert amount(title, "Subtotal") == int(written.split()[0].replace(",", ""))
    assert amount("Project total", "sum of the five parts") == 51_100
    assert amount("Internal effort", "Own staff time") == 59_520
    assert amount("Total with internal effort", "project total and internal effort") == 110_620
    assert amount("Three-year total", "years 1 to 3") == 64_300
    assert ws[f"D{rows[('Project total', 'sum of the five parts')]}"].number_format == (
        '#,##0 "EUR"'
    )
