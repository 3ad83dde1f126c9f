"""The one error users see from the engine: a field and what is wrong with it."""

from __future__ import annotations

from collections.abc import Sequence

from iso20k_core.language import _, _p


class InputError(ValueError):
    """Bad input, told as one line naming the field and the problem.

    `problem` follows the field name ("profile.start_date: choose a date from …"), so it
    starts in lower case; a form that shows it alone on its field capitalises it."""

    def __init__(self, field: str, problem: str) -> None:
        field, problem = one_line(field), one_line(problem)
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def one_line(text: str) -> str:
    """`text` with its unprintable characters escaped (a key in a file may hold a line break):
    an error stays one line, and shows what was there."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def as_problem(sentence: str) -> str:
    """A sentence written for a form (`dates.DateError`, `text.TextError`) as the `problem`
    of an `InputError`: first letter in lower case, unless it begins a capitalised word."""
    if len(sentence) > 1 and sentence[1].isupper():
        return sentence  # "YYYY-MM-DD …", "ISO …"
    return sentence[:1].lower() + sentence[1:]


def any_of(choices: Sequence[str]) -> str:
    """Alternatives in the reader's language, for a sentence that offers them: `DE or DK`,
    `DE或DK`."""
    return _p("between alternatives", " or ").join(choices)


def one_of(choices: Sequence[str]) -> str:
    """A list ending in its last alternative, as pydantic writes its choices: `'none',
    'partial' or 'broad'`; `'none'、'partial'或'broad'`."""
    if len(choices) < 2:
        return "".join(choices)
    return _(
        "{choices} or {last}",
        choices=_p("list separator", ", ").join(choices[:-1]),
        last=choices[-1],
    )
