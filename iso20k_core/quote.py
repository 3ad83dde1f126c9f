"""What to confirm in a certification body's quote before the budget rests on it.

The estimate prices the quote the way bodies build theirs (costs.py, "certification body"),
but every body words and bundles it differently: NQA notes that expenses, travel time,
application fees and annual management fees are "sometimes ... hidden in the small print"
("What are the Costs of Third Party Certification?", NQA blog, 2017-07-20). Each item says
what to ask and why it moves the figures.
"""

from __future__ import annotations

from iso20k_core.results import QuoteCheck

QUOTE_CHECKLIST: tuple[QuoteCheck, ...] = (
    QuoteCheck(
        key="audit_days",
        item="The audit days of each audit (stage 1, stage 2, surveillance, recertification)",
        why="The quote is audit days × day rate (NQA); the estimate's days follow an assumed "
        "table, the body sets them from ISO/IEC 20000-6 and your scope.",
    ),
    QuoteCheck(
        key="day_rate",
        item="The auditor day rate, and whether travel time is billed as audit time",
        why="Travel time billed at the day rate adds audit days that no table shows (NQA).",
    ),
    QuoteCheck(
        key="expenses",
        item="How travel and expenses are charged: at cost, a flat rate, or included",
        why="Chinese bodies bill travel, meals and lodging at cost outside the audit fee "
        "(ttxrewh.cn/FeeStandards); NQA charges none to its UK and Irish clients. The "
        "estimate's figure per auditor-day is an estimate.",
    ),
    QuoteCheck(
        key="cycle",
        item="Whether surveillance 1 and 2 and the recertification are in the quote",
        why="A quote for stage 1 and 2 only leaves about half of the cycle's fees unpriced "
        "(profile: quote_includes_surveillance).",
    ),
    QuoteCheck(
        key="annual_fee",
        item="The annual fee (certificate management, mark use): amount and when it is due",
        why="Bodies charge it once a year, some at certification and each surveillance, some "
        "with the surveillance fee (ttxrewh.cn/FeeStandards).",
    ),
    QuoteCheck(
        key="certificate_fees",
        item="Application and registration (certificate) fees, at certification and again at "
        "recertification",
        why="Chinese tables charge both at the first certification and the registration fee "
        "again at recertification; some waive the application fee then (hwcert.cn, "
        "xqcciso.com).",
    ),
    QuoteCheck(
        key="follow_up",
        item="The charge for a follow-up visit when a nonconformity needs one",
        why="A follow-up visit is billed per added auditor-day at the day rate "
        "(ttxrewh.cn/FeeStandards).",
    ),
    QuoteCheck(
        key="cancellation",
        item="Cancellation and postponement charges",
        why="Moving an audit late costs a share of its fee, for example 100 % on the day, 90 % "
        "within 5 working days, 50 % within 6-20 days (NQA, Regulations Relating to "
        "Registration), plus travel already booked.",
    ),
    QuoteCheck(
        key="currency_tax",
        item="The currency of the quote, and whether VAT or other tax is included",
        why="The estimate's amounts are in the profile's currency without tax.",
    ),
)
