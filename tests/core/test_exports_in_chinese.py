"""The exports (Excel, MS Project XML, iCalendar) written in Simplified Chinese.

The language changes the words a person reads, never what a program reads back: each Chinese
export is compared with the English export of the same plan, cell by cell and element by
element. Every number, formula, date, UID, key and XML or iCalendar name is the same; every
text the export modules write (a message marked in `iso20k_core/report/exports/`) reads in
Chinese; and the files still open as `tests/core/test_exports.py` checks them.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from openpyxl.worksheet.worksheet import Worksheet

from iso20k_core import catalog
from iso20k_core import figures as fig
from iso20k_core.evaluate import evaluate
from iso20k_core.language import Language, english, language_for, languages, using
from iso20k_core.profile import Profile
from iso20k_core.report.exports import FORMATS, ExportFormat, export, plan_groups
from iso20k_core.report.exports.ics import PRODID, event_uid, slug
from iso20k_core.report.exports.mspdi import NS
from iso20k_core.report.exports.xlsx import sheet_names
from iso20k_core.results import Evaluation
from tests.core.helpers import TODAY, examples
from tests.core.test_exports import (
    ASSIGNMENT_ORDER,
    CALENDAR_ORDER,
    EXAMPLE_IDS,
    EXCEPTION_ORDER,
    LINK_ORDER,
    PROJECT_ORDER,
    TASK_ORDER,
    assert_calendar_counts_business_days,
    assert_schema_order,
    example_input,
    libreoffice,
)

ZH_TAG = "zh-CN"
CHINESE_ORGANISATION = "深圳市某某科技有限公司"
CJK = re.compile(r"[\u4e00-\u9fff]")
Q = f"{{{NS}}}"
# What a person reads in MS Project; every other element is read by MS Project itself.
MSPDI_TEXT = {"Name", "Title", "Notes", "Contact"}
# Owner roles come from the engine (and its translation) for most rows; the exports' own
# owners ("SMS manager" of a window) are checked by key below, not by matching the text.
OWNER_CELLS = {("Tasks", "C")}
OWNER_ELEMENTS = {"Contact", "Resource/Name"}


def chinese() -> Language:
    language = language_for(ZH_TAG)
    assert language is not None and language.tag == ZH_TAG
    return language


def _plan_size(name: str) -> int:
    return sum(len(g.items) for g in plan_groups(evaluated(name, english())))


@functools.cache
def largest() -> str:
    """The example with the most rows in its plan (the most tasks, milestones and audits
    to write), whichever file is longest."""
    return max(EXAMPLE_IDS, key=_plan_size)


@functools.cache
def evaluated(name: str, language: Language, organisation: str | None = None) -> Evaluation:
    """An example evaluated in `language` (the engine writes its own texts in it too)."""
    given = example_input(name)
    profile = given.profile
    if organisation is not None:
        fields = {**profile.model_dump(), "organisation": organisation}
        profile = Profile.model_validate(fields)
    with using(language):
        return evaluate(profile, given.answers, TODAY, given.bank)


@functools.cache
def exported(
    name: str, fmt: ExportFormat, language: Language, organisation: str | None = None
) -> bytes:
    evaluation = evaluated(name, language, organisation)
    with using(language):
        return export(evaluation, fmt)


def in_both(name: str, fmt: ExportFormat) -> tuple[bytes, bytes]:
    return exported(name, fmt, english()), exported(name, fmt, chinese())


# --- the messages the exports write -------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _pattern(message: str) -> re.Pattern[str]:
    """A message as a regular expression that any filling of its placeholders matches."""
    parts = _PLACEHOLDER.split(message)
    # split() alternates literal text and placeholder names
    return re.compile(
        "".join(re.escape(p) if i % 2 == 0 else "(.+?)" for i, p in enumerate(parts)),
        re.DOTALL,
    )


@functools.cache
def export_messages() -> tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]:
    """(English pattern, Chinese pattern) of every message marked in the export modules
    whose fixed text has an English word in it: a text matching one was written by the
    exports, so in Chinese it must match the translation. Messages made only of
    placeholders and punctuation (`{step}, {date}`) match too much to tell; the tests below
    check those one by one."""
    zh = chinese()
    found = []
    for message in catalog.extract():
        if not isinstance(message.id, str) or not message.id:
            continue
        if not any(path.startswith("iso20k_core/report/exports/") for path, _ in message.locations):
            continue
        fixed = "".join(_PLACEHOLDER.split(message.id)[::2])
        if not re.search(r"[A-Za-z]{3,}", fixed):
            continue
        if message.context:
            translated = zh.pgettext(message.context, message.id)
        else:
            translated = zh.gettext(message.id)
        assert translated != message.id, f"no translation of {message.id!r}"
        found.append((_pattern(message.id), _pattern(translated)))
    assert len(found) > 60
    return tuple(found)


def assert_translated(english_text: str, chinese_text: str, where: object) -> bool:
    """When the English text is one the exports wrote, the Chinese text is its translation
    (holding it: a message may be a placeholder of another, `{audit}: {notes}.`).
    Returns whether the text was the exports'."""
    matched = [zh for en, zh in export_messages() if en.fullmatch(english_text)]
    if matched:
        assert CJK.search(chinese_text), (where, english_text, chinese_text)
        assert chinese_text != english_text, where
        assert any(zh.search(chinese_text) for zh in matched), (
            where,
            english_text,
            chinese_text,
        )
    return bool(matched)


