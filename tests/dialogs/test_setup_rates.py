"""Setup asks for the rates of a currency without a rate table (issue 11, item 1).

EUR, GBP, USD and CNY have rate tables (iso20k_core/standard/rates-*.yaml): their rate
fields stay optional. For any other currency there is no default to fall back on, so every
money rate is on the form, required, with a hint saying why.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.dialogs.commands import handle_submit
from bot.dialogs.model import Field, Message
from bot.dialogs.setup import setup_form
from iso20k_core.profile import MONEY_RATES
from tests.dialogs.people import SETUP, as_user, reply

YEN_RATES = dict.fromkeys(MONEY_RATES, "150000")


def _rate_fields(fields: object) -> dict[str, Field]:
    assert isinstance(fields, tuple)
    return {f.id: f for f in fields if isinstance(f, Field) and f.id in MONEY_RATES}


def test_a_currency_with_a_table_keeps_its_rates_optional(session: Session) -> None:
    admin = as_user(session, "admin")
    outcome = handle_submit(admin, "setup", {}, SETUP)
    assert isinstance(outcome.reply, Message) and outcome.reply.heading == "Profile saved"
    rates = _rate_fields(setup_form(admin).items)
    assert set(rates) == {"consultant_day_rate", "auditor_day_rate", "internal_day_rate"}
    assert not any(f.required for f in rates.values())


def test_a_yen_organisation_is_asked_for_every_rate(session: Session) -> None:
    admin = as_user(session, "admin")
    # Chosen on a form that showed the euro fields: their day rates are refused empty...
    day_rates = {"consultant_day_rate", "auditor_day_rate", "internal_day_rate"}
    refused = handle_submit(admin, "setup", {}, {**SETUP, "currency": "JPY"})
    assert set(refused.errors) == day_rates
    assert all("no default rates for JPY" in e for e in refused.errors.values())
    # ...and once they are given, the profile is saved, with the other rates still needed.
    days = dict.fromkeys(day_rates, "50000")
    outcome = handle_submit(admin, "setup", {}, {**SETUP, "currency": "JPY", **days})
    assert isinstance(outcome.reply, Message)
    assert outcome.reply.heading == "Profile saved: rates needed"
    assert "no default rates for JPY" in outcome.reply.text
    cost = reply(admin, "cost")
    assert "the estimate is incomplete" in cost.text
    # The cycle's total names every rate it still needs, the body's quote first.
    named = cost.facts[-1].value.removeprefix("rates needed: ").split(", ")
    assert named[:4] == [
        "application_fee",
        "travel_expenses_per_audit_day",
        "registration_fee",
        "certificate_management_fee",
    ]
    assert set(named) == set(MONEY_RATES) - day_rates

    # The form now asks for every money rate, required, and says why.
    rates = _rate_fields(setup_form(admin).items)
    assert set(rates) == set(MONEY_RATES)
    for f in rates.values():
        assert f.required and f.hint is not None and "no default rates for JPY" in f.hint
    refused = handle_submit(admin, "setup", {}, {**SETUP, "currency": "JPY"})
    assert set(refused.errors) == set(MONEY_RATES)

    given = handle_submit(admin, "setup", {}, {**SETUP, "currency": "JPY", **YEN_RATES})
    assert isinstance(given.reply, Message) and given.reply.heading == "Profile saved"
    cost = reply(admin, "cost")
    assert "incomplete" not in cost.text
    assert all("rate needed" not in f.value for f in cost.facts)


def test_setup_asks_when_the_fiscal_year_starts(session: Session) -> None:
    admin = as_user(session, "admin")
    field = next(
        f
        for f in setup_form(admin).items
        if isinstance(f, Field) and f.id == "fiscal_year_start_month"
    )
    assert not field.required and field.initial == "1"
    assert [(o.value, o.label) for o in field.options][3] == ("4", "April")
    outcome = handle_submit(admin, "setup", {}, {**SETUP, "fiscal_year_start_month": "4"})
    assert isinstance(outcome.reply, Message) and outcome.reply.heading == "Profile saved"
    assert admin.organisation.profile is not None
    assert admin.organisation.profile["fiscal_year_start_month"] == 4
    e = admin.evaluation()
    assert e is not None
    assert e.costs.fiscal_years[0].title == "FY 2026/27 (April 2026 – March 2027)"
    assert setup_form(admin).items and any(
        isinstance(f, Field) and f.id == "fiscal_year_start_month" and f.initial == "4"
        for f in setup_form(admin).items
    )
