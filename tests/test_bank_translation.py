"""The question bank in other languages: the shipped translations are complete and exact,
the loader follows the active language, and the validation names the file and id at fault.

The rules are tested on a small bank and its translation in `tmp_path`; the shipped folder
is tested as it is (`test_every_section_of_the_shipped_bank_is_translated`), and the
properties of the Chinese texts on every section whose file is there.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iso20k_core.evaluate import evaluate
from iso20k_core.language import Language, english, language_for, using
from iso20k_core.standard import (
    Bank,
    BankError,
    check_translations,
    english_bank,
    in_active_language,
    load_bank,
)
from iso20k_core.standard import bank as bank_module
from iso20k_core.standard.bank import BANK_FILE, locale_folder, translate
from tests.core.helpers import profile

VERSION = "2018.1"
ZH = language_for("zh-CN")
assert ZH is not None
ZH_LANGUAGE: Language = ZH
CJK = re.compile(r"[\u4e00-\u9fff]")
SHIPPED = Path(str(resources.files("iso20k_core.standard"))) / "translations"
SHIPPED_ZH = SHIPPED / f"bank-{VERSION}" / "zh_CN"


# --- a small bank and its translation ----------------------------------------------------

SCALE = {
    level: {"name": f"Level {level}", "description": f"What level {level} looks like."}
    for level in range(6)
}


def small_bank() -> dict[str, Any]:
    """Two sections and the documents, every kind of translatable field once."""
    return {
        "version": "9.1",
        "standard": "ISO/IEC 20000-1:2018",
        "title": "A small readiness assessment",
        "maturity_scale": copy.deepcopy(SCALE),
        "documents": {
            "id": "stage1_documents",
            "kind": "documents",
            "title": "Documents for stage 1",
            "description": "The documents stage 1 reviews.",
            "areas": [
                {
                    "id": "documents",
                    "title": "Documents for stage 1",
                    "questions": [
                        {
                            "id": "documents.scope",
                            "document": "Scope of the SMS",
                            "clause": "4.3",
                            "type": "yes_partial_no",
                            "text": "Is the scope documented?",
                            "guidance": "The approved scope statement.",
                        }
                    ],
                }
            ],
        },
        "sections": [
            {
                "id": "foundation",
                "kind": "foundation",
                "title": "Foundation",
                "description": "The base the project builds on.",
                "areas": [
                    {
                        "id": "itil",
                        "title": "ITIL adoption",
                        "dimension": "management",
                        "required_maturity": 2,
                        "owner_role": "Head of IT",
                        "effort_days": 8,
                        "questions": [
                            {
                                "id": "itil.practice",
                                "type": "maturity",
                                "weight": 2,
                                "text": "How far are ITIL practices used?",
                                "guidance": "Process descriptions in ITIL terms.",
                            },
                            {
                                "id": "itil.trained",
                                "type": "number",
                                "unit": "% of IT staff",
                                "min": 0,
                                "max": 100,
                                "target": 50,
                                "text": "What share of IT staff is trained?",
                                "guidance": "Count the certificates.",
                            },
                            {
                                "id": "itil.terms",
                                "type": "yes_partial_no",
                                "text": "Do the teams share one vocabulary?",
                                "guidance": "A glossary in the process manual.",
                            },
                        ],
                    }
                ],
            },
            {
                "id": "context",
                "kind": "requirements",
                "title": "Context",
                "description": "Clause 4: the context of the organisation.",
                "areas": [
                    {
                        "id": "sms_context",
                        "title": "Context of the organisation",
                        "clause": "4",
                        "required_maturity": 3,
                        "owner_role": "SMS manager",
                        "effort_days": 5,
                        "questions": [
                            {
                                "id": "sms_context.scope",
                                "clause": "4.3",
                                "type": "yes_partial_no",
                                "weight": 3,
                                "text": "Is the scope of the SMS defined?",
                                "guidance": "An approved scope statement.",
                            },
                            {
                                "id": "sms_context.understanding",
                                "clause": "4",
                                "type": "maturity",
                                "text": "How well is the context kept up to date?",
                                "guidance": "Documents with a version history.",
                            },
                            {
                                "id": "sms_context.statement",
                                "type": "text",
                                "text": "State the proposed scope of the SMS.",
                                "guidance": "For example: the IT department's services.",
                            },
                        ],
                    },
                    {
                        "id": "sms_leadership",
                        "title": "Leadership",
                        "clause": "5",
                        "required_maturity": 3,
                        "owner_role": "SMS manager",
                        "effort_days": 6,
                        "questions": [
                            {
                                "id": "sms_leadership.policy",
                                "clause": "5.2",
                                "type": "yes_partial_no",
                                "text": "Is there an approved policy?",
                                "guidance": "The approved policy document.",
                            },
                            {
                                "id": "sms_leadership.commitment",
                                "clause": "5.1",
                                "type": "maturity",
                                "text": "How well does top management lead?",
                                "guidance": "Minutes of management reviews.",
                            },
                            {
                                "id": "sms_leadership.roles",
                                "clause": "5.3",
                                "type": "yes_partial_no",
                                "text": "Are the roles assigned to people?",
                                "guidance": "A documented appointment.",
                            },
                        ],
                    },
                ],
            },
        ],
    }


def small_english() -> Bank:
    return Bank.model_validate(small_bank())


def translation_of(bank: Bank) -> dict[str, Any]:
    """A complete, valid translation of `bank`, file name → content: each text marked with
    Chinese characters, so that it differs from the English and stays long enough."""

    def zh(text: str) -> str:
        return f"中文译文：{text}"

    files: dict[str, Any] = {
        BANK_FILE: {
            "title": zh(bank.title),
            "maturity_scale": {
                level: {"name": zh(m.name), "description": zh(m.description)}
                for level, m in bank.maturity_scale.items()
            },
        }
    }
    for s in bank.assessed_sections:
        areas: dict[str, Any] = {}
        questions: dict[str, Any] = {}
        for a in s.areas:
            areas[a.id] = {"title": zh(a.title)}
            if a.owner_role is not None:
                areas[a.id]["owner_role"] = zh(a.owner_role)
            for q in a.questions:
                questions[q.id] = {"text": zh(q.text), "guidance": zh(q.guidance)}
                if q.unit is not None:
                    questions[q.id]["unit"] = zh(q.unit)
                if q.document is not None:
                    questions[q.id]["document"] = zh(q.document)
        files[f"{s.id}.yaml"] = {
            "section": {"title": zh(s.title), "description": zh(s.description)},
            "areas": areas,
            "questions": questions,
        }
    return files


def write(folder: Path, files: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return folder


def problems_of(folder: Path, bank: Bank | None = None) -> str:
    with pytest.raises(BankError) as caught:
        translate(bank or small_english(), folder)
    return str(caught.value)


# --- the rules, on the small bank --------------------------------------------------------


def test_a_complete_translation_replaces_every_text_and_nothing_else(tmp_path: Path) -> None:
    english_small = small_english()
    zh = translate(english_small, write(tmp_path / "zh_CN", translation_of(english_small)))
    assert zh.title == "中文译文：A small readiness assessment"
    assert zh.maturity_scale[3].name == "中文译文：Level 3"
    assert zh.section("foundation").areas[0].owner_role == "中文译文：Head of IT"
    assert zh.question_index["itil.trained"].unit == "中文译文：% of IT staff"
    assert zh.question_index["documents.scope"].document == "中文译文：Scope of the SMS"
    assert structure(zh) == structure(english_small)
    assert zh.section("context").areas[0].owner_role_key == "SMS manager"


def test_the_english_banks_cached_indexes_are_not_copied(tmp_path: Path) -> None:
    """`question_index` and `area_of_question` are cached on the English bank; the
    translated bank builds its own."""
    english_small = small_english()
    assert english_small.question_index["itil.trained"].text.startswith("What share")
    assert english_small.area_of_question["itil.trained"].title == "ITIL adoption"
    zh = translate(english_small, write(tmp_path / "zh_CN", translation_of(english_small)))
    assert zh.question_index["itil.trained"].text.startswith("中文译文：")
    assert zh.area_of_question["itil.trained"].title == "中文译文：ITIL adoption"
    assert english_small.question_index["itil.trained"].text.startswith("What share")


def test_a_missing_file_lists_every_missing_section(tmp_path: Path) -> None:
    files = translation_of(small_english())
    del files["context.yaml"], files["stage1_documents.yaml"]
    message = problems_of(write(tmp_path / "zh_CN", files))
    assert "missing section(s) context.yaml, stage1_documents.yaml" in message


def test_a_file_for_no_section_is_stale(tmp_path: Path) -> None:
    files = translation_of(small_english())
    files["portfolio.yaml"] = files["context.yaml"]
    message = problems_of(write(tmp_path / "zh_CN", files))
    assert "portfolio.yaml: no such section in bank 9.1 (stale file)" in message


def test_a_missing_question_is_named_with_its_file(tmp_path: Path) -> None:
    files = translation_of(small_english())
    del files["foundation.yaml"]["questions"]["itil.terms"]
    message = problems_of(write(tmp_path / "zh_CN", files))
    assert "foundation.yaml: question itil.terms: missing" in message


def test_an_id_the_english_bank_does_not_have_is_stale(tmp_path: Path) -> None:
    files = translation_of(small_english())
    files["context.yaml"]["questions"]["sms_context.renamed"] = {"text": "甲乙", "guidance": "丙"}
    files["context.yaml"]["areas"]["sms_gone"] = {"title": "甲乙丙"}
    message = problems_of(write(tmp_path / "zh_CN", files))
    assert "context.yaml: question sms_context.renamed: no such question" in message
    assert "context.yaml: area sms_gone: no such area in the English bank (stale id)" in message


def test_a_question_of_another_section_is_stale_in_this_file(tmp_path: Path) -> None:
    files = translation_of(small_english())
    moved = files["foundation.yaml"]["questions"].pop("itil.terms")
    files["context.yaml"]["questions"]["itil.terms"] = moved
    message = problems_of(write(tmp_path / "zh_CN", files))
    assert "foundation.yaml: question itil.terms: missing" in message
    assert "context.yaml: question itil.terms: no such question" in message


def test_a_missing_unit_is_an_error(tmp_path: Path) -> None:
    files = translation_of(small_english())
    del files["foundation.yaml"]["questions"]["itil.trained"]["unit"]
    message = problems_of(write(tmp_path / "zh_CN", files))
    assert "foundation.yaml: question itil.trained: field 'unit' missing" in message


def test_a_unit_the_english_has_not_is_an_error(tmp_path: Path) -> None:
    files = translation_of(small_english())
    files["foundation.yaml"]["questions"]["itil.terms"]["unit"] = "个"
    message = problems_of(write(tmp_path / "zh_CN", files))
    assert "foundation.yaml: question itil.terms: field 'unit' is not in the English" in message


def test_owner_role_missing_or_extra_is_an_error(tmp_path: Path) -> None:
    files = translation_of(small_english())
    del files["context.yaml"]["areas"]["sms_context"]["owner_role"]
    files["stage1_documents.yaml"]["areas"]["documents"]["owner_role"] = "SMS 经理"
    message = problems_of(write(tmp_path / "zh_CN", files))
    assert "context.yaml: area sms_context: field 'owner_role' missing" in message
    assert "stage1_documents.yaml: area documents: field 'owner_role' is not in" in message


def test_fields_that_are_not_texts_stay_in_the_english_file(tmp_path: Path) -> None:
    files = translation_of(small_english())
    files["context.yaml"]["questions"]["sms_context.scope"]["clause"] = "4.3"
    files["foundation.yaml"]["questions"]["itil.practice"]["weight"] = 3
    files["context.yaml"]["section"]["kind"] = "requirements"
    message = problems_of(write(tmp_path / "zh_CN", files))
    assert "question sms_context.scope: field 'clause' is not in the English bank" in message
    assert "question itil.practice: field 'weight' is not in the English bank" in message
    assert "context.yaml: section context: field 'kind' is not in the English bank" in message


@pytest.mark.parametrize("value", ["", "   ", None, 12, ["甲乙丙丁戊己庚辛壬癸"]])
def test_texts_are_non_empty_strings(tmp_path: Path, value: object) -> None:
    files = translation_of(small_english())
    files["context.yaml"]["questions"]["sms_leadership.roles"]["guidance"] = value
    message = problems_of(write(tmp_path / "zh_CN", files))
    assert "context.yaml: question sms_leadership.roles: 'guidance' must be a non-empty" in message


def test_the_translated_bank_passes_the_models_own_checks(tmp_path: Path) -> None:
    files = translation_of(small_english())
    files["context.yaml"]["questions"]["sms_leadership.policy"]["text"] = "方针已批准吗？"
    message = problems_of(write(tmp_path / "zh_CN", files))
    assert "context.yaml: question sms_leadership.policy: text:" in message
    assert "at least 10 characters" in message


def test_the_maturity_scale_needs_every_level(tmp_path: Path) -> None:
    files = translation_of(small_english())
    del files[BANK_FILE]["maturity_scale"][4]
    files[BANK_FILE]["maturity_scale"][2]["summary"] = "多余"
    message = problems_of(write(tmp_path / "zh_CN", files))
    assert "_bank.yaml: maturity level 4: missing" in message
    assert "_bank.yaml: maturity level 2: field 'summary' is not in the English" in message


def test_invalid_yaml_is_named_by_its_file(tmp_path: Path) -> None:
    folder = write(tmp_path / "zh_CN", translation_of(small_english()))
    (folder / "context.yaml").write_text("section: [unclosed\n", "utf-8")
    assert "context.yaml: not valid YAML" in problems_of(folder)


def test_one_owner_role_has_one_translation(tmp_path: Path) -> None:
    files = translation_of(small_english())
    files["context.yaml"]["areas"]["sms_leadership"]["owner_role"] = "服务管理体系经理"
    message = problems_of(write(tmp_path / "zh_CN", files))
    assert "owner role 'SMS manager' is translated 2 ways" in message
    assert "context.yaml: area sms_leadership" in message


def test_two_owner_roles_do_not_share_a_translation(tmp_path: Path) -> None:
    files = translation_of(small_english())
    files["foundation.yaml"]["areas"]["itil"]["owner_role"] = "中文译文：SMS manager"
    message = problems_of(write(tmp_path / "zh_CN", files))
    assert "translates 2 different roles: Head of IT, SMS manager" in message


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    files = translation_of(small_english())
    del files["foundation.yaml"]["questions"]["itil.terms"]
    del files["context.yaml"]["questions"]["sms_context.scope"]["guidance"]
    message = problems_of(write(tmp_path / "zh_CN", files))
    assert "2 problem(s)" in message
    assert "itil.terms" in message and "sms_context.scope" in message


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_missing_or_extra_field_is_named_with_file_and_id(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """Whichever field of whichever id goes missing or is added, the error names both."""
    files = translation_of(small_english())
    name = data.draw(st.sampled_from(sorted(n for n in files if n != BANK_FILE)))
    kind = data.draw(st.sampled_from(["areas", "questions"]))
    ident = data.draw(st.sampled_from(sorted(files[name][kind])))
    fields = files[name][kind][ident]
    if data.draw(st.booleans()):
        field = data.draw(st.sampled_from(sorted(fields)))
        del fields[field]
    else:
        field = data.draw(st.sampled_from(["note", "clause", "type", "unit", "owner_role"]))
        if field in fields:
            field = "note"
        fields[field] = "多余的字段内容"
    message = problems_of(write(tmp_path_factory.mktemp("zh") / "zh_CN", files))
    singular = "area" if kind == "areas" else "question"
    assert f"{name}: {singular} {ident}: field {field!r}" in message


# --- the language folders ----------------------------------------------------------------


def test_the_folder_of_a_language_is_its_catalog_folder() -> None:
    catalogs = {
        p.parent.parent.name
        for p in Path(bank_module.__file__).parents[1].glob("locales/*/LC_MESSAGES/iso20k.po")
    }
    assert locale_folder(ZH_LANGUAGE) == "zh_CN" and "zh_CN" in catalogs
    assert locale_folder(english()) is None


def test_a_language_with_a_catalog_needs_a_bank_folder(tmp_path: Path) -> None:
    (tmp_path / f"bank-{VERSION}").mkdir()
    with pytest.raises(BankError, match=r"no folder zh_CN: the language has a catalog"):
        check_translations(VERSION, root=tmp_path)


def test_a_folder_for_no_language_is_an_error(tmp_path: Path) -> None:
    for name in ("zh_CN", "zh_Hans_CN"):
        (tmp_path / f"bank-{VERSION}" / name).mkdir(parents=True)
    with pytest.raises(BankError, match=r"folder zh_Hans_CN is no language with a catalog"):
        check_translations(VERSION, root=tmp_path)


def test_an_empty_language_folder_lists_every_section(tmp_path: Path) -> None:
    (tmp_path / f"bank-{VERSION}" / "zh_CN").mkdir(parents=True)
    with pytest.raises(BankError) as caught:
        check_translations(VERSION, root=tmp_path)
    for s in english_bank(VERSION).assessed_sections:
        assert f"{s.id}.yaml" in str(caught.value)


# --- the shipped translation ---------------------------------------------------------------


def test_every_section_of_the_shipped_bank_is_translated() -> None:
    """Fails, listing the sections, while any section has no Chinese file yet."""
    try:
        check_translations()
    except BankError as exc:
        pytest.fail(f"the shipped bank translations are incomplete or wrong:\n{exc}")


def shipped_sections() -> set[str]:
    return {p.stem for p in SHIPPED_ZH.glob("*.yaml") if p.name != BANK_FILE}


@pytest.fixture(scope="module")
def completed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped translation folder, with the English texts for a section whose file is
    not there yet: the rest of the shipped files can be checked on their own."""
    root = tmp_path_factory.mktemp("translations")
    folder = root / f"bank-{VERSION}" / "zh_CN"
    folder.mkdir(parents=True)
    english_full = english_bank(VERSION)
    fill = translation_of(english_full)
    roles = _shipped_roles(english_full)
    for name, data in fill.items():
        shipped = SHIPPED_ZH / name
        if shipped.exists():
            (folder / name).write_bytes(shipped.read_bytes())
        else:
            english_texts = yaml.safe_load(yaml.safe_dump(data, allow_unicode=True))
            _strip_marks(english_texts)
            for area in english_texts["areas"].values():
                if "owner_role" in area:
                    area["owner_role"] = roles.get(area["owner_role"], area["owner_role"])
            (folder / name).write_text(yaml.safe_dump(english_texts, allow_unicode=True))
    return root


