"""The dialogs in Simplified Chinese: with `zh-CN` active, every label, button, hint, inline
error and reply the dialogs write is Chinese; English is what it was; the organisation's
language is chosen in setup and saved in its profile.

Texts that come from elsewhere are not checked here: question texts and guidance (the bank),
risk, plan and cost texts (the engine), place names (iso20k_core.places): each has its own
tests once translated. What is checked is the dialogs' own words around them.
"""

from __future__ import annotations

import datetime as dt
import pickle
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session

from bot.dialogs import assess
from bot.dialogs.apologies import APOLOGY, UNAVAILABLE
from bot.dialogs.commands import handle_command, handle_submit
from bot.dialogs.context import DialogContext
from bot.dialogs.lanes import BUSY, one_moment, preparing
from bot.dialogs.model import MAX_TITLE, Field, Form, Message, Text, readable
from bot.dialogs.setup import setup_form
from bot.dialogs.validation import clean_value
from bot.dialogs.worker import DialogRequest
from iso20k_core.language import Language, language_for, using
from iso20k_core.profile import Profile
from tests.dialogs.people import NOW, SETUP, TODAY, as_user, reply
from tests.dialogs.replies import every_reply


def chinese() -> Language:
    found = language_for("zh-CN")
    assert found is not None
    return found


ZH = chinese()
CJK = re.compile(r"[\u4e00-\u9fff]")
# An English sentence left over: three lowercase English words in a row (codes, names,
# clause numbers and single terms such as "ITIL" or "FTE" are not sentences).
ENGLISH = re.compile(r"\b[a-z]{2,}(?:[ ,]+[a-z]{2,}){2,}\b")
# Fields whose options are not the dialogs' words: places (iso20k_core.places), the
# certification standards' names, each language by its own name.
NAMED_OPTIONS = {"country", "timezone", "currency", "existing_certifications", "language"}


def is_chinese(text: str | None) -> bool:
    """Chinese, with no English sentence left (commands and mentions read as their words)."""
    plain = readable(text or "")
    return bool(CJK.search(plain)) and ENGLISH.search(plain) is None


def full_width(text: str) -> str:
    """`text` as a Chinese input method types it: full-width digits, hyphen and point."""
    return text.translate({c: c + 0xFEE0 for c in map(ord, "0123456789-.")})


def admin_in_chinese(session: Session) -> DialogContext:
    admin = as_user(session, "admin")
    with using(ZH):
        outcome = handle_submit(admin, "setup", {}, SETUP)
    assert not outcome.errors, outcome.errors
    return admin


# --- setup ------------------------------------------------------------------------------


def test_the_setup_form_is_in_chinese(session: Session) -> None:
    admin = as_user(session, "admin")
    with using(ZH):
        form = setup_form(admin)
    assert (form.title, form.submit) == ("组织概况", "保存")
    texts = [item for item in form.items if isinstance(item, Text)]
    assert texts and all(is_chinese(t.text) for t in texts)
    for f in form.fields:
        assert is_chinese(f.label), f.label
        assert f.hint is None or is_chinese(f.hint), f.hint
        assert f.placeholder is None or is_chinese(f.placeholder), f.placeholder
        if f.id not in NAMED_OPTIONS:
            # numbers stand for themselves; every worded option is Chinese
            worded = [o.label for o in f.options if not o.label.isdigit()]
            assert all(is_chinese(label) for label in worded), (f.id, worded)
    labels = {f.id: f.label for f in form.fields}
    assert labels["persons_in_scope"] == "服务管理体系（SMS）范围内人数"
    assert labels["auditor_day_rate"] == "认证机构日费率"
    months = next(f for f in form.fields if f.id == "fiscal_year_start_month").options
    assert [o.label for o in months][:3] == ["一月", "二月", "三月"]


def test_the_language_is_asked_among_the_basic_facts_each_by_its_own_name(
    session: Session,
) -> None:
    admin = as_user(session, "admin")
    for language in ("en", "zh-CN"):
        reader = language_for(language)
        assert reader is not None
        with using(reader):
            fields = setup_form(admin).fields
        ids = [f.id for f in fields]
        assert ids.index("language") == ids.index("organisation") + 1
        field = fields[ids.index("language")]
        assert field.kind == "choice" and not field.required and field.initial == "en"
        # the same names whoever reads: a person looks for their language written in it
        assert [(o.value, o.label) for o in field.options] == [
            ("en", "English"),
            ("zh-CN", "中文 (简体, 中国)"),
        ]


