"""Reading an evaluation input (profile + answers) from YAML or JSON text.

The file has two keys, `profile` and `answers` (and optionally `bank_version`). Every problem
becomes one `InputError` naming the field, e.g. `profile.persons_in_scope: must be at least 1`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from iso20k_core.answers import AnswerValue, parse_answers
from iso20k_core.errors import InputError
from iso20k_core.profile import Profile
from iso20k_core.standard import Bank, BankError, load_bank

TOP_LEVEL_KEYS = ("profile", "answers", "bank_version")


@dataclass(frozen=True)
class EvaluationInput:
    profile: Profile
    answers: dict[str, AnswerValue]
    bank: Bank


def parse_input_text(text: str) -> EvaluationInput:
    """Parse YAML (a superset of JSON) text into a validated input."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "file"
        problem = getattr(exc, "problem", None) or "not valid YAML or JSON"
        raise InputError(where, problem) from None
    return parse_input(data)


def parse_input(data: object) -> EvaluationInput:
    if not isinstance(data, Mapping):
        raise InputError("file", "expected a mapping with the keys profile and answers")
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            raise InputError(
                str(key), f"unknown field; expected one of {', '.join(TOP_LEVEL_KEYS)}"
            )
    if "profile" not in data:
        raise InputError("profile", "missing")
    version = data.get("bank_version")
    try:
        bank = load_bank(None if version is None else str(version))
    except BankError as exc:
        raise InputError("bank_version", str(exc)) from None
    profile = parse_profile(data["profile"])
    raw_answers = data.get("answers") or {}
    if not isinstance(raw_answers, Mapping):
        raise InputError("answers", "expected a mapping of question id to answer")
    return EvaluationInput(profile, parse_answers(raw_answers, bank), bank)


def parse_profile(raw: object, prefix: str = "profile") -> Profile:
    try:
        return Profile.model_validate(raw)
    except ValidationError as exc:
        raise _input_error(exc, prefix) from None


def _input_error(exc: ValidationError, prefix: str) -> InputError:
    error: dict[str, Any] = dict(exc.errors()[0])
    path = ".".join([prefix, *(str(p) for p in error["loc"])]) if error["loc"] else prefix
    kind = error["type"]
    if kind == "extra_forbidden":
        return InputError(path, "unknown field")
    if kind == "missing":
        return InputError(path, "missing")
    message = str(error["msg"])
    if kind.startswith("date"):
        message = f"expected a date as YYYY-MM-DD, got {error.get('input')!r}"
    elif message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return InputError(path, message[0].lower() + message[1:] if message else message)