def _shipped_roles(english_full: Bank) -> dict[str, str]:
    """English owner role → its translation in the shipped files (one per role: checked)."""
    found: dict[str, str] = {}
    for s in english_full.assessed_sections:
        shipped = SHIPPED_ZH / f"{s.id}.yaml"
        if shipped.exists():
            areas = yaml.safe_load(shipped.read_text("utf-8"))["areas"]
            for a in s.areas:
                if a.owner_role is not None:
                    found[a.owner_role] = areas[a.id]["owner_role"]
    return found


def _strip_marks(data: Any) -> None:
    for key, value in data.items():
        if isinstance(value, dict):
            _strip_marks(value)
        elif isinstance(value, str):
            data[key] = value.removeprefix("中文译文：")


@pytest.fixture
def shipped_zh(completed: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bank]:
    """`load_bank` reading the completed folder, its cache empty before and after."""
    monkeypatch.setattr(
        bank_module, "_translations_root", lambda version: completed / f"bank-{version}"
    )
    bank_module._translated.cache_clear()
    with using(ZH_LANGUAGE):
        translated = load_bank(VERSION)
    yield translated
    bank_module._translated.cache_clear()


def structure(bank: Bank) -> Any:
    """Everything but the texts: ids, kinds, types, weights, clauses, targets, order."""
    texts = {"title", "description", "text", "guidance", "unit", "document", "owner_role"}

    def without(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: without(v) for k, v in value.items() if k not in texts}
        if isinstance(value, list | tuple):
            return [without(v) for v in value]
        return value

    dumped = bank.model_dump()
    dumped.pop("maturity_scale")
    return without(dumped), sorted(bank.maturity_scale)


