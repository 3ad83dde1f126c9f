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
    # (amount, low, high): consulting 19 (15-32) days × 1,200; the body's quote with the
    # audit-day ranges; training, material and tools on a certain basis, points.
    assert [(p.title, p.amount, p.low, p.high) for p in c.parts] == [
        ("Consulting", 22_800, 18_000, 38_400),
        ("Certification body", 10_500, 8_025, 18_750),
        ("Training", 3_450, 3_450, 3_450),
        ("Reference material and publicity", 2_250, 2_250, 2_250),
        ("Tool software (optional)", 0, 0, 0),
    ]
    lines = {
        line.key: (line.amount, line.low, line.high) for part in c.parts for line in part.lines
    }
    assert lines == {
        "consultant_days": (22_800, 18_000, 38_400),
        # The body's quote: application 450; stage 1 1.5 (1.5-3) and stage 2 3.5 (2-7) audit
        # days × 1,400, each with 250 an auditor-day of travel; registration 900 and the
        # first annual fee 900: 10,500 (8,025-18,750).
        "application": (450, 450, 450),
        "stage1_audit": (2_100, 2_100, 4_200),
        "stage1_travel": (375, 375, 750),
        "stage2_audit": (4_900, 2_800, 9_800),
        "stage2_travel": (875, 500, 1_750),
        "registration": (900, 900, 900),
        "annual_fee": (900, 900, 900),
        "awareness": (1_250, 1_250, 1_250),
        "internal_auditors": (0, 0, 0),
        "process_owners": (2_200, 2_200, 2_200),
        "standards": (450, 450, 450),
        "reference": (300, 300, 300),
        "publicity": (1_500, 1_500, 1_500),
        "tool_software": (0, 0, 0),
    }
    # 22,800 + 10,500 + 3,450 + 2,250 + 0 = 39,000; with the internal 64,800: 103,800.
    assert (c.project_total, c.internal_cost, c.total_with_internal) == (39_000, 64_800, 103_800)
    # Low 18,000 + 8,025 + 5,700 = 31,725, high 38,400 + 18,750 + 5,700 = 62,850; the
    # internal effort is a point beside them: 96,525 and 127,650.
    assert (c.project_low, c.project_high) == (31_725, 62_850)
    assert (c.total_with_internal_low, c.total_with_internal_high) == (96_525, 127_650)
    # Surveillance: 2 (1.5-3.5) days × 1,400 + × 250 travel + 900 annual fee = 4,200
    # (3,375-6,675) each; recertification: 450 + 3.5 (2.5-7) × 1,400 + × 250 + 900 + 900 =
    # 8,025 (6,375-13,800).
    assert [(s.amount, s.low, s.high) for s in c.cycle_steps] == [
        (39_000, 31_725, 62_850),
        (4_200, 3_375, 6_675),
        (4_200, 3_375, 6_675),
        (8_025, 6_375, 13_800),
    ]
    # 39,000 + 4,200 + 4,200 + 8,025; 31,725 + 3,375 + 3,375 + 6,375; 62,850 + 6,675 + 6,675
    # + 13,800.
    assert (c.cycle_total, c.cycle_low, c.cycle_high) == (55_425, 44_850, 90_000)
    # Consulting 22,800 over the stages' 10, 10, 108, 67, 78 of 273 business days: floors
    # 835, 835, 9,019, 5,595, 6,514 (22,798); the 2 left over to the largest remainders
    # (process 213/273, trial 165/273): 9,020 and 5,596. The 4,800 below it: floors 175,
    # 175, 1,898, 1,178, 1,371 (4,797), 3 left over to process (246/273), preparation and
    # gap analysis (225/273 each). The 15,600 above it: floors 571, 571, 6,171, 3,828, 4,457
    # (15,598), 2 left over to trial (156/273) and preparation (117/273, first of three).
    spread = [
        (x.amount, x.low, x.high)
        for x in c.fiscal_years[0].lines
        if x.key.startswith("consultant_days.")
    ]
    assert spread == [
        (835, 835 - 176, 835 + 572),
        (835, 835 - 176, 835 + 571),
        (9_020, 9_020 - 1_899, 9_020 + 6_171),
        (5_596, 5_596 - 1_178, 5_596 + 3_829),
        (6_514, 6_514 - 1_371, 6_514 + 4_457),
    ]
    # Fiscal years = calendar years: the project falls in 2027 (start 2027-01-11) but for
    # what is due at the certification decision on 2028-02-01 (registration 900, annual fee
    # 900, publicity 1,500: 3,300), then surveillance 1 on 2029-01-16, and surveillance 2 on
    # 2030-01-16 with the recertification on 2030-12-30 in the same year.
    assert [(fy.title, fy.amount, fy.low, fy.high) for fy in c.fiscal_years] == [
        # 39,000 - 3,300; 31,725 - 3,300; 62,850 - 3,300
        ("FY 2027 (January–December 2027)", 35_700, 28_425, 59_550),
        ("FY 2028 (January–December 2028)", 3_300, 3_300, 3_300),
        ("FY 2029 (January–December 2029)", 4_200, 3_375, 6_675),
        # 4,200 + 8,025; 3,375 + 6,375; 6,675 + 13,800
        ("FY 2030 (January–December 2030)", 12_225, 9_750, 20_475),
    ]


