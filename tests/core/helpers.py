"""Small builders shared by the engine tests."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from iso20k_core.answers import AnswerValue
from iso20k_core.evaluate import evaluate
from iso20k_core.profile import Profile
from iso20k_core.results import Evaluation
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


def two_weak_processes(bank: Bank | None = None) -> Evaluation:
    """Everything at its best but change and incident management, left unanswered.

    By hand: 50 persons in scope (size scale 1.0). Change: gap 3.0 x 10 days a level = 30
    person-days; incident: 3.0 x 8 = 24; process work 54 person-days. Consultants take 25 %,
    54 x 0.25 = 13.5 -> 14 days, so own staff do 40. Readiness: 26 of 28 requirement areas at
    their level, 100 x 26 / 28 = 92.857 -> 92.9 %. Stages: preparation 10, gap analysis
    ceil(5 + 0.5 x 8 + 10 x 0.071) = 10, process max(15, 54 / 0.5 = 108, 30 / 0.5 = 60) = 108,
    trial 65 + ceil(20 x 0.071) = 67, certification 2 + 10 + 12 + 4 + 10 + 30 + 10 = 78 (30
    to close stage 2's nonconformities): 273 business days. Internal effort: 40 +
    ceil(0.2 x 273 = 54.6) = 55 + ceil(50 x 2 / 8 = 12.5) = 13 + 2 x 3 = 6 + 2 x 5.0 = 10: 124
    person-days, x 480 = 59,520 EUR.

    The money, line by line (default rates, EUR):
    - consulting: 3 + 7 + 14 + 3 + 5 = 32 days x 1,200 = 38,400;
    - certification body: 50 persons -> 5 audit days (the band up to 65 persons), stage 1
      30 % = 1.5 days x 1,400 = 2,100, stage 2 3.5 x 1,400 = 4,900: 7,000;
    - training: awareness 50 x 25 = 1,250; internal auditors 2 wanted, 2 trained (the
      answer at its target) -> 0; process owners: change manager and incident manager, 2 x
      1,100 = 2,200: 3,450;
    - reference material and publicity: 450 + 300 + 1,500 = 2,250; tool software 0;
    - project total 38,400 + 7,000 + 3,450 + 2,250 + 0 = 51,100; with internal effort
      51,100 + 59,520 = 110,620;
    - three years: year 1 the project and the 900 certificate fee, 52,000; year 2 surveillance
      5 / 3 = 1.67 -> 2 days x 1,400 = 2,800 + 900 = 3,700; year 3 2,800 + recertification
      10 / 3 = 3.33 -> 3.5 days x 1,400 = 4,900 + 900 = 8,600; together 64,300 (years 2 and 3:
      12,300).
    """
    bank = bank or load_bank()
    answers = {
        k: v for k, v in all_best(bank).items() if not k.startswith(("change.", "incident."))
    }
    return evaluate(profile(persons_in_scope=50, staff_available_fte=0.5), answers, TODAY, bank)
