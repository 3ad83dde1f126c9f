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
    ("Consulting", "22,800 EUR"),
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
        ("Consulting", 22_800),
        ("Certification body", 7_000),
        ("Training", 3_450),
        ("Reference material and publicity", 2_250),
        ("Tool software (optional)", 0),
    ]
    lines = {line.key: line.amount for part in c.parts for line in part.lines}
    assert lines == {
        "consultant_days": 22_800,
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
    assert (c.project_total, c.internal_cost, c.total_with_internal) == (35_500, 61_920, 97_420)
    # Ranges: consulting 19,200-31,200, every other line a point (helpers.two_weak_processes).
    ranges = {line.key: (line.low, line.high) for part in c.parts for line in part.lines}
    assert ranges["consultant_days"] == (19_200, 32_400)
    assert all(low == high for key, (low, high) in ranges.items() if key != "consultant_days")
    assert (c.parts[0].low, c.parts[0].high) == (19_200, 32_400)
    assert (c.project_low, c.project_high) == (31_900, 45_100)
    assert (c.total_with_internal_low, c.total_with_internal_high) == (93_820, 107_020)
    assert [y.amount for y in c.three_years] == [36_400, 3_700, 8_600]
    assert c.three_year_total == 48_700


def test_the_text_summary() -> None:
    text = render(example(), "text")
    block = squeezed(text[text.index("Costs (EUR)") : text.index("\nRisks\n")])
    assert block[:7] == [
        "Costs (EUR)",
        "Consulting 22,800 EUR (19,200–32,400)",
        "Certification body 7,000 EUR",
        "Training 3,450 EUR",
        "Reference material and publicity 2,250 EUR",
        "Tool software (optional) 0 EUR",
        "Project total 35,500 EUR (31,900–45,100)",
    ]
    assert "Internal effort (129 person-days) 61,920 EUR" in block
    assert "Three-year total (without internal) 48,700 EUR" in block
    # right-aligned in a column of 14 after a title column of 40, the range after it
    assert "  Consulting" + " " * 31 + "    22,800 EUR  (19,200–32,400)\n" in text


def test_the_markdown_summary() -> None:
    lines = squeezed(render(example(), "markdown"))
    for row in (
        "| Project cost (without internal effort) | 35,500 EUR (31,900–45,100) |",
        "| Consulting | Consultant days | 19 (16–27) days × 1,200 EUR: 3 (2–4) preparation, "
        "5 (4–8) gap analysis, 3 (2–5) documentation and process support, 3 (3–5) trial "
        "coaching, 5 audit support; an estimate (no published ISO/IEC 20000 consulting days): "
        "the range is how much the own staff do themselves | 22,800 EUR (19,200–32,400) |",
        "| Certification body | Stage 1 audit | 1.5 audit days × 1,400 EUR | 2,100 EUR |",
        "| Certification body | Stage 2 audit | 3.5 audit days × 1,400 EUR | 4,900 EUR |",
        "| Training | SMS awareness for all staff in scope | 50 persons × 25 EUR | 1,250 EUR |",
        "| Training | Internal auditor course | 0 persons × 1,900 EUR | 0 EUR |",
        "| Training | Process owner training | 2 process owners of weak areas × 1,100 EUR | "
        "2,200 EUR |",
        "| Reference material and publicity | Internal publicity and certificate announcement "
        "| campaign | 1,500 EUR |",
        "| **Project total** | | | **35,500 EUR (31,900–45,100)** |",
        "| Internal staff effort | 129 person-days | | 61,920 EUR |",
        "| **Total with internal effort** | | | **97,420 EUR (93,820–107,020)** |",
        "| Year 1: preparation and initial certification | 36,400 EUR |",
        "| Year 2: first surveillance | 3,700 EUR |",
        "| Year 3: second surveillance and recertification | 8,600 EUR |",
        "| **Three-year total** | **48,700 EUR** |",
    ):
        assert row in lines, row


def test_the_markdown_report() -> None:
    report = render_report(example(), "md").decode("utf-8")
    lines = squeezed(report)
    for row in (
        "| Project cost (external) | 35,500 EUR (31,900–45,100) |",
        "| Internal effort | 129 person-days (61,920 EUR) |",
        "| Three-year cost (external) | 48,700 EUR |",
        "| | **Consulting** | | **22,800 EUR (19,200–32,400)** |",
        "| | **Certification body** | | **7,000 EUR** |",
        "| | **Training** | | **3,450 EUR** |",
        "| | **Reference material and publicity** | | **2,250 EUR** |",
        "| | **Tool software (optional)** | | **0 EUR** |",
        "| **Project total** | | | **35,500 EUR (31,900–45,100)** |",
        "| Internal effort | 129 person-days of own staff | | 61,920 EUR |",
        "| **Total with internal effort** | | | **97,420 EUR (93,820–107,020)** |",
        "| Year 2: first surveillance | Surveillance audit 1 | 2 audit days × 1,400 EUR | "
        "2,800 EUR |",
        "| | Recertification audit | 3.5 audit days × 1,400 EUR | 4,900 EUR |",
        "| | **Year 1 total** | | **36,400 EUR** |",
        "| | **Year 2 total** | | **3,700 EUR** |",
        "| | **Year 3 total** | | **8,600 EUR** |",
        "| **Three-year total** | | | **48,700 EUR** |",
    ):
        assert row in lines, row
    text = " ".join(report.split())
    for sentence in (
        "Together 35,500 EUR (between 31,900 and 45,100 EUR). On top comes the time of the "
        "organisation's own staff: 129 person-days, valued at 61,920 EUR.",
        "Years 2 and 3 of the cycle cost 12,300 EUR here",
        "This estimate assumes 1,400 EUR per audit day.",
        "It takes 35,500 EUR (between 31,900 and 45,100 EUR) of external spending and 129 "
        "person-days of own staff (61,920 EUR); over the three-year certificate cycle the "
        "external cost is 48,700 EUR.",
        "Approve the budget of 35,500 EUR (between 31,900 and 45,100 EUR),",
        "Figures in brackets are how low and how high an amount may come out (low–high) where "
        "its basis is an estimate: Consultant days.",
        # the cost chart's words, which stand in for it in Markdown
        "Bar chart of the project cost, 35,500 EUR (31,900–45,100): Consulting 22,800 EUR "
        "(19,200–32,400); Certification body 7,000 EUR; Training 3,450 EUR; Reference material "
        "and publicity 2,250 EUR; Tool software (optional) 0 EUR; internal effort 129 "
        "person-days, 61,920 EUR.",
    ):
        assert sentence in text, sentence


def test_the_html_report() -> None:
    page = render_report(example(), "html").decode("utf-8")
    costs = page[page.index('id="costs"') :]
    costs = costs[: costs.index("</section>")]
    cells = [html.unescape(c) for c in re.findall(r'<td class="num">([^<]*)</td>', costs)]
    assert cells == [
        # the line, the part's subtotal, each with its range
        *("22,800 EUR (19,200–32,400)", "22,800 EUR (19,200–32,400)"),
        *("2,100 EUR", "4,900 EUR", "7,000 EUR"),
        *("1,250 EUR", "0 EUR", "2,200 EUR", "3,450 EUR"),
        *("450 EUR", "300 EUR", "1,500 EUR", "2,250 EUR"),
        *("0 EUR", "0 EUR"),
        *("35,500 EUR (31,900–45,100)", "61,920 EUR", "97,420 EUR (93,820–107,020)"),
        *("51", "49", "13", "6", "10", "129"),  # internal effort, person-days
        *("22,800 EUR", "7,000 EUR", "3,450 EUR", "2,250 EUR", "0 EUR", "900 EUR", "36,400 EUR"),
        *("2,800 EUR", "900 EUR", "0 EUR", "3,700 EUR"),
        *("2,800 EUR", "4,900 EUR", "900 EUR", "0 EUR", "8,600 EUR"),
        "48,700 EUR",
    ]
    summary = html.unescape(page[: page.index('id="costs"')])
    assert "<dt>Project cost (external)</dt><dd>35,500 EUR (31,900–45,100)</dd>" in summary
    assert "<dt>Three-year cost (external)</dt><dd>48,700 EUR</dd>" in summary


def test_the_pdf_report() -> None:
    reader = PdfReader(io.BytesIO(render_report(example(), "pdf")))
    text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    for amount in ("22,800 EUR", "7,000 EUR", "35,500 EUR", "61,920 EUR", "97,420 EUR"):
        assert amount in text, amount
    assert "Years 2 and 3 of the cycle cost 12,300 EUR here" in text
    assert "Three-year total 48,700 EUR" in text


def test_the_cost_chart_labels_its_bars() -> None:
    figure = cost_figure(example())
    labels = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert labels == [
        "22,800 EUR",
        "7,000 EUR",
        "3,450 EUR",
        "2,250 EUR",
        "0 EUR",
        "61,920 EUR",
    ]
    assert figure.axes[0].get_title(loc="left") == "Project cost 35,500 EUR and internal effort"


def test_the_workbook_holds_the_amounts_and_its_formulas_add_them_up() -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(example())))
    ws = sheet(book, "Costs")
    rows = {(r["Part"], r["Item"]): r["_row"] for r in records(ws)}

    def amount(part: str, item: str, column: str = "D") -> float:
        return cell_value(ws, f"{column}{rows[(part, item)]}")

    assert amount("Consulting", "Consultant days") == 22_800
    # Low (E) and high (F), and their formulas over the same rows.
    assert amount("Consulting", "Consultant days", "E") == 19_200
    assert amount("Consulting", "Subtotal", "F") == 32_400
    assert amount("Project total", "sum of the five parts", "E") == 31_900
    assert amount("Project total", "sum of the five parts", "F") == 45_100
    total = ("Total with internal effort", "project total and internal effort")
    assert (amount(*total, "E"), amount(*total, "F")) == (93_820, 107_020)
    assert amount("Certification body", "Stage 1 audit") == 2_100
    assert amount("Certification body", "Stage 2 audit") == 4_900
    assert amount("Training", "Process owner training") == 2_200
    for title, written in PARTS:
        assert amount(title, "Subtotal") == int(written.split()[0].replace(",", ""))
    assert amount("Project total", "sum of the five parts") == 35_500
    assert amount("Internal effort", "Own staff time") == 61_920
    assert amount("Total with internal effort", "project total and internal effort") == 97_420
    assert amount("Three-year total", "years 1 to 3") == 48_700
    assert ws[f"D{rows[('Project total', 'sum of the five parts')]}"].number_format == (
        '#,##0 "EUR"'
    )