# --- xlsx ----------------------------------------------------------------------------------


def book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def header(ws: Worksheet) -> list[Any]:
    return [c.value for c in ws[1]]


EXCEL_FORBIDDEN = set("[]:*?/\\")


def assert_excel_sheet_name(name: str) -> None:
    """What Excel accepts as a sheet name (Excel's "Rename sheet" rules)."""
    assert 1 <= len(name) <= 31, name
    assert not (set(name) & EXCEL_FORBIDDEN), name
    assert not name.startswith("'") and not name.endswith("'"), name
    assert name.casefold() != "history", name  # reserved by Excel for change tracking


@pytest.mark.parametrize("tag", sorted(languages()))
def test_every_languages_sheet_names_are_valid_excel_sheet_names(tag: str) -> None:
    language = languages()[tag]
    with using(language):
        names = sheet_names()
    for name in names:
        assert_excel_sheet_name(name)
    assert len({n.casefold() for n in names}) == len(names), names  # Excel ignores case
    assert book(exported("small-it-department", "xlsx", language)).sheetnames == list(names)


def test_sheet_names_in_english_and_chinese() -> None:
    assert sheet_names() == ("Tasks", "Costs", "Assumptions", "Timeline")
    with using(chinese()):
        assert sheet_names() == ("任务", "费用", "假设", "时间线")


def test_xlsx_in_chinese_has_chinese_sheets_headers_and_title() -> None:
    name = largest()
    en, zh = (book(data) for data in in_both(name, "xlsx"))
    currency = evaluated(name, english()).costs.currency
    assert zh.sheetnames == ["任务", "费用", "假设", "时间线"]
    tasks, costs, assumptions, timeline = zh.worksheets
    assert header(tasks) == [
        "阶段",
        "任务",
        "负责人",
        "工作量（人日）",
        "开始",
        "结束",
        "里程碑",
        "类型",
        "标识",
        "备注",
    ]
    assert header(costs) == ["部分", "条目", "依据", f"金额（{currency}）", "最低", "最高"]
    assert header(assumptions) == ["标识", "值", "来源", "出处"]
    assert header(timeline)[:3] == ["条目", "开始", "结束"]
    assert header(timeline)[3:] == header(en["Timeline"])[3:]  # the weeks' Mondays
    organisation = evaluated(name, english()).organisation
    assert zh.properties.title == f"ISO/IEC 20000-1认证实施计划：{organisation}"
    note = timeline.cell(row=timeline.max_row, column=1).value
    assert note == "监督审核和再认证审核在此之后进行：见“任务”工作表。"