def test_the_fiscal_years_from_july() -> None:
    e = two_weak_processes(fiscal_year_start_month=7)
    # Up to June 2027: preparation, gap analysis and process establishment (from 2027-02-08)
    # with their consulting 835 + 835 + 9,020, the standards 450, reference 300 and the
    # training 1,250 + 0 + 2,200 = 14,890 (low 659 + 659 + 7,121 + 750 + 3,450 = 12,639,
    # high 1,407 + 1,406 + 15,191 + 750 + 3,450 = 22,204). From July: trial operation
    # (2027-07-14) 5,596, certification stage 6,514, the body's initial quote 10,500 (to its
    # decision on 2028-02-01) and publicity 1,500 = 24,110 (low 4,418 + 5,143 + 8,025 +
    # 1,500 = 19,086, high 9,425 + 10,971 + 18,750 + 1,500 = 40,646). Then surveillance 1 on
    # 2029-01-16, surveillance 2 on 2030-01-16 and the recertification on 2030-12-30, each in
    # its own fiscal year: 55,425 in all.
    assert [(fy.title, fy.amount, fy.low, fy.high) for fy in e.costs.fiscal_years] == [
        ("FY 2026/27 (July 2026 – June 2027)", 14_890, 12_639, 22_204),
        ("FY 2027/28 (July 2027 – June 2028)", 24_110, 19_086, 40_646),
        ("FY 2028/29 (July 2028 – June 2029)", 4_200, 3_375, 6_675),
        ("FY 2029/30 (July 2029 – June 2030)", 4_200, 3_375, 6_675),
        ("FY 2030/31 (July 2030 – June 2031)", 8_025, 6_375, 13_800),
    ]
    assert 14_890 + 24_110 + 4_200 + 4_200 + 8_025 == e.costs.cycle_total == 55_425
    assert 12_639 + 19_086 + 3_375 + 3_375 + 6_375 == e.costs.cycle_low == 44_850
    assert 22_204 + 40_646 + 6_675 + 6_675 + 13_800 == e.costs.cycle_high == 90_000


def test_the_text_summary() -> None:
    text = render(example(), "text")
    block = squeezed(text[text.index("Costs (EUR)") : text.index("\nRisks\n")])
    assert block[:7] == [
        "Costs (EUR)",
        "Consulting 22,800 EUR (18,000–38,400)",
        "Certification body 10,500 EUR (8,025–18,750)",
        "Training 3,450 EUR",
        "Reference material and publicity 2,250 EUR",
        "Tool software (optional) 0 EUR",
        "Project total 39,000 EUR (31,725–62,850)",
    ]
    assert "Internal effort (135 person-days) 64,800 EUR" in block
    assert "Initial certification 39,000 EUR 2028-02-01 (31,725–62,850)" in block
    assert "Surveillance audit 1 4,200 EUR 2029-01-16 (3,375–6,675)" in block
    assert "Recertification audit 8,025 EUR 2030-12-30 (6,375–13,800)" in block
    assert "Cycle total (without internal) 55,425 EUR (44,850–90,000)" in block
    assert "FY 2030 (January–December 2030) 12,225 EUR (9,750–20,475)" in block
    # right-aligned in a column of 14 after a title column of 40, the range after it
    assert "  Consulting" + " " * 31 + "    22,800 EUR  (18,000–38,400)\n" in text


