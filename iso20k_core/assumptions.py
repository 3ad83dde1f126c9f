"""Every assumption an evaluation rests on, with its value, origin and source."""

from __future__ import annotations

from iso20k_core import audit, plan, scoring
from iso20k_core.calendar import BusinessCalendar
from iso20k_core.language import N_, _, _p
from iso20k_core.profile import MONEY_RATES, Assumptions, Profile
from iso20k_core.results import Assumption, AuditDays, Plan
from iso20k_core.standard.rates import load_rates

# Translated where an assumption is listed (`_source`), in the reader's language.
SOURCES: dict[str, str] = {
    "consultant_day_rate": N_("typical ISO/IEC 20000 consultant day rate; replace with quotes"),
    "auditor_day_rate": N_("typical certification body auditor day rate; replace with quotes"),
    "internal_day_rate": N_("fully loaded cost of one internal staff day"),
    "awareness_hours_per_person": N_("SMS awareness session for every person in scope (7.3)"),
    "awareness_cost_per_person": N_("e-learning or trainer cost per person for awareness"),
    "internal_auditors_to_train": N_("at least two, so auditors do not audit their own work (9.2)"),
    "internal_auditor_course_cost": N_("ISO/IEC 20000 internal auditor course, per person"),
    "process_owner_course_cost": N_("ISO/IEC 20000 foundation course, per process owner role"),
    "standard_copies_cost": N_("ISO/IEC 20000-1 and 20000-2 from the ISO store or national body"),
    "reference_material_cost": N_("books and templates"),
    "publicity_cost": N_("internal campaign and certificate announcement"),
    "tool_software_cost": N_("optional one-off ITSM tool cost; 0 means none planned"),
    "tool_software_annual_cost": N_("optional annual ITSM tool licence"),
    "certificate_management_fee": N_("annual certificate management fee of the certification body"),
    "application_fee": N_(
        "certification body's application fee, at the initial certification and at recertification"
    ),
    "registration_fee": N_(
        "certification body's registration and certificate fee, at the "
        "certification decision and at recertification"
    ),
    "travel_expenses_per_audit_day": N_(
        "auditors' travel and expenses per auditor-day of each "
        "audit, billed on top of the audit days"
    ),
    "consulting_share": N_(
        "ESTIMATE: consultants' documentation and process support as a share "
        "of the process work (a day for every 20); no published ISO/IEC 20000 consulting days"
    ),
    "audit_days_table": N_(
        "ASSUMPTION shaped like IAF MD 5:2019 Annex A; ISO/IEC 20000-6 9.1.4 "
        "has the binding table: confirm with the certification body"
    ),
    "stage1_share": N_("share of the initial audit days spent in stage 1"),
    "integration_reduction_percent": N_(
        "reduction for an integrated management system audit; "
        "left at 0, another certified system counts 10 % (estimate); all reductions together "
        "capped at 30 % (ISO/IEC 20000-6:2017 9.1.4.2)"
    ),
    "audit_booking_lead_days": N_(
        "business days ahead of an audit that a certification body needs to be booked"
    ),
    "certification_body_reserve_days": N_(
        "business days of reserve for the certification body to schedule each audit"
    ),
    "quote_includes_surveillance": N_(
        "whether the certification body's quote covers surveillance and recertification"
    ),
}


DEFAULTS = Assumptions()


def _source(name: str) -> str:
    return _(SOURCES[name])


def _show(value: object) -> str:
    """An assumption's value as listed. Numbers stay plain (`1200`, `0.3`): the report reads
    them back as figures (report/document.py)."""
    if isinstance(value, tuple):
        return _("{count} bands", count=len(value))
    if value is None:
        return _p("assumption value", "unknown")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _money_rate(profile: Profile, name: str) -> Assumption:
    """A money rate: the profile's, else its currency's table entry with the entry's source
    or estimate, else needed (no table for the currency)."""
    given = getattr(profile.assumptions, name)
    table = load_rates().table(profile.currency)
    entry = None if table is None else table.get(name)
    if entry is not None and given in (None, entry.value):
        # Origin follows the value: the table's own figure given again is still the default.
        return Assumption(
            key=name,
            value=_show(entry.value),
            origin="default",
            source=_(
                "{source}; {currency} rate table: {basis}",
                source=_source(name),
                currency=profile.currency,
                basis=entry.basis,
            ),
        )
    if given is not None:
        return Assumption(key=name, value=_show(given), origin="profile", source=_source(name))
    return Assumption(
        key=name,
        value=_p("assumption value", "needed"),
        origin="default",
        source=_(
            "{source}; there is no rate table for {currency}, so no default: give it in the "
            "profile",
            source=_source(name),
            currency=profile.currency,
        ),
    )


