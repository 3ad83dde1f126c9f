"""The organisation profile and the assumptions behind every figure.

Every rate and assumption has a documented default — a money rate only in a currency with a
rate table (standard/rates-*.yaml; elsewhere the estimate asks for it); the profile may
override each one and the evaluation lists every assumption it used, with its source, so a
reader can see where each figure comes from.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from iso20k_core import figures as fig
from iso20k_core import places
from iso20k_core.dates import EARLIEST, DateError, as_iso_text, check_horizon, parse_iso_date
from iso20k_core.errors import any_of
from iso20k_core.language import N_, _, language_for, supported_tags
from iso20k_core.text import NAME_LIMIT, as_typed, clean_text

Certification = Literal[
    "ISO 9001",
    "ISO/IEC 27001",
    "ISO 14001",
    "ISO 22301",
    "ISO 45001",
    "ISO/IEC 20000-1",
]
ItilAdoption = Literal["none", "partial", "broad"]
# How complex the services and processes in scope are, as the certification body judges
# audit time (EA FAQ 48.4 names complex business processes as a reason for more time).
Complexity = Literal["low", "normal", "high"]
MAX_OUTSOURCED = 100  # a bound, not a figure: more processes than that is a typing slip


class _Strict(BaseModel):
    # No infinities or NaN: an amount of `inf` would make every total unwritable.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


MAX_BAND_DAYS = 500
# Bounds that keep every product of the cost estimate a finite number: a billion a day or a
# unit is no rate but a typing slip; no course trains more than ten thousand auditors.
MAX_AMOUNT = 1_000_000_000
MAX_COUNT = 10_000
MAX_HOURS = 1_000
MAX_BANDS = 100  # the default table has 23
MAX_OWN_DAYS = 1_000  # own days off or working days: a few a year over a plan of years


class AuditDayBand(_Strict):
    """Up to `max_persons` persons in scope, initial certification takes `days` audit days."""

    max_persons: int = Field(ge=1)
    # The table's own top is 22 days; a band of years of audit days is a typing slip, and
    # taken at its word it would stretch the plan (and its calendar) by as much.
    days: float = Field(gt=0, le=MAX_BAND_DAYS)


# Shaped like IAF MD 5:2019 Annex A (QMS column): persons in scope -> audit days for an
# initial certification (stage 1 + stage 2). ISO/IEC 20000-6:2017 9.1.4 has its own table,
# which is not public here: this one is an ASSUMPTION to confirm with the certification body.
DEFAULT_AUDIT_DAYS: tuple[AuditDayBand, ...] = tuple(
    AuditDayBand(max_persons=p, days=d)
    for p, d in (
        (5, 1.5),
        (10, 2.0),
        (15, 2.5),
        (25, 3.0),
        (45, 4.0),
        (65, 5.0),
        (85, 6.0),
        (125, 7.0),
        (175, 8.0),
        (275, 9.0),
        (425, 10.0),
        (625, 11.0),
        (875, 12.0),
        (1175, 13.0),
        (1550, 14.0),
        (2025, 15.0),
        (2675, 16.0),
        (3450, 17.0),
        (4350, 18.0),
        (5450, 19.0),
        (6800, 20.0),
        (8500, 21.0),
        (10700, 22.0),
    )
)


# The amounts whose defaults depend on the currency. Each one left unset (None) is taken from
# the rate table of the profile's currency (iso20k_core/standard/rates-*.yaml); a currency
# without a table has no defaults, and the estimate names the rates it needs (costs.py).
# Tool software is not among them: its default 0 means "none planned" in every currency.
MONEY_RATES: tuple[str, ...] = (
    "consultant_day_rate",
    "auditor_day_rate",
    "internal_day_rate",
    "awareness_cost_per_person",
    "internal_auditor_course_cost",
    "process_owner_course_cost",
    "standard_copies_cost",
    "reference_material_cost",
    "publicity_cost",
    "certificate_management_fee",
    "application_fee",
    "registration_fee",
    "travel_expenses_per_audit_day",
)


class Assumptions(_Strict):
    """Rates and planning assumptions. Money is in the profile's currency, without tax; a
    money rate left None comes from the currency's rate table (see MONEY_RATES)."""

    consultant_day_rate: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    auditor_day_rate: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    internal_day_rate: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    awareness_hours_per_person: float = Field(default=2, ge=0, le=MAX_HOURS)
    awareness_cost_per_person: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    internal_auditors_to_train: int = Field(default=2, ge=0, le=MAX_COUNT)
    internal_auditor_course_cost: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    process_owner_course_cost: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    standard_copies_cost: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    reference_material_cost: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    publicity_cost: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    tool_software_cost: float = Field(default=0, ge=0, le=MAX_AMOUNT)
    tool_software_annual_cost: float = Field(default=0, ge=0, le=MAX_AMOUNT)
    certificate_management_fee: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    # The certification body's quote besides audit days (costs.py, "certification body").
    application_fee: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    registration_fee: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    travel_expenses_per_audit_day: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    # consulting.py: a consultant day for every 20 days of process work (an estimate).
    consulting_share: float = Field(default=0.05, ge=0, le=1)
    audit_days_table: tuple[AuditDayBand, ...] = Field(
        default=DEFAULT_AUDIT_DAYS, max_length=MAX_BANDS
    )
    stage1_share: float = Field(default=0.3, gt=0, lt=1)
    integration_reduction_percent: float = Field(default=0, ge=0, le=100)
    audit_booking_lead_days: int = Field(default=40, ge=0, le=260)
    certification_body_reserve_days: int = Field(default=10, ge=0, le=130)
    quote_includes_surveillance: bool | None = None

    _numbers_as_typed = field_validator(
        "consultant_day_rate",
        "auditor_day_rate",
        "internal_day_rate",
        "awareness_hours_per_person",
        "awareness_cost_per_person",
        "internal_auditors_to_train",
        "internal_auditor_course_cost",
        "process_owner_course_cost",
        "standard_copies_cost",
        "reference_material_cost",
        "publicity_cost",
        "tool_software_cost",
        "tool_software_annual_cost",
        "certificate_management_fee",
        "application_fee",
        "registration_fee",
        "travel_expenses_per_audit_day",
        "consulting_share",
        "stage1_share",
        "integration_reduction_percent",
        "audit_booking_lead_days",
        "certification_body_reserve_days",
        mode="before",
    )(as_typed)

    @field_validator("audit_days_table")
    @classmethod
    def _bands_ascend(cls, bands: tuple[AuditDayBand, ...]) -> tuple[AuditDayBand, ...]:
        if not bands:
            raise ValueError(_("needs at least one band"))
        for lower, upper in itertools.pairwise(bands):
            if upper.max_persons <= lower.max_persons or upper.days < lower.days:
                raise ValueError(_("bands must ascend in max_persons and never fall in days"))
        return bands


