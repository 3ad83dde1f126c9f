"""Reading an evaluation input (profile + answers) from YAML or JSON text.

The file has two keys, `profile` and `answers`, and optionally `bookings` (audit key ->
the date the certification body confirmed) and `bank_version`. Every problem becomes one
`InputError` naming the field, e.g. `profile.persons_in_scope: must be at least 1`.

Dates are text to YAML here: PyYAML's implicit timestamps would turn an unquoted 2027-03-15
into a date but make 2026-02-30 raise inside the parser, and would take 2027-3-15 or a time of
day too. Read as text, every date goes through `dates.parse_iso_date` like a date typed in
a chat form, and a bad one is named by its field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from iso20k_core.answers import AnswerValue, parse_answers
from iso20k_core.dates import DateError, check_horizon, parse_iso_date
from iso20k_core.errors import InputError, as_problem
from iso20k_core.plan import AUDIT_KEYS
from iso20k_core.profile import Profile
from iso20k_core.standard import Bank, BankError, load_bank

TOP_LEVEL_KEYS = ("profile", "answers", "bookings", "bank_version")
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Loader(yaml.SafeLoader):
    """The safe loader, with dates left as text and unreadable values reported by line."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except ValueError:  # e.g. `!!int abc` or `0x_`: int() raises without a position
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"cannot read {node.value!r} as {node.tag.rsplit(':', 1)[-1]}",
                node.start_mark,
            ) from None


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _as_text(loader: _Loader, node: yaml.Node) -> object:
    return loader.construct_yaml_str(node)


_Loader.add_constructor(_TIMESTAMP, _as_text)  # an explicit `!!timestamp x` is text too


@dataclass(frozen=True)
class EvaluationInput:
    profile: Profile
    answers: dict[str, AnswerValue]
    bank: Bank
    bookings: dict[str, dt.date] = field(default_factory=dict)


def load_yaml(text: str) -> object:
    """YAML (a superset of JSON) as plain values; dates stay text."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "file"
        problem = getattr(exc, "problem", None) or "not valid YAML or JSON"
        raise InputError(where, problem) from None
    except RecursionError:
        raise InputError("file", "nested too deeply to be a profile") from None


def parse_input_text(text: str, today: dt.date | None = None) -> EvaluationInput:
    """Parse YAML or JSON text into a validated input; with `today`, every date must lie in
    the horizon of that day (`dates.check_horizon`)."""
    return parse_input(load_yaml(text), today)


def parse_input(data: object, today: dt.date | None = None) -> EvaluationInput:
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
    profile = parse_profile(data["profile"], today=today)
    raw_answers = data.get("answers") or {}
    if not isinstance(raw_answers, Mapping):
        raise InputError("answers", "expected a mapping of question id to answer")
    answers = parse_answers(raw_answers, bank, today=today)
    return EvaluationInput(profile, answers, bank, parse_bookings(data.get("bookings"), today))


def parse_profile(raw: object, prefix: str = "profile", today: dt.date | None = None) -> Profile:
    """A validated profile. Give `today` for a profile a person enters now: its dates must
    then lie in the horizon of that day. A stored profile is read back without it."""
    try:
        return Profile.model_validate(raw, context={"today": today})
    except ValidationError as exc:
        raise _input_error(exc, prefix) from None


def parse_bookings(raw: object, today: dt.date | None = None) -> dict[str, dt.date]:
    """`{audit key: confirmed date}`; keys are the plan's audit batches."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InputError("bookings", "expected a mapping of audit to its confirmed date")
    bookings: dict[str, dt.date] = {}
    for key, value in raw.items():
        where = f"bookings.{key}"
        if key not in AUDIT_KEYS:
            raise InputError(where, f"unknown audit; expected one of {', '.join(AUDIT_KEYS)}")
        try:
            day = value if isinstance(value, dt.date) else parse_iso_date(str(value))
            bookings[key] = check_horizon(day, today) if today is not None else day
        except DateError as exc:
            raise InputError(where, as_problem(str(exc))) from None
    return bookings


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
        message = "enter a date as YYYY-MM-DD, for example 2027-03-15."
    elif message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return InputError(path, as_problem(message))