def test_the_chinese_bank_has_the_english_ids_types_weights_and_clauses(
    shipped_zh: Bank,
) -> None:
    english_full = english_bank(VERSION)
    assert structure(shipped_zh) == structure(english_full)
    assert [q.id for q in shipped_zh.question_index.values()] == list(english_full.question_index)
    for q in shipped_zh.question_index.values():
        e = english_full.question_index[q.id]
        assert (q.type, q.weight, q.clause, q.target, q.min, q.max) == (
            e.type,
            e.weight,
            e.clause,
            e.target,
            e.min,
            e.max,
        )
        assert (q.unit is None) == (e.unit is None) and (q.document is None) == (e.document is None)


def test_load_bank_follows_the_active_language(shipped_zh: Bank) -> None:
    assert shipped_zh.title == "ISO/IEC 20000-1:2018 准备度评估"
    assert shipped_zh.section("foundation").title == "管理基础与技术基础"
    assert shipped_zh.question_index["itil.staff_trained"].unit == "% 的 IT 人员"
    assert shipped_zh.question_index["documents.change_policy"].document == "变更管理方针"
    assert shipped_zh.maturity_scale[3].name == "已定义"
    with using(ZH_LANGUAGE):
        assert load_bank(VERSION) is shipped_zh  # cached per version and language
        assert load_bank() is shipped_zh
    assert load_bank(VERSION) is english_bank(VERSION)
    assert load_bank(VERSION).title == "ISO/IEC 20000-1:2018 readiness assessment"
    with using(english()):
        assert load_bank(VERSION).section("foundation").title == (
            "Management and technical foundation"
        )


