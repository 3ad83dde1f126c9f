"""Chinese text in the charts and the PDF report: drawn with a CJK font, embedded, never boxes;
and where no CJK font is installed, a plain sentence naming the package instead.

The machine that runs these tests has a CJK font: `.ci/run` and `python3 run.py` install
Debian's fonts-wqy-microhei where they can. Without one, the first test says so.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from matplotlib import font_manager
from pypdf import PdfReader

from iso20k_core.evaluate import evaluate
from iso20k_core.inputs import parse_input_text
from iso20k_core.language import language_for, using
from iso20k_core.report import charts, document, fonts
from iso20k_core.results import Evaluation

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CSS = Path(fonts.__file__).with_name("templates") / "report.css"
TODAY = dt.date(2026, 11, 25)
CHINESE_NAME = "深圳市某某科技有限公司"
ZH = language_for("zh-CN")


@cache
def chinese_evaluation() -> Evaluation:
    """The largest example, its organisation named in Chinese, evaluated in Chinese."""
    assert ZH is not None
    given = parse_input_text((EXAMPLES / "enterprise-iso27001.yaml").read_text(encoding="utf-8"))
    named = given.profile.model_copy(update={"organisation": CHINESE_NAME})
    with using(ZH):
        return evaluate(named, given.answers, TODAY, given.bank)


@pytest.fixture
def chinese() -> Iterator[None]:
    assert ZH is not None
    with using(ZH):
        yield


def test_this_machine_has_a_cjk_font() -> None:
    assert fonts.cjk_family() is not None, (
        f"no CJK font is installed: install {fonts.FONT_PACKAGE} (apt-get install "
        f"{fonts.FONT_PACKAGE}); .ci/run and python3 run.py do where they can"
    )


@pytest.mark.parametrize("name", list(charts.CHARTS))
@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_a_chart_with_chinese_labels_misses_no_glyph(
    chinese: None, name: charts.ChartName, fmt: charts.ImageFormat
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        drawn = charts.draw(chinese_evaluation(), name, fmt)
    assert drawn
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing[:3]


def test_the_chart_titles_are_chinese(chinese: None) -> None:
    figure = charts.maturity_figure(chinese_evaluation())
    texts = {t.get_text() for t in figure.findobj(charts.Text)}
    assert "各条款成熟度与认证要求等级对比" in texts
    assert "要求等级" in texts


def test_a_chinese_pdf_embeds_a_cjk_font_and_its_text_extracts(chinese: None) -> None:
    pdf = PdfReader(io.BytesIO(document.render_pdf(chinese_evaluation())))
    text = "".join(page.extract_text() for page in pdf.pages)
    flat = re.sub(r"\s+", "", text)
    assert CHINESE_NAME in flat
    for heading in ("可行性分析", "管理基础分析", "效益分析", "认证实施计划", "资源与费用"):
        assert heading in flat, heading
    assert "风险因素及对策" in flat and "结论" in flat
    assert f"第2页，共{len(pdf.pages)}页" in flat  # the running foot, in Chinese
    assert "ISO/IEC20000-1认证可行性报告" in flat  # the running head
    assert "\x00" not in text
    embedded: set[str] = set()
    for page in pdf.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            embedded.add(str(font.get_object()["/BaseFont"]))
    family = fonts.cjk_family()
    assert family is not None
    # Subset names as WeasyPrint embeds them: "/AJCJEQ+WenQuanYi-Micro-Hei".
    assert any(_bare(family)[:11] in _bare(name) for name in embedded), embedded


def _bare(name: str) -> str:
    return re.sub(r"[\s-]", "", name).lower()


def test_an_english_pdf_embeds_no_cjk_font() -> None:
    given = parse_input_text((EXAMPLES / "small-it-department.yaml").read_text(encoding="utf-8"))
    e = evaluate(given.profile, given.answers, TODAY, given.bank)
    pdf = PdfReader(io.BytesIO(document.render_pdf(e)))
    names = {
        str(f.get_object()["/BaseFont"])
        for page in pdf.pages
        for f in page["/Resources"].get("/Font", {}).values()
    }
    assert names and all("DejaVu" in n for n in names), names


def test_without_a_cjk_font_chinese_text_is_refused_with_the_package_to_install(
    monkeypatch: pytest.MonkeyPatch, chinese: None
) -> None:
    monkeypatch.setattr(fonts, "cjk_family", lambda: None)
    with pytest.raises(fonts.MissingFontError) as refused:
        document.render_pdf(chinese_evaluation())
    assert fonts.FONT_PACKAGE in str(refused.value)
    assert "中文字体" in str(refused.value)  # said in the reader's language
    with pytest.raises(fonts.MissingFontError):
        charts.draw(chinese_evaluation(), "maturity", "png")
    # Markdown needs no font: it is still there.
    assert CHINESE_NAME in document.render_markdown(chinese_evaluation())


def test_without_a_cjk_font_an_english_report_is_unaffected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fonts, "cjk_family", lambda: None)
    given = parse_input_text((EXAMPLES / "small-it-department.yaml").read_text(encoding="utf-8"))
    e = evaluate(given.profile, given.answers, TODAY, given.bank)
    assert charts.draw(e, "cost", "png")
    fonts.require_glyphs(document.render_html(e))


def test_the_report_css_names_every_cjk_family_the_charts_look_for() -> None:
    chain = re.findall(r'"([^"]+)"', CSS.read_text(encoding="utf-8"))
    for family in fonts.CJK_FAMILIES:
        if family != "Noto Sans CJK JP" and family != "Droid Sans Fallback":
            assert family in chain, family


@pytest.mark.parametrize(
    ("char", "cjk"),
    [
        ("中", True),
        ("。", True),
        ("１", True),
        ("か", True),
        ("한", True),
        ("a", False),
        ("é", False),
    ],
)
def test_which_characters_need_a_cjk_font(char: str, cjk: bool) -> None:
    assert fonts.is_cjk(char) is cjk


def test_labels_are_shortened_by_display_width() -> None:
    assert charts._shorten("a" * 42) == "a" * 42
    assert charts._shorten("a" * 43) == "a" * 41 + "…"
    assert charts._shorten("中" * 21) == "中" * 21
    assert charts._shorten("中" * 22) == "中" * 20 + "…"


def test_a_bold_chinese_title_logs_no_warning(
    chinese: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A CJK font without a bold face is drawn regular, quietly: a CLI user sees no log."""
    font_manager.fontManager._findfont_cached.cache_clear()  # it warns on a miss only
    with caplog.at_level(logging.WARNING):
        charts.draw(chinese_evaluation(), "cost", "png")
    assert not [r for r in caplog.records if "font weight" in r.getMessage()]