def test_choosing_chinese_saves_zh_cn_in_the_profile(session: Session) -> None:
    admin = as_user(session, "admin")
    with using(ZH):
        outcome = handle_submit(admin, "setup", {}, {**SETUP, "language": "zh-CN"})
    assert not outcome.errors, outcome.errors
    assert admin.organisation.profile is not None
    assert admin.organisation.profile["language"] == "zh-CN"
    assert Profile.model_validate(admin.organisation.profile).language == "zh-CN"
    with using(ZH):
        again = setup_form(admin)
    assert next(f for f in again.fields if f.id == "language").initial == "zh-CN"
    # Back to English: the default, so nothing of it is stored.
    assert not handle_submit(admin, "setup", {}, {**SETUP, "language": "en"}).errors
    assert "language" not in admin.organisation.profile


def test_a_language_can_be_typed_by_its_name(session: Session) -> None:
    admin = as_user(session, "admin")
    outcome = handle_submit(admin, "setup", {}, {**SETUP, "language": "中文 (简体, 中国)"})
    assert not outcome.errors, outcome.errors
    assert admin.organisation.profile is not None
    assert admin.organisation.profile["language"] == "zh-CN"
    refused = handle_submit(admin, "setup", {}, {**SETUP, "language": "Klingon"})
    assert set(refused.errors) == {"language"}


def test_setup_saved_is_told_in_chinese(session: Session) -> None:
    admin = as_user(session, "admin")
    with using(ZH):
        outcome = handle_submit(admin, "setup", {}, SETUP)
    saved = outcome.reply
    assert isinstance(saved, Message)
    assert saved.heading == "组织概况已保存"
    assert saved.text.startswith("Example IT 已设置完成。")
    assert [f.label for f in saved.facts] == ["范围内人数", "服务", "预计认证"]
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", saved.facts[2].value)
    assert [b.label for b in saved.buttons] == ["开始评估"]


# --- typed on a Chinese keyboard ----------------------------------------------------------


def test_full_width_numbers_and_dates_are_accepted_by_the_setup_form(session: Session) -> None:
    admin = as_user(session, "admin")
    raw = {
        **SETUP,
        "persons_in_scope": "１２０",
        "staff_available_fte": "２．５",
        "start_date": "２０２７－０３－１５",
        "target_certification_date": "",
    }
    assert full_width("2027-03-15") == raw["start_date"]
    with using(ZH):
        outcome = handle_submit(admin, "setup", {}, raw)
    assert not outcome.errors, outcome.errors
    profile = admin.organisation.profile
    assert profile is not None
    assert (profile["persons_in_scope"], profile["staff_available_fte"]) == (120, 2.5)
    assert profile["start_date"] == "2027-03-15"


def test_full_width_dates_book_an_audit_and_are_told_in_chinese(session: Session) -> None:
    admin = admin_in_chinese(session)
    raw = {
        "batch": "stage1",
        "booked_date": full_width("2027-09-06"),
        "certification_body": "中国质量认证中心",
        "booking_reference": "Q-17",
    }
    with using(ZH):
        outcome = handle_submit(admin, "booking", {}, raw)
        audits = reply(admin, "audit")
    assert not outcome.errors, outcome.errors
    booked = outcome.reply
    assert isinstance(booked, Message) and booked.heading.endswith("已预约在 2027年9月6日")
    assert booked.text.splitlines()[0] == "认证机构：中国质量认证中心。"
    assert "认证决定现预计在 " in booked.text
    assert any(
        s.text and s.text.startswith("已确认 2027年9月6日") and "编号 Q-17" in s.text
        for s in audits.sections
    )


@given(st.integers(min_value=1, max_value=1_000_000))
def test_any_count_typed_in_full_width_digits_is_that_count(count: int) -> None:
    field = Field("persons", "人数", "number", minimum=1, maximum=1_000_000, integer=True)
    assert clean_value(field, full_width(str(count)), TODAY) == count


