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
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from iso20k_core.answers import AnswerValue, parse_answers
from iso20k_core.dates import DateError, check_horizon, parse_iso_date
from iso20k_core.errors import InputError, as_problem, one_of
from iso20k_core.language import N_, _, _n, _p
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
            raise _Unreadable(
                None,
                None,
                _(
                    "cannot read {value} as {kind}",
                    value=repr(node.value),
                    kind=node.tag.rsplit(":", 1)[-1],
                ),
                node.start_mark,
            ) from None


class _Unreadable(yaml.constructor.ConstructorError):
    """A value the loader cannot construct, told in our words (PyYAML's are its own)."""


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
        where = _("line {n}", n=mark.line + 1) if mark is not None else _file()
        found = getattr(exc, "problem", None)
        problem = found
        if found and not isinstance(exc, _Unreadable):
            # PyYAML's own words (English); a translation may say what they are about.
            problem = _p("YAML parser", "{problem}", problem=found)
        raise InputError(where, problem or _("not valid YAML or JSON")) from None
    except RecursionError:
        raise InputError(_file(), _("nested too deeply to be a profile")) from None


def _file() -> str:
    """Where a problem of the whole file is: the file, in the reader's words."""
    return _p("where an input problem is", "file")


def parse_input_text(text: str, today: dt.date | None = None) -> EvaluationInput:
    """Parse YAML or JSON text into a validated input; with `today`, every date must lie in
    the horizon of that day (`dates.check_horizon`)."""
    return parse_input(load_yaml(text), today)


def parse_input(data: object, today: dt.date | None = None) -> EvaluationInput:
    if not isinstance(data, Mapping):
        raise InputError(_file(), _("expected a mapping with the keys profile and answers"))
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            raise InputError(
                str(key),
                _("unknown field; expected one of {fields}", fields=", ".join(TOP_LEVEL_KEYS)),
            )
    if "profile" not in data:
        raise InputError("profile", _("missing"))
    version = data.get("bank_version")
    try:
        bank = load_bank(None if version is None else str(version))
    except BankError as exc:
        raise InputError("bank_version", str(exc)) from None
    profile = parse_profile(data["profile"], today=today)
    raw_answers = data.get("answers") or {}
    if not isinstance(raw_answers, Mapping):
        raise InputError("answers", _("expected a mapping of question id to answer"))
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
        raise InputError("bookings", _("expected a mapping of audit to its confirmed date"))
    bookings: dict[str, dt.date] = {}
    for key, value in raw.items():
        where = f"bookings.{key}"
        if key not in AUDIT_KEYS:
            raise InputError(
                where, _("unknown audit; expected one of {audits}", audits=", ".join(AUDIT_KEYS))
            )
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
        return InputError(path, _("unknown field"))
    if kind == "missing":
        return InputError(path, _("missing"))
    message = str(error["msg"])
    if kind.startswith("date"):
        message = _("enter a date as YYYY-MM-DD, for example 2027-03-15.")
    elif message.startswith("Value error, "):
        message = message[len("Value error, ") :]  # our own validators' words, translated
    else:
        message = pydantic_problem(kind, error.get("ctx") or {}, message)
    return InputError(path, as_problem(message))


# pydantic's sentences for the checks the profile's fields declare (bounds, types, choices,
# list lengths), by error type, marked so they can be translated. Each is used only where it
# gives exactly the sentence pydantic wrote; any other stays pydantic's own.
PYDANTIC_MESSAGES = {
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "greater_than": N_("Input should be greater than {gt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "less_than": N_("Input should be less than {lt}"),
    "literal_error": N_("Input should be {expected}"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "int_type": N_("Input should be a valid integer"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "float_type": N_("Input should be a valid number"),
    "finite_number": N_("Input should be a finite number"),
    "string_type": N_("Input should be a valid string"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "bool_type": N_("Input should be a valid boolean"),
    "tuple_type": N_("Input should be a valid tuple"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_type": N_("Input should be a valid dictionary or instance of {class_name}"),
}
_QUOTED = re.compile(r"'([^']*)'")


def _as_pydantic_writes(value: str | int | float) -> str | int | float:
    """A bound as pydantic writes it in its sentence: `0` for 0.0, `0.5` for 0.5."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def pydantic_problem(kind: str, ctx: Mapping[str, Any], message: str) -> str:
    """pydantic's `message` for an error of type `kind` in the reader's language, where it is
    one of `PYDANTIC_MESSAGES` (or a list too long); else `message` as pydantic wrote it."""
    params = {k: _as_pydantic_writes(v) for k, v in ctx.items() if isinstance(v, str | int | float)}
    if kind == "too_long" and "max_length" in params and "actual_length" in params:
        longest = int(params["max_length"])
        shown = _n(
            "Tuple should have at most {n} item after validation, not {actual}",
            "Tuple should have at most {n} items after validation, not {actual}",
            longest,
            actual=params["actual_length"],
        )
        english = "Tuple should have at most {n} item{s} after validation, not {actual}".format(
            n=longest, s="" if longest == 1 else "s", actual=params["actual_length"]
        )
        return shown if english == message else message
    template = PYDANTIC_MESSAGES.get(kind)
    try:
        if template is None or template.format_map(params) != message:
            return message
    except (KeyError, ValueError, IndexError):
        return message
    if kind == "literal_error":
        quoted = [repr(c) for c in _QUOTED.findall(str(params["expected"]))]
        as_pydantic = ", ".join(quoted[:-1]) + " or " + quoted[-1] if len(quoted) > 1 else None
        if not quoted or (as_pydantic or quoted[0]) != params["expected"]:
            return message  # a choice with a quote in it: left as pydantic wrote it
        params["expected"] = one_of(quoted)
    return _(template, **params)
