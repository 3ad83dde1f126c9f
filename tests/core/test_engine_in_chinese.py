"""The engine's judgements in Simplified Chinese: every risk, verdict reason, assumption,
audit-time adjustment and quote check an evaluation writes is Chinese when Simplified Chinese
is active, and the language changes words, never figures.

Texts the engine copies from elsewhere are not this file's to check (the bank's area titles,
the plan's booking conflicts, the rate table's basis, an adjustment's `change`): they are
taken out before a text is searched for English left over, so the check holds before and
after their own translations arrive.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from iso20k_core import scoring
from iso20k_core.answers import AnswerValue
from iso20k_core.consulting import consulting_effort
from iso20k_core.errors import InputError
from iso20k_core.evaluate import evaluate
from iso20k_core.inputs import parse_input_text
from iso20k_core.language import english, language_for, using
from iso20k_core.profile import Profile
from iso20k_core.results import Evaluation
from iso20k_core.risks import RULES
from iso20k_core.standard import load_bank
from iso20k_core.standard.rates import load_rates
from tests.core.helpers import TODAY, all_at, all_best, examples, profile, two_weak_processes
from tests.core.strategies import answers, profiles

ROOT = Path(__file__).resolve().parents[2]
ZH = language_for("zh-CN")
D = dt.date
CJK = re.compile(r"[\u4e00-\u9fff]")
# Three or more lowercase English words in a row: a sentence (or most of one) left in
# English. Codes (`integration_reduction_percent`), sites (`ttxrewh.cn/FeeStandards`) and
# citations in title case ("Conditions for Handling Non-Conformities") are no such run.
ENGLISH_RUN = re.compile(r"(?<![\w./-])[a-z]+(?: +[a-z]+){2,}(?![\w./-])")
# Fields whose value a machine or a template reads: the same in every language.
CODES = {
    "id",
    "key",
    "verdict",
    "likelihood",
    "impact",
    "origin",
    "state",
    "compliance",
    "section",
    "kind",
    "clause",
    "dimension",
    "mode",
    "currency",
    "country",
    "timezone",
    "organisation",
    "standard",
    "bank_version",
    "weakest_areas",
    "delivered_by",
    "needs",
    "rates",
}


def zh() -> Any:
    assert ZH is not None, "no Simplified Chinese catalog"
    return using(ZH)


# --- the evaluations ---------------------------------------------------------------------


def _ratings_at(level: int) -> dict[str, AnswerValue]:
    bank = load_bank()
    return {q.id: level for q in bank.questions if q.type == "rating"}


def _example(name: str) -> Evaluation:
    given = parse_input_text((ROOT / "examples" / name).read_text(encoding="utf-8"))
    return evaluate(given.profile, given.answers, TODAY, bookings=given.bookings)


def _free_plan_date() -> dt.date:
    return evaluate(profile(), all_at(2), TODAY).plan.certification_date


def _stage1_deadline() -> dt.date:
    soon = evaluate(profile(start_date=TODAY), all_best(), TODAY)
    deadline = soon.plan.audit_batches[0].booking_deadline
    assert deadline is not None
    return deadline


CASES: dict[str, Any] = {
    "small-it-department": lambda: _example("small-it-department.yaml"),
    "itil-service-provider": lambda: _example("itil-service-provider.yaml"),
    "enterprise-iso27001": lambda: _example("enterprise-iso27001.yaml"),
    "two weak processes": two_weak_processes,
    "ready to start": lambda: evaluate(profile(), all_best(), TODAY),
    "wide, complex, outsourced": lambda: evaluate(
        profile(
            sites=5,
            services_in_scope=40,
            complexity="high",
            outsourced_processes=3,
            existing_certifications=["ISO 9001"],
            country="CN",
            currency="CNY",
        ),
        {
            **all_at(1),
            **_ratings_at(1),
            "organisation.staff_turnover_percent": 40,
        },
        TODAY,
    ),
    "capped, reductions capped, no rate table": lambda: evaluate(
        profile(
            complexity="low",
            staff_available_fte=0.1,
            currency="JPY",
            assumptions={"integration_reduction_percent": 25},
        ),
        all_at(0),
        TODAY,
    ),
    "booked past the target": lambda: evaluate(
        profile(target_certification_date=D(2027, 12, 15)),
        all_at(2),
        TODAY,
        bookings={"stage1": D(2028, 1, 10)},
    ),
    "booked too early": lambda: evaluate(
        profile(), all_at(2), TODAY, bookings={"stage1": D(2027, 6, 1), "stage2": D(2027, 6, 3)}
    ),
    "no slack": lambda: evaluate(
        profile(start_date=None, target_certification_date=_free_plan_date()), all_at(2), TODAY
    ),
    "book stage 1 now": lambda: evaluate(
        profile(start_date=TODAY), all_best(), _stage1_deadline() - dt.timedelta(days=1)
    ),
    "hardly answered": lambda: evaluate(
        profile(), {"benefits.stable_delivery": 1, "benefits.management_data": 0}, TODAY
    ),
}


@functools.cache
def evaluated(name: str, tag: str) -> Evaluation:
    language = language_for(tag)
    assert language is not None
    with using(language):
        result: Evaluation = CASES[name]()
    return result


def both(name: str) -> tuple[Evaluation, Evaluation]:
    return evaluated(name, "en"), evaluated(name, "zh-CN")


# --- what the engine writes -----------------------------------------------------------------


def judgements(e: Evaluation) -> Iterator[tuple[str, str]]:
    """(where, text) for every text the engine writes in its judgements."""
    for r in e.risks:
        yield f"risk {r.id} title", r.title
        yield f"risk {r.id} trigger", r.trigger
        if r.member_trigger is not None:
            yield f"risk {r.id} member trigger", r.member_trigger
        yield f"risk {r.id} countermeasure", r.countermeasure
    for i, reason in enumerate(e.feasibility.reasons):
        yield f"reason {i}", reason
    for a in e.assumptions:
        yield f"assumption {a.key} source", a.source
        if not a.key.startswith("audit_time_") and not _plain_value(a.value):
            yield f"assumption {a.key} value", a.value
    days = e.costs.audit_days
    for adj in days.adjustments:
        yield f"adjustment {adj.key} title", adj.title
        yield f"adjustment {adj.key} reason", adj.reason
    yield "audit days range basis", days.range_basis
    for check in e.costs.quote_checklist:
        yield f"quote {check.key} item", check.item
        yield f"quote {check.key} why", check.why


def _plain_value(value: str) -> bool:
    """A figure or a flag (`1200`, `0.3`, `True`): read back as it is, in every language."""
    try:
        float(value)
    except ValueError:
        return value in ("True", "False")
    return True


# A source that is only a citation (ISO/IEC 20000-6:2017 9.1.4.2) has no words to translate.
CITATION = re.compile(r"^ISO/IEC [\d\-:. ]+$")


def foreign(e: Evaluation) -> list[str]:
    """Texts the engine copies from others, each translated (or not yet) by its owner."""
    copied = [a.title for a in e.areas] + [s.title for s in e.completion.sections]
    copied += list(e.plan.booking_conflicts)
    copied += [a.change for a in e.costs.audit_days.adjustments]
    table = load_rates().table(e.costs.currency) or {}
    copied += [entry.basis for entry in table.values()]
    return sorted(set(copied), key=len, reverse=True)


def _own(text: str, copied: list[str]) -> str:
    """The text without what it copies from others."""
    for piece in copied:
        text = text.replace(piece, " ")
    return text


def english_left(text: str, copied: list[str]) -> list[str]:
    return ENGLISH_RUN.findall(_own(text, copied))


def chinese(text: str, copied: list[str]) -> bool:
    """Chinese, or nothing of its own but the Chinese punctuation joining copied texts."""
    own = _own(text, copied)
    return bool(CJK.search(own)) or not re.search(r"\w", own)


@pytest.mark.parametrize("name", list(CASES))
def test_every_judgement_is_chinese(name: str) -> None:
    e = evaluated(name, "zh-CN")
    copied = foreign(e)
    problems = []
    for where, text in judgements(e):
        if CITATION.match(text):
            continue
        if not chinese(text, copied):
            problems.append(f"{where}: no Chinese: {text!r}")
        elif left := english_left(text, copied):
            problems.append(f"{where}: English left {left}: {text!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", list(CASES))
def test_the_english_of_the_same_evaluation_has_no_chinese(name: str) -> None:
    english_e, _ = both(name)
    copied = foreign(english_e)  # the CNY rate table cites Chinese fee names
    assert not [text for _, text in judgements(english_e) if CJK.search(_own(text, copied))]


def test_the_cases_cover_every_rule_adjustment_and_verdict() -> None:
    """So the checks above read every text the engine can write."""
    fired = {r.id for name in CASES for r in evaluated(name, "zh-CN").risks}
    assert fired == {rule.__name__ for rule in RULES}
    kinds = {a.key for name in CASES for a in evaluated(name, "zh-CN").costs.audit_days.adjustments}
    assert kinds == {
        "sites",
        "services",
        "complexity",
        "outsourced",
        "integration",
        "reduction_cap",
    }
    verdicts = {evaluated(name, "zh-CN").feasibility.verdict for name in CASES}
    assert verdicts == {"ready to start", "feasible with preparation", "not yet feasible"}
    capped = [n for n in CASES if evaluated(n, "zh-CN").plan.process_capped]
    assert capped, "no case with capped process work"
    values = {a.value for n in CASES for a in evaluated(n, "zh-CN").assumptions}
    assert {"需提供", "未知", "23 个档位"} <= values


# --- sentences, as a reader sees them -------------------------------------------------------


def risk(e: Evaluation, id: str) -> Any:
    return next(r for r in e.risks if r.id == id)


def test_specific_risks_in_chinese() -> None:
    _, e = both("two weak processes")
    change = risk(e, "weak_change_management")
    assert change.title == "不受控的变更危及试运行"
    assert change.trigger == "变更管理差距 3.0"
    assert change.countermeasure == (
        "首先引入变更方针和变更咨询例程：变更涉及所有其他过程，审核员会抽样检查变更记录。"
    )
    people = risk(e, "too_few_people")
    assert people.trigger == "54 人日的过程工作，可用人员 0.5 FTE"
    assert people.member_trigger == "过程工作所需的人员多于项目现有人员"
    assert people.for_members().trigger == "过程工作所需的人员多于项目现有人员"


def test_answers_are_quoted_in_chinese() -> None:
    _, e = both("small-it-department")
    assert risk(e, "budget_not_approved").trigger == "预算已批准：部分"
    assert risk(e, "no_management_review").trigger == "已进行管理评审：否"
    assert risk(e, "no_itil_basis").trigger.startswith("ITIL 采用程度：未采用；ITIL 成熟度 ")
    english_e, _ = both("small-it-department")
    assert risk(english_e, "budget_not_approved").trigger == "budget approved: partial"


def test_booking_conflicts_are_joined_the_chinese_way() -> None:
    english_e, e = both("booked too early")
    conflicts = e.plan.booking_conflicts
    assert len(conflicts) > 1
    assert risk(e, "bookings_contradict_plan").trigger == "；".join(conflicts)
    assert risk(english_e, "bookings_contradict_plan").trigger == "; ".join(
        english_e.plan.booking_conflicts
    )


def test_dates_in_triggers_are_written_the_chinese_way() -> None:
    english_e, e = both("booked past the target")
    decision = e.plan.certification_date
    assert risk(e, "target_too_close").trigger == (
        f"目标 2027年12月15日；按已预约的审核，认证决定在 "
        f"{decision.year}年{decision.month}月{decision.day}日"
    )
    assert risk(english_e, "target_too_close").trigger == (
        f"target 2027-12-15; the audits as booked lead to a decision on {decision.isoformat()}"
    )
    _, soon = both("book stage 1 now")
    deadline = _stage1_deadline()
    assert risk(soon, "booking_deadline_close").trigger == (
        f"预约截止日期 {deadline.year}年{deadline.month}月{deadline.day}日"
    )


def test_the_verdict_reasons_in_chinese() -> None:
    english_e, e = both("small-it-department")
    assert e.feasibility.verdict == english_e.feasibility.verdict == "not yet feasible"
    assert e.feasibility.reasons[0] == (
        "管理基础和技术基础薄弱（可行性得分 31.2，满分100，管理权重 65 %）。"
    )
    assert english_e.feasibility.reasons[0] == (
        "The management and technical foundation is thin (feasibility score 31.2 of 100, "
        "management weighted 65 %)."
    )
    assert e.feasibility.reasons[1] == "准备度为 41.2%；最大差距为 3.0 个成熟度等级。"
    _, ready = both("ready to start")
    assert ready.feasibility.reasons[0].startswith("准备度为 ")
    assert ready.feasibility.reasons[0].endswith(
        "，没有任何要求领域比认证所需的成熟度低 1 级以上。"
    )


def test_capped_process_work_in_chinese() -> None:
    _, e = both("capped, reductions capped, no rate table")
    people = risk(e, "too_few_people")
    assert people.member_trigger == "过程工作所需的人员多于项目现有人员；无法在 3 年内完成"
    assert "，超过计划允许的 3 年" in people.trigger
    assert any(r.endswith("请增加人员或咨询顾问，或缩小范围。") for r in e.feasibility.reasons)


def test_years_in_chinese_and_in_english() -> None:
    with zh():
        assert scoring.years_text(3.4) == "3.4 年"
        assert scoring.years_text(1000.0) == "1,000.0 年"
        assert scoring.years_text(4321.0) == "超过 1,000 年"
    assert scoring.years_text(3.4) == "3.4 years"
    assert scoring.years_text(1000.0) == "1,000.0 years"
    assert scoring.years_text(4321.0) == "more than 1,000 years"


def test_audit_time_adjustments_in_chinese() -> None:
    english_e, e = both("capped, reductions capped, no rate table")
    titles = {a.key: a.title for a in e.costs.audit_days.adjustments}
    assert titles["complexity"] == "复杂程度低"
    assert titles["integration"] == "与其他管理体系结合审核"
    assert titles["reduction_cap"] == "减少量上限为 30 %"
    cap = next(a for a in e.costs.audit_days.adjustments if a.key == "reduction_cap")
    assert cap.reason == (
        "以上减少量合计 35 %；所有减少量合计不得超过表中数值的 30 %"
        "（ISO/IEC 20000-6:2017 9.1.4.2，EA FAQ 48.4）"
    )
    english_cap = next(
        a for a in english_e.costs.audit_days.adjustments if a.key == "reduction_cap"
    )
    assert english_cap.title == "Reductions capped at 30 %"
    _, wide = both("wide, complex, outsourced")
    wide_titles = {a.key: a.title for a in wide.costs.audit_days.adjustments}
    assert wide_titles == {
        "sites": "5 个场所：除中心场所外抽样 2 个",
        "services": "范围内有 40 项服务",
        "complexity": "复杂程度高",
        "outsourced": "3 个过程由其他方运行",
        "integration": "已获 ISO 9001 认证",
    }
    # The assumption listing carries each adjustment with its reason, in the same words.
    listed = {a.key: a.source for a in wide.assumptions}
    assert listed["audit_time_complexity"].startswith("复杂程度高：EA FAQ 48.4（2024年9月）")


def test_assumptions_in_chinese() -> None:
    _, e = both("capped, reductions capped, no rate table")
    listed = {a.key: a for a in e.assumptions}
    rate = listed["auditor_day_rate"]
    assert rate.value == "需提供"
    assert rate.source == (
        "认证机构审核员的典型日费率；请以报价替换；JPY 没有费率表，因此没有默认值："
        "请在组织档案中提供"
    )
    assert listed["audit_days_table"].value == "23 个档位"
    assert listed["quote_includes_surveillance"].value == "未知"
    assert listed["certificate_validity_years"].source == "ISO/IEC 17021-1 9.1.3：三年认证周期"
    # figures stay plain, so the report reads them back as figures
    assert listed["stage1_share"].value == "0.3"


def test_the_quote_checklist_in_chinese() -> None:
    english_e, e = both("small-it-department")
    checks = {c.key: c for c in e.costs.quote_checklist}
    assert [c.key for c in e.costs.quote_checklist] == [
        c.key for c in english_e.costs.quote_checklist
    ]
    assert checks["cancellation"].item == "取消和延期费用"
    assert checks["currency_tax"].why == "本估算的金额以组织档案中的币种计，不含税。"
    assert "（NQA，Regulations Relating to Registration）" in checks["cancellation"].why
    english_checks = {c.key: c for c in english_e.costs.quote_checklist}
    assert english_checks["cancellation"].item == "Cancellation and postponement charges"


def test_consulting_activities_in_chinese() -> None:
    e = evaluated("small-it-department", "en")
    given = parse_input_text((ROOT / "examples" / "small-it-department.yaml").read_text())
    with zh():
        effort = consulting_effort(given.profile, e.plan, e.costs.audit_days)
    english_effort = consulting_effort(given.profile, e.plan, e.costs.audit_days)
    assert [a.title for a in effort.activities] == [
        "准备",
        "差距分析",
        "文件编制和过程支持",
        "试运行辅导",
        "审核支持",
    ]
    assert [a.title for a in english_effort.activities] == [
        "preparation",
        "gap analysis",
        "documentation and process support",
        "trial coaching",
        "audit support",
    ]
    assert [a.days for a in effort.activities] == [a.days for a in english_effort.activities]


def test_the_horizon_error_in_chinese() -> None:
    with zh(), pytest.raises(InputError) as raised:
        evaluate(profile(), {}, D(1999, 1, 1))
    assert raised.value.field == "today"
    assert "请选择" in raised.value.problem and "9900年12月31日" in raised.value.problem


# --- the language changes words, never figures ----------------------------------------------


def _same_figures(english_dump: Any, chinese_dump: Any, path: str = "") -> None:
    """Same shape, same numbers, dates and flags, same codes; only words may differ."""
    if isinstance(english_dump, dict):
        assert english_dump.keys() == chinese_dump.keys(), path
        for key in english_dump:
            child = f"{path}.{key}"
            if key in CODES:
                assert english_dump[key] == chinese_dump[key], child
            else:
                _same_figures(english_dump[key], chinese_dump[key], child)
    elif isinstance(english_dump, list | tuple):
        assert len(english_dump) == len(chinese_dump), path
        for i, (a, b) in enumerate(zip(english_dump, chinese_dump, strict=True)):
            _same_figures(a, b, f"{path}[{i}]")
    elif isinstance(english_dump, str):
        assert isinstance(chinese_dump, str), path
    else:
        assert english_dump == chinese_dump, path


@pytest.mark.parametrize("name", list(CASES))
def test_the_cases_have_the_same_figures_in_both_languages(name: str) -> None:
    english_e, e = both(name)
    _same_figures(english_e.model_dump(), e.model_dump())
    assert [r.id for r in english_e.risks] == [r.id for r in e.risks]
    assert [a.key for a in english_e.assumptions] == [a.key for a in e.assumptions]


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(profiles(), answers(load_bank()))
def test_the_language_changes_words_never_figures(
    given_profile: Profile, given: dict[str, AnswerValue]
) -> None:
    in_english = evaluate(given_profile, given, TODAY)
    with zh():
        in_chinese = evaluate(given_profile, given, TODAY)
    _same_figures(in_english.model_dump(), in_chinese.model_dump())
    copied = foreign(in_chinese)
    for where, text in judgements(in_chinese):
        if not CITATION.match(text):
            assert chinese(text, copied), (where, text)
            assert not english_left(text, copied), (where, text)


@settings(max_examples=examples(40), deadline=None)
@given(profiles(), answers(load_bank()))
def test_english_made_active_writes_what_no_language_writes(
    given_profile: Profile, given: dict[str, AnswerValue]
) -> None:
    plain = evaluate(given_profile, given, TODAY).model_dump_json()
    with using(english()):
        assert evaluate(given_profile, given, TODAY).model_dump_json() == plain