def paired_cells(en: openpyxl.Workbook, zh: openpyxl.Workbook) -> Iterator[tuple[Any, Any]]:
    for en_ws, zh_ws in zip(en.worksheets, zh.worksheets, strict=True):
        assert (en_ws.max_row, en_ws.max_column) == (zh_ws.max_row, zh_ws.max_column)
        assert en_ws.freeze_panes == zh_ws.freeze_panes
        assert en_ws.auto_filter.ref == zh_ws.auto_filter.ref
        assert en_ws.print_title_rows == zh_ws.print_title_rows
        for en_row, zh_row in zip(en_ws.iter_rows(), zh_ws.iter_rows(), strict=True):
            yield from zip(en_row, zh_row, strict=True)


def test_xlsx_in_chinese_keeps_every_number_formula_date_and_code() -> None:
    """Cell by cell: numbers, formulas and dates (and their formats) are the English
    workbook's; a text the exports wrote reads in Chinese; nothing else moved."""
    en, zh = (book(data) for data in in_both(largest(), "xlsx"))
    figures = texts = 0
    for en_cell, zh_cell in paired_cells(en, zh):
        where = (en_cell.parent.title, en_cell.coordinate)
        assert zh_cell.coordinate == en_cell.coordinate
        assert zh_cell.number_format == en_cell.number_format, where
        assert zh_cell.data_type == en_cell.data_type, where
        assert zh_cell.font.bold == en_cell.font.bold, where
        assert zh_cell.fill.fgColor.rgb == en_cell.fill.fgColor.rgb, where
        value = en_cell.value
        if (en_cell.parent.title, en_cell.column_letter) in OWNER_CELLS:
            assert isinstance(zh_cell.value, str) == isinstance(value, str), where
        elif isinstance(value, str) and en_cell.data_type != "f":
            texts += assert_translated(value, str(zh_cell.value), where)
        else:  # a number, a date, a formula or nothing
            assert zh_cell.value == value, where
            figures += value is not None
    assert figures > 300 and texts > 100, (figures, texts)


def test_xlsx_in_chinese_keeps_kinds_keys_and_assumption_codes() -> None:
    """The Kind and Key columns and the assumptions' keys are identifiers a filter or a
    program reads back: the same in every language."""
    en, zh = (book(data) for data in in_both(largest(), "xlsx"))
    for column in ("H", "I"):
        assert [c.value for c in zh["任务"][column][1:]] == [
            c.value for c in en["Tasks"][column][1:]
        ]
    for column in ("A", "C"):
        assert [c.value for c in zh["假设"][column][1:]] == [
            c.value for c in en["Assumptions"][column][1:]
        ]


def test_xlsx_in_chinese_writes_labels_notes_and_dates_in_chinese() -> None:
    name = largest()
    zh_e = evaluated(name, chinese())
    _, data = in_both(name, "xlsx")
    zh = book(data)
    rows = [[c.value for c in row] for row in zh["费用"].iter_rows()]
    labels = [(r[0], r[1]) for r in rows]
    assert ("项目合计", "五个部分之和") in labels
    assert ("含内部工作量的总计", "项目合计与内部工作量") in labels
    assert ("周期合计", "从初次认证到再认证") in labels
    assert ("周期合计（按财年）", "与按步骤的合计相同") in labels
    assert sum(r[1] == "小计" for r in rows) == (
        len(zh_e.costs.parts) + len(zh_e.costs.cycle_steps) + len(zh_e.costs.fiscal_years)
    )
    assert [r[0] for r in rows if r[0] in ("认证周期（按步骤）", "认证周期（按财年）")] == [
        "认证周期（按步骤）",
        "认证周期（按财年）",
    ]
    internal = next(r for r in rows if r[0] == "内部工作量")
    assert internal[1] == "自有人员工时"
    assert str(internal[2]).startswith(f"{zh_e.costs.internal_days:,}人日：")
    assert "；" in str(internal[2]) and "; " not in str(internal[2])
    quote = next(r for r in rows if r[0] == "报价包含监督审核和再认证审核")
    assert quote[1] in ("是", "否", "未知")
    with using(chinese()):
        steps = [fig.date(s.date) for s in zh_e.costs.cycle_steps]
        windows = [fig.date(b.window_end) for b in zh_e.plan.audit_batches]
    for step, day in zip(zh_e.costs.cycle_steps, steps, strict=True):
        assert f"{step.title}，{day}" in [r[0] for r in rows]
    notes = [str(c.value) for c in zh["任务"]["J"][1:] if c.value]
    for day in windows:
        assert any(f"认证机构预留期至{day}" in n for n in notes), day
    assert all("年" in day and "月" in day and day.endswith("日") for day in windows)
    milestones = [c.value for c in zh["任务"]["G"][1:] if c.value is not None]
    assert set(milestones) == {"是"}
    owners = {row[8].value: row[2].value for row in zh["任务"].iter_rows(min_row=2)}
    assert owners["improvement_window"] == owners["nonconformity_window"] == "SMS 经理"
    assert owners["certificate_expiry"] == "最高管理者"


