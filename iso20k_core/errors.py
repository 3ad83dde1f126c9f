"""The one error users see from the engine: a field and what is wrong with it."""

from __future__ import annotations


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