@given(st.dates(min_value=TODAY, max_value=dt.date(2036, 11, 25)))
def test_any_date_typed_in_full_width_is_that_date(day: dt.date) -> None:
    assert clean_value(Field("d", "日期", "date"), full_width(day.isoformat()), TODAY) == day


# --- inline errors ----------------------------------------------------------------------


def test_a_wrong_number_gets_a_chinese_inline_error(session: Session) -> None:
    admin = as_user(session, "admin")
    raw = {**SETUP, "persons_in_scope": "很多", "it_staff": "０", "sites": "1.5"}
    with using(ZH):
        outcome = handle_submit(admin, "setup", {}, raw)
    assert outcome.errors == {
        "persons_in_scope": "请输入数字，而不是 '很多'。",
        "it_staff": "请输入不小于 1 的数。",
        "sites": "请输入整数。",
    }
    assert isinstance(outcome.reply, Form) and outcome.reply.title == "组织概况"
    assert admin.organisation.profile is None  # nothing saved
    english = handle_submit(admin, "setup", {}, raw)
    assert english.errors["persons_in_scope"] == "Enter a number, not '很多'."
    assert english.errors["it_staff"] == "Enter at least 1."


def test_the_dialogs_own_field_errors_are_chinese() -> None:
    choice = Field("level", "等级", "choice", options=assess.YES_PARTIAL_NO)
    start = Field("start", "开始", "date", not_before=dt.date(2026, 11, 25))
    with using(ZH):
        for field, typed, expected in [
            (Field("n", "数", "number"), "", "请填写此项。"),
            (Field("n", "数", "number", maximum=50), "５１", "请输入不大于 50 的数。"),
            (Field("n", "数", "number"), "inf", "请输入有限的数字。"),
            (choice, "maybe", "不是可选项：maybe。请从以下选项中选择：yes、partial、no。"),
            (start, "２０２６－０１－０１", "请选择 2026年11月25日 或之后的日期。"),
        ]:
            with pytest.raises(ValueError) as refused:
                clean_value(field, typed, TODAY)
            assert str(refused.value) == expected


def test_a_wrong_number_on_an_assessment_page_is_refused_in_chinese(
    organisation: DialogContext,
) -> None:
    section, question = next(
        (s, q)
        for s in organisation.bank.assessed_sections
        for q in s.questions
        if q.type == "number" and q.max is not None
    )
    page = next(n for n, p in enumerate(assess.pages(section)) if question in p)
    state = {"section": section.id, "page": str(page)}
    with using(ZH):
        wrong = handle_submit(organisation, "assess", state, {question.id: "不知道"})
        too_big = handle_submit(organisation, "assess", state, {question.id: "９" * 12})
        right = handle_submit(organisation, "assess", state, {question.id: full_width("10")})
    assert wrong.errors == {question.id: "请输入数字，而不是 '不知道'。"}
    assert too_big.errors[question.id].startswith("请输入不大于 ")
    assert not right.errors, right.errors
    assert organisation.answers()[question.id] == 10


# --- assessment, help, status -------------------------------------------------------------


def test_a_page_of_questions_has_chinese_labels_buttons_and_hints(session: Session) -> None:
    admin = admin_in_chinese(session)
    with using(ZH):
        form = assess.assess_form(admin)
        last = assess.assess_form(admin, admin.bank.assessed_sections[0].id, 99)
    assert isinstance(form, Form) and isinstance(last, Form)
    assert (form.title, form.submit, last.submit) == ("评估", "保存并继续", "保存")
    heading, intro = (item for item in form.items if isinstance(item, Text))
    assert re.search(r"——第 1 页，共 \d+ 页$", heading.text), heading.text
    assert re.match(r"本部分已回答 0/\d+。不清楚的问题请留空", intro.text), intro.text
    # The question texts and guidance are the bank's; the options around them are ours.
    options = {tuple(o.label for o in f.options) for f in form.fields if f.options}
    assert ("是", "部分", "否") in options
    with using(ZH):
        assert admin.bank.documents is not None
        page = assess.assess_form(admin, admin.bank.documents.id)
    assert isinstance(page, Form)
    assert ("已有", "草稿", "缺失") in {tuple(o.label for o in f.options) for f in page.fields}


