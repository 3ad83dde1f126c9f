"""The one error users see from the engine: a field and what is wrong with it."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input, told as one line naming the field and the problem."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem
