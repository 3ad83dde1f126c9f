"""The question bank: one YAML file per version, validated when loaded.

The bank is data, not code, so a consultant can review and extend it: sections hold
requirement areas, areas hold questions. A requirement area maps to a clause of ISO/IEC
20000-1:2018; the foundation areas (ITIL basis, leadership, tooling, ...) feed the
feasibility analysis; the benefit area holds the nine typical benefits a manager weighs.

The texts a person reads (titles, descriptions, questions, guidance, units, owner roles, the
maturity scale) exist in English in the bank file, and in every other language as data beside
it: `translations/bank-<version>/<locale>/`, one YAML file per section and `_bank.yaml` for the
title and the maturity scale, holding exactly the texts of the English bank, by id. The bank a
caller gets follows the active language (`iso20k_core.language.active`): a translated bank is
the English bank with its texts replaced, so every id, type, weight, clause and order is the
English bank's by construction; code that needs to know which thing it holds asks its id, never
its text.

Apart from the sections, `documents` lists the documented information a stage 1 audit
reviews, one yes/partial/no question per document (exists / in draft / missing). The
assessment asks them like any section (`assessed_sections`), but they stay out of
`questions`: they count towards no maturity, readiness or completion.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from importlib.abc import Traversable
from typing import Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from iso20k_core.language import SOURCE_TAG, Language, active, languages
from iso20k_core.standard.shipped import shipped_versions

QuestionType = Literal["maturity", "yes_partial_no", "number", "date", "text", "rating"]
SectionKind = Literal["foundation", "benefits", "requirements", "documents"]
Dimension = Literal["management", "technical"]

BANK_PACKAGE = "iso20k_core.standard"
BANK_PREFIX = "bank-"
TRANSLATIONS = "translations"  # translations/bank-<version>/<locale>/<section>.yaml
BANK_FILE = "_bank.yaml"  # the bank's title and maturity scale


_Model = TypeVar("_Model", bound=BaseModel)


class BankError(ValueError):
    """The bank file is missing or does not follow the schema."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MaturityLevel(_Strict):
    name: str
    description: str


class Question(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    clause: str | None = None
    text: str = Field(min_length=10)
    guidance: str = Field(min_length=10)
    type: QuestionType
    weight: float = Field(default=1.0, gt=0, le=10)
    # number questions
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    target: float | None = Field(default=None, gt=0)
    # date questions: an answer older than this (relative to `today`) scores nothing
    max_age_days: int | None = Field(default=None, gt=0)
    # rating questions on the benefits section: the areas whose maturity delivers it
    delivered_by: tuple[str, ...] = ()
    # documents questions: the document or record whose existence is asked
    document: str | None = None

    @property
    def scored(self) -> bool:
        """Whether the answer contributes to the area's maturity."""
        if self.type in ("maturity", "yes_partial_no"):
            return True
        if self.type == "number":
            return self.target is not None
        if self.type == "date":
            return self.max_age_days is not None
        return False

    @model_validator(mode="after")
    def _type_specific(self) -> Question:
        if self.type != "number" and (self.unit or self.min is not None or self.max is not None):
            raise ValueError(f"{self.id}: unit/min/max only apply to number questions")
        if self.type != "number" and self.target is not None:
            raise ValueError(f"{self.id}: target only applies to number questions")
        if self.type != "date" and self.max_age_days is not None:
            raise ValueError(f"{self.id}: max_age_days only applies to date questions")
        if self.type != "rating" and self.delivered_by:
            raise ValueError(f"{self.id}: delivered_by only applies to rating questions")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"{self.id}: min is greater than max")
        return self


