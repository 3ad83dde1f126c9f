"""Charts and reports are kept per evaluation (iso20k_core/report/memo.py): a repeat is served
byte for byte without drawing or laying out again; a different evaluation never is served
another's entry; the caches are bounded, and mutation runs clear them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iso20k_core.answers import AnswerValue
from iso20k_core.evaluate import evaluate
from iso20k_core.language import language_for, using
from iso20k_core.profile import Profile
from iso20k_core.report import charts, document, memo
from iso20k_core.report.document import REPORT_FORMATS, ReportFormat, render_report
from iso20k_core.results import Evaluation
from iso20k_core.standard import load_bank
from tests.core.helpers import TODAY, all_at, examples, profile
from tests.core.strategies import answer_values, answers, profiles

BANK = load_bank()


def evaluated(today: dt.date = TODAY, changes: dict[str, AnswerValue] | None = None) -> Evaluation:
    """Every process at maturity 2 (so there are tasks to draw) and the plan starting from
    `today`, evaluated afresh each time as every chat command does: equal evaluations, never
    the same object."""
    return evaluate(profile(start_date=None), {**all_at(2, BANK), **(changes or {})}, today, BANK)


def a_task_question(e: Evaluation) -> str:
    """A maturity question of the first task's area: changing it moves that task."""
    area = next(a for a in BANK.areas if a.id == e.plan.tasks[0].area)
    return next(q.id for q in area.questions if q.type == "maturity")


@pytest.fixture(autouse=True)
def emptied() -> Iterator[None]:
    """Each test starts with empty caches and leaves none of its stand-ins in them."""
    charts._kept.cache_clear()
    document._kept.cache_clear()
    yield
    charts._kept.cache_clear()
    document._kept.cache_clear()


def spy_on_chart(monkeypatch: pytest.MonkeyPatch, name: charts.ChartName) -> mock.Mock:
    """Counts the drawings of one chart (the figure; writing its bytes follows each)."""
    spy = mock.Mock(wraps=charts.CHARTS[name])
    monkeypatch.setitem(charts.CHARTS, name, spy)
    return spy


# --- a repeat is served from the cache ----------------------------------------------------


def test_the_plan_gantt_repeated_is_the_same_bytes_and_not_drawn_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    managers, members = (
        spy_on_chart(monkeypatch, "gantt"),
        spy_on_chart(monkeypatch, "gantt_members"),
    )
    first = charts.gantt_png(evaluated())
    assert charts.gantt_png(evaluated()) == first
    assert managers.call_count == 1
    # the members' chart (no tasks) is an entry of its own, kept as well
    for_members = charts.gantt_png(evaluated(), with_tasks=False)
    assert for_members != first
    assert charts.gantt_png(evaluated(), with_tasks=False) == for_members
    assert (managers.call_count, members.call_count) == (1, 1)
    assert first == charts.draw(evaluated(), "gantt")  # what the cache holds is the drawing


