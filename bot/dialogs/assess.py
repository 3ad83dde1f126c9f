"""`assess [section]`: the assessment, a page of questions at a time.

Pages hold at most `PAGE_SIZE` questions so every channel can show them (a Slack modal takes
100 blocks; one question is one input block with its guidance as the hint). Each page is
saved on submit; `assess` without a section resumes at the first unanswered question.
"""

from __future__ import annotations

import datetime as dt

from bot.dialogs.common import unknown_section
from bot.dialogs.context import DialogContext
from bot.dialogs.model import (
    Button,
    Fact,
    Field,
    FieldKind,
    Form,
    Message,
    Option,
    Outcome,
    Text,
    command,
)
from bot.dialogs.team import complete_assignments
from bot.dialogs.validation import CleanValue
from bot.store.crud import record_answer
from iso20k_core.answers import parse_answer
from iso20k_core.errors import InputError
from iso20k_core.language import N_, _, _p
from iso20k_core.standard import Bank, Question, Section

KIND = "assess"
PAGE_SIZE = 10
# The options' labels are marked here and read in the reader's language where a page is built
# (`_options`); the constants keep the English, as the catalog's messages.
YES_PARTIAL_NO = (Option("yes", N_("Yes")), Option("partial", N_("Partly")), Option("no", N_("No")))
# The documents for stage 1 are yes/partial/no questions whose answers read as states.
DOCUMENT_STATES = (
    Option("yes", N_("Exists")),
    Option("partial", N_("In draft")),
    Option("no", N_("Missing")),
)
RATINGS = tuple(
    Option(str(n), label)
    for n, label in enumerate((N_("0 – not important"), "1", "2", "3", "4", N_("5 – essential")))
)


def _options(options: tuple[Option, ...]) -> tuple[Option, ...]:
    """`options` with their labels in the active language."""
    return tuple(Option(o.value, _(o.label), o.group) for o in options)


def pages(section: Section) -> list[tuple[Question, ...]]:
    questions = section.questions
    return [questions[i : i + PAGE_SIZE] for i in range(0, len(questions), PAGE_SIZE)] or [()]


def resume_point(bank: Bank, answers: dict[str, object]) -> tuple[Section, int] | None:
    """The section and page of the first unanswered question, or None when all are; the
    documents for stage 1 come last."""
    for section in bank.assessed_sections:
        for number, page in enumerate(pages(section)):
            if any(q.id not in answers for q in page):
                return section, number
    return None


def _maturity_options(bank: Bank) -> tuple[Option, ...]:
    return tuple(
        Option(
            str(level),
            _("{level} – {name}", level=level, name=bank.maturity_scale[level].name)[:75],
        )
        for level in range(6)
    )


def question_field(bank: Bank, q: Question, current: object) -> Field:
    label = _("{question} ({clause})", question=q.text, clause=q.clause) if q.clause else q.text
    kind: FieldKind = "choice"
    options: tuple[Option, ...] = ()
    match q.type:
        case "maturity":
            options = _maturity_options(bank)
        case "yes_partial_no":
            options = _options(DOCUMENT_STATES if q.document else YES_PARTIAL_NO)
        case "rating":
            options = _options(RATINGS)
        case "number":
            kind = "number"
            if q.unit:
                label = _("{question} ({unit})", question=label, unit=q.unit)
        case "date":
            kind = "date"
        case _:
            kind = "text"
    return Field(
        q.id,
        label,
        kind,
        hint=q.guidance,
        required=False,
        options=options,
        minimum=q.min,
        maximum=q.max,
        multiline=kind == "text",
        initial=None if current is None else str(current),
    )


def assess_form(ctx: DialogContext, section_id: str | None = None, page: int = 0) -> Form | Message:
    answers = ctx.answers()
    if section_id is None:
        point = resume_point(ctx.bank, answers)
        if point is None:
            return Message(
                heading=_("Every question is answered"),
                text=_(
                    "Thank you. Managers can see the result with {status}; you can still "
                    "revise a section with {assess}.",
                    status=command("status"),
                    assess=command("assess SECTION"),
                ),
                tone="success",
            )
        section, page = point
    else:
        found = [s for s in ctx.bank.assessed_sections if s.id == section_id]
        if not found:
            return unknown_section(ctx.bank, section_id)
        section = found[0]
    section_pages = pages(section)
    page = min(max(page, 0), len(section_pages) - 1)
    answered = sum(1 for q in section.questions if q.id in answers)
    items: list[Field | Text] = [
        Text(
            _(
                "{section} — page {page} of {pages}",
                section=section.title,
                page=page + 1,
                pages=len(section_pages),
            ),
            heading=True,
        ),
        Text(
            _(
                "{answered} of {total} answered in this section. Leave a question empty if "
                "you do not know; the maturity scale runs from 0 (absent) to 5 (optimising).",
                answered=answered,
                total=len(section.questions),
            )
        ),
    ]
    items += [question_field(ctx.bank, q, answers.get(q.id)) for q in section_pages[page]]
    last = page == len(section_pages) - 1
    return Form(
        kind=KIND,
        title=_("Assessment"),
        items=tuple(items),
        submit=_p("button", "Save") if last else _p("button", "Save and next"),
        state={"section": section.id, "page": str(page)},
        progress=(answered, len(section.questions)),
    )


def submit_assess(
    ctx: DialogContext, state: dict[str, str], clean: dict[str, CleanValue]
) -> Outcome:
    section_id = state.get("section", "")
    page = int(state.get("page", "0"))
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for question_id, value in clean.items():
        question = ctx.bank.question_index.get(question_id)
        if question is None or value is None or value == ():
            continue
        try:
            parsed = parse_answer(question, value, ctx.today)  # dates in the horizon
        except InputError as exc:
            errors[question_id] = exc.problem
            continue
        values[question_id] = parsed.isoformat() if isinstance(parsed, dt.date) else parsed
    if errors:
        return Outcome(errors=errors)
    assessment = ctx.assessment()
    for question_id, answer in values.items():
        record_answer(ctx.session, assessment, question_id, answer, member=ctx.member)
    complete_assignments(ctx, section_id)
    ctx.replan()
    section = ctx.bank.section(section_id)
    if page + 1 < len(pages(section)):
        return Outcome(reply=assess_form(ctx, section_id, page + 1))
    answers = ctx.answers()
    answered = sum(1 for q in section.questions if q.id in answers)
    following = resume_point(ctx.bank, answers)
    buttons = (
        (Button(_("Continue with the next section"), "assess", following[0].id, "primary"),)
        if following is not None
        else ()
    )
    return Outcome(
        reply=Message(
            heading=_("{section}: saved", section=section.title),
            text=_("Your answers are saved; you can change them any time."),
            facts=(
                Fact(
                    _("Answered in this section"),
                    _("{answered} of {total}", answered=answered, total=len(section.questions)),
                ),
            ),
            progress=(answered, len(section.questions)),
            buttons=buttons,
            tone="success",
        )
    )