class Area(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    clause: str | None = None
    dimension: Dimension | None = None
    required_maturity: int | None = Field(default=None, ge=0, le=5)
    owner_role: str | None = None
    # person-days a reference organisation spends to lift this area by one maturity level
    effort_days: float | None = Field(default=None, gt=0)
    questions: tuple[Question, ...]
    # The owner role as the English bank names it, in every language: what two areas
    # compare to know whether one person's role owns both (the shown `owner_role` is text).
    _owner_role_key: str | None = PrivateAttr(default=None)

    def model_post_init(self, context: Any, /) -> None:
        self._owner_role_key = self.owner_role

    @property
    def owner_role_key(self) -> str | None:
        """Which role owns the area, the same in every language (its English name)."""
        return self._owner_role_key


class Section(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    kind: SectionKind
    description: str
    areas: tuple[Area, ...]

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for a in self.areas for q in a.questions)


class Bank(_Strict):
    version: str
    standard: str
    title: str
    sources: tuple[str, ...] = ()
    maturity_scale: dict[int, MaturityLevel]
    sections: tuple[Section, ...]
    documents: Section | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Bank:
        if sorted(self.maturity_scale) != [0, 1, 2, 3, 4, 5]:
            raise ValueError("maturity_scale must describe levels 0 to 5")
        seen_ids: set[str] = set()
        area_ids: set[str] = set()
        for section in self.sections:
            if section.id in seen_ids:
                raise ValueError(f"duplicate id {section.id!r}")
            seen_ids.add(section.id)
            for area in section.areas:
                if area.id in area_ids:
                    raise ValueError(f"duplicate area id {area.id!r}")
                area_ids.add(area.id)
                _check_area(section, area)
                for q in area.questions:
                    if q.id in seen_ids:
                        raise ValueError(f"duplicate question id {q.id!r}")
                    if not q.id.startswith(area.id + "."):
                        raise ValueError(f"question {q.id!r} must start with its area {area.id!r}")
                    seen_ids.add(q.id)
        _check_documents(self.documents, self.sections, seen_ids)
        requirement_areas = {
            a.id for s in self.sections if s.kind == "requirements" for a in s.areas
        }
        for q in self.questions:
            for target in q.delivered_by:
                if target not in requirement_areas:
                    raise ValueError(
                        f"{q.id}: delivered_by names {target!r}, which is not a requirement area"
                    )
        return self

    @property
    def areas(self) -> tuple[Area, ...]:
        return tuple(a for s in self.sections for a in s.areas)

    @property
    def questions(self) -> tuple[Question, ...]:
        """The scored assessment: every section's questions, not the documents'."""
        return tuple(q for s in self.sections for q in s.questions)

    @property
    def assessed_sections(self) -> tuple[Section, ...]:
        """What the assessment asks: the sections, then the documents for stage 1."""
        return self.sections + ((self.documents,) if self.documents is not None else ())

    @property
    def document_questions(self) -> tuple[Question, ...]:
        return self.documents.questions if self.documents is not None else ()

    @functools.cached_property
    def question_index(self) -> dict[str, Question]:
        """Every question an answer may be stored against, the documents' included."""
        return {q.id: q for s in self.assessed_sections for q in s.questions}

    @functools.cached_property
    def area_of_question(self) -> dict[str, Area]:
        return {q.id: a for a in self.areas for q in a.questions}

    def section(self, section_id: str) -> Section:
        for s in self.assessed_sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)


def _check_documents(
    documents: Section | None, sections: tuple[Section, ...], seen_ids: set[str]
) -> None:
    """The documents section: each question names its document and clause, answered
    yes (exists), partial (in draft) or no (missing); its ids are new ids of the bank."""
    if documents is None:
        return
    if documents.kind != "documents" or any(s.kind == "documents" for s in sections):
        raise ValueError("only the documents section has kind 'documents'")
    if documents.id in seen_ids:
        raise ValueError(f"duplicate id {documents.id!r}")
    seen_ids.add(documents.id)
    for area in documents.areas:
        for q in area.questions:
            if q.type != "yes_partial_no" or q.document is None or q.clause is None:
                raise ValueError(
                    f"{q.id}: a documents question is yes/partial/no and names its document "
                    "and clause"
                )
            if q.id in seen_ids or not q.id.startswith(area.id + "."):
                raise ValueError(
                    f"documents question {q.id!r} must be new and start with {area.id!r}"
                )
            seen_ids.add(q.id)
    for s in sections:
        if any(q.document is not None for q in s.questions):
            raise ValueError(f"section {s.id!r}: only documents questions name a document")


def _check_area(section: Section, area: Area) -> None:
    if len(area.questions) < 3 and section.kind != "benefits":
        raise ValueError(f"area {area.id!r} needs at least three questions")
    if section.kind == "benefits":
        if any(q.type != "rating" for q in area.questions):
            raise ValueError(f"benefit area {area.id!r} may only hold rating questions")
        return
    if area.required_maturity is None or area.owner_role is None or area.effort_days is None:
        raise ValueError(f"area {area.id!r} needs required_maturity, owner_role and effort_days")
    if section.kind == "foundation" and area.dimension is None:
        raise ValueError(f"foundation area {area.id!r} needs a dimension")
    if section.kind == "requirements":
        if area.clause is None:
            raise ValueError(f"requirement area {area.id!r} needs a clause")
        types = {q.type for q in area.questions}
        if not {"maturity", "yes_partial_no"} <= types:
            raise ValueError(
                f"requirement area {area.id!r} needs a maturity and a yes/partial/no question"
            )


