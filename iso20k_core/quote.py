"""What to confirm in a certification body's quote before the budget rests on it.

The estimate prices the quote the way bodies build theirs (costs.py, "certification body"),
but every body words and bundles it differently: NQA notes that expenses, travel time,
application fees and annual management fees are "sometimes ... hidden in the small print"
("What are the Costs of Third Party Certification?", NQA blog, 2017-07-20). Each item says
what to ask and why it moves the figures.

The checklist is written in the reader's language when an evaluation is made
(`quote_checklist()`); `QUOTE_CHECKLIST` keeps the English, marked for translation.
"""

from __future__ import annotations

from iso20k_core.language import N_, _
from iso20k_core.results import QuoteCheck

QUOTE_CHECKLIST: tuple[QuoteCheck, ...] = (
    QuoteCheck(
        key="audit_days",
        item=N_("The audit days of each audit (stage 1, stage 2, surveillance, recertification)"),
        why=N_(
            "The quote is audit days × day rate (NQA); the estimate's days follow an assumed "
            "table, the body sets them from ISO/IEC 20000-6 and your scope."
        ),
    ),
    QuoteCheck(
        key="day_rate",
        item=N_("The auditor day rate, and whether travel time is billed as audit time"),
        why=N_("Travel time billed at the day rate adds audit days that no table shows (NQA)."),
    ),
    QuoteCheck(
        key="expenses",
        item=N_("How travel and expenses are charged: at cost, a flat rate, or included"),
        why=N_(
            "Chinese bodies bill travel, meals and lodging at cost outside the audit fee "
            "(ttxrewh.cn/FeeStandards); NQA charges none to its UK and Irish clients. The "
            "estimate's figure per auditor-day is an estimate."
        ),
    ),
    QuoteCheck(
        key="cycle",
        item=N_("Whether surveillance 1 and 2 and the recertification are in the quote"),
        why=N_(
            "A quote for stage 1 and 2 only leaves about half of the cycle's fees unpriced "
            "(profile: quote_includes_surveillance)."
        ),
    ),
    QuoteCheck(
        key="annual_fee",
        item=N_("The annual fee (certificate management, mark use): amount and when it is due"),
        why=N_(
            "Bodies charge it once a year, some at certification and each surveillance, some "
            "with the surveillance fee (ttxrewh.cn/FeeStandards)."
        ),
    ),
    QuoteCheck(
        key="certificate_fees",
        item=N_(
            "Application and registration (certificate) fees, at certification and again at "
            "recertification"
        ),
        why=N_(
            "Chinese tables charge both at the first certification and the registration fee "
            "again at recertification; some waive the application fee then (hwcert.cn, "
            "xqcciso.com)."
        ),
    ),
    QuoteCheck(
        key="follow_up",
        item=N_("The charge for a follow-up visit when a nonconformity needs one"),
        why=N_(
            "A follow-up visit is billed per added auditor-day at the day rate "
            "(ttxrewh.cn/FeeStandards)."
        ),
    ),
    QuoteCheck(
        key="cancellation",
        item=N_("Cancellation and postponement charges"),
        why=N_(
            "Moving an audit late costs a share of its fee, for example 100 % on the day, 90 % "
            "within 5 working days, 50 % within 6-20 days (NQA, Regulations Relating to "
            "Registration), plus travel already booked."
        ),
    ),
    QuoteCheck(
        key="currency_tax",
        item=N_("The currency of the quote, and whether VAT or other tax is included"),
        why=N_("The estimate's amounts are in the profile's currency without tax."),
    ),
)


def quote_checklist() -> tuple[QuoteCheck, ...]:
    """The checklist in the active language (the sources it cites stay as written)."""
    return tuple(
        check.model_copy(update={"item": _(check.item), "why": _(check.why)})
        for check in QUOTE_CHECKLIST
    )
