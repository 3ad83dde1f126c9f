"""Rate tables per currency (issue 11, item 1): defaults only where a table gives them.

The money defaults of the cost estimate come from `iso20k_core/standard/rates-*.yaml`, one
table per currency, each entry with its source or labelled an estimate. A currency without a
table gets no default amount at all: the estimate names the rates it needs instead of printing
euro figures in yen.
"""

from __future__ import annotations

import io
import re
from importlib import resources
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from iso20k_core import figures as fig
from iso20k_core import places
from iso20k_core.evaluate import evaluate
from iso20k_core.profile import MONEY_RATES
from iso20k_core.report.document import render_html, render_markdown
from iso20k_core.report.exports import export
from iso20k_core.report.render import render
from iso20k_core.results import Evaluation
from iso20k_core.standard.rates import RatesError, load_rates, parse_rates, resolve
from tests.core.helpers import TODAY, all_at, examples, profile

TABLES = load_rates()
WITH_TABLE = ("EUR", "GBP", "USD", "CNY")
WITHOUT_TABLE = tuple(sorted(set(places.codes("currency")) - set(TABLES.currencies)))
# The defaults a euro profile gets (README "The profile"): never to be seen in another
# currency that has no table of its own.
EUR_DEFAULTS = {name: TABLES.currencies["EUR"][name].value for name in MONEY_RATES}
GIVEN_RATES = dict.fromkeys(MONEY_RATES, 7)


def run(answers: dict[str, Any], **fields: Any) -> Evaluation:
    return evaluate(profile(**fields), answers, TODAY)


def _jpy(**overrides: Any) -> Evaluation:
    return run(all_at(1), currency="JPY", **overrides)


# --- the data file --------------------------------------------------------------------------


def test_every_table_holds_every_money_rate_with_its_basis() -> None:
    assert set(WITH_TABLE) <= set(TABLES.currencies)
    for code, table in TABLES.currencies.items():
        assert code in places.codes("currency"), code
        assert set(table) == set(MONEY_RATES), code
        for name, rate in table.items():
            assert rate.value > 0, (code, name)
            assert (rate.source is None) != (rate.estimate is None), (code, name)
            assert rate.basis.strip(), (code, name)


def test_the_euro_table_keeps_the_documented_defaults() -> None:
    # README "The profile": the euro defaults are those of the previous releases.
    assert EUR_DEFAULTS == {
        "consultant_day_rate": 1200,
        "auditor_day_rate": 1400,
        "internal_day_rate": 480,
        "awareness_cost_per_person": 25,
        "internal_auditor_course_cost": 1900,
        "process_owner_course_cost": 1100,
        "standard_copies_cost": 450,
        "reference_material_cost": 300,
        "publicity_cost": 1500,
        "certificate_management_fee": 900,
        # Added in 2026.2 (estimates, see the table): the rest of the body's quote.
        "application_fee": 450,
        "registration_fee": 900,
        "travel_expenses_per_audit_day": 250,
    }


def test_a_new_version_keeps_every_value_of_the_old_one() -> None:
    # The table's own rule: a changed value is a new version, the old one kept. 2026.2 only
    # adds the rates of the body's quote; 2026.1 still loads without them.
    old, new = load_rates("2026.1"), load_rates("2026.2")
    assert new.version == "2026.2" and TABLES.version == "2026.2"
    for code, table in old.currencies.items():
        for name, rate in table.items():
            assert new.currencies[code][name].value == rate.value, (code, name)
    added = set(new.currencies["EUR"]) - set(old.currencies["EUR"])
    assert added == {"application_fee", "registration_fee", "travel_expenses_per_audit_day"}


def test_a_profile_on_the_old_tables_is_asked_for_the_new_rates() -> None:
    a = resolve(profile(), load_rates("2026.1"))
    assert a.auditor_day_rate == 1400
    assert a.application_fee is None and a.travel_expenses_per_audit_day is None