@pytest.mark.skipif(libreoffice() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_chinese_workbook_and_computes_the_same_totals(
    tmp_path: Path,
) -> None:
    """Chinese sheet names and labels do not stop a spreadsheet program from computing it."""
    soffice = libreoffice()
    assert soffice is not None
    zh = exported(largest(), "xlsx", chinese())
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "zh.xlsx").write_bytes(zh)
    command = [
        soffice,
        f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(tmp_path / "out"),
        str(tmp_path / "in" / "zh.xlsx"),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=240)
    computed = openpyxl.load_workbook(tmp_path / "out" / "zh.xlsx", data_only=True)
    assert computed.sheetnames == ["任务", "费用", "假设", "时间线"]
    costs = evaluated(largest(), chinese()).costs
    column = {str(c.value): c.row for c in computed["费用"]["B"] if c.value}
    assert computed["费用"][f"D{column['五个部分之和']}"].value == costs.project_total
    assert computed["费用"][f"D{column['从初次认证到再认证']}"].value == costs.cycle_total
    assert computed["费用"][f"D{column['与按步骤的合计相同']}"].value == costs.cycle_total


# --- MSPDI ---------------------------------------------------------------------------------


def test_mspdi_in_chinese_is_valid_and_keeps_every_date_uid_and_link() -> None:
    """Element by element: the same tree, the same values, Chinese where a person reads."""
    name = largest()
    en_data, zh_data = in_both(name, "mspdi")
    assert zh_data.startswith(b'<?xml version="1.0" encoding="UTF-8"')
    zh_data.decode("utf-8")
    en, zh = ET.fromstring(en_data), ET.fromstring(zh_data)
    assert zh.tag == Q + "Project"
    assert_schema_order(zh, PROJECT_ORDER)
    for element, order in (
        ("Calendar", CALENDAR_ORDER),
        ("Exception", EXCEPTION_ORDER),
        ("Task", TASK_ORDER),
        ("PredecessorLink", LINK_ORDER),
        ("Assignment", ASSIGNMENT_ORDER),
    ):
        for found in zh.iter(Q + element):
            assert_schema_order(found, order)
    assert_calendar_counts_business_days(evaluated(name, chinese()), zh)
    texts = 0
    parents = {child: parent for parent in en.iter() for child in parent}
    for en_el, zh_el in zip(en.iter(), zh.iter(), strict=True):
        assert zh_el.tag == en_el.tag
        tag = en_el.tag.removeprefix(Q)
        parent = parents[en_el].tag.removeprefix(Q) if en_el in parents else ""
        if tag in OWNER_ELEMENTS or f"{parent}/{tag}" in OWNER_ELEMENTS:
            continue
        if tag in MSPDI_TEXT:
            texts += assert_translated(en_el.text or "", zh_el.text or "", tag)
        else:
            assert zh_el.text == en_el.text, (tag, en_el.text, zh_el.text)
    assert texts > 20