def test_the_markdown_summary() -> None:
    lines = squeezed(render(example(), "markdown"))
    for row in (
        "| Project cost (without internal effort) | 39,000 EUR (31,725–62,850) |",
        "| Consulting | Consultant days | 19 (15–32) days × 1,200 EUR: 3 (2–4) preparation, "
        "5 (4–8) gap analysis, 3 (2–5) documentation and process support, 3 (3–5) trial "
        "coaching, 5 (4–10) audit support; an estimate (no published ISO/IEC 20000 consulting "
        "days): the range is how much the own staff do themselves | 22,800 EUR "
        "(18,000–38,400) |",
        "| Certification body | Stage 1 audit | 1.5 (1.5–3) audit days × 1,400 EUR; the audit "
        "days are an estimate until the certification body quotes | 2,100 EUR (2,100–4,200) |",
        "| Certification body | Stage 2 audit | 3.5 (2–7) audit days × 1,400 EUR; the audit "
        "days are an estimate until the certification body quotes | 4,900 EUR (2,800–9,800) |",
        "| Training | SMS awareness for all staff in scope | 50 persons × 25 EUR | 1,250 EUR |",
        "| Training | Internal auditor course | 0 persons × 1,900 EUR | 0 EUR |",
        "| Training | Process owner training | 2 process owners of weak areas × 1,100 EUR | "
        "2,200 EUR |",
        "| Reference material and publicity | Internal publicity and certificate announcement "
        "| campaign | 1,500 EUR |",
        "| Certification body | Application fee | one-off, with the application | 450 EUR |",
        "| Certification body | Stage 1 audit: travel and expenses | 1.5 (1.5–3) audit days × "
        "250 EUR per auditor-day | 375 EUR (375–750) |",
        "| **Project total** | | | **39,000 EUR (31,725–62,850)** |",
        "| Internal staff effort | 135 person-days | | 64,800 EUR |",
        "| **Total with internal effort** | | | **103,800 EUR (96,525–127,650)** |",
        "| Initial certification | 2028-02-01 | 39,000 EUR (31,725–62,850) |",
        "| Surveillance audit 1 | 2029-01-16 | 4,200 EUR (3,375–6,675) |",
        "| Surveillance audit 2 | 2030-01-16 | 4,200 EUR (3,375–6,675) |",
        "| Recertification audit | 2030-12-30 | 8,025 EUR (6,375–13,800) |",
        "| **Cycle total** | | **55,425 EUR (44,850–90,000)** |",
        "| FY 2027 (January–December 2027) | 35,700 EUR (28,425–59,550) |",
        "| FY 2028 (January–December 2028) | 3,300 EUR |",
        "| FY 2030 (January–December 2030) | 12,225 EUR (9,750–20,475) |",
        "| **Cycle total, by fiscal year** | **55,425 EUR (44,850–90,000)** |",
    ):
        assert row in lines, row


