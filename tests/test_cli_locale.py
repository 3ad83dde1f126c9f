"""`iso20k --locale`: the language of everything a command writes, before or after the
command's name, winning over ISO20K_LOCALE; an unknown one is a usage error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

import bot.cli
from bot.cli import cli
from iso20k_core.language import _, active, language_for, using
from iso20k_core.standard import BankError
from iso20k_core.standard import bank as bank_module

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "small-it-department.yaml"
CJK = re.compile(r"[\u4e00-\u9fff]")
ZH = language_for("zh-CN")


def zh(message: str, **params: object) -> str:
    assert ZH is not None
    with using(ZH):
        return _(message, **params)


@pytest.fixture(autouse=True)
def no_environment_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ISO20K_LOCALE", raising=False)
    monkeypatch.delenv("iso20k_locale", raising=False)


def languages_of_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The language active whenever the evaluation is rendered."""
    seen: list[str] = []
    real = bot.cli.render

    def render(evaluation: Any, fmt: Any) -> str:
        seen.append(active().tag)
        return real(evaluation, fmt)

    monkeypatch.setattr(bot.cli, "render", render)
    return seen


@pytest.mark.parametrize(
    "args",
    [
        ["--locale", "zh-CN", "evaluate", str(EXAMPLE), "--today", "2026-11-25"],
        ["evaluate", str(EXAMPLE), "--locale", "zh-CN", "--today", "2026-11-25"],
        ["evaluate", str(EXAMPLE), "--today", "2026-11-25", "--locale", "zh_CN"],
    ],
    ids=["before", "after", "last"],
)
def test_evaluate_in_chinese_before_or_after_the_command(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = languages_of_renders(monkeypatch)
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 0, done.output
    assert seen == ["zh-CN"]
    assert CJK.search(done.output)  # at least its dates are written the Chinese way
    assert active().tag == "en"  # and the language ends with the command


def test_the_environment_s_language_and_locale_winning_over_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = languages_of_renders(monkeypatch)
    monkeypatch.setenv("ISO20K_LOCALE", "zh-CN")
    runner = CliRunner()
    assert runner.invoke(cli, ["evaluate", str(EXAMPLE)]).exit_code == 0
    assert runner.invoke(cli, ["evaluate", str(EXAMPLE), "--locale", "en"]).exit_code == 0
    assert runner.invoke(cli, ["--locale", "en", "evaluate", str(EXAMPLE)]).exit_code == 0
    assert seen == ["zh-CN", "en", "en"]


def test_english_is_the_default_and_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = languages_of_renders(monkeypatch)
    plain = CliRunner().invoke(cli, ["evaluate", str(EXAMPLE), "--today", "2026-11-25"])
    english = CliRunner().invoke(
        cli, ["evaluate", str(EXAMPLE), "--today", "2026-11-25", "--locale", "en"]
    )
    assert seen == ["en", "en"]
    assert plain.output == english.output and not CJK.search(plain.output)


def test_report_md_in_chinese(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    done = CliRunner().invoke(
        cli,
        ["report", str(EXAMPLE), "--locale", "zh-CN", "--format", "md", "-o", str(out)],
    )
    assert done.exit_code == 0, done.output
    size = out.stat().st_size
    assert done.output.strip() == zh("wrote {file} ({size} bytes)", file=out, size=f"{size:,}")
    assert CJK.search(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("where", ["before", "after"])
def test_an_unknown_locale_is_a_usage_error_naming_the_languages(where: str) -> None:
    args = ["evaluate", str(EXAMPLE)]
    args = ["--locale", "xx", *args] if where == "before" else [*args, "--locale", "xx"]
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 2
    assert "Invalid value for '--locale'" in done.output  # click's own words stay English
    assert "'xx'" in done.output and "en, zh-CN" in done.output


def test_an_unknown_iso20k_locale_is_refused_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISO20K_LOCALE", "xx")
    done = CliRunner().invoke(cli, ["evaluate", str(EXAMPLE)])
    assert done.exit_code == 2
    assert "ISO20K_LOCALE" in done.output and "en, zh-CN" in done.output


def test_cli_messages_are_chinese(tmp_path: Path) -> None:
    missing = tmp_path / "nosuch.yaml"
    done = CliRunner().invoke(cli, ["evaluate", str(missing), "--locale", "zh-CN"])
    assert done.exit_code == 2
    assert zh("{file}: no such file", file=missing) in done.output
    listed = CliRunner().invoke(cli, ["questions", "--section", "nosuch", "--locale", "zh-CN"])
    assert listed.exit_code == 2 and CJK.search(listed.output)


def test_every_command_takes_locale() -> None:
    def commands(group: Any) -> list[Any]:
        found = []
        for command in group.commands.values():
            found.append(command)
            if hasattr(command, "commands"):
                found += commands(command)
        return found

    for command in [cli, *commands(cli)]:
        assert "locale" in {p.name for p in command.params}, command.name


def test_a_kept_report_is_kept_per_language() -> None:
    """The charts and reports kept per evaluation (iso20k_core/report/memo.py) are kept per
    language too: the same evaluation read in Chinese is not served the English bytes."""
    from iso20k_core.report import memo
    from tests.core.test_render_cache import evaluated

    e = evaluated()
    assert ZH is not None
    with using(ZH):
        chinese = memo.key(e)
    assert memo.key(e) != chinese and memo.key(e) == memo.key(e)


def test_a_broken_bank_translation_stops_the_console_with_the_file_and_id(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Start-up checks every translation of the bank (checked_bank): a broken one is one
    line naming where, not a conversation that breaks later."""
    problem = "bank 2018.1: zh_CN/foundation.yaml: itil.practice_adoption: no text"

    def broken() -> None:
        raise BankError(problem)

    monkeypatch.setattr(bank_module, "check_translations", broken)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'iso20k.db'}")
    result = CliRunner().invoke(cli, ["console"], input="quit\n")
    assert result.exit_code == 2  # the CLI's status for input it cannot use (_fail)
    assert problem in result.output
    assert "Traceback" not in result.output


def test_a_chinese_pdf_report_from_the_command_line(tmp_path: Path) -> None:
    """`iso20k report … --locale zh-CN --format pdf`: the Chinese headings and the
    organisation's Chinese name are in the PDF's text, and a CJK font is embedded."""
    profile = tmp_path / "org.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    name = re.search(r'^  organisation: "?([^"\n]+)"?$', text, flags=re.M)
    assert name is not None
    profile.write_text(text.replace(name.group(1), "深圳市某某科技有限公司"), encoding="utf-8")
    out = tmp_path / "report.pdf"
    args = ["report", str(profile), "--locale", "zh-CN", "--format", "pdf", "-o", str(out)]
    result = CliRunner().invoke(cli, [*args, "--today", "2026-11-25"])
    assert result.exit_code == 0, result.output
    pdf = PdfReader(out)
    flat = re.sub(r"\s+", "", "".join(page.extract_text() for page in pdf.pages))
    assert "深圳市某某科技有限公司" in flat
    for heading in ("可行性分析", "管理基础分析", "效益分析", "认证实施计划", "资源与费用"):
        assert heading in flat, heading
    assert "风险因素及对策" in flat and "结论" in flat
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in pdf.pages
        for font in page["/Resources"].get("/Font", {}).values()
    }
    assert any(("WenQuanYi" in f or "CJK" in f or "Han" in f) for f in fonts), fonts