def test_a_saved_page_is_told_in_chinese(session: Session) -> None:
    admin = admin_in_chinese(session)
    section = admin.bank.assessed_sections[0]
    last = len(assess.pages(section)) - 1
    with using(ZH):
        outcome = handle_submit(admin, "assess", {"section": section.id, "page": str(last)}, {})
    saved = outcome.reply
    assert isinstance(saved, Message)
    assert saved.heading == f"{section.title}：已保存"
    assert saved.text == "您的回答已保存；可随时修改。"
    assert [f.label for f in saved.facts] == ["本部分已回答"]
    assert [b.label for b in saved.buttons] == ["继续下一部分"]


@pytest.mark.parametrize("typed", ["help", "", "halp", "ｈｅｌｐ"])
def test_help_is_in_chinese_and_the_commands_stay_as_typed(session: Session, typed: str) -> None:
    admin = as_user(session, "admin")
    with using(ZH):
        shown = reply(admin, typed)
    assert shown.heading == "iso20k：ISO/IEC 20000-1 认证准备"
    assert shown.text.endswith("您可以使用：")
    assert len(shown.facts) == 14
    for fact in shown.facts:
        assert readable(fact.label).split()[0].isascii()  # the command word: status, setup…
        assert is_chinese(fact.value), fact.value
    if typed == "halp":
        assert shown.text.startswith("无法识别 'halp'。您是否要使用 ")


def test_a_wrong_command_and_its_usage_are_told_in_chinese(session: Session) -> None:
    admin = as_user(session, "admin")
    with using(ZH):
        unknown = reply(admin, "sattus")
        usage = reply(admin, "assign nobody")
        date = reply(admin, "assign @U2 leadership 2027-02-30")
    assert unknown.text.startswith("无法识别 'sattus'。")
    assert readable(usage.text).startswith("用法：assign @user section [YYYY-MM-DD]")
    assert "YYYY-MM-DD" in date.text and CJK.search(date.text.split("用法：")[-1])


def test_the_status_reply_is_in_chinese(organisation: DialogContext) -> None:
    with using(ZH):
        status = reply(organisation, "status")
    assert status.heading == "ISO/IEC 20000-1 状态：Example IT"
    labels = [f.label for f in status.facts]
    assert labels[:6] == ["已回答", "准备度", "结论", "当前阶段", "下一个里程碑", "项目费用"]
    assert all(is_chinese(label) for label in labels)
    facts = {f.label: f.value for f in status.facts}
    assert re.fullmatch(r"\d+/\d+（[\d.]+%）", facts["已回答"])
    assert facts["结论"] in ("可以开始", "经准备后可行", "尚不可行")
    assert facts["项目费用"].startswith("€")
    assert "年" in facts["下一个里程碑"]
    assert [s.heading for s in status.sections] == ["最薄弱的领域"]
    assert [b.label for b in status.buttons] == ["继续评估", "计划", "费用", "风险"]


def test_a_member_s_status_is_in_chinese(organisation: DialogContext) -> None:
    member = as_user(organisation.session, "bob", role="member")
    with using(ZH):
        status = reply(member, "status")
    assert status.heading == "您负责的评估部分"
    assert status.text == "没有分派给您的部分。您仍可回答任何部分。"
    assert [f.label for f in status.facts] == ["全体已回答"]
    assert [b.label for b in status.buttons] == ["立即回答"]


def test_plan_cost_risks_audit_and_remind_are_told_in_chinese(
    organisation: DialogContext,
) -> None:
    with using(ZH):
        plan, cost, risks = (reply(organisation, c) for c in ("plan", "cost", "risks"))
        audits, reminders = reply(organisation, "audit"), reply(organisation, "remind")
    assert plan.heading == "认证实施计划" and plan.text.startswith("预计 ")
    assert [s.heading for s in plan.sections][:3] == ["阶段", "里程碑", "审核"]
    assert cost.heading == "费用估算" and cost.text.startswith("审核日：初次审核 ")
    assert "每项费率都是假设，可通过 " in cost.text
    assert risks.heading.startswith("风险（") and risks.text == "按风险从高到低排列。"
    assert all(s.heading and "——可能性" in s.heading for s in risks.sections)
    assert all(s.text and s.text.startswith("原因：") for s in risks.sections)
    assert audits.heading == "认证机构的审核"
    assert reminders.heading == "提醒"
    assert [f.label for f in reminders.facts][4:6] == ["每周摘要", "工作时间"]
    assert reminders.facts[4].value == "星期一 09:00"