def test_mspdi_in_chinese_names_what_the_export_writes() -> None:
    name = largest()
    zh = ET.fromstring(in_both(name, "mspdi")[1])
    organisation = evaluated(name, chinese()).organisation

    def value(element: ET.Element, tag: str) -> str:
        found = element.find(Q + tag)
        assert found is not None and found.text is not None, tag
        return found.text

    assert value(zh, "Name") == value(zh, "Title") == f"ISO/IEC 20000-1认证：{organisation}"
    assert value(zh, "Company") == organisation
    (calendar,) = zh.iter(Q + "Calendar")
    assert value(calendar, "Name") == "标准"
    exceptions = {value(x, "Name") for x in zh.iter(Q + "Exception")}
    assert exceptions and exceptions <= {"法定节假日", "周末调休工作日"}
    tasks = list(zh.iter(Q + "Task"))
    names = [value(t, "Name") for t in tasks]
    assert "改进期：纠正第一阶段审核发现" in names
    assert "不符合整改期：关闭第二阶段审核发现" in names
    assert "认证周期：监督审核和再认证审核" in names
    notes = [n.text for n in zh.iter(Q + "Notes")]
    assert any(re.fullmatch(r"\d+个工作日", n or "") for n in notes)
    assert any(re.fullmatch(r"证书于\d{4}年\d{1,2}月\d{1,2}日到期", n or "") for n in notes)


# --- iCalendar -----------------------------------------------------------------------------


def events(data: bytes) -> tuple[Calendar, dict[str, Any]]:
    calendar = Calendar.from_ical(data)
    found = {str(ev["UID"]): ev for ev in calendar.walk("VEVENT")}
    assert len(found) == len(calendar.walk("VEVENT")), "UIDs are unique"
    return calendar, found


def categories(event: Any) -> list[str]:
    return [str(c) for c in event["CATEGORIES"].cats]


def test_ics_in_chinese_keeps_every_uid_and_date() -> None:
    en_data, zh_data = in_both(largest(), "ics")
    zh_data.decode("utf-8")
    en_cal, en = events(en_data)
    zh_cal, zh = events(zh_data)
    assert set(zh) == set(en)
    for key in ("PRODID", "VERSION", "CALSCALE", "METHOD", "X-WR-CALNAME"):
        assert str(zh_cal[key]) == str(en_cal[key]), key
    assert str(zh_cal["PRODID"]) == PRODID
    assert str(zh_cal["X-WR-CALDESC"]) == "计划的里程碑、审核和预约截止日期"
    texts = 0
    for uid, en_event in en.items():
        zh_event = zh[uid]
        for key in ("DTSTART", "DTEND", "DTSTAMP"):
            assert zh_event.decoded(key) == en_event.decoded(key), (uid, key)
        assert type(zh_event.decoded("DTSTART")) is dt.date  # all-day, as in English
        for key in ("STATUS", "TRANSP"):
            assert str(zh_event.get(key)) == str(en_event.get(key)), (uid, key)
        for key in ("SUMMARY", "DESCRIPTION"):
            texts += assert_translated(str(en_event[key]), str(zh_event[key]), (uid, key))
        for en_cat, zh_cat in zip(categories(en_event), categories(zh_event), strict=True):
            assert assert_translated(en_cat, zh_cat, (uid, "CATEGORIES"))
    assert texts > 10


