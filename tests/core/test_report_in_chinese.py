"""The feasibility report and the evaluation renderings in Simplified Chinese: the headings a
Chinese senior management team expects, in order; no English sentence of the templates left
(the data, which the engine and the question bank translate, aside); an organisation's
Chinese name intact, and escaped in HTML; `<html lang>` following the language; English as
before. PDF and fonts are tested with the PDF (tests/core/test_report.py).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from iso20k_core import catalog
from iso20k_core.evaluate import evaluate
from iso20k_core.inputs import parse_input_text
from iso20k_core.language import Language, english, language_for, using
from iso20k_core.report import document
from iso20k_core.report.document import SECTIONS, ReportFormat, render_afresh, render_report
from iso20k_core.report.render import Format, label, make_environment, pad, render
from iso20k_core.results import Compliance, DocumentState, Evaluation, Level, Verdict
from tests.core.helpers import TODAY, examples

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# The largest example: the most sections, tables and list items filled.
LARGEST = max(EXAMPLES.glob("*.yaml"), key=lambda p: p.stat().st_size).stem
CHINESE_NAME = "深圳市某某科技有限公司"
HEADINGS = (
    "可行性分析",
    "管理基础分析",
    "效益分析",
    "认证实施计划",
    "资源与费用",
    "风险因素及对策",
    "结论",
)
CJK = re.compile(r"[\u4e00-\u9fff]")


def chinese() -> Language:
    found = language_for("zh-CN")
    assert found is not None
    return found


@cache
def evaluation(organisation: str | None = None, tag: str = "en") -> Evaluation:
    """The largest example evaluated in `tag`'s language: the engine's own words (reasons,
    risks, names) follow the language as the templates' do."""
    given = parse_input_text((EXAMPLES / f"{LARGEST}.yaml").read_text(encoding="utf-8"))
    p = given.profile
    if organisation is not None:
        p = p.model_copy(update={"organisation": organisation})
    language = language_for(tag)
    assert language is not None
    with using(language):
        return evaluate(p, given.answers, TODAY, given.bank)


@cache
def report_in(tag: str, fmt: ReportFormat, organisation: str | None = None) -> str:
    language = language_for(tag)
    assert language is not None
    with using(language):
        return render_afresh(evaluation(organisation, tag), fmt).decode("utf-8")


@cache
def evaluation_in(tag: str, fmt: Format, organisation: str | None = None) -> str:
    language = language_for(tag)
    assert language is not None
    with using(language):
        return render(evaluation(organisation, tag), fmt)