def test_a_chinese_auditor_day_is_priced_as_chinese_bodies_publish() -> None:
    """Chinese certification bodies publish their fee tables: 审核费 3,000 CNY × 人日数 (the
    fee tables on hwcert.cn/index.php?col=100092 and ttxrewh.cn/FeeStandards), and
    3,000-6,000 CNY per auditor-day (sanxing9000.com/information.asp?bid=36&id=2592), each
    opened and read for this figure (README "Sources for the certification facts"). Their
    annual fee (年金) for a management system certificate is 2,000 CNY."""
    cny = TABLES.currencies["CNY"]
    assert 3000 <= cny["auditor_day_rate"].value <= 6000
    assert cny["auditor_day_rate"].source is not None
    assert cny["certificate_management_fee"].value == 2000
    assert cny["certificate_management_fee"].source is not None
    e = run(all_at(1), currency="CNY")
    line = next(x for x in e.costs.parts[1].lines if x.key == "stage1_audit")
    # 60 persons: stage 1 1.5 (1.5-3) audit days × 3,000 CNY = 4,500 (4,500-9,000).
    assert line.basis.startswith("1.5 (1.5–3) audit days × 3,000 CNY")
    assert (line.amount, line.low, line.high) == (4_500, 4_500, 9_000)
    assert e.costs.complete