def test_the_owner_roles_keep_their_english_key(shipped_zh: Bank) -> None:
    english_full = english_bank(VERSION)
    for a, e in zip(shipped_zh.areas, english_full.areas, strict=True):
        assert a.owner_role_key == e.owner_role == e.owner_role_key


def _translatable(bank: Bank, sections: set[str]) -> Iterator[tuple[str, str, str]]:
    """(where, the translated text, the English text) of every text of the given sections."""
    english_full = english_bank(VERSION)
    for s in bank.assessed_sections:
        if s.id not in sections:
            continue
        e_s = english_full.section(s.id)
        yield f"{s.id}: title", s.title, e_s.title
        yield f"{s.id}: description", s.description, e_s.description
        for a, e_a in zip(s.areas, e_s.areas, strict=True):
            yield f"{a.id}: title", a.title, e_a.title
            if a.owner_role is not None and e_a.owner_role is not None:
                yield f"{a.id}: owner_role", a.owner_role, e_a.owner_role
            for q, e_q in zip(a.questions, e_a.questions, strict=True):
                yield f"{q.id}: text", q.text, e_q.text
                yield f"{q.id}: guidance", q.guidance, e_q.guidance
                for field in ("unit", "document"):
                    mine, theirs = getattr(q, field), getattr(e_q, field)
                    if mine is not None and theirs is not None:
                        yield f"{q.id}: {field}", mine, theirs