def visible_text(page: str) -> str:
    """What a reader of the HTML sees: no style sheet, no tags, entities resolved."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def headings(text: str, fmt: str) -> list[str]:
    if fmt == "html":
        return [visible_text(h).strip() for h in re.findall(r"<h2>(.*?)</h2>", text, re.S)]
    return [line[3:].strip() for line in text.splitlines() if line.startswith("## ")]


def in_order(found: list[str], wanted: tuple[str, ...]) -> bool:
    """Each wanted heading is (part of) one of the found, the first of each in order."""
    at = [next((i for i, h in enumerate(found) if w in h), -1) for w in wanted]
    return -1 not in at and at == sorted(at)


# --- the report's own messages --------------------------------------------------------------


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def _word(fragment: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z]){re.escape(fragment)}(?![A-Za-z])")


@cache
def english_fragments() -> tuple[str, ...]:
    """The English text of every message the report and the evaluation renderings mark
    (templates, document.py, render.py) whose Chinese differs: each run of text between
    placeholders that has a word in it."""
    zh = chinese()
    found: set[str] = set()
    for m in catalog.extract():
        if not m.id or not any(f.startswith("iso20k_core/report/") for f, _ in m.locations):
            continue
        msgid = m.id if isinstance(m.id, str) else m.id[0]
        translated = zh.pgettext(m.context, msgid) if m.context else zh.gettext(msgid)
        if translated == msgid:
            continue  # a code, a figure pattern: the same in both languages
        for part in re.split(r"%\(\w+\)s|\{\w+\}", msgid.replace("%%", "%")):
            part = part.strip(" .,:;()")
            if re.search(r"[A-Za-z]{2,}", part):
                found.add(part)
    return tuple(sorted(found))


def english_left(text: str, e: Evaluation) -> list[str]:
    """The report's English fragments found in `text`, except where the evaluation's own
    data (area titles, reasons, cost lines: translated by the engine and the bank, not
    here) holds the same words."""
    data = "\n".join(_strings(e.model_dump(mode="json")))
    return [f for f in english_fragments() if _word(f).search(text) and not _word(f).search(data)]


def test_the_report_has_its_messages_to_check() -> None:
    fragments = english_fragments()
    assert len(fragments) > 200
    assert "Money in five parts" in " ".join(fragments)


# --- the report -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_chinese_headings_in_order(fmt: ReportFormat) -> None:
    found = headings(report_in("zh-CN", fmt), fmt)
    assert len(found) == len(SECTIONS)
    assert in_order(found, HEADINGS), found
    assert found[1] == "2 可行性分析（一）：管理基础分析"
    assert found[2] == "3 可行性分析（二）：效益分析"
    assert found[5] == "6 认证实施计划"
    assert found[6] == "7 资源与费用"
    assert found[7] == "8 风险因素及对策"
    assert found[8].startswith("9 结论")
    assert all(CJK.search(h) for h in found)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_english_headings_stay(fmt: ReportFormat) -> None:
    assert headings(report_in("en", fmt), fmt) == [s.title for s in SECTIONS]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_no_english_sentence_of_the_templates_is_left(fmt: ReportFormat) -> None:
    text = report_in("zh-CN", fmt)
    if fmt == "html":
        text = visible_text(text)
    assert english_left(text, evaluation()) == []


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_english_report_has_them_all(fmt: ReportFormat) -> None:
    """The check above would find English: the English report is full of it."""
    text = report_in("en", fmt)
    left = english_left(visible_text(text) if fmt == "html" else text, evaluation())
    assert len(left) > 100


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_chinese_sentences_follow_each_other_without_a_space(fmt: ReportFormat) -> None:
    text = report_in("zh-CN", fmt)
    assert not re.search(r"[。；：] (?=[^\s|])", visible_text(text) if fmt == "html" else text)


def test_sentences_are_joined_by_their_script() -> None:
    env = make_environment(autoescape=True)
    joined = env.from_string("{{ [a, '', b, c] | sentences }}")
    assert joined.render(a="One.", b="Two <b>.", c="三。") == "One. Two &lt;b&gt;. 三。"
    assert joined.render(a="一。", b="二：", c="三。") == "一。二：三。"


def test_specific_chinese_sentences() -> None:
    md = report_in("zh-CN", "md")
    for sentence in (
        "外部费用分为五部分：咨询、认证机构、培训",
        "第一阶段审核将评审标准要求的成文信息（ISO/IEC 17021-1 9.3.1.2）",
        "| 领域 | 条款 | 成熟度 | 要求等级 | 差距 | 符合性 | 已回答 |",
        "### 认证机构报价的核对要点",
        "**评定结果：",
        "### 假设",
        "### 资料来源",
    ):
        assert sentence in md, sentence
    # The dates a person reads are written the Chinese way, never as ISO dates.
    assert "2026年11月25日" in md
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", md.split("## 附录")[0])


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_chinese_organisation_name_is_intact(fmt: ReportFormat) -> None:
    text = report_in("zh-CN", fmt, CHINESE_NAME)
    assert f"ISO/IEC 20000-1 认证可行性报告：{CHINESE_NAME}" in text
    assert text.count(CHINESE_NAME) >= 3


def test_a_chinese_organisation_name_is_escaped_in_html() -> None:
    name = f"{CHINESE_NAME} <研发&运维> 'A'"
    page = report_in("zh-CN", "html", name)
    escaped = str(escape(name))
    assert "<研发" not in page
    assert f"<title>ISO/IEC 20000-1 认证可行性报告：{escaped}</title>" in page
    assert f'<p class="organisation">{escaped}</p>' in page
    assert page.count(escaped) >= 3


def test_html_lang_follows_the_language() -> None:
    assert '<html lang="zh-CN">' in report_in("zh-CN", "html")
    assert '<html lang="en">' in report_in("en", "html")


def test_the_kept_reports_are_kept_per_language() -> None:
    """`render_report` keeps a report per evaluation and format: the language is part of the
    key, so a Chinese reader is never served the English bytes, nor the other way round."""
    document._kept.cache_clear()
    e = evaluation()
    english_first = render_report(e, "md")
    with using(chinese()):
        chinese_then = render_report(e, "md")
    assert chinese_then != english_first
    assert chinese_then.decode("utf-8").startswith("# ISO/IEC 20000-1 认证可行性报告")
    assert render_report(e, "md") == english_first
    document._kept.cache_clear()


def test_english_is_the_default_and_unchanged_by_a_chinese_rendering() -> None:
    before = render_afresh(evaluation(), "md")
    report_in("zh-CN", "md")
    with using(english()):
        assert render_afresh(evaluation(), "md") == before
    assert before.decode("utf-8").startswith("# ISO/IEC 20000-1 certification feasibility")


# --- the evaluation renderings (`iso20k evaluate`) -------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_the_evaluation_in_chinese(fmt: Format) -> None:
    text = evaluation_in("zh-CN", fmt, CHINESE_NAME)
    assert f"ISO/IEC 20000-1 准备度：{CHINESE_NAME}" in text
    assert "评定结果：可以启动" in text or "评定结果：经准备后可行" in text
    assert english_left(text, evaluation(CHINESE_NAME)) == []
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text)


def test_the_evaluation_markdown_headings() -> None:
    e = evaluation()
    found = headings(evaluation_in("zh-CN", "markdown"), "md")
    assert found == [
        f"评定结果：{label_in_chinese(e.feasibility.verdict)}",
        "各部分完成情况",
        "差距分析",
        "效益分析",
        f"认证计划（{label_in_chinese(e.plan.mode)}）",
        f"费用（{e.costs.currency}）",
        "风险及对策",
        "假设",
        "资料来源",
    ]


def label_in_chinese(value: str) -> str:
    with using(chinese()):
        return label(value)


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_the_english_evaluation_keeps_iso_dates(fmt: Format) -> None:
    text = evaluation_in("en", fmt)
    assert evaluation().today.isoformat() in text
    assert not CJK.search(text.replace(evaluation().organisation, ""))


# --- labels and names, for every value ------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        *get_args(Compliance),
        *get_args(Verdict),
        *get_args(Level),
        *get_args(DocumentState),
        "default",
        "profile",
        "standard",
        "forward",
        "backward",
    ],
)
def test_every_engine_key_has_a_chinese_label(value: str) -> None:
    assert label(value) == value  # English: the key as it always read
    with using(chinese()):
        assert CJK.search(label(value)), value


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(
        st.characters(categories=("L", "N", "P", "S", "Zs"), exclude_characters="\x00"),
        min_size=1,
        max_size=40,
    ).filter(lambda s: s.strip() == s and s.strip() != "")
)
def test_any_organisation_name_is_written_as_given(name: str) -> None:
    """Whatever the name, the Chinese evaluation writes it exactly as typed (no message
    formats or escapes it: a `%` or a brace in a name is text)."""
    e = evaluation().model_copy(update={"organisation": name})
    with using(chinese()):
        for fmt in ("text", "markdown"):
            first_line = render(e, fmt).splitlines()[0]
            assert first_line.endswith(f"准备度：{name}")


@settings(max_examples=examples(100), deadline=None)
@given(st.text(max_size=30), st.integers(min_value=0, max_value=50), st.booleans())
def test_a_column_is_padded_to_its_width(text: str, width: int, right: bool) -> None:
    padded = pad(text, width, right)
    assert padded.strip(" ") == text.strip(" ") or text.strip(" ") == ""
    assert display_width(padded) >= width
    if not any(unicodedata.east_asian_width(ch) in "WF" for ch in text):
        # Without wide characters, exactly what `"%-40s"` (or `"%40s"`) wrote before.
        assert padded == (f"%{'' if right else '-'}{width}s" % text)


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_the_chinese_cost_columns_line_up() -> None:
    text = evaluation_in("zh-CN", "text")
    costs = text.split("费用（")[1].split("\n\n")[0].splitlines()[1:]
    totals = [
        line for line in costs if line.startswith("  项目合计") or line.startswith("  内部投入")
    ]
    assert len(totals) == 2
    assert len({display_width(line.split("  (")[0]) for line in totals}) == 1