def test_the_markdown_report() -> None:
    report = render_report(example(), "md").decode("utf-8")
    lines = squeezed(report)
    for row in (
        "| Project cost (external) | 39,000 EUR (31,725–62,850) |",
        "| Internal effort | 135 person-days (64,800 EUR) |",
        "| Certification cycle cost (external, to recertification) | 55,425 EUR (44,850–90,000) |",
        "| | **Consulting** | | **22,800 EUR (18,000–38,400)** |",
        "| | **Certification body** | | **10,500 EUR (8,025–18,750)** |",
        "| | **Training** | | **3,450 EUR** |",
        "| | **Reference material and publicity** | | **2,250 EUR** |",
        "| | **Tool software (optional)** | | **0 EUR** |",
        "| **Project total** | | | **39,000 EUR (31,725–62,850)** |",
        "| Internal effort | 135 person-days of own staff | | 64,800 EUR |",
        "| **Total with internal effort** | | | **103,800 EUR (96,525–127,650)** |",
        "| Surveillance audit 1, 2029-01-16 | Surveillance audit 1 | 2 (1.5–3.5) audit days × "
        "1,400 EUR; the audit days are an estimate until the certification body quotes | "
        "2,800 EUR (2,100–4,900) |",
        "| | Recertification audit | 3.5 (2.5–7) audit days × 1,400 EUR; the audit days are an "
        "estimate until the certification body quotes | 4,900 EUR (3,500–9,800) |",
        "| | **Initial certification total** | | **39,000 EUR (31,725–62,850)** |",
        "| | **Surveillance audit 1 total** | | **4,200 EUR (3,375–6,675)** |",
        "| | **Recertification audit total** | | **8,025 EUR (6,375–13,800)** |",
        "| **Cycle total** | | | **55,425 EUR (44,850–90,000)** |",
        "| FY 2027 (January–December 2027) | Consultant days, preliminary preparation | "
        "2027-01-11 | 835 EUR (659–1,407) |",
        "| | **FY 2027 (January–December 2027) total** | | **35,700 EUR (28,425–59,550)** |",
        "| | **FY 2028 (January–December 2028) total** | | **3,300 EUR** |",
        "| **Cycle total, by fiscal year** | | | **55,425 EUR (44,850–90,000)** |",
    ):
        assert row in lines, row
    text = " ".join(report.split())
    for sentence in (
        "Together 39,000 EUR (between 31,725 and 62,850 EUR). On top comes the time of the "
        "organisation's own staff: 135 person-days, valued at 64,800 EUR.",
        # 4,200 + 4,200 + 8,025
        "Surveillance 1 and 2 and the recertification cost 16,425 EUR here",
        "This estimate assumes 1,400 EUR per audit day.",
        "It takes 39,000 EUR (between 31,725 and 62,850 EUR) of external spending and 135 "
        "person-days of own staff (64,800 EUR); over the certification cycle, from the initial "
        "certification to the recertification audit on 2030-12-30, the external cost is "
        "55,425 EUR (between 44,850 and 90,000 EUR).",
        "Approve the budget of 39,000 EUR (between 31,725 and 62,850 EUR),",
        # the cost chart's words, which stand in for it in Markdown
        "Bar chart of the project cost, 39,000 EUR (31,725–62,850): Consulting 22,800 EUR "
        "(18,000–38,400); Certification body 10,500 EUR (8,025–18,750); Training 3,450 EUR; "
        "Reference material and publicity 2,250 EUR; Tool software (optional) 0 EUR; internal "
        "effort 135 person-days, 64,800 EUR.",
    ):
        assert sentence in text, sentence


def test_the_html_report() -> None:
    page = render_report(example(), "html").decode("utf-8")
    costs = page[page.index('id="costs"') :]
    costs = costs[: costs.index("</section>")]
    cells = [html.unescape(c) for c in re.findall(r'<td class="num">([^<]*)</td>', costs)]
    consulting = "22,800 EUR (18,000–38,400)"
    body = "10,500 EUR (8,025–18,750)"
    project = "39,000 EUR (31,725–62,850)"
    surveillance = ("2,800 EUR (2,100–4,900)", "500 EUR (375–875)", "900 EUR", "0 EUR")
    recertification = (
        *("450 EUR", "4,900 EUR (3,500–9,800)", "875 EUR (625–1,750)"),
        *("900 EUR", "900 EUR", "0 EUR"),
    )
    stage1 = ("2,100 EUR (2,100–4,200)", "375 EUR (375–750)")
    stage2 = ("4,900 EUR (2,800–9,800)", "875 EUR (500–1,750)")
    cycle_total = "55,425 EUR (44,850–90,000)"
    assert cells == [
        *(consulting, consulting),  # the line, the part's subtotal
        *("450 EUR", *stage1, *stage2, "900 EUR", "900 EUR"),
        body,
        *("1,250 EUR", "0 EUR", "2,200 EUR", "3,450 EUR"),
        *("450 EUR", "300 EUR", "1,500 EUR", "2,250 EUR"),
        *("0 EUR", "0 EUR"),
        *(project, "64,800 EUR", "103,800 EUR (96,525–127,650)"),
        *("51", "55", "13", "6", "10", "135"),  # internal effort, person-days
        # the cycle by step
        *(consulting, body, "3,450 EUR", "2,250 EUR", "0 EUR", project),
        *surveillance,
        "4,200 EUR (3,375–6,675)",
        *surveillance,
        "4,200 EUR (3,375–6,675)",
        *recertification,
        "8,025 EUR (6,375–13,800)",
        cycle_total,
        # the same by fiscal year, line by line in date order: 2027 holds the project up to
        # the stage 2 audit, consulting spread over the stages (835 (659-1,407), ...)
        *("835 EUR (659–1,407)", "450 EUR", "300 EUR", "835 EUR (659–1,406)"),
        *("9,020 EUR (7,121–15,191)", "1,250 EUR", "0 EUR", "2,200 EUR", "0 EUR"),
        *("5,596 EUR (4,418–9,425)", "450 EUR", "6,514 EUR (5,143–10,971)", *stage1, *stage2),
        "35,700 EUR (28,425–59,550)",
        # 2028: registration, annual fee and publicity at the decision on 2028-02-01
        *("900 EUR", "900 EUR", "1,500 EUR", "3,300 EUR"),
        *surveillance,
        "4,200 EUR (3,375–6,675)",
        # 2030: surveillance 2 and the recertification
        *surveillance,
        *recertification,
        "12,225 EUR (9,750–20,475)",
        cycle_total,
    ]
    summary = html.unescape(page[: page.index('id="costs"')])
    assert f"<dt>Project cost (external)</dt><dd>{project}</dd>" in summary
    cycle = (
        f"<dt>Certification cycle cost (external, to recertification)</dt><dd>{cycle_total}</dd>"
    )
    assert cycle in summary


