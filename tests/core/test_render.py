"""The summaries' renderer: JSON that reads back as the same evaluation, text and Markdown
that end where they should and carry no stray template whitespace, and templates that refuse
a missing value instead of printing nothing."""

from __future__ import annotations

import jinja2
import pytest

from iso20k_core.report.render import FORMATS, make_environment, render
from iso20k_core.results import Evaluation
from tests.core.test_report import CASES, evaluation


@pytest.mark.parametrize("case", CASES)
def test_json_reads_back_as_the_same_evaluation(case: str) -> None:
    e = evaluation(case)
    written = render(e, "json")
    assert written.endswith("}\n") and not written.endswith("\n\n")
    assert Evaluation.model_validate_json(written) == e
    assert '\n  "' in written and '\n   "' not in written  # indented by two, for diffs


@pytest.mark.parametrize("fmt", ["text", "markdown"])
@pytest.mark.parametrize("case", CASES)
def test_text_and_markdown_have_no_stray_template_whitespace(case: str, fmt: str) -> None:
    written = render(evaluation(case), fmt)  # type: ignore[arg-type]
    assert written.endswith("\n") and not written.startswith("\n")
    assert "\n\n\n" not in written  # one blank line between parts, none left by {% %}
    lines = written.splitlines()
    assert not [line for line in lines if line != line.rstrip()]  # no blanks left by {% %}
    assert not [n for n, line in enumerate(lines) if line.startswith(" ") and not line.strip()]


def test_every_summary_format_renders() -> None:
    assert FORMATS == ("text", "json", "markdown")
    e = evaluation(CASES[0])
    assert len({render(e, fmt) for fmt in FORMATS}) == 3


def test_templates_refuse_a_missing_value_and_html_is_escaped() -> None:
    with pytest.raises(jinja2.UndefinedError):
        make_environment(autoescape=False).from_string("{{ missing }}").render()
    html = make_environment(autoescape=True).from_string("{{ v }}").render(v="<b>")
    assert html == "&lt;b&gt;"
    assert make_environment(autoescape=False).from_string("{{ v }}").render(v="<b>") == "<b>"
    env = make_environment(autoescape=False)
    assert env.get_template("evaluation.txt.j2").name == "evaluation.txt.j2"  # the package's
    assert env.from_string("a\n").render() == "a\n"  # the last newline kept