def test_chinese_certificate_fees_are_within_what_chinese_bodies_publish() -> None:
    """The fees around the audit days, as the published tables give them (each page opened
    with the search tool for this test): 申请费 1000元 and 审定与注册费(含证书费) 2000元 on
    ttxrewh.cn/FeeStandards; 申请费 1000元, 审定注册费 2000元/体系 and 年金 2000元/体系 on
    xqcciso.com/repository/shownews.php?id=22 (2018-12-01); 申请费 1000×n and 批准与注册费
    2000×n on hwcert.cn/index.php?col=100092; bodies for other schemes charge up to 2000 and
    3000 and an annual fee up to 5000 (baoxianhl.cn/content/118.html, product certification).
    Travel is billed at cost there (差旅费 根据实际支出收取), so the
    CNY figure for it is an estimate."""
    cny = TABLES.currencies["CNY"]
    assert 1000 <= cny["application_fee"].value <= 2000
    assert cny["application_fee"].source is not None
    assert 2000 <= cny["registration_fee"].value <= 3000
    assert cny["registration_fee"].source is not None
    assert 2000 <= cny["certificate_management_fee"].value <= 5000
    assert cny["travel_expenses_per_audit_day"].estimate is not None
    # The initial quote of the 60-person example: 1,000 + 5 audit days × 3,000 + 5 × 800
    # travel + 2,000 registration + 2,000 annual fee = 24,000 CNY.
    body = run(all_at(1), currency="CNY").costs.parts[1]
    assert body.amount == 1000 + 5 * 3000 + 5 * 800 + 2000 + 2000 == 24_000


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda d: d["currencies"]["GBP"].pop("auditor_day_rate"), "GBP.auditor_day_rate"),
        (
            lambda d: d["currencies"]["USD"]["publicity_cost"].pop("estimate"),
            "currencies.USD.publicity_cost",
        ),
        (
            lambda d: d["currencies"]["CNY"]["auditor_day_rate"].update(value=-1),
            "currencies.CNY.auditor_day_rate.value",
        ),
        (lambda d: d["currencies"]["EUR"].update(day_rate={"value": 1}), "EUR.day_rate"),
    ],
)
def test_a_broken_table_is_refused_naming_the_field(edit: Any, named: str) -> None:
    text = resources.files("iso20k_core.standard").joinpath("rates-2026.2.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    edit(data)
    with pytest.raises(RatesError, match=re.escape(named)):
        parse_rates(yaml.safe_dump(data, allow_unicode=True), "test")


# --- a currency without a table -------------------------------------------------------------


def test_a_yen_organisation_is_asked_for_its_rates() -> None:
    e = _jpy()
    c = e.costs
    assert c.missing_rates == MONEY_RATES
    assert not c.complete
    assert c.project_total is None and c.internal_cost is None
    assert c.total_with_internal is None and c.cycle_total is None
    assert all(fy.amount is None for fy in c.fiscal_years if fy.lines)
    listed = {a.key: a for a in e.assumptions}
    for name in MONEY_RATES:
        assert listed[name].value == "needed", name
        assert "no rate table for JPY" in listed[name].source, name
    audit = next(x for x in c.parts[1].lines if x.key == "stage1_audit")
    assert audit.amount is None and audit.needs == ("auditor_day_rate",)
    assert "auditor_day_rate (rate needed)" in audit.basis
    assert fig.money(audit.amount, c.currency, audit.needs) == "rate needed: auditor_day_rate"


def test_a_yen_organisation_with_every_rate_given_is_complete_again() -> None:
    e = _jpy(assumptions=GIVEN_RATES)
    assert e.costs.complete and e.costs.missing_rates == ()
    assert e.costs.total_with_internal is not None
    assert all(a.origin == "profile" for a in e.assumptions if a.key in MONEY_RATES)


def test_without_consultants_the_consultant_rate_is_not_needed() -> None:
    rates = {k: v for k, v in GIVEN_RATES.items() if k != "consultant_day_rate"}
    e = _jpy(use_consultants=False, assumptions=rates)
    assert e.costs.complete


def _outputs(e: Evaluation) -> dict[str, str]:
    """Every rendering a person reads, as text (the PDF is the HTML, printed)."""
    book = openpyxl.load_workbook(io.BytesIO(export(e, "xlsx")))
    cells = "\n".join(
        str(v)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    )
    return {
        "text": render(e, "text"),
        "markdown": render(e, "markdown"),
        "json": render(e, "json"),
        "report.md": render_markdown(e),
        # The charts are embedded as base64 data, whose letters may spell "7INR": only the
        # text a person reads counts.
        "report.html": re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", "", render_html(e)),
        "xlsx": cells,
        "mspdi": export(e, "mspdi").decode("utf-8"),
    }


def _amounts_in(currency: str) -> list[str]:
    written = {fig.number(v) for v in EUR_DEFAULTS.values()}
    written |= {fig.money(round(v), currency) for v in EUR_DEFAULTS.values()}
    return [f"{w} {currency}" if not w.endswith(currency) else w for w in written]


@settings(max_examples=examples(20), deadline=None)
@given(
    currency=st.sampled_from(WITHOUT_TABLE),
    persons=st.integers(min_value=1, max_value=2000),
    consultants=st.booleans(),
)
def test_a_currency_without_a_table_never_prints_a_money_default(
    currency: str, persons: int, consultants: bool
) -> None:
    e = run(all_at(1), currency=currency, persons_in_scope=persons, use_consultants=consultants)
    assert not e.costs.complete
    for fmt, text in _outputs(e).items():
        for amount in _amounts_in(currency):
            assert amount not in text, (fmt, amount)
        # No figure at all is written in the currency, only zeros (tool software: none
        # planned, and no consultants when the profile has none).
        for found in re.findall(rf"([\d,.]+)\s*{currency}\b", text):
            assert found.strip(",.") == "0", (fmt, found)
    listed = {a.key: a.value for a in e.assumptions}
    assert all(listed[name] == "needed" for name in MONEY_RATES)


# --- the profile always wins ----------------------------------------------------------------


@settings(max_examples=examples(40), deadline=None)
@given(
    currency=st.sampled_from((*WITH_TABLE, "JPY")),
    name=st.sampled_from(MONEY_RATES),
    value=st.integers(min_value=0, max_value=100_000),
)
def test_a_profile_rate_wins_over_the_table(currency: str, name: str, value: int) -> None:
    p = profile(currency=currency, assumptions={name: value})
    assert getattr(resolve(p), name) == value
    e = run(all_at(1), currency=currency, assumptions={name: value})
    listed = {a.key: a for a in e.assumptions}
    assert listed[name].value == fig.number(value).replace(",", "")
    table = TABLES.table(currency)
    expected = "default" if table is not None and table[name].value == value else "profile"
    assert listed[name].origin == expected
    assert name not in e.costs.missing_rates