def test_every_shipped_text_is_chinese_and_differs_from_the_english(shipped_zh: Bank) -> None:
    sections = shipped_sections()
    assert {"stage1_documents", "foundation", "benefits", "context"} <= sections
    checked = 0
    for where, zh, en in _translatable(shipped_zh, sections):
        assert zh != en, where
        assert CJK.search(zh), f"{where}: no Chinese in {zh!r}"
        checked += 1
    assert checked > 100
    english_full = english_bank(VERSION)
    assert shipped_zh.title != english_full.title and CJK.search(shipped_zh.title)
    for level, m in shipped_zh.maturity_scale.items():
        assert CJK.search(m.name) and CJK.search(m.description), level
        assert m.description != english_full.maturity_scale[level].description


def test_clause_numbers_inside_the_texts_are_kept(shipped_zh: Bank) -> None:
    clause = re.compile(r"\b\d+(?:\.\d+)+\b")
    for where, zh, en in _translatable(shipped_zh, shipped_sections()):
        assert set(clause.findall(en)) <= set(clause.findall(zh)), where


def test_the_chinese_questions_stay_questions(shipped_zh: Bank) -> None:
    """A yes/partial/no, maturity, number or rating question asks (？); a text question may
    ask for a list (请列出…。)."""
    for s in shipped_zh.assessed_sections:
        if s.id not in shipped_sections():
            continue
        for q in s.questions:
            if q.type != "text":
                assert "？" in q.text, q.id
            assert "?" not in q.text, f"{q.id}: half-width question mark"


