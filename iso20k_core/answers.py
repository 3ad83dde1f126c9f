"""Answers to the question bank: validated against each question's type and bounds.

An answer arrives from a YAML/JSON file, a chat dialog or the database as a plain value; this
module turns it into the one canonical form per type, or raises `InputError` naming the
question, so nothing half-valid reaches the engine.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Literal, TypeAlias

from iso20k_core.dates import DateError, check_horizon, parse_iso_date
from iso20k_core.errors import InputError, as_problem
from iso20k_core.language import _
from iso20k_core.standard import Bank, Question
from iso20k_core.text import TextError, as_typed, clean_text

YesPartialNo = Literal["yes", "partial", "no"]
AnswerValue: TypeAlias = int | float | str | dt.date
Answers: TypeAlias = Mapping[str, AnswerValue]

YES_PARTIAL_NO_SCORE: dict[str, float] = {"yes": 1.0, "partial": 0.5, "no": 0.0}


def parse_answers(
    raw: Mapping[str, object], bank: Bank, today: dt.date | None = None
) -> dict[str, AnswerValue]:
    """Validate every answer; the first bad one raises `InputError` naming its question.

    With `today` (answers given now), date answers must lie in the horizon of that day;
    stored answers are read back without it, so none becomes unreadable later."""
    parsed: dict[str, AnswerValue] = {}
    for question_id in sorted(raw):
        question = bank.question_index.get(question_id)
        if question is None:
            raise InputError(f"answers.{question_id}", _("unknown question id"))
        value = raw[question_id]
        if value is None:
            continue  # an explicit blank is an unanswered question
        parsed[question_id] = parse_answer(question, value, today)
    return parsed


def parse_answer(question: Question, value: object, today: dt.date | None = None) -> AnswerValue:
    field = f"answers.{question.id}"
    match question.type:
        case "maturity" | "rating":
            return _level(field, value)
        case "yes_partial_no":
            return _yes_partial_no(field, value)
        case "number":
            return _number(field, question, value)
        case "date":
            return _date(field, value, today)
        case "text":
            if not isinstance(value, str) or not value.strip():
                raise InputError(field, _("expected a non-empty text"))
            # The rules for typed text hold in files too (text.py): no control characters,
            # at most 3,000 characters.
            try:
                return clean_text(value, multiline=True)
            except TextError as exc:
                raise InputError(field, as_problem(str(exc))) from None
    raise InputError(
        field, _("unsupported question type {type}", type=question.type)
    )  # pragma: no cover


def _level(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(field, _("expected a whole number from 0 to 5"))
    try:
        number = float(as_typed(value))
    except ValueError:
        raise InputError(field, _not_a_level(value)) from None
    if not number.is_integer() or not 0 <= number <= 5:
        raise InputError(field, _not_a_level(value))
    return int(number)


def _not_a_level(value: object) -> str:
    return _("expected a whole number from 0 to 5, got {value}", value=repr(value))


def _yes_partial_no(field: str, value: object) -> str:
    # YAML 1.1 reads a bare yes/no as a boolean: accept both spellings.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, str) and value.strip().lower() in YES_PARTIAL_NO_SCORE:
        return value.strip().lower()
    raise InputError(field, _("expected yes, partial or no, got {value}", value=repr(value)))


def _number(field: str, question: Question, value: object) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(field, _("expected a number"))
    try:
        number = float(as_typed(value))
    except ValueError:
        raise InputError(field, _("expected a number, got {value}", value=repr(value))) from None
    if not math.isfinite(number):
        raise InputError(field, _("expected a finite number, got {value}", value=repr(value)))
    got = format(number, "g")
    if question.min is not None and number < question.min:
        least = format(question.min, "g")
        raise InputError(field, _("must be at least {min}, got {value}", min=least, value=got))
    if question.max is not None and number > question.max:
        most = format(question.max, "g")
        raise InputError(field, _("must be at most {max}, got {value}", max=most, value=got))
    return int(number) if number.is_integer() else number


def _date(field: str, value: object, today: dt.date | None) -> dt.date:
    try:
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        elif isinstance(value, str):
            day = parse_iso_date(value)
        else:
            raise DateError(_("Enter a date as YYYY-MM-DD, for example 2027-03-15."))
        return check_horizon(day, today) if today is not None else day
    except DateError as exc:
        raise InputError(field, as_problem(str(exc))) from None


def question_score(question: Question, value: AnswerValue, today: dt.date) -> float:
    """The answer's contribution to its area's maturity, from 0 (nothing) to 1 (all)."""
    match question.type:
        case "maturity":
            return float(value) / 5  # type: ignore[arg-type]
        case "yes_partial_no":
            return YES_PARTIAL_NO_SCORE[str(value)]
        case "number":
            assert question.target is not None
            return min(float(value) / question.target, 1.0)  # type: ignore[arg-type]
        case "date":
            assert question.max_age_days is not None and isinstance(value, dt.date)
            age = (today - value).days
            return 1.0 if 0 <= age <= question.max_age_days else 0.0
    return 0.0
