"""The console in Simplified Chinese: ISO20K_LOCALE (or `iso20k --locale`) picks the
language of the person at the terminal, and text is laid out by display width (a Chinese
character takes two cells of a terminal)."""

from __future__ import annotations

import datetime as dt
import io
import re
import string
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from bot.cli import cli
from bot.console.app import Console
from bot.console.render import NO_LINE_START, WIDTH, cells, pad, render_message, wrap
from bot.dialogs.model import Fact, Message
from bot.store.db import make_engine
from bot.store.migrate import upgrade
from iso20k_core.language import _, language_for, using
from iso20k_core.standard import load_bank

TODAY = dt.date(2026, 11, 25)
ZH = language_for("zh-CN")
CJK = re.compile(r"[\u4e00-\u9fff]")


def zh(message: str, **params: object) -> str:
    """What the catalog says in Chinese: the tests follow the catalog, not a copy of it."""
    assert ZH is not None
    with using(ZH):
        return _(message, **params)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def run(engine: Engine, lines: list[str], locale: str | None = "zh-CN") -> str:
    out = io.StringIO()
    console = Console(
        engine,
        load_bank(),
        "alice",
        io.StringIO("\n".join(lines) + "\n"),
        out,
        lambda: TODAY,
        locale=locale,
    )
    assert console.run() == 0
    return out.getvalue()


def test_the_console_s_own_words_are_chinese(engine: Engine) -> None:
    out = run(engine, ["help", "as bob", "quit"])
    assert out.startswith(zh("iso20k console. Type 'help' for commands, 'quit' to leave."))
    assert zh("In the console also:") in out
    assert zh("press a button of the last reply") in out
    assert zh("Now acting as @{user}.", user="bob") in out
    # What is typed stays as typed: the words the console reads are not translated.
    assert "  as NAME      " in out and "  quit         " in out


def test_english_stays_as_it_was(engine: Engine) -> None:
    out = run(engine, ["help", "as bob", "quit"], locale=None)
    assert out.startswith("iso20k console. Type 'help' for commands, 'quit' to leave.\n")
    assert "In the console also:\n" in out
    assert "  as NAME      act as another member" in out
    assert "Now acting as @bob.\n" in out
    assert not CJK.search(out)


def test_a_form_s_prompts_are_chinese(engine: Engine) -> None:
    # Leave the setup form at its first field: the console's own hints are shown.
    out = run(engine, ["setup", "cancel", "quit"])
    assert zh("Cancelled: nothing from this form was saved.") in out


def test_iso20k_locale_sets_the_console_s_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ISO20K_LOCALE", "zh-CN")
    done = CliRunner().invoke(cli, ["console", "--user", "alice"], input="help\nquit\n")
    assert done.exit_code == 0, done.output
    assert zh("In the console also:") in done.output
    # --locale wins over the environment
    english = CliRunner().invoke(
        cli, ["console", "--user", "alice", "--locale", "en"], input="help\nquit\n"
    )
    assert "In the console also:" in english.output and not CJK.search(english.output)


# -- display width ----------------------------------------------------------------------


def test_cells_count_wide_characters_twice() -> None:
    assert cells("ISO") == 3
    assert cells("准备度") == 6
    assert cells("准备度（SMS）：") == 15
    assert pad("准备度", 8) == "准备度  "
    assert pad("Answered", 8) == "Answered"
    # Control characters count one column each (NUL too, which wcwidth counts as none).
    assert cells("\x00") == cells("\x1b") == 1
    assert cells("a\u0301") == 1  # a combining mark takes no column


def test_facts_line_up_by_display_width() -> None:
    message = Message(
        "状态",
        facts=(
            Fact("已回答", "9/157"),
            Fact("准备度", "34.6%"),
            Fact("下一次审核", "2027年9月13日"),
        ),
    )
    lines = [line for line in render_message(message).splitlines() if line.startswith("  ")]
    values = ("9/157", "34.6", "2027")
    starts = {cells(line[: line.index(v)]) for line, v in zip(lines, values, strict=True)}
    assert len(starts) == 1  # every value starts in the same terminal column
    assert render_message(message).splitlines()[1] == "=" * cells("状态")


def test_a_long_chinese_paragraph_is_wrapped_within_the_width() -> None:
    text = "服务管理体系（SMS）的范围是否已经确定，并以成文信息的形式保持？" * 6
    lines = wrap(text, WIDTH, "", "  ")
    assert len(lines) > 1
    assert all(cells(line) <= WIDTH for line in lines)
    assert "".join(line.strip() for line in lines) == text
    assert not any(line.strip()[0] in NO_LINE_START for line in lines)


WORDS = st.one_of(
    st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=12),
    st.text(alphabet="服务管理体系范围成文信息准备度审核认证", min_size=1, max_size=6),
    st.sampled_from(["，", "。", "；", "（SMS）", "ISO/IEC 20000-1", "：", "？"]),
)


@given(st.lists(st.tuples(WORDS, st.sampled_from(["", " "])), max_size=60), st.integers(20, 88))
def test_wrapping_keeps_every_character_and_the_width(
    parts: list[tuple[str, str]], width: int
) -> None:
    text = "".join(word + gap for word, gap in parts).strip()
    lines = wrap(text, width, "", "  ")
    for line in lines:
        assert cells(line) <= width
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines[1:]:
        assert line.strip()[0] not in NO_LINE_START


@given(st.text(alphabet=string.ascii_letters + " ,.;-", max_size=300), st.integers(10, 88))
def test_narrow_text_wraps_exactly_as_textwrap_did(text: str, width: int) -> None:
    assert wrap(text, width, "  ", "    ") == textwrap.wrap(
        text, width, initial_indent="  ", subsequent_indent="    "
    )