class Profile(_Strict):
    """What the organisation tells about itself: size, scope, dates, money."""

    organisation: str
    persons_in_scope: int = Field(ge=1, le=1_000_000)
    it_staff: int = Field(ge=1, le=1_000_000)
    staff_available_fte: float = Field(gt=0, le=10_000)
    services_in_scope: int = Field(ge=1, le=10_000)
    sites: int = Field(default=1, ge=1, le=10_000)
    country: str | None = None
    timezone: str = "UTC"
    # The organisation's own calendar on top of its country's public holidays: days it closes
    # (a works holiday between Christmas and New Year) and days it works (a Saturday before a
    # release, a public holiday it stays open on). The plan counts business days with them.
    days_off: tuple[dt.date, ...] = Field(default=(), max_length=MAX_OWN_DAYS)
    working_days: tuple[dt.date, ...] = Field(default=(), max_length=MAX_OWN_DAYS)
    currency: str = "EUR"
    itil_adoption: ItilAdoption = "none"
    existing_certifications: tuple[Certification, ...] = ()
    complexity: Complexity = "normal"
    # Processes or parts of them operated by other parties (ISO/IEC 20000-1:2018 8.2.3):
    # the auditors check how the organisation governs each one.
    outsourced_processes: int = Field(default=0, ge=0, le=MAX_OUTSOURCED)
    start_date: dt.date | None = None
    target_certification_date: dt.date | None = None
    use_consultants: bool = True
    # The month the organisation's fiscal year starts (1 = January): the cost estimate's
    # fiscal-year view follows it (costs.py).
    fiscal_year_start_month: int = Field(default=1, ge=1, le=12)
    # The organisation's language (a tag: `en`, `zh-CN`): channel messages, reports and
    # everyone whose platform gives no locale of their own read it (iso20k_core.language).
    language: str = "en"
    assumptions: Assumptions = Assumptions()

    _numbers_as_typed = field_validator(
        "persons_in_scope",
        "it_staff",
        "staff_available_fte",
        "services_in_scope",
        "sites",
        "outsourced_processes",
        "fiscal_year_start_month",
        mode="before",
    )(as_typed)

    @field_validator("organisation")
    @classmethod
    def _printable_name(cls, name: str) -> str:
        name = clean_text(name, limit=NAME_LIMIT)
        if not name:
            raise ValueError(_("give the organisation's name"))
        return name

    # Codes, not names: a file says exactly what it means. A name that clearly means one code
    # is answered with that code, so the fix is one edit (the dialogs offer lists instead).
    @field_validator("country")
    @classmethod
    def _known_country(cls, country: str | None) -> str | None:
        return None if country is None else _listed_code("country", country)

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, currency: str) -> str:
        return _listed_code("currency", currency)

    @field_validator("language")
    @classmethod
    def _known_language(cls, tag: str) -> str:
        found = language_for(tag)
        if found is None:
            raise ValueError(
                _(
                    "there is no translation for {tag!r}; choose one of: {tags}",
                    tag=tag,
                    tags=", ".join(supported_tags()),
                )
            )
        return found.tag

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, timezone: str) -> str:
        if not places.is_real_timezone(timezone):
            raise ValueError(_code_hint("timezone", timezone))
        return timezone

    # Dates. A profile is checked against the horizon of the day it is given on (pass
    # `context={"today": ...}`, as `inputs.parse_profile(raw, today=...)` does); a stored
    # profile read back later is parsed without one. The horizon only grows as time moves
    # on (`dates.latest` never falls), so a date valid when it was saved stays valid.

    @field_validator("start_date", "target_certification_date", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
            return value
        if isinstance(value, str):
            return parse_iso_date(value)
        raise ValueError(_("Enter a date as YYYY-MM-DD, for example 2027-03-15."))

    @field_validator("days_off", "working_days", mode="before")
    @classmethod
    def _own_days_as_typed(cls, value: object) -> object:
        """Each day as a person may type it (`２０２７－１２－２４`, `2027年12月24日`), read as
        the YYYY-MM-DD it means; pydantic then reads the date."""
        if isinstance(value, list | tuple):
            return [as_iso_text(day) if isinstance(day, str) else day for day in value]
        return value

    @field_validator("days_off", "working_days")
    @classmethod
    def _own_days_in_order(cls, days: tuple[dt.date, ...]) -> tuple[dt.date, ...]:
        early = [d for d in days if d < EARLIEST]
        if early:
            raise ValueError(
                _("{day} is before {earliest}", day=fig.date(early[0]), earliest=fig.date(EARLIEST))
            )
        return tuple(sorted(set(days)))

    @field_validator("working_days")
    @classmethod
    def _not_also_off(cls, days: tuple[dt.date, ...], info: ValidationInfo) -> tuple[dt.date, ...]:
        both = sorted(set(days) & set(info.data.get("days_off") or ()))
        if both:
            raise ValueError(
                _("{day} is also among days_off: keep it in one list", day=fig.date(both[0]))
            )
        return days

    @field_validator("start_date")
    @classmethod
    def _start_in_horizon(cls, day: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return _in_horizon(day, info)

    @field_validator("target_certification_date")
    @classmethod
    def _target_after_start(cls, day: dt.date | None, info: ValidationInfo) -> dt.date | None:
        # A field validator, not a model validator: the error belongs on the target date,
        # the field a person changes, and forms can only show errors on their fields.
        day = _in_horizon(day, info)
        start = info.data.get("start_date")  # absent when the start date itself failed
        if day is not None and isinstance(start, dt.date) and day <= start:
            raise ValueError(
                _("Choose a target date after the start date ({start}).", start=fig.date(start))
            )
        return day


def _in_horizon(day: dt.date | None, info: ValidationInfo) -> dt.date | None:
    if day is None:
        return None
    today = info.context.get("today") if isinstance(info.context, dict) else None
    if isinstance(today, dt.date):
        return check_horizon(day, today)
    if day < EARLIEST:  # the lower bound holds without a day of request
        raise DateError(_("Choose a date from {earliest} on.", earliest=fig.date(EARLIEST)))
    return day


# What each field expects, as the hint says it: when the typed text is no code, with the
# codes probably meant, or with an example; and when it names one code.
_EXPECTED = {
    "country": (
        N_("{typed} is not a country code with a public-holiday calendar; did you mean {likely}?"),
        N_("{typed} is not a country code with a public-holiday calendar; for example {example}"),
        N_("write {code} for {typed} (a country code with a public-holiday calendar)"),
        ("DE", "CN"),
    ),
    "currency": (
        N_("{typed} is not a current ISO 4217 currency code; did you mean {likely}?"),
        N_("{typed} is not a current ISO 4217 currency code; for example {example}"),
        N_("write {code} for {typed} (a current ISO 4217 currency code)"),
        ("EUR", "CNY"),
    ),
    "timezone": (
        N_("{typed} is not an IANA timezone; did you mean {likely}?"),
        N_("{typed} is not an IANA timezone; for example {example}"),
        N_("write {code} for {typed} (an IANA timezone)"),
        ("Europe/Berlin", "Asia/Shanghai"),
    ),
}


def _listed_code(kind: places.Kind, typed: str) -> str:
    code = clean_text(typed).upper()
    if code not in places.codes(kind):
        raise ValueError(_code_hint(kind, typed))
    return code


def _code_hint(kind: places.Kind, typed: str) -> str:
    """ "write CN for 'China' (…)", or what was probably meant, or what is expected."""
    suggesting, exemplifying, writing, example = _EXPECTED[kind]
    try:
        code = places.resolve(kind, typed)
    except places.LookupFailed as failed:
        likely = [p.code for p in failed.suggestions[:3]]
        if likely:
            return _(suggesting, typed=repr(typed), likely=any_of(likely))
        return _(exemplifying, typed=repr(typed), example=any_of(example))
    return _(writing, code=code, typed=repr(typed))
