"""The rate tables' reasoning in Simplified Chinese: every `estimate` of every rate file is a
message of the catalog (extracted by `catalog.extract_rates`, exactly as the loader reads
it), translated, and shown in the reader's language wherever a rate's basis is read (the
assumptions of an evaluation); a `source` is a citation and stays as published; English is
unchanged."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iso20k_core import catalog
from iso20k_core.evaluate import evaluate
from iso20k_core.inputs import parse_input_text
from iso20k_core.language import english, language_for, using
from iso20k_core.profile import Profile
from iso20k_core.results import Evaluation
from iso20k_core.standard.rates import (
    RATES_PACKAGE,
    RATES_PREFIX,
    Rate,
    available_versions,
    load_rates,
)
from tests.core.helpers import TODAY

ROOT = Path(__file__).resolve().parents[2]
ZH = language_for("zh-CN")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Three lowercase English words in a row: a sentence left in English (as in
# test_engine_in_chinese.py; codes, sites and title-case citations are no such run).
ENGLISH_RUN = re.compile(r"(?<![\w./-])[a-z]+(?: +[a-z]+){2,}(?![\w./-])")


def zh() -> Any:
    assert ZH is not None, "no Simplified Chinese catalog"
    return using(ZH)


def entries() -> Iterator[tuple[str, str, str, Rate]]:
    """(version, currency, rate name, entry) of every rate of every shipped table."""
    for version in available_versions():
        for code, table in load_rates(version).currencies.items():
            for name, entry in table.items():
                yield version, code, name, entry


ESTIMATES = sorted({e.estimate for *_, e in entries() if e.estimate is not None})
SOURCES = sorted({e.source for *_, e in entries() if e.source is not None})


def _file(version: str) -> bytes:
    name = f"{RATES_PREFIX}{version}.yaml"
    return resources.files(RATES_PACKAGE).joinpath(name).read_bytes()


def _extracted(version: str) -> list[tuple[int, None, str, list[str]]]:
    return list(catalog.extract_rates(io.BytesIO(_file(version)), (), (), {}))


# --- the extractor -------------------------------------------------------------------------


@pytest.mark.parametrize("version", available_versions())
def test_the_extractor_reads_each_estimate_as_the_loader_does(version: str) -> None:
    """One message per estimate, the loader's very string (folded scalars joined), the
    currency and rate named for the translator; no source, no title."""
    loaded = {
        f"{code} {name}": entry.estimate
        for code, table in load_rates(version).currencies.items()
        for name, entry in table.items()
        if entry.estimate is not None
    }
    found = {comments[0]: message for _, _, message, comments in _extracted(version)}
    assert found == loaded
    title = load_rates(version).title
    assert title not in found.values()
    assert not set(SOURCES) & set(found.values())


@pytest.mark.parametrize("version", available_versions())
def test_each_estimate_is_placed_at_its_key(version: str) -> None:
    lines = _file(version).decode("utf-8").splitlines()
    for lineno, funcname, message, _ in _extracted(version):
        assert funcname is None
        assert lines[lineno - 1].strip().startswith("estimate:"), (lineno, message)
        # The text follows on that line (a quoted scalar) or the next (a folded one).
        assert message.split()[0] in " ".join(lines[lineno - 1 : lineno + 1])


def test_the_rate_files_are_in_the_method_map() -> None:
    method = dict(catalog.METHODS)["iso20k_core/standard/rates-*.yaml"]
    assert method == "iso20k_core.catalog:extract_rates"
    located = {
        str(m.id): {path for path, _ in m.locations} for m in catalog.extract() if m.id in ESTIMATES
    }
    assert located.keys() == set(ESTIMATES)
    for version in available_versions():
        assert any(
            f"iso20k_core/standard/{RATES_PREFIX}{version}.yaml" in p for p in located.values()
        )


# --- the catalog ---------------------------------------------------------------------------


def test_every_estimate_is_in_the_template_and_translated() -> None:
    """The catalog test covers them once `update` ran; this says which messages are meant."""
    template = {str(m.id): m for m in catalog.read(catalog.TEMPLATE) if m.id}
    translated = {str(m.id): m for m in catalog.read(catalog.translations()["zh_CN"]) if m.id}
    for estimate in ESTIMATES:
        assert estimate in template, estimate
        m = translated[estimate]
        assert m.string and not m.fuzzy, estimate
    # The translator is told whose reasoning it is.
    for version, code, name, entry in entries():
        if entry.estimate is not None:
            assert f"{code} {name}" in template[entry.estimate].auto_comments, (version, code)
    assert "estimate: {reasoning}" in translated
    assert not [s for s in SOURCES if s in translated]


@pytest.mark.parametrize("estimate", ESTIMATES)
def test_each_translation_is_chinese_and_keeps_its_figures(estimate: str) -> None:
    assert ZH is not None
    text = ZH.gettext(estimate)
    assert text != estimate and CJK.search(text)
    assert not ENGLISH_RUN.findall(text), text
    # Figures, currency codes and named bodies stay as written (in any order: a Chinese
    # sentence may put its parts the other way round).
    assert _figures(text) == _figures(estimate), text
    for code in ("EUR", "GBP", "USD", "CNY", "ISO/IEC", "NQA", "BSI", "GB/T 24405.1", "ITIL"):
        assert text.count(code) == estimate.count(code), (code, text)


def _figures(text: str) -> list[str]:
    return sorted(re.findall(r"\d[\d,.]*\d|\d", text))


def test_specific_sentences() -> None:
    assert ZH is not None
    tables = load_rates("2026.2").currencies
    with zh():
        assert tables["GBP"]["consultant_day_rate"].basis == (
            "估算：EUR 估算值 1,200 × 0.85 GBP/EUR = 1,020，取整为 1,000。"
        )
        assert tables["GBP"]["standard_copies_cost"].basis == (
            "估算：EUR 估算值 450 × 0.85 GBP/EUR = 382.50，向上取整为 400（BSI 版本）。"
        )
        usd = tables["USD"]["publicity_cost"].basis
        assert usd == "估算：EUR 估算值 1,500 × 1.10 USD/EUR = 1,650。"
        assert tables["EUR"]["application_fee"].basis.endswith(
            "换算到 EUR 审核人日 1,400：467，取整为 450。"
        )
        assert tables["CNY"]["internal_day_rate"].basis == (
            "估算：中国城市中一名 IT 员工一天的全额成本：年薪约 200,000 CNY，另加约40%的社会保险"
            "和住房公积金缴费，按约230个工作日分摊，取整。"
        )


# --- where the basis is read -----------------------------------------------------------------


@given(st.sampled_from(list(entries())))
def test_a_basis_is_translated_when_read_and_a_source_never(
    case: tuple[str, str, str, Rate],
) -> None:
    *_, entry = case
    with using(english()):
        in_english = entry.basis
    with zh():
        in_chinese = entry.basis
    if entry.source is not None:
        assert in_english == in_chinese == entry.source
    else:
        assert in_english == f"estimate: {entry.estimate}"
        assert ZH is not None
        assert in_chinese == f"估算：{ZH.gettext(entry.estimate or '')}"
        assert in_chinese != f"估算：{entry.estimate}"
    # Not kept across languages: the English comes back after the Chinese.
    assert entry.basis == in_english


def test_an_estimate_outside_the_catalog_stays_as_written_braces_and_all() -> None:
    rate = Rate(value=10, estimate="not in any catalog {braces} 50 %")
    assert rate.basis == "estimate: not in any catalog {braces} 50 %"
    with zh():
        assert rate.basis == "估算：not in any catalog {braces} 50 %"


def _small(currency: str | None = None) -> Evaluation:
    given_ = parse_input_text(
        (ROOT / "examples" / "small-it-department.yaml").read_text(encoding="utf-8")
    )
    profile: Profile = given_.profile
    if currency is not None:
        profile = profile.model_copy(update={"currency": currency})
    return evaluate(profile, given_.answers, TODAY, bookings=given_.bookings)


def _rate_sources(e: Evaluation) -> dict[str, str]:
    table = load_rates().table(e.costs.currency) or {}
    return {a.key: a.source for a in e.assumptions if a.key in table and a.origin == "default"}


@pytest.mark.parametrize("currency", [None, "CNY", "GBP"])
def test_the_assumptions_of_the_small_example_in_chinese(currency: str | None) -> None:
    """Each default rate's assumption ends with the table's basis: the estimate in Chinese,
    the source as published; and nothing of the English reasoning is left."""
    assert ZH is not None
    with zh():
        e = _small(currency)
    shown = _rate_sources(e)
    table = load_rates().table(e.costs.currency) or {}
    assert len(shown) >= 10
    for name, text in shown.items():
        entry = table[name]
        if entry.source is not None:
            assert text.endswith(f"费率表：{entry.source}"), text
        else:
            assert entry.estimate is not None
            assert text.endswith(f"费率表：估算：{ZH.gettext(entry.estimate)}"), text
            assert entry.estimate not in text
            assert "estimate:" not in text


def test_the_small_example_names_a_specific_estimate_in_chinese() -> None:
    with zh():
        e = _small()
    shown = _rate_sources(e)
    assert shown["consultant_day_rate"].endswith(
        "EUR 费率表：估算：在欧洲未找到公开的 ISO/IEC 20000 咨询费率；取西欧资深管理体系咨询顾问的"
        "日费率，介于咨询公司对 ISO 9001 与 ISO/IEC 27001 项目的报价之间。请以实际报价替换。"
    )


def test_a_source_is_shown_as_published_in_chinese() -> None:
    with zh():
        e = _small("CNY")
    source = load_rates().currencies["CNY"]["auditor_day_rate"].source
    assert source is not None
    assert _rate_sources(e)["auditor_day_rate"].endswith(f"CNY 费率表：{source}")


@pytest.mark.parametrize("currency", [None, "CNY"])
def test_english_is_unchanged(currency: str | None) -> None:
    e = _small(currency)
    table = load_rates().table(e.costs.currency) or {}
    for name, text in _rate_sources(e).items():
        entry = table[name]
        basis = entry.source if entry.source is not None else f"estimate: {entry.estimate}"
        assert text.endswith(f"; {e.costs.currency} rate table: {basis}"), text
    # The same evaluation made under English active, and the Chinese one changes words only.
    with using(english()):
        again = _small(currency)
    assert _rate_sources(again) == _rate_sources(e)
    with zh():
        chinese = _small(currency)
    money = [(a.key, a.value) for a in e.assumptions if a.key in table]
    assert [(a.key, a.value) for a in chinese.assumptions if a.key in table] == money