def test_a_chart_is_kept_per_format(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = spy_on_chart(monkeypatch, "cost")
    png, svg = charts.cost_png(evaluated()), charts.cost_svg(evaluated())
    assert png != svg
    assert (charts.cost_png(evaluated()), charts.cost_svg(evaluated())) == (png, svg)
    assert spy.call_count == 2


@pytest.mark.parametrize("fmt", REPORT_FORMATS)
def test_a_repeated_report_is_the_same_bytes_and_not_rendered_again(
    monkeypatch: pytest.MonkeyPatch, fmt: ReportFormat
) -> None:
    spy = mock.Mock(wraps=document.render_afresh)
    monkeypatch.setattr(document, "render_afresh", spy)
    first = render_report(evaluated(), fmt)
    assert render_report(evaluated(), fmt) == first
    assert spy.call_count == 1


def test_a_report_draws_its_charts_once_and_the_chat_reuses_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spies = [spy_on_chart(monkeypatch, name) for name in ("gantt", "cost", "maturity")]
    html = render_report(evaluated(), "html")
    assert [s.call_count for s in spies] == [1, 1, 1]
    # `/iso20k plan` and `/iso20k cost` send the report's own pictures, drawn already
    assert document._data_uri(charts.gantt_png(evaluated())) in html.decode("utf-8")
    charts.cost_png(evaluated())
    assert render_report(evaluated(), "md")  # no pictures in Markdown
    assert [s.call_count for s in spies] == [1, 1, 1]


# --- a different evaluation is drawn again --------------------------------------------------


def changed(e: Evaluation, what: str) -> Evaluation:
    if what == "today":
        return evaluated(TODAY + dt.timedelta(days=7))  # the plan a week later
    return evaluated(changes={a_task_question(e): 4})


@pytest.mark.parametrize("what", ["today", "answer"])
def test_a_changed_evaluation_is_drawn_again(monkeypatch: pytest.MonkeyPatch, what: str) -> None:
    spy = spy_on_chart(monkeypatch, "gantt")
    e = evaluated()
    other = changed(e, what)
    assert other != e
    first, second = charts.gantt_png(e), charts.gantt_png(other)
    assert spy.call_count == 2
    assert second != first
    assert second == charts.draw(other, "gantt")
    assert charts.gantt_png(e) == first  # both kept


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("what", ["today", "answer"])
def test_a_changed_evaluation_gets_its_own_report(what: str, fmt: ReportFormat) -> None:
    e = evaluated()
    other = changed(e, what)
    first, second = render_report(e, fmt), render_report(other, fmt)
    assert second != first
    assert second == document.render_afresh(other, fmt)


def test_values_that_compare_equal_but_print_apart_have_keys_of_their_own() -> None:
    """-0.0 == 0.0 for pydantic, but the report prints "-0.0 %"; pydantic's own JSON writes
    an infinite score as null, like no score at all."""
    e = evaluated()
    zero = e.model_copy(update={"readiness_percent": 0.0})
    negative_zero = e.model_copy(update={"readiness_percent": -0.0})
    assert zero == negative_zero
    assert memo.key(zero) != memo.key(negative_zero)
    assert render_report(zero, "md") != render_report(negative_zero, "md")

    def benefit_score(score: float | None) -> Evaluation:
        return e.model_copy(
            update={"feasibility": e.feasibility.model_copy(update={"benefit_score": score})}
        )

    unrated, infinite = benefit_score(None), benefit_score(math.inf)
    assert unrated.model_dump_json() == infinite.model_dump_json()
    assert memo.key(unrated) != memo.key(infinite)
    assert memo.key(evaluated()) == memo.key(evaluated())


PROPERTY = settings(
    max_examples=examples(50),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def draw_stand_in(e: Evaluation, name: str, fmt: str = "png") -> bytes:
    """A cheap stand-in for drawing that shows every value of the evaluation (repr keeps
    -0.0 apart from 0.0), so a chart served from another's entry would show."""
    return f"{name} {fmt} {e!r}".encode()


@PROPERTY
@given(profiles(), answers(BANK), st.data())
def test_evaluations_differing_in_one_answer_or_the_day_never_share_an_entry(
    profile: Profile, given_answers: dict[str, AnswerValue], data: st.DataObject
) -> None:
    today = TODAY
    if data.draw(st.booleans(), label="another day"):
        today += dt.timedelta(days=data.draw(st.integers(1, 3650), label="days later"))
        changed_answers = given_answers
    else:
        q = data.draw(st.sampled_from(BANK.questions), label="question")
        value: Any = data.draw(st.none() | answer_values(q), label="answer (None: unanswered)")
        changed_answers = {k: v for k, v in given_answers.items() if k != q.id}
        if value is not None:
            changed_answers[q.id] = value
    e = evaluate(profile, given_answers, TODAY, BANK)
    other = evaluate(profile, changed_answers, today, BANK)
    if other != e:
        assert memo.key(other) != memo.key(e)

    charts._kept.cache_clear()
    document._kept.cache_clear()
    with mock.patch.object(charts, "draw", side_effect=draw_stand_in) as draw:
        try:
            charts.chart(e, "gantt")
            assert charts.chart(other, "gantt") == draw_stand_in(other, "gantt")
            assert draw.call_count == (1 if memo.key(other) == memo.key(e) else 2)
        finally:
            charts._kept.cache_clear()  # the stand-in's bytes must not outlive the test
    render_report(e, "md")
    assert render_report(other, "md") == document.render_afresh(other, "md")


# --- bounded, and cleared in mutation runs --------------------------------------------------


def test_the_caches_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    assert charts._kept.cache_info().maxsize == memo.CHARTS_KEPT == 32
    assert document._kept.cache_info().maxsize == memo.REPORTS_KEPT == 8
    draw = mock.Mock(side_effect=draw_stand_in)
    monkeypatch.setattr(charts, "draw", draw)
    e = evaluated()
    organisations = [
        e.model_copy(update={"organisation": f"Org {i}"}) for i in range(memo.CHARTS_KEPT + 1)
    ]
    for org in organisations:
        charts.chart(org, "cost")
    assert charts._kept.cache_info().currsize == memo.CHARTS_KEPT
    charts.chart(organisations[-1], "cost")
    assert draw.call_count == memo.CHARTS_KEPT + 1
    charts.chart(organisations[0], "cost")  # the least recently used went first
    assert draw.call_count == memo.CHARTS_KEPT + 2


def test_mutation_runs_clear_the_chart_and_report_caches(request: pytest.FixtureRequest) -> None:
    """tests/core/conftest.py finds every functools cache; these must be among them, or a
    mutant of the charts or the report would be served the bytes drawn before it."""
    conftest = request.config.pluginmanager.get_plugin(str(Path(__file__).with_name("conftest.py")))
    assert conftest is not None
    found = conftest._caches()
    assert charts._kept.cache_clear in found
    assert document._kept.cache_clear in found


def test_the_key_carries_its_evaluation_but_compares_by_fingerprint() -> None:
    e, again = evaluated(), evaluated()
    assert e is not again
    assert memo.key(e) == memo.key(again) and hash(memo.key(e)) == hash(memo.key(again))
    assert memo.key(e).evaluation is e
    compared = [f.name for f in dataclasses.fields(memo.EvaluationKey) if f.compare]
    assert compared == ["fingerprint", "language"]


def test_the_same_evaluation_read_in_another_language_is_another_entry() -> None:
    """A chart's and a report's own words follow the reader: a Chinese reader is never served
    the bytes drawn for an English one."""
    e = evaluated()
    chinese = language_for("zh-CN")
    assert chinese is not None
    english_key = memo.key(e)
    with using(chinese):
        assert memo.key(e) != english_key
        assert memo.key(e).language == "zh-CN"
