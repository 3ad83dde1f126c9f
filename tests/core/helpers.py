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
    Audit days (audit.py): 50 persons -> 5 (the band up to 65 persons), no adjustment; low
    5 x 0.7 = 3.5 (the full 30 % reduction), high the table twice as high, 10: 5 (3.5-10).
    Stage 1 30 %, in half days up: 5 x 0.3 = 1.5, low 3.5 x 0.3 = 1.05 -> 1.5, high 10 x 0.3
    = 3: 1.5 (1.5-3); stage 2 the rest, 3.5 (2-7). Surveillance a third: 5 / 3 = 1.67 -> 2,
    3.5 / 3 = 1.17 -> 1.5, 10 / 3 = 3.33 -> 3.5: 2 (1.5-3.5); recertification two thirds:
    3.33 -> 3.5, 2.33 -> 2.5, 6.67 -> 7: 3.5 (2.5-7). On site: stage 1 ceil(1.5) = 2 days,
    stage 2 ceil(3.5) = 4.
    Stages: preparation 10, gap analysis ceil(5 + 0.5 x 8 + 10 x 0.071) = 10, process
    max(15, 54 / 0.5 = 108, 30 / 0.5 = 60) = 108, trial 65 + ceil(20 x 0.071) = 67,
    certification stage 1 2 + reserve 10 + improvement 10 + ceil(20 x 0.071) = 12 + stage 2
    4 + reserve 10 + nonconformities 30 + decision 10 = 78: 273 business days.
    Dates (DE business days from Monday 2027-01-11): preparation to 2027-01-22, gap analysis
    2027-01-25 to 02-05, process 2027-02-08 to 07-13 (Good Friday, Easter Monday, Ascension
    and Whit Monday off), trial 2027-07-14 to 10-14, stage 1 2027-10-15 (booked by 40
    business days before, 2027-08-20; reserve to 11-01), improvement 11-02 to 11-17, stage 2
    2027-11-18 (reserve to 12-07), nonconformities 2027-12-08 to 2028-01-18, certification
    decision 10 business days on, 2028-02-01. Surveillance 1: its window closes by 2029-01-31
    (12 months less a day), 2 days on site + 10 reserve - 1 = 11 business days before it,
    2029-01-16; surveillance 2 likewise 2030-01-16; recertification: expiry 2031-01-31, its
    window closes 10 business days before, 2031-01-17, and it starts 4 + 10 - 1 = 13 business
    days before that (New Year's Day off), 2030-12-30.
    Internal effort: 51 + ceil(0.2 x 273 = 54.6) = 55 + ceil(50 x 2 / 8 = 12.5) = 13
    + 2 x 3 = 6 + 2 x 5.0 = 10: 135 person-days, x 480 = 64,800 EUR.

    The money, line by line (default rates, EUR), expected (low-high):
    - consulting (consulting.py, size 1), each figure rounded up to whole days: preparation
      2 + 0.5 = 2.5 -> 3 (x 0.75 = 1.875 -> 2, x 1.25 = 3.125 -> 4); gap analysis 2 + 3 = 5
      (3.75 -> 4, 7.5 -> 8); documentation 2.7 -> 3 (x 0.6 = 1.62 -> 2, x 1.6 = 4.32 -> 5);
      trial coaching 2 + 1 = 3 (2.25 -> 3, 4.5 -> 5); audit support the initial audit's 5
      days (3.5 -> 4, 10): 3 + 5 + 3 + 3 + 5 = 19 days (2 + 4 + 2 + 3 + 4 = 15, 4 + 8 + 5 + 5
      + 10 = 32) x 1,200 = 22,800 (18,000-38,400);
    - certification body: application 450; stage 1 1.5 (1.5-3) days x 1,400 = 2,100
      (2,100-4,200) + x 250 travel = 375 (375-750); stage 2 3.5 (2-7) x 1,400 = 4,900
      (2,800-9,800) + x 250 = 875 (500-1,750); registration 900, first annual fee 900:
      10,500 (450 + 2,100 + 375 + 2,800 + 500 + 900 + 900 = 8,025; 450 + 4,200 + 750 + 9,800
      + 1,750 + 900 + 900 = 18,750);
    - training: awareness 50 x 25 = 1,250; internal auditors 2 wanted, 2 trained (the
      answer at its target) -> 0; process owners: change manager and incident manager, 2 x
      1,100 = 2,200: 3,450;
    - reference material and publicity: 450 + 300 + 1,500 = 2,250; tool software 0;
    - project total 22,800 + 10,500 + 3,450 + 2,250 + 0 = 39,000 (18,000 + 8,025 + 5,700 =
      31,725; 38,400 + 18,750 + 5,700 = 62,850); with internal effort 39,000 + 64,800 =
      103,800 (96,525-127,650);
    - the cycle: initial certification the project, 39,000 (31,725-62,850); each
      surveillance 2 (1.5-3.5) days x 1,400 = 2,800 (2,100-4,900) + x 250 = 500 (375-875)
      + 900 annual fee = 4,200 (3,375-6,675); recertification 450 + 3.5 (2.5-7) x 1,400 =
      4,900 (3,500-9,800) + x 250 = 875 (625-1,750) + 900 + 900 = 8,025 (6,375-13,800);
      together 55,425 (31,725 + 2 x 3,375 + 6,375 = 44,850; 62,850 + 2 x 6,675 + 13,800 =
      90,000); after the initial certification: 16,425 (13,125-27,150);
    - consulting by stage (costs._spread), over 10, 10, 108, 67, 78 of 273 business days:
      22,800: floors 835, 835, 9,019, 5,595, 6,514 (22,798), the 2 left over to the largest
      remainders (process 213/273, trial 165/273): 835, 835, 9,020, 5,596, 6,514; the 4,800
      below it: floors 175, 175, 1,898, 1,178, 1,371 (4,797), 3 left over to process
      (246/273), preparation and gap analysis (225/273 each): lows 659, 659, 7,121, 4,418,
      5,143; the 15,600 above it: floors 571, 571, 6,171, 3,828, 4,457 (15,598), 2 left over
      to trial (156/273) and preparation (117/273, the first of three ties): highs 1,407,
      1,406, 15,191, 9,425, 10,971;
    - by calendar year: 2027 the project but the registration, annual fee and publicity
      at the decision, 39,000 - 3,300 = 35,700 (28,425-59,550); 2028 those 3,300; 2029
      surveillance 1, 4,200; 2030 surveillance 2 and the recertification, 12,225
      (9,750-20,475).
    """
    bank = bank or load_bank()
    answers = {
        k: v for k, v in all_best(bank).items() if not k.startswith(("change.", "incident."))
    }
    p = profile(persons_in_scope=50, staff_available_fte=0.5, **fields)
    return evaluate(p, answers, TODAY, bank)
