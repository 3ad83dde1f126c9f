"""Errors about a profile or an input, in Simplified Chinese: the same field named, the
sentence translated; and numbers and dates typed on a Chinese keyboard read as meant."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iso20k_core import places
from iso20k_core.answers import parse_answers
from iso20k_core.dates import EARLIEST, DateError, as_iso_text, parse_iso_date
from iso20k_core.errors import InputError
from iso20k_core.inputs import parse_input, parse_input_text, parse_profile
from iso20k_core.language import Language, language_for, using
from iso20k_core.standard import load_bank
from iso20k_core.text import TextError, clean_text
from tests.core.helpers import TODAY, examples
from tests.core.strategies import LAST

BANK = load_bank()
BASE: dict[str, Any] = {
    "organisation": "Example IT",
    "persons_in_scope": 60,
    "it_staff": 40,
    "staff_available_fte": 3,
    "services_in_scope": 8,
}
_CJK = re.compile(r"[\u4e00-\u9fff]")
FULL_WIDTH = str.maketrans("0123456789-/.", "０１２３４５６７８９－／．")


def chinese() -> Language:
    found = language_for("zh-CN")
    assert found is not None
    return found


def profile_error(today: dt.date | None = None, **fields: Any) -> InputError:
    raw = {**BASE, **fields}
    for name in [k for k, v in fields.items() if v is None]:
        raw.pop(name)
    with pytest.raises(InputError) as caught:
        parse_profile(raw, today=today)
    return caught.value


# A broken profile file's every mistake, with the Chinese sentence each one gets.
BROKEN: list[tuple[dict[str, Any], str, str]] = [
    ({"organisation": None}, "profile.organisation", "缺失"),
    ({"organisation": "  "}, "profile.organisation", "请填写组织名称"),
    ({"staff": 3}, "profile.staff", "未知字段"),
    ({"persons_in_scope": 0}, "profile.persons_in_scope", "应大于或等于 1"),
    (
        {"persons_in_scope": "many"},
        "profile.persons_in_scope",
        "应为有效的整数，无法将文本读作整数",
    ),
    ({"sites": 1.5}, "profile.sites", "应为有效的整数，输入的数值带有小数部分"),
    ({"staff_available_fte": 0}, "profile.staff_available_fte", "应大于 0"),
    ({"services_in_scope": 10_001}, "profile.services_in_scope", "应小于或等于 10000"),
    ({"itil_adoption": "lots"}, "profile.itil_adoption", "应为 'none'、'partial' 或 'broad'"),
    (
        {"use_consultants": "perhaps"},
        "profile.use_consultants",
        "应为有效的布尔值，无法识别输入内容",
    ),
    (
        {"country": "Germny"},
        "profile.country",
        "'Germny' 不是有公共假日日历的国家代码；是否指 DE？",
    ),
    (
        {"country": "zz"},
        "profile.country",
        "'zz' 不是有公共假日日历的国家代码；例如 DE 或 CN",
    ),
    ({"currency": "RMB"}, "profile.currency", "'RMB' 请写作 CNY（现行 ISO 4217 货币代码）"),
    ({"timezone": "Beijing"}, "profile.timezone", "'Beijing' 请写作 Asia/Shanghai（IANA 时区）"),
    (
        {"start_date": "15.03.2027"},
        "profile.start_date",
        "请按 YYYY-MM-DD 格式输入日期，例如 2027-03-15（而不是 '15.03.2027'）。",
    ),
    ({"start_date": "2026-02-30"}, "profile.start_date", "2026-02-30 不是日历上存在的日期。"),
    ({"start_date": "1999-12-31"}, "profile.start_date", "请选择 2000年1月1日 或之后的日期。"),
    (
        {"start_date": "2027-03-15", "target_certification_date": "2027-03-01"},
        "profile.target_certification_date",
        "请选择晚于开始日期（2027年3月15日）的目标日期。",
    ),
    (
        {"days_off": ["2027-13-01"]},
        "profile.days_off.0",
        "请按 YYYY-MM-DD 格式输入日期，例如 2027-03-15。",
    ),
    ({"days_off": ["1999-12-24"]}, "profile.days_off", "1999年12月24日 早于 2000年1月1日"),
    (
        {"days_off": ["2027-12-24"], "working_days": ["2027-12-24"]},
        "profile.working_days",
        "2027年12月24日 也在 days_off 中：请只保留在一个列表里",
    ),
    (
        {"existing_certifications": ["ISO 9001", "ISO 9002"]},
        "profile.existing_certifications.1",
        "应为 'ISO 9001'、'ISO/IEC 27001'、'ISO 14001'、'ISO 22301'、'ISO 45001' 或 "
        "'ISO/IEC 20000-1'",
    ),
    (
        {"days_off": ["2027-01-04"] * 1001},
        "profile.days_off",
        "最多 1000 项，而不是 1001 项",
    ),
    (
        {"assumptions": {"audit_days_table": []}},
        "profile.assumptions.audit_days_table",
        "至少需要一档",
    ),
    (
        {
            "assumptions": {
                "audit_days_table": [{"max_persons": 5, "days": 2}, {"max_persons": 4, "days": 3}]
            }
        },
        "profile.assumptions.audit_days_table",
        "各档须按 max_persons 递增，且天数不得减少",
    ),
    ({"assumptions": {"stage1_share": 1}}, "profile.assumptions.stage1_share", "应小于 1"),
    (
        {"assumptions": {"consultant_day_rate": "x"}},
        "profile.assumptions.consultant_day_rate",
        "应为有效的数值，无法将文本读作数值",
    ),
    (
        {"assumptions": {"consultant_day_rate": "inf"}},
        "profile.assumptions.consultant_day_rate",
        "应为有限数值",
    ),
    ({"assumptions": 3}, "profile.assumptions", "应为有效的映射或 Assumptions 实例"),
    ({"organisation": 5}, "profile.organisation", "应为有效的文本"),
    (
        {"organisation": "x" * 201},
        "profile.organisation",
        "请控制在 200 个字符以内；当前为 201 个。",
    ),
    (
        {"organisation": "Acme\x00"},
        "profile.organisation",
        "请删除不可打印字符（U+0000）；该字符无法保存或显示。",
    ),
]


@pytest.mark.parametrize(("fields", "field", "problem"), BROKEN)
def test_every_profile_error_is_in_chinese_naming_the_same_field(
    fields: dict[str, Any], field: str, problem: str
) -> None:
    english = profile_error(**fields)
    with using(chinese()):
        zh = profile_error(**fields)
    assert zh.field == english.field == field
    assert zh.problem == problem
    assert str(zh) == f"{field}: {problem}"
    assert english.problem != zh.problem and not _CJK.search(english.problem)


def test_english_errors_keep_pydantic_s_and_our_own_words() -> None:
    assert profile_error(persons_in_scope=0).problem == (
        "input should be greater than or equal to 1"
    )
    assert profile_error(itil_adoption="lots").problem == (
        "input should be 'none', 'partial' or 'broad'"
    )
    assert profile_error(days_off=["2027-01-04"] * 1001).problem == (
        "tuple should have at most 1000 items after validation, not 1001"
    )
    assert profile_error(country="zz").problem == (
        "'zz' is not a country code with a public-holiday calendar; for example DE or CN"
    )
    assert profile_error(currency="RMB").problem == (
        "write CNY for 'RMB' (a current ISO 4217 currency code)"
    )
    assert profile_error(
        start_date="2027-03-15", target_certification_date="2027-03-01"
    ).problem == ("choose a target date after the start date (2027-03-15).")


def test_dates_outside_the_horizon_are_told_in_chinese() -> None:
    with using(chinese()):
        error = profile_error(today=TODAY, start_date="2037-01-01")
    assert error.field == "profile.start_date"
    assert error.problem == "请选择 2000年1月1日 至 2036年11月25日 之间的日期（最多提前 10 年）。"


def _file_error(text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_input_text(text)
    return caught.value


PROFILE = "profile:\n  organisation: Example IT\n  persons_in_scope: 60\n  it_staff: 40\n" + (
    "  staff_available_fte: 3\n  services_in_scope: 8\n"
)


@pytest.mark.parametrize(
    ("text", "field", "problem"),
    [
        ("- 1\n", "文件", "应为包含 profile 和 answers 键的映射"),
        ("[" * 10_000, "文件", "嵌套层级过深，不是有效的组织概况"),
        (
            "profile: [1, 2\n",
            "第 2 行",
            "无法读取 YAML 或 JSON：expected ',' or ']', but got '<stream end>'",
        ),
        ("a: !!int many\n", "第 1 行", "无法将 'many' 读作 int"),
        ("answers: {}\n", "profile", "缺失"),
        (
            PROFILE + "extra: 1\n",
            "extra",
            "未知字段；应为以下之一：profile, answers, bookings, bank_version",
        ),
        (PROFILE + "answers: [1]\n", "answers", "应为问题编号与回答的映射"),
        (PROFILE + "bookings: [1]\n", "bookings", "应为审核与其确认日期的映射"),
        (
            PROFILE + "bookings:\n  stage3: 2028-01-10\n",
            "bookings.stage3",
            "未知的审核；应为以下之一："
            "stage1, stage2, surveillance1, surveillance2, recertification",
        ),
        (
            PROFILE + "bookings:\n  stage1: 10.01.2028\n",
            "bookings.stage1",
            "请按 YYYY-MM-DD 格式输入日期，例如 2027-03-15（而不是 '10.01.2028'）。",
        ),
        (PROFILE + "answers:\n  nope: 1\n", "answers.nope", "未知的问题编号"),
        (
            PROFILE + "answers:\n  itil.practice_adoption: 7\n",
            "answers.itil.practice_adoption",
            "应为 0 至 5 的整数，实际为 7",
        ),
        (
            PROFILE + "answers:\n  itil.common_terminology: maybe\n",
            "answers.itil.common_terminology",
            "应为 yes、partial 或 no，实际为 'maybe'",
        ),
        (
            PROFILE + "answers:\n  change.success_rate: 120\n",
            "answers.change.success_rate",
            "不得大于 100，实际为 120",
        ),
        (
            PROFILE + "answers:\n  change.success_rate: lots\n",
            "answers.change.success_rate",
            "应为数值，实际为 'lots'",
        ),
        (
            PROFILE + "answers:\n  change.success_rate: .nan\n",
            "answers.change.success_rate",
            "应为有限数值，实际为 nan",
        ),
        (
            PROFILE + "answers:\n  tooling.tools_in_use: ''\n",
            "answers.tooling.tools_in_use",
            "应为非空文本",
        ),
        (
            PROFILE + "answers:\n  continuity.last_test: 2026-02-30\n",
            "answers.continuity.last_test",
            "2026-02-30 不是日历上存在的日期。",
        ),
    ],
)
def test_input_file_errors_are_in_chinese(text: str, field: str, problem: str) -> None:
    english = _file_error(text)
    with using(chinese()):
        zh = _file_error(text)
    assert (zh.field, zh.problem) == (field, problem)
    assert english.problem != zh.problem
    if not field.startswith(("文件", "第")):
        assert zh.field == english.field


def test_place_hints_name_places_in_the_reader_s_language() -> None:
    with pytest.raises(places.LookupFailed, match=r"did you mean Germany \(DE\)\?"):
        places.resolve("country", "Germny")
    with using(chinese()):
        with pytest.raises(places.LookupFailed) as caught:
            places.resolve("country", "Chna")
        assert str(caught.value) == "'Chna' 不是有假日日历的国家；是否指 中国 (CN) 或 乍得 (TD)？"
        with pytest.raises(places.LookupFailed) as caught:
            places.resolve("timezone", "Shangai")
        assert str(caught.value) == "'Shangai' 不是时区；是否指 Asia/Shanghai – 中国？"
        with pytest.raises(places.LookupFailed) as caught:
            places.resolve("currency", "Yuan Renminbi")
        assert str(caught.value) == "'Yuan Renminbi' 不是货币"
        zh_countries = places.places("country")
        labels = {p.code: p.label for p in zh_countries}
        assert labels["DE"] == "德国 (DE)" and labels["CN"] == "中国 (CN)"
        assert {p.code: p.label for p in places.places("currency")}["CNY"] == "CNY – 人民币"
    english = places.places("country")
    assert [p.code for p in zh_countries] == [p.code for p in english]
    assert [p.group for p in zh_countries] == [p.group for p in english]
    assert {p.code: p.label for p in english}["DE"] == "Germany (DE)"


def _text_error(value: str) -> str:
    with pytest.raises(TextError) as caught:
        clean_text(value)
    return str(caught.value)


def test_text_errors_are_in_chinese() -> None:
    with using(chinese()):
        assert _text_error("a\nb") == "请删除换行符或制表符（U+000A）；该字符无法保存或显示。"
        assert _text_error("x" * 3001) == "请控制在 3,000 个字符以内；当前为 3,001 个。"
    assert _text_error("x" * 3001) == "Keep it to 3,000 characters; this has 3,001."
    assert _text_error("a\x00") == (
        "Remove an unprintable character (U+0000); it cannot be stored or shown."
    )


# Full-width digits and punctuation, and the Chinese ways of writing a day.


@pytest.mark.parametrize(
    "text",
    [
        "２０２７－０３－１５",
        "2027年3月15日",
        "2027年03月15日",
        "２０２７年３月１５日",
        "2027年3月15号",
        " 2027-03-15 ",
    ],
)
def test_a_date_typed_in_full_width_or_the_chinese_way_is_read(text: str) -> None:
    assert as_iso_text(text) == "2027-03-15"
    assert parse_iso_date(text) == dt.date(2027, 3, 15)


@pytest.mark.parametrize(
    "text",
    ["2027-3-15", "15.03.2027", "20270315", "2027年3月", "2027/3/15", "２０２７／０３／１５"],
)
def test_other_spellings_stay_refused(text: str) -> None:
    with pytest.raises(DateError, match="YYYY-MM-DD"):
        parse_iso_date(text)


def test_a_chinese_date_that_is_not_in_the_calendar_is_named() -> None:
    with pytest.raises(DateError) as caught:
        parse_iso_date("2027年2月30日")
    assert str(caught.value) == "2027-02-30 is not a date in the calendar."


@settings(max_examples=examples(200), deadline=None)
@given(st.dates(EARLIEST, LAST), st.sampled_from(["iso", "full", "chinese", "full chinese"]))
def test_every_day_of_the_horizon_reads_back_however_it_is_written(day: dt.date, form: str) -> None:
    text = {
        "iso": day.isoformat(),
        "full": day.isoformat().translate(FULL_WIDTH),
        "chinese": f"{day.year}年{day.month}月{day.day}日",
        "full chinese": f"{day.year}年{day.month}月{day.day}日".translate(FULL_WIDTH),
    }[form]
    assert parse_iso_date(text) == day


def test_a_profile_takes_full_width_numbers_and_dates() -> None:
    profile = parse_profile(
        {
            **BASE,
            "persons_in_scope": "１２０",
            "staff_available_fte": "１．５",
            "sites": "２",
            "fiscal_year_start_month": "４",
            "start_date": "２０２７－０３－１５",
            "target_certification_date": "2028年6月30日",
            "days_off": ["２０２７－１２－２４", "2027年12月31日", "２０２７年１２月３０日"],
            "working_days": ["２０２７－１０－１６"],
            "assumptions": {"consultant_day_rate": "１２００", "stage1_share": "０．３"},
        },
        today=TODAY,
    )
    assert (profile.persons_in_scope, profile.staff_available_fte, profile.sites) == (120, 1.5, 2)
    assert profile.fiscal_year_start_month == 4
    assert profile.start_date == dt.date(2027, 3, 15)
    assert profile.target_certification_date == dt.date(2028, 6, 30)
    assert profile.days_off == (dt.date(2027, 12, 24), dt.date(2027, 12, 30), dt.date(2027, 12, 31))
    assert profile.working_days == (dt.date(2027, 10, 16),)
    assert profile.assumptions.consultant_day_rate == 1200
    assert profile.assumptions.stage1_share == 0.3


def test_answers_and_bookings_take_full_width_numbers_and_dates() -> None:
    parsed = parse_answers(
        {
            "change.success_rate": "９５",
            "itil.practice_adoption": "３",
            "continuity.last_test": "２０２６－０６－０１",
            "performance.last_management_review": "2026年9月1日",
        },
        BANK,
        today=TODAY,
    )
    assert parsed == {
        "change.success_rate": 95,
        "itil.practice_adoption": 3,
        "continuity.last_test": dt.date(2026, 6, 1),
        "performance.last_management_review": dt.date(2026, 9, 1),
    }
    given_input = parse_input(
        {
            "profile": BASE,
            "bookings": {"stage1": "2028年1月10日", "stage2": "２０２８－０３－０１"},
        },
        today=TODAY,
    )
    assert given_input.bookings == {"stage1": dt.date(2028, 1, 10), "stage2": dt.date(2028, 3, 1)}
