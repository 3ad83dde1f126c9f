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
    ("Certification body", "10,500 EUR"),
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
        ("Certification body", 10_500),
        ("Training", 3_450),
        ("Reference material and publicity", 2_250),
        ("Tool software (optional)", 0),
    ]
    lines = {line.key: line.amount for part in c.parts for line in part.lines}
    assert lines == {
        "consultant_days": 38_400,
        # The body's quote: application 450; 1.5 + 3.5 audit days × 1,400, each with 250 an
        # auditor-day of travel; registration 900 and the first annual fee 900: 10,500.
        "application": 450,
        "stage1_audit": 2_100,
        "stage1_travel": 375,
        "stage2_audit": 4_900,
        "stage2_travel": 875,
        "registration": 900,
        "annual_fee": 900,
        "awareness": 1_250,
        "internal_auditors": 0,
        "process_owners": 2_200,
        "standards": 450,
        "reference": 300,
        "publicity": 1_500,
        "tool_software": 0,
    }
    # 38,400 + 10,500 + 3,450 + 2,250 + 0 = 54,600; with the internal 56,640: 111,240.
    assert (c.project_total, c.internal_cost, c.total_with_internal) == (54_600, 56_640, 111_240)
    # Surveillance: 2 days × 1,400 + 2 × 250 travel + 900 annual fee = 4,200 each;
    # recertification: 450 + 3.5 × 1,400 + 3.5 × 250 + 900 + 900 = 8,025.
    assert [s.amount for s in c.cycle_steps] == [54_600, 4_200, 4_200, 8_025]
    assert c.cycle_total == 71_025
    # Consulting 38,400 over the stages' 10, 10, 108, 67, 48 of 243 business days: floors
    # 1,580, 1,580, 17,066, 10,587, 7,585 (38,398); the 2 left over to the largest
    # remainders (process 162/243, trial 159/243): 17,067 and 10,588.
    spread = [x.amount for x in c.fiscal_years[0].lines if x.key.startswith("consultant_days.")]
    assert spread == [1_580, 1_580, 17_067, 10_588, 7_585]
    # Fiscal years = calendar years: the whole project falls in 2027 (start 2027-01-11,
    # certification 2027-12-21), then one step a year.
    assert [(fy.title, fy.amount) for fy in c.fiscal_years] == [
        ("FY 2027 (January–December 2027)", 54_600),
        ("FY 2028 (January–December 2028)", 4_200),
        ("FY 2029 (January–December 2029)", 4_200),
        ("FY 2030 (January–December 2030)", 8_025),
    ]


def test_the_fiscal_years_from_july() -> None:
    e = two_weak_processes(fiscal_year_start_month=7)
    # Up to June 2027: preparation, gap analysis and process establishment (from 2027-02-08)
    # with their consulting 1,580 + 1,580 + 17,067, the standards 450, reference 300 and
    # the training 1,250 + 0 + 2,200 = 24,427. From July: trial operation (2027-07-14)
    # 10,588, certification stage 7,585, the body's initial quote 10,500 and publicity
    # 1,500 = 30,173. Then 4,200, 4,200 and 8,025: 71,025 in all.
    assert [(fy.title, fy.amount) for fy in e.costs.fiscal_years] == [
        ("FY 2026/27 (July 2026 – June 2027)", 24_427),
        ("FY 2027/28 (July 2027 – June 2028)", 30_173),
        ("FY 2028/29 (July 2028 – June 2029)", 4_200),
        ("FY 2029/30 (July 2029 – June 2030)", 4_200),
        ("FY 2030/31 (July 2030 – June 2031)", 8_025),
    ]
    assert 24_427 + 30_173 + 4_200 + 4_200 + 8_025 == e.costs.cycle_total == 71_025


def test_the_text_summary() -> None:
    text = render(example(), "text")
    block = squeezed(text[text.index("Costs (EUR)") : text.index("\nRisks\n")])
    assert block[:7] == [
        "Costs (EUR)",
        "Consulting 38,400 EUR",
        "Certification body 10,500 EUR",
        "Training 3,450 EUR",
        "Reference material and publicity 2,250 EUR",
        "Tool software (optional) 0 EUR",
        "Project total 54,600 EUR",
    ]
    assert "Internal effort (118 person-days) 56,640 EUR" in block
    assert "Initial certification 54,600 EUR 2027-12-21" in block
    assert "Surveillance audit 1 4,200 EUR 2028-12-05" in block
    assert "Recertification audit 8,025 EUR 2030-11-19" in block
    assert "Cycle total (without internal) 71,025 EUR" in block
    assert "FY 2030 (January–December 2030) 8,025 EUR" in block
    # right-aligned in a column of 14 after a title column of 40
    assert "  Consulting" + " " * 31 + "    38,400 EUR\n" in text


