"""Small builders shared by the engine tests."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from iso20k_core.answers import AnswerValue
from iso20k_core.profile import Profile
from iso20k_core.standard import Bank, Question, load_bank

TODAY = dt.date(2026, 11, 25)


def examples(n: int) -> int:
    """Hypothesis examples for a property: `n`, or a tenth of it (at least ten) in a mutation
    run (benchmarks/mutation.py sets ISO20K_MUTATION), where every mutant runs the property
    again and the example tests do most of the killing."""
    return max(10, n // 10) if os.environ.get("ISO20K_MUTATION") else n


def profile(**overrides: Any) -> Profile:
    fields: dict[str, Any] = {
        "organisation": "Example IT",
        "persons_in_scope": 60,
        "it_staff": 40,
        "staff_available_fte": 3,
        "services_in_scope": 8,
        "country": "DE",
        "start_date": dt.date(2027, 1, 11),
    }
    fields.update(overrides)
    return Profile.model_validate(fields)


def best_value(q: Question, today: dt.date = TODAY) -> AnswerValue:
    """The answer that scores highest for a question."""
    match q.type:
        case "maturity" | "rating":
            return 5
        case "yes_partial_no":
            return "yes"
        case "number":
            return q.target if q.target is not None else (q.min or 0)
        case "date":
            return today
    return "Documented in the SMS handbook."


def all_best(bank: Bank | None = None) -> dict[str, AnswerValue]:
    bank = bank or load_bank()
    return {q.id: best_value(q) for q in bank.questions}


def all_at(level: int, bank: Bank | None = None) -> dict[str, AnswerValue]:
    """Every maturity question at `level`, yes/partial/no to match, nothing else answered."""
    bank = bank or load_bank()
    ynp = "yes" if level >= 4 else "partial" if level >= 2 else "no"
    answers: dict[str, AnswerValue] = {}
    for q in bank.questions:
        if q.type == "maturity":
            answers[q.id] = level
        elif q.type == "yes_partial_no":
            answers[q.id] = ynp
    return answers