def list_assumptions(profile: Profile, days: AuditDays) -> tuple[Assumption, ...]:
    a = profile.assumptions
    # Origin follows the value, not how the profile was built: a profile stored and read back
    # must list the same origins.
    items = [
        _money_rate(profile, name)
        if name in MONEY_RATES
        else Assumption(
            key=name,
            value=_show(getattr(a, name)),
            origin="default" if getattr(a, name) == getattr(DEFAULTS, name) else "profile",
            source=_source(name),
        )
        for name in Assumptions.model_fields
    ]
    items.append(
        Assumption(
            key="use_consultants",
            value=str(profile.use_consultants),
            origin="default" if profile.use_consultants else "profile",
            source=_("whether consultants support the project"),
        )
    )
    items.append(
        Assumption(
            key="fiscal_year_start_month",
            value=str(profile.fiscal_year_start_month),
            origin="default" if profile.fiscal_year_start_month == 1 else "profile",
            source=_(
                "the month the organisation's fiscal year starts (1 = January): the cost "
                "estimate's fiscal-year view follows it"
            ),
        )
    )
    items.extend(
        (
            Assumption(
                key="max_audit_reduction_percent",
                value=_show(audit.MAX_REDUCTION_PERCENT),
                origin="standard",
                source="ISO/IEC 20000-6:2017 9.1.4.2",
            ),
            Assumption(
                key="min_trial_operation_days",
                value=str(plan.MIN_TRIAL_DAYS),
                origin="standard",
                source=_(
                    "certification bodies expect about three months of SMS operation with an "
                    "internal audit and a management review before stage 2"
                ),
            ),
            Assumption(
                key="surveillance_within_months",
                value="12",
                origin="standard",
                source=_(
                    "ISO/IEC 17021-1 9.6.2.2: first surveillance within 12 months of the "
                    "certification decision, then at least once a calendar year"
                ),
            ),
            Assumption(
                key="certificate_validity_years",
                value=str(plan.CERTIFICATE_YEARS),
                origin="standard",
                source=_("ISO/IEC 17021-1 9.1.3: three-year certification cycle"),
            ),
            Assumption(
                key="nonconformity_window_days",
                value=str(plan.NONCONFORMITY_DAYS),
                origin="default",
                source=_(
                    "estimate: business days after stage 2 to close its nonconformities before "
                    "the certification decision; bodies allow at most 90 days (Parkinson "
                    "Howe, Conditions for Handling Non-Conformities)"
                ),
            ),
            Assumption(
                key="application_lead_days",
                value=str(plan.APPLICATION_DAYS),
                origin="default",
                source=_(
                    "estimate: business days for the certification body's application "
                    "review, quote and contract before the stage 1 booking deadline"
                ),
            ),
            Assumption(
                key="documents_ahead_days",
                value=str(plan.DOCUMENTS_AHEAD_DAYS),
                origin="default",
                source=_(
                    "estimate: business days before stage 1 that the documented information "
                    "is ready for the auditor to review (ISO/IEC 17021-1 9.3.1.2)"
                ),
            ),
            Assumption(
                key="management_weight",
                value=str(scoring.MANAGEMENT_WEIGHT),
                origin="default",
                source=_(
                    "estimate: management feasibility weighs more than technical (leadership, "
                    "policy and resources decide a certification more than tools)"
                ),
            ),
        )
    )
    items.extend(_audit_time(days))
    return tuple(items)


def _audit_time(days: AuditDays) -> tuple[Assumption, ...]:
    """Each adjustment to the audit-day table, so the workbook and every listing of the
    assumptions show why the audit days differ from the table (none for the reference)."""
    return tuple(
        Assumption(
            key=f"audit_time_{a.key}",
            value=a.change,
            origin="standard" if a.key == "reduction_cap" else "profile",
            source=_("{title}: {reason}", title=a.title, reason=a.reason),
        )
        for a in days.adjustments
    )


def holiday_assumptions(plan: Plan) -> tuple[Assumption, ...]:
    """The public holidays the plan counts with, when some of its years are only estimated
    (iso20k_core/calendar.py): the dates in those years rest on an estimate, said here."""
    if plan.country is None:
        return ()
    estimated = BusinessCalendar(plan.country).estimated_years(plan.start, plan.certificate_expiry)
    if not estimated:
        return ()
    years = _p("list separator", ", ").join(str(y) for y in estimated)
    return (
        Assumption(
            key="public_holidays",
            value=_("estimated for {years}", years=years),
            origin="default",
            source=_(
                "the holidays package; the official schedule of {country} for these years is "
                "not yet published (China's State Council publishes each year's in the autumn "
                "before)",
                country=plan.country,
            ),
        ),
    )