def test_the_markdown_summary() -> None:
    lines = squeezed(render(example(), "markdown"))
    for row in (
        "| Project cost (without internal effort) | 54,600 EUR |",
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
        "| Certification body | Application fee | one-off, with the application | 450 EUR |",
        "| Certification body | Stage 1 audit: travel and expenses | 1.5 audit days × 250 EUR "
        "per auditor-day | 375 EUR |",
        "| **Project total** | | | **54,600 EUR** |",
        "| Internal staff effort | 118 person-days | | 56,640 EUR |",
        "| **Total with internal effort** | | | **111,240 EUR** |",
        "| Initial certification | 2027-12-21 | 54,600 EUR |",
        "| Surveillance audit 1 | 2028-12-05 | 4,200 EUR |",
        "| Surveillance audit 2 | 2029-12-05 | 4,200 EUR |",
        "| Recertification audit | 2030-11-19 | 8,025 EUR |",
        "| **Cycle total** | | **71,025 EUR** |",
        "| FY 2027 (January–December 2027) | 54,600 EUR |",
        "| FY 2030 (January–December 2030) | 8,025 EUR |",
        "| **Cycle total, by fiscal year** | **71,025 EUR** |",
    ):
        assert row in lines, row


def test_the_markdown_report() -> None:
    report = render_report(example(), "md").decode("utf-8")
    lines = squeezed(report)
    for row in (
        "| Project cost (external) | 54,600 EUR |",
        "| Internal effort | 118 person-days (56,640 EUR) |",
        "| Certification cycle cost (external, to recertification) | 71,025 EUR |",
        "| | **Consulting** | | **38,400 EUR** |",
        "| | **Certification body** | | **10,500 EUR** |",
        "| | **Training** | | **3,450 EUR** |",
        "| | **Reference material and publicity** | | **2,250 EUR** |",
        "| | **Tool software (optional)** | | **0 EUR** |",
        "| **Project total** | | | **54,600 EUR** |",
        "| Internal effort | 118 person-days of own staff | | 56,640 EUR |",
        "| **Total with internal effort** | | | **111,240 EUR** |",
        "| Surveillance audit 1, 2028-12-05 | Surveillance audit 1 | 2 audit days × 1,400 EUR | "
        "2,800 EUR |",
        "| | Recertification audit | 3.5 audit days × 1,400 EUR | 4,900 EUR |",
        "| | **Initial certification total** | | **54,600 EUR** |",
        "| | **Surveillance audit 1 total** | | **4,200 EUR** |",
        "| | **Recertification audit total** | | **8,025 EUR** |",
        "| **Cycle total** | | | **71,025 EUR** |",
        "| FY 2027 (January–December 2027) | Consultant days, preliminary preparation | "
        "2027-01-11 | 1,580 EUR |",
        "| | **FY 2027 (January–December 2027) total** | | **54,600 EUR** |",
        "| **Cycle total, by fiscal year** | | | **71,025 EUR** |",
    ):
        assert row in lines, row
    text = " ".join(report.split())
    for sentence in (
        "Together 54,600 EUR. On top comes the time of the organisation's own staff: "
        "118 person-days, valued at 56,640 EUR.",
        # 4,200 + 4,200 + 8,025
        "Surveillance 1 and 2 and the recertification cost 16,425 EUR here",
        "This estimate assumes 1,400 EUR per audit day.",
        "It takes 54,600 EUR of external spending and 118 person-days of own staff "
        "(56,640 EUR); over the certification cycle, from the initial certification to the "
        "recertification audit on 2030-11-19, the external cost is 71,025 EUR.",
        "Approve the budget of 54,600 EUR,",
        # the cost chart's words, which stand in for it in Markdown
        "Bar chart of the project cost, 54,600 EUR: Consulting 38,400 EUR; Certification body "
        "10,500 EUR; Training 3,450 EUR; Reference material and publicity 2,250 EUR; Tool "
        "software (optional) 0 EUR; internal effort 118 person-days, 56,640 EUR.",
    ):
        assert sentence in text, sentence