def test_an_owner_role_the_code_also_writes_reads_the_same_in_the_bank(shipped_zh: Bank) -> None:
    """The plan and the exports write some owner roles themselves (`_("SMS manager")`,
    `_("Top management")`) beside the bank's: the catalog and the bank must agree, or one
    role shows two ways and the MS Project export makes two resources of it."""
    for key, shown in _shipped_roles(english_bank(VERSION)).items():
        in_catalog = ZH_LANGUAGE.gettext(key)
        if in_catalog != key:  # the code writes this role too
            assert in_catalog == shown, (
                f"owner role {key!r}: the catalog says {in_catalog!r}, the bank {shown!r}"
            )


def test_an_evaluation_in_chinese_uses_the_chinese_bank_even_if_handed_the_english_one() -> None:
    """Callers load the bank once (start-up, a profile file) in English; each reader still
    gets their own language's area titles."""
    english = english_bank()
    with using(ZH_LANGUAGE):
        e = evaluate(profile(), {}, dt.date(2026, 11, 25), english)
        assert in_active_language(english) is load_bank()
    assert {a.id: a.title for a in e.areas}["itil"] == "ITIL 采用情况"
    assert in_active_language(english) is english
    custom = english.model_copy(update={"title": "A consultant's own bank"})
    with using(ZH_LANGUAGE):
        assert in_active_language(custom) is custom