def test_ics_in_chinese_says_what_each_event_is() -> None:
    name = largest()
    e = evaluated(name, chinese())
    org = e.organisation
    _, found = events(in_both(name, "ics")[1])
    for m in e.plan.milestones:
        event = found[event_uid("milestone", m.key, org)]
        assert categories(event) == ["里程碑"]
        assert str(event["DESCRIPTION"]) == f"里程碑。负责人：{m.owner_role}。"
    with using(chinese()):
        days = {
            b.key: (fig.date(b.planned_date), fig.date(b.window_end)) for b in e.plan.audit_batches
        }
        deadlines = {b.key: fig.date(b.booking_deadline) for b in e.plan.audit_batches}
    for b in e.plan.audit_batches:
        planned, window_end = days[b.key]
        audit = found[event_uid("audit", b.key, org)]
        assert categories(audit) == ["审核"]
        assert str(audit["SUMMARY"]) == f"{b.title}预留期（现场{b.on_site_days}天）"
        description = str(audit["DESCRIPTION"])
        assert description.startswith(f"{b.title}：现场{b.on_site_days}天（")
        assert f"认证机构预留期至{window_end}" in description
        assert f"须于{deadlines[b.key]}前向认证机构预约" in description
        assert description.endswith("。")
        booking = found[event_uid("booking", b.key, org)]
        assert categories(booking) == ["预约截止日期"]
        assert str(booking["SUMMARY"]) == f"向认证机构预约{b.title.lower()}"
        assert (
            str(booking["DESCRIPTION"]) == f"计划于{planned}进行的{b.title.lower()}的最后预约日。"
        )
    improvement = found[event_uid("window", "improvement", org)]
    assert (categories(improvement), str(improvement["SUMMARY"])) == (
        ["计划"],
        "改进期：纠正第一阶段审核发现",
    )
    expiry = found[event_uid("certificate", "expiry", org)]
    assert (categories(expiry), str(expiry["SUMMARY"])) == (["认证"], "ISO/IEC 20000-1证书到期")
    assert str(expiry["DESCRIPTION"]) == "再认证决定须在此日之前作出（ISO/IEC 17021-1 9.6.3）。"


# --- an organisation with a Chinese name --------------------------------------------------


@pytest.mark.parametrize("language", [english(), chinese()], ids=lambda lang: lang.tag)
def test_a_chinese_organisation_name_survives_every_export(language: Language) -> None:
    org = CHINESE_ORGANISATION
    name = "small-it-department"
    xlsx = book(exported(name, "xlsx", language, org))
    assert org in str(xlsx.properties.title)
    assert xlsx.properties.title.endswith(org)
    root = ET.fromstring(exported(name, "mspdi", language, org))
    company = root.find(Q + "Company")
    assert company is not None and company.text == org
    title = root.find(Q + "Title")
    assert title is not None and title.text is not None and title.text.endswith(org)
    calendar, found = events(exported(name, "ics", language, org))
    assert str(calendar["X-WR-CALNAME"]) == f"ISO/IEC 20000-1: {org}"
    assert found and all(uid.endswith(f"-{slug(org)}@iso20k") for uid in found)


def test_a_chinese_organisation_keeps_its_own_uids_in_every_language() -> None:
    """Calendars update an event by its UID: the same in English and Chinese, and not the
    UID of another organisation named in Chinese."""
    org = CHINESE_ORGANISATION
    name = "small-it-department"
    _, en = events(exported(name, "ics", english(), org))
    _, zh = events(exported(name, "ics", chinese(), org))
    _, other = events(exported(name, "ics", chinese(), "北京某某信息技术有限公司"))
    assert set(en) == set(zh)
    assert not set(zh) & set(other)
    assert re.fullmatch(r"[0-9a-f]{12}", slug(org))


# --- the UID's slug: a property over names ------------------------------------------------

LATIN = st.characters(min_codepoint=0x20, max_codepoint=0x17F).filter(
    lambda c: c.isascii() or unicodedata.name(c, "").startswith("LATIN")
)


def slug_before(text: str) -> str:
    """The slug as it was before names in other scripts had a digest."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "organisation"


@settings(max_examples=examples(300))
@given(st.text())
def test_every_slug_is_safe_in_a_uid(name: str) -> None:
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug(name)), slug(name)


@settings(max_examples=examples(300))
@given(st.text(alphabet=LATIN))
def test_names_in_latin_letters_keep_the_uids_they_had(name: str) -> None:
    assert slug(name) == slug_before(name)


@settings(max_examples=examples(200))
@given(
    st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1),
    st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1),
)
def test_organisations_named_in_chinese_have_different_uids(a: str, b: str) -> None:
    assert (slug(a) == slug(b)) == (a == b)


# --- English ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_english_made_active_writes_the_same_bytes_as_no_language(fmt: ExportFormat) -> None:
    name = largest()
    e = evaluated(name, english())
    assert exported(name, fmt, english()) == export(e, fmt)
    assert exported(name, fmt, chinese()) != export(e, fmt)