def test_the_html_report() -> None:
    page = render_report(example(), "html").decode("utf-8")
    costs = page[page.index('id="costs"') :]
    costs = costs[: costs.index("</section>")]
    cells = [html.unescape(c) for c in re.findall(r'<td class="num">([^<]*)</td>', costs)]
    assert cells == [
        *("38,400 EUR", "38,400 EUR"),  # the line, the part's subtotal
        *("450 EUR", "2,100 EUR", "375 EUR", "4,900 EUR", "875 EUR", "900 EUR", "900 EUR"),
        "10,500 EUR",
        *("1,250 EUR", "0 EUR", "2,200 EUR", "3,450 EUR"),
        *("450 EUR", "300 EUR", "1,500 EUR", "2,250 EUR"),
        *("0 EUR", "0 EUR"),
        *("54,600 EUR", "56,640 EUR", "111,240 EUR"),
        *("40", "49", "13", "6", "10", "118"),  # internal effort, person-days
        # the cycle by step
        *("38,400 EUR", "10,500 EUR", "3,450 EUR", "2,250 EUR", "0 EUR", "54,600 EUR"),
        *("2,800 EUR", "500 EUR", "900 EUR", "0 EUR", "4,200 EUR"),
        *("2,800 EUR", "500 EUR", "900 EUR", "0 EUR", "4,200 EUR"),
        *("450 EUR", "4,900 EUR", "875 EUR", "900 EUR", "900 EUR", "0 EUR", "8,025 EUR"),
        "71,025 EUR",
        # the same by fiscal year: 2027 holds the project, line by line in date order
        *("1,580 EUR", "450 EUR", "300 EUR", "1,580 EUR", "17,067 EUR", "1,250 EUR", "0 EUR"),
        *("2,200 EUR", "0 EUR", "10,588 EUR", "450 EUR", "7,585 EUR", "2,100 EUR", "375 EUR"),
        *("4,900 EUR", "875 EUR", "900 EUR", "900 EUR", "1,500 EUR", "54,600 EUR"),
        *("2,800 EUR", "500 EUR", "900 EUR", "0 EUR", "4,200 EUR"),
        *("2,800 EUR", "500 EUR", "900 EUR", "0 EUR", "4,200 EUR"),
        *("450 EUR", "4,900 EUR", "875 EUR", "900 EUR", "900 EUR", "0 EUR", "8,025 EUR"),
        "71,025 EUR",
    ]
    summary = html.unescape(page[: page.index('id="costs"')])
    assert "<dt>Project cost (external)</dt><dd>54,600 EUR</dd>" in summary
    cycle = "<dt>Certification cycle cost (external, to recertification)</dt><dd>71,025 EUR</dd>"
    assert cycle in summary


def test_the_pdf_report() -> None:
    reader = PdfReader(io.BytesIO(render_report(example(), "pdf")))
    text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    for amount in ("38,400 EUR", "10,500 EUR", "54,600 EUR", "56,640 EUR", "111,240 EUR"):
        assert amount in text, amount
    assert "Surveillance 1 and 2 and the recertification cost 16,425 EUR here" in text
    assert "Cycle total 71,025 EUR" in text
    assert "Cycle total, by fiscal year 71,025 EUR" in text


def test_the_cost_chart_labels_its_bars() -> None:
    figure = cost_figure(example())
    labels = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert labels == [
        "38,400 EUR",
        "10,500 EUR",
        "3,450 EUR",
        "2,250 EUR",
        "0 EUR",
        "61,920 EUR",
    ]
    assert figure.axes[0].get_title(loc="left") == "Project cost 54,600 EUR and internal effort"


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
    assert amount("Certification body", "Application fee") == 450
    assert amount("Certification body", "Stage 2 audit: travel and expenses") == 875
    assert amount("Training", "Process owner training") == 2_200
    for title, written in PARTS:
        assert amount(title, "Subtotal") == int(written.split()[0].replace(",", ""))
    assert amount("Project total", "sum of the five parts") == 54_600
    assert amount("Internal effort", "Own staff time") == 56_640
    assert amount("Total with internal effort", "project total and internal effort") == 111_240
    assert amount("Cycle total", "initial certification to recertification") == 71_025
    assert amount("FY 2027 (January–December 2027)", "Subtotal") == 54_600
    assert amount("Cycle total, by fiscal year", "the same total as by step") == 71_025
    assert ws[f"D{rows[('Project total', 'sum of the five parts')]}"].number_format == (
        '#,##0 "EUR"'
    )