def test_every_reply_and_form_a_manager_can_reach_is_in_chinese_within_the_limits(
    organisation: DialogContext,
) -> None:
    """Every command and what its buttons open, two presses deep: built under zh-CN, so the
    model's limits (a title of 24 characters, options of 75) held for the Chinese texts."""
    with using(ZH):
        found = every_reply(organisation)
    assert len(found) > 15
    for r in found:
        shown = r.shown
        if isinstance(shown, Form):
            assert is_chinese(shown.title) and is_chinese(shown.submit), shown.title
            assert len(shown.title) <= MAX_TITLE and len(shown.submit) <= MAX_TITLE
            if shown.kind != assess.KIND:  # a page's labels are the bank's questions
                assert all(is_chinese(f.label) for f in shown.fields), shown.kind
        else:
            assert CJK.search(shown.heading), shown.heading
            assert all(is_chinese(b.label) for b in shown.buttons), shown.buttons


# --- messages written once, for every reader --------------------------------------------


def test_standing_messages_are_read_in_the_language_active_when_read() -> None:
    assert APOLOGY.heading == "Sorry, that did not work"
    assert readable(UNAVAILABLE.text, "/iso20k ").startswith("Part of the assistant was")
    assert "(for instance with /iso20k status)" in readable(UNAVAILABLE.text, "/iso20k ")
    with using(ZH):
        assert APOLOGY.heading == "抱歉，操作未成功"
        assert "（例如使用 /status）" in readable(UNAVAILABLE.text, "/")
        assert is_chinese(BUSY.text) and BUSY.tone == "warning"
        assert one_moment() == "请稍候"
    # A worker process sends messages back pickled: they still translate where shown.
    copied = pickle.loads(pickle.dumps(UNAVAILABLE))
    assert copied == UNAVAILABLE
    with using(ZH):
        assert copied.heading == "抱歉，请求未能完成"


def test_what_a_slow_request_is_told_at_once_is_in_chinese() -> None:
    request = DialogRequest("console", "W1", "admin", NOW, "command", text="report pdf")
    assert preparing(request) == "Preparing your file; it will arrive here in a moment."
    with using(ZH):
        assert preparing(request) == "正在准备您的文件，稍后将发送到这里。"


# --- English unchanged --------------------------------------------------------------------


def test_english_is_as_it_was(organisation: DialogContext) -> None:
    assert handle_command(organisation, "help").reply == reply(organisation, "help")
    shown = reply(organisation, "help")
    assert shown.heading == "iso20k: prepare for ISO/IEC 20000-1 certification"
    assert shown.facts[1].value == (
        "the organisation profile (the first person to run it becomes admin)"
    )
    plan = reply(organisation, "plan")
    assert plan.text.startswith("Certification expected ") and "(forward planning)." in plan.text
    cost = reply(organisation, "cost")
    assert cost.text.startswith("Audit days: ") and " Every rate is an assumption you can " in (
        cost.text
    )
    form = setup_form(organisation)
    assert (form.title, form.submit) == ("Organisation profile", "Save")
    itil = next(f for f in form.fields if f.id == "itil_adoption")
    assert [o.label for o in itil.options] == ["None", "Partial", "Broad"]
    months = next(f for f in form.fields if f.id == "fiscal_year_start_month")
    assert months.options[0].label == "January" and months.options[11].label == "December"
    remind = reply(organisation, "remind")
    assert remind.facts[4].value == "Monday 09:00"


def test_a_chinese_organisation_keeps_its_name_in_file_names() -> None:
    from bot.dialogs import files

    assert files._slug("深圳市某某科技有限公司") == "深圳市某某科技有限公司"
    assert files._slug("华南 IT 服务中心（广州）") == "华南-it-服务中心-广州"
    assert files._slug("Stadt Lindenau – Amt für IT") == "stadt-lindenau-amt-f-r-it"
    assert files._slug("!!!") == "organisation"


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_names_make_the_file_names_they_always_made(name: str) -> None:
    from bot.dialogs import files

    before = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "organisation"
    assert files._slug(name) == before