def test_the_pdf_report() -> None:
    reader = PdfReader(io.BytesIO(render_report(example(), "pdf")))
    text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    for amount in (
        "22,800 EUR (18,000–38,400)",
        "10,500 EUR (8,025–18,750)",
        "39,000 EUR (31,725–62,850)",
        "64,800 EUR",
        "103,800 EUR (96,525–127,650)",
    ):
        assert amount in text, amount
    assert "Surveillance 1 and 2 and the recertification cost 16,425 EUR here" in text
    assert "Cycle total 55,425 EUR (44,850–90,000)" in text
    assert "Cycle total, by fiscal year 55,425 EUR (44,850–90,000)" in text


def test_the_cost_chart_labels_its_bars() -> None:
    figure = cost_figure(example())
    labels = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert labels == [
        "22,800 EUR",
        "10,500 EUR",
        "3,450 EUR",
        "2,250 EUR",
        "0 EUR",
        "64,800 EUR",
    ]
    assert figure.axes[0].get_title(loc="left") == "Project cost 39,000 EUR and internal effort"


def test_the_workbook_holds_the_amounts_and_its_formulas_add_them_up() -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(example())))
    ws = sheet(book, "Costs")
    rows = {(r["Part"], r["Item"]): r["_row"] for r in records(ws)}

    def amount(part: str, item: str, column: str = "D") -> float:
        return cell_value(ws, f"{column}{rows[(part, item)]}")

    assert amount("Consulting", "Consultant days") == 22_800
    # Low (E) and high (F), and their formulas over the same rows.
    assert amount("Consulting", "Consultant days", "E") == 18_000
    assert amount("Consulting", "Subtotal", "F") == 38_400
    assert amount("Certification body", "Subtotal", "E") == 8_025
    assert amount("Certification body", "Subtotal", "F") == 18_750
    assert amount("Project total", "sum of the five parts", "E") == 31_725
    assert amount("Project total", "sum of the five parts", "F") == 62_850
    total = ("Total with internal effort", "project total and internal effort")
    # 31,725 + 64,800 and 62,850 + 64,800
    assert (amount(*total, "E"), amount(*total, "F")) == (96_525, 127_650)
    assert amount("Certification body", "Stage 1 audit") == 2_100
    assert amount("Certification body", "Stage 2 audit") == 4_900
    assert amount("Certification body", "Application fee") == 450
    assert amount("Certification body", "Stage 2 audit: travel and expenses") == 875
    assert amount("Training", "Process owner training") == 2_200
    for title, written in PARTS:
        assert amount(title, "Subtotal") == int(written.split()[0].replace(",", ""))
    assert amount("Project total", "sum of the five parts") == 39_000
    assert amount("Internal effort", "Own staff time") == 64_800
    assert amount("Total with internal effort", "project total and internal effort") == 103_800
    cycle = ("Cycle total", "initial certification to recertification")
    assert (amount(*cycle), amount(*cycle, "E"), amount(*cycle, "F")) == (55_425, 44_850, 90_000)
    assert amount("FY 2027 (January–December 2027)", "Subtotal") == 35_700
    assert amount("Cycle total, by fiscal year", "the same total as by step") == 55_425
    assert ws[f"D{rows[('Project total', 'sum of the five parts')]}"].number_format == (
        '#,##0 "EUR"'
    )
