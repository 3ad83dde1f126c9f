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


def two_weak_processes(bank: Bank | None = None, **fields: Any) -> Evaluation:
    """Everything at its best but change and incident management, left unanswered.

    By hand: 50 persons in scope (size scale 1.0). Change: gap 3.0 x 10 days a level = 30
    person-days; incident: 3.0 x 8 = 24; process work 54 person-days. Consultants support it
    with 5 % of it (consulting_share), 54 x 0.05 = 2.7 -> 3 days, so own staff do 51.
    Readiness: 26 of 28 requirement areas at their level, 100 x 26 / 28 = 92.857 -> 92.9 %.
    Stages: preparation 10, gap analysis ceil(5 + 0.5 x 8 + 10 x 0.071) = 10, process
    max(15, 54 / 0.5 = 108, 30 / 0.5 = 60) = 108,
    trial 65 + ceil(20 x 0.071) = 67, certification 2 + 10 + 12 + 4 + 10 + 10 = 48: 243
    business days. Internal effort: 51 + ceil(0.2 x 243 = 48.6) = 49 + ceil(50 x 2 / 8 = 12.5)
    = 13 + 2 x 3 = 6 + 2 x 5.0 = 10: 129 person-days, x 480 = 61,920 EUR.

    The money, line by line (default rates, EUR):
    - consulting (consulting.py, size 1, 6 levels short), expected (low-high), each rounded
      up: preparation 2 + 0.5 = 2.5 -> 3 (1.875 -> 2, 3.125 -> 4); gap analysis 2 + 3 = 5
      (3.75 -> 4, 7.5 -> 8); documentation 2.7 -> 3 (x 0.6 = 1.62 -> 2, x 1.6 = 4.32 -> 5);
      trial coaching 2 + 1 = 3 (2.25 -> 3, 4.5 -> 5); audit support 5 audit days (a point):
      19 days (16-27) x 1,200 = 22,800 (19,200-32,400);
    - certification body: 50 persons -> 5 audit days (the band up to 65 persons), stage 1
      30 % = 1.5 days x 1,400 = 2,100 + 1.5 x 250 travel = 375, stage 2 3.5 x 1,400 = 4,900
      + 3.5 x 250 = 875; application 450, registration 900, first annual fee 900: 10,500;
    - training: awareness 50 x 25 = 1,250; internal auditors 2 wanted, 2 trained (the
      answer at its target) -> 0; process owners: change manager and incident manager, 2 x
      1,100 = 2,200: 3,450;
    - reference material and publicity: 450 + 300 + 1,500 = 2,250; tool software 0;
    - project total 38,400 + 10,500 + 3,450 + 2,250 + 0 = 54,600; with internal effort
      54,600 + 56,640 = 111,240;
    - the cycle: initial certification the project, 54,600; each surveillance 5 / 3 = 1.67
      -> 2 days x 1,400 = 2,800 + 2 x 250 = 500 + 900 annual fee = 4,200; recertification
      450 + 10 / 3 = 3.33 -> 3.5 days x 1,400 = 4,900 + 875 + 900 + 900 = 8,025; together
      71,025 (after the initial certification: 16,425).
    """
    bank = bank or load_bank()
    answers = {
        k: v for k, v in all_best(bank).items() if not k.startswith(("change.", "incident."))
    }
    p = profile(persons_in_scope=50, staff_available_fte=0.5, **fields)
    return evaluate(p, answers, TODAY, bank)
