"""The question bank: one YAML file per version, validated when loaded.

The bank is data, not code, so a consultant can review and extend it: sections hold
requirement areas, areas hold questions. A requirement area maps to a clause of ISO/IEC
20000-1:2018; the foundation areas (ITIL basis, leadership, tooling, ...) feed the
feasibility analysis; the benefit area holds the nine typical benefits a manager weighs.

Apart from the sections, `documents` lists the documented information a stage 1 audit
reviews, one yes/partial/no question per document (exists / in draft / missing). The
assessment asks them like any section (`assessed_sections`), but they stay out of
`questions`: they count towards no maturity, readiness or completion.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from iso20k_core.standard.shipped import shipped_versions

QuestionType = Literal["maturity", "yes_partial_no", "number", "date", "text", "rating"]
SectionKind = Literal["foundation", "benefits", "requirements", "documents"]
Dimension = Literal["management", "technical"]

BANK_PACKAGE = "iso20k_core.standard"
BANK_PREFIX = "bank-"


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
    """Load and validate a bank version (the newest when none is named)."""
    versions = available_versions()
    if not versions:
        raise BankError("no question bank is installed")
    chosen = version or versions[-1]
    if chosen not in versions:
        raise BankError(f"unknown bank version {chosen!r}; available: {', '.join(versions)}")
    return _load(chosen)


@functools.cache
def _load(version: str) -> Bank:
    text = resources.files(BANK_PACKAGE).joinpath(f"{BANK_PREFIX}{version}.yaml").read_text("utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BankError(f"bank {version}: not valid YAML: {exc}") from exc
    try:
        return Bank.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        where = ".".join(str(p) for p in first["loc"])
        raise BankError(f"bank {version}: {where + ': ' if where else ''}{message}") from exc