def available_versions() -> list[str]:
    """Bank versions shipped with the package, oldest first."""
    return list(shipped_versions(BANK_PACKAGE, BANK_PREFIX))


def load_bank(version: str | None = None) -> Bank:
    """Load and validate a bank version (the newest when none is named), in the active
    language: English, or its translation when another language is active."""
    chosen = _version(version)
    folder = locale_folder(active())
    return _load(chosen) if folder is None else _translated(chosen, folder)


def english_bank(version: str | None = None) -> Bank:
    """The bank in English, whichever language is active."""
    return _load(_version(version))


def checked_bank(version: str | None = None) -> Bank:
    """The bank a process starts with (English), once every translation of every shipped
    bank is checked: a broken or incomplete translation stops start-up with a `BankError`
    naming the file and the id, instead of surfacing in someone's conversation."""
    check_translations()
    return english_bank(version)


def in_active_language(bank: Bank) -> Bank:
    """A shipped bank, read in any language, in the active one: callers that loaded the bank
    once (at start-up, from a profile file, in another reader's turn) still hand each reader
    their own language's texts. A bank built some other way (tests, a consultant's own file)
    is used as given."""
    return load_bank(bank.version) if _is_shipped(bank) else bank


def _is_shipped(bank: Bank) -> bool:
    if bank.version not in available_versions():
        return False
    if bank is _load(bank.version):
        return True
    folders = (locale_folder(lang) for lang in languages().values())
    try:
        return any(bank is _translated(bank.version, f) for f in folders if f)
    except BankError:  # a language without its bank: start-up refuses it (checked_bank)
        return False


def check_translations(version: str | None = None, *, root: Traversable | None = None) -> None:
    """Load and validate the translation of every bank version (or of `version`) into every
    language there is a catalog for; raises `BankError` naming each file and id at fault.
    A language with a catalog but no bank folder fails too: its readers would get English
    questions in a translated conversation. `root` replaces the shipped `translations`
    folder (tests)."""
    versions = [_version(version)] if version else available_versions()
    wanted = [f for f in (locale_folder(lang) for lang in languages().values()) if f]
    for chosen in versions:
        if root is None:
            _check_folders(chosen, _translations_root(chosen), wanted)
            for folder in wanted:
                _translated(chosen, folder)
        else:
            here = root / f"{BANK_PREFIX}{chosen}"
            _check_folders(chosen, here, wanted)
            for folder in wanted:
                translate(_load(chosen), here / folder)


def locale_folder(language: Language) -> str | None:
    """The folder a language's bank texts live in, named as its catalog folder in
    `iso20k_core/locales` (`zh_CN`: the locale without the script); None for English, the
    language the bank is written in."""
    if language.tag == SOURCE_TAG:
        return None
    locale = language.locale
    return "_".join(p for p in (locale.language, locale.territory, locale.variant) if p)


def _version(version: str | None) -> str:
    versions = available_versions()
    if not versions:
        raise BankError("no question bank is installed")
    chosen = version or versions[-1]
    if chosen not in versions:
        raise BankError(f"unknown bank version {chosen!r}; available: {', '.join(versions)}")
    return chosen


@functools.cache
def _load(version: str) -> Bank:
    text = resources.files(BANK_PACKAGE).joinpath(f"{BANK_PREFIX}{version}.yaml").read_text("utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BankError(f"bank {version}: not valid YAML: {exc}") from exc
    return _validated(data, f"bank {version}")


def _validated(data: object, where: str) -> Bank:
    try:
        return Bank.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        loc = ".".join(str(p) for p in first["loc"])
        raise BankError(f"{where}: {loc + ': ' if loc else ''}{message}") from exc


def _translations_root(version: str) -> Traversable:
    return resources.files(BANK_PACKAGE) / TRANSLATIONS / f"{BANK_PREFIX}{version}"


@functools.cache
def _translated(version: str, folder: str) -> Bank:
    """The bank `version` with the texts of `translations/bank-<version>/<folder>/`; cached
    per version and language (the folder names the language)."""
    return translate(_load(version), _translations_root(version) / folder)


# --- translations ----------------------------------------------------------------------


def _check_folders(version: str, root: Traversable, wanted: list[str]) -> None:
    """Every language with a catalog has a bank folder, and every folder is a language."""
    where = f"bank {version} translations ({TRANSLATIONS}/{BANK_PREFIX}{version})"
    present = {p.name for p in root.iterdir() if p.is_dir()} if root.is_dir() else set()
    missing = [f for f in wanted if f not in present]
    if missing:
        raise BankError(
            f"{where}: no folder {', '.join(missing)}: the language has a catalog "
            "(iso20k_core/locales) but no question bank"
        )
    unknown = sorted(present - set(wanted))
    if unknown:
        raise BankError(
            f"{where}: folder {', '.join(unknown)} is no language with a catalog in "
            f"iso20k_core/locales (expected: {', '.join(wanted) or 'none'})"
        )


def translate(english: Bank, folder: Traversable) -> Bank:
    """`english` with the texts of the translation `folder`, after checking that the folder
    holds exactly the English bank's texts: every id, no other id, the same fields; every
    problem is listed with its file and id."""
    if not folder.is_dir():
        raise BankError(f"{folder}: no such translation folder")
    problems: list[str] = []
    texts = _read_folder(english, folder, problems)
    if problems:
        raise BankError(f"{folder}: {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    translated = _replaced(english, texts)
    _revalidate(translated, folder)
    return translated


def _read_folder(english: Bank, folder: Traversable, problems: list[str]) -> dict[str, Any]:
    """The texts of each file, by file name, once checked against the English bank."""
    expected = {BANK_FILE: None} | {f"{s.id}.yaml": s for s in english.assessed_sections}
    present = {p.name for p in folder.iterdir() if p.is_file() and p.name.endswith(".yaml")}
    missing = [name for name in expected if name not in present]
    if missing:
        problems.append(
            f"missing section(s) {', '.join(missing)}: every section of bank "
            f"{english.version} needs its translation file"
        )
    problems.extend(
        f"{name}: no such section in bank {english.version} (stale file)"
        for name in sorted(present - set(expected))
    )
    texts: dict[str, Any] = {}
    for name, section in expected.items():
        if name not in present:
            continue
        try:
            data = yaml.safe_load(folder.joinpath(name).read_text("utf-8"))
        except yaml.YAMLError as exc:
            problems.append(f"{name}: not valid YAML: {exc}")
            continue
        before = len(problems)
        if section is None:
            _check_bank_file(english, data, name, problems)
        else:
            _check_section_file(section, data, name, problems)
        if len(problems) == before:
            texts[name] = data
    return texts


def _check_bank_file(english: Bank, data: object, name: str, problems: list[str]) -> None:
    if not _fields(data, ("title", "maturity_scale"), name, "the bank", problems):
        return
    assert isinstance(data, dict)
    _ids(
        data["maturity_scale"],
        {str(level): ("name", "description") for level in english.maturity_scale},
        name,
        "maturity level",
        problems,
    )


def _check_section_file(section: Section, data: object, name: str, problems: list[str]) -> None:
    if not _fields(data, ("section", "areas", "questions"), name, section.id, problems):
        return
    assert isinstance(data, dict)
    _fields(data["section"], ("title", "description"), name, f"section {section.id}", problems)
    _ids(data["areas"], {a.id: _area_fields(a) for a in section.areas}, name, "area", problems)
    _ids(
        data["questions"],
        {q.id: _question_fields(q) for q in section.questions},
        name,
        "question",
        problems,
    )


def _area_fields(area: Area) -> tuple[str, ...]:
    return ("title", "owner_role") if area.owner_role is not None else ("title",)


def _question_fields(q: Question) -> tuple[str, ...]:
    return (
        "text",
        "guidance",
        *(("unit",) if q.unit is not None else ()),
        *(("document",) if q.document is not None else ()),
    )


def _ids(
    data: object,
    expected: Mapping[str, tuple[str, ...]],
    name: str,
    kind: str,
    problems: list[str],
) -> None:
    """`data` maps exactly the expected ids to exactly their fields."""
    if not isinstance(data, dict):
        problems.append(f"{name}: the {kind}s must map each id to its texts")
        return
    given = {str(k): v for k, v in data.items()}
    problems.extend(f"{name}: {kind} {i}: missing" for i in expected if i not in given)
    problems.extend(
        f"{name}: {kind} {i}: no such {kind} in the English bank (stale id)"
        for i in given
        if i not in expected
    )
    for i, fields in expected.items():
        if i in given:
            _fields(given[i], fields, name, f"{kind} {i}", problems)


def _fields(
    data: object, fields: tuple[str, ...], name: str, what: str, problems: list[str]
) -> bool:
    """`data` has exactly `fields` (the text ones non-empty strings); whether it is a mapping."""
    if not isinstance(data, dict):
        problems.append(f"{name}: {what}: expected the fields {', '.join(fields)}")
        return False
    problems.extend(
        f"{name}: {what}: field {f!r} missing (the English has it)" for f in fields if f not in data
    )
    problems.extend(
        f"{name}: {what}: field {f!r} is not in the English bank"
        for f in map(str, data)
        if f not in fields
    )
    for f in fields:
        if f in data and f not in _CONTAINERS:
            _text(data, f, name, what, problems)
    return True


_CONTAINERS = frozenset({"maturity_scale", "section", "areas", "questions"})


def _text(data: dict[str, Any], field: str, name: str, what: str, problems: list[str]) -> None:
    value = data.get(field)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{name}: {what}: {field!r} must be a non-empty text")


def _replaced(english: Bank, texts: Mapping[str, Any]) -> Bank:
    """The English bank with the translated texts: `model_copy`, so nothing but the texts
    can differ (ids, types, weights, clauses, targets and order are the English ones)."""
    head = texts[BANK_FILE]
    levels = {str(k): v for k, v in head["maturity_scale"].items()}
    scale = {
        level: _copy(
            english.maturity_scale[level], _strip(levels[str(level)], ("name", "description"))
        )
        for level in english.maturity_scale
    }

    def section(s: Section) -> Section:
        data = texts[f"{s.id}.yaml"]
        areas = tuple(area(a, data) for a in s.areas)
        return _copy(s, {**_strip(data["section"], ("title", "description")), "areas": areas})

    def area(a: Area, data: Mapping[str, Any]) -> Area:
        questions = tuple(
            _copy(q, _strip(data["questions"][q.id], _question_fields(q))) for q in a.questions
        )
        copied = _copy(a, {**_strip(data["areas"][a.id], _area_fields(a)), "questions": questions})
        copied._owner_role_key = a.owner_role_key
        return copied

    return _copy(
        english,
        {
            "title": head["title"].strip(),
            "maturity_scale": scale,
            "sections": tuple(section(s) for s in english.sections),
            "documents": None if english.documents is None else section(english.documents),
        },
    )


def _copy(model: _Model, update: dict[str, Any]) -> _Model:
    """`model` with `update`; nothing else carried over: `model_copy` copies the instance's
    `__dict__`, which holds the English bank's cached properties (`question_index`…), and
    those would hand out the English questions."""
    copied = model.model_copy(update=update)
    for name in set(copied.__dict__) - set(type(model).model_fields):
        del copied.__dict__[name]
    return copied


def _strip(data: Mapping[Any, Any], fields: tuple[str, ...]) -> dict[str, str]:
    return {f: str(data[f]).strip() for f in fields}


def _revalidate(translated: Bank, folder: Traversable) -> None:
    """The translated bank passes the model's own checks (texts at least 10 characters…),
    each fault named by its file and id."""
    problems: list[str] = []
    for s in translated.assessed_sections:
        for q in s.questions:
            try:
                Question.model_validate(q.model_dump())
            except ValidationError as exc:
                problems.extend(
                    f"{s.id}.yaml: question {q.id}: {'.'.join(map(str, e['loc']))}: {e['msg']}"
                    for e in exc.errors()
                )
    problems.extend(_role_problems(translated))
    if problems:
        raise BankError(f"{folder}: {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    _validated(translated.model_dump(), str(folder))


def _role_problems(translated: Bank) -> list[str]:
    """Owner roles translate one to one: an English role has one translation and no two
    roles share one. A reader sees one name per role, and what counts or groups owners by
    the name shown (the process owners to train in `costs`, the plan's resources in the MS
    Project export) counts the same in every language."""
    shown: dict[str, dict[str, list[str]]] = {}
    keys: dict[str, set[str]] = {}
    for s in translated.sections:
        for a in s.areas:
            if a.owner_role_key is not None and a.owner_role is not None:
                where = shown.setdefault(a.owner_role_key, {}).setdefault(a.owner_role, [])
                where.append(f"{s.id}.yaml: area {a.id}")
                keys.setdefault(a.owner_role, set()).add(a.owner_role_key)
    problems = [
        f"owner role {key!r} is translated {len(names)} ways: "
        + "; ".join(f"{name!r} in {', '.join(where)}" for name, where in names.items())
        for key, names in shown.items()
        if len(names) > 1
    ]
    problems.extend(
        f"owner role {name!r} translates {len(roles)} different roles: {', '.join(sorted(roles))}"
        for name, roles in keys.items()
        if len(roles) > 1
    )
    return problems
