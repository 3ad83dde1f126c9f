"""`setup`: the organisation profile, in one form.

The engine's own validation (`iso20k_core.profile.Profile`) is the single source of truth:
what the form's bounds do not catch, the profile does, and its error lands on the field that
caused it. Nothing is saved unless the whole profile is valid.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

from babel.dates import get_month_names

from bot.dialogs.common import listed
from bot.dialogs.context import DialogContext
from bot.dialogs.model import (
    Button,
    Fact,
    Field,
    Form,
    Lookup,
    Message,
    Option,
    Outcome,
    Text,
    command,
)
from bot.dialogs.validation import CleanValue
from bot.store.audit import changes
from iso20k_core import figures as fig
from iso20k_core import places
from iso20k_core.errors import InputError
from iso20k_core.inputs import parse_profile
from iso20k_core.language import N_, _, _p, active, languages
from iso20k_core.profile import (
    MAX_AMOUNT,
    MAX_OUTSOURCED,
    MONEY_RATES,
    Certification,
    Complexity,
    ItilAdoption,
    Profile,
)
from iso20k_core.standard.rates import load_rates
from iso20k_core.text import NAME_LIMIT

KIND = "setup"
RATE_FIELDS = ("consultant_day_rate", "auditor_day_rate", "internal_day_rate")
# Labels and hints are marked here and read in the reader's language where the form is built.
RATE_LABELS = {
    "consultant_day_rate": N_("Consultant day rate"),
    "auditor_day_rate": N_("Certification body day rate"),
    "internal_day_rate": N_("Internal staff day rate"),
    "awareness_cost_per_person": N_("Awareness training, per person"),
    "internal_auditor_course_cost": N_("Internal auditor course, per person"),
    "process_owner_course_cost": N_("Process owner course, per owner"),
    "standard_copies_cost": N_("Copies of the standards"),
    "reference_material_cost": N_("Reference material"),
    "publicity_cost": N_("Internal publicity"),
    "certificate_management_fee": N_("Annual certificate fee"),
    "application_fee": N_("Certification body application fee"),
    "registration_fee": N_("Registration and certificate fee"),
    "travel_expenses_per_audit_day": N_("Auditor travel and expenses, per audit day"),
}
COUNTS = (
    (
        "persons_in_scope",
        N_("Persons in the SMS scope"),
        N_(
            "Everyone whose work falls within the "
            "scope: it sets audit days, awareness training and effort."
        ),
        1,
        1_000_000,
    ),
    ("it_staff", N_("IT staff"), N_("Head count of the IT organisation."), 1, 1_000_000),
    (
        "services_in_scope",
        N_("Services in scope"),
        N_("Services the certificate will cover."),
        1,
        10_000,
    ),
    ("sites", N_("Sites"), N_("Locations the auditors may have to visit."), 1, 10_000),
)
# The choices' values are the profile's; their labels are read in the reader's language.
ITIL_LABELS: dict[str, str] = {
    "none": N_("None"),
    "partial": N_("Partial"),
    "broad": N_("Broad"),
}
COMPLEXITY_LABELS: dict[str, str] = {
    "low": N_("Low"),
    "normal": N_("Normal"),
    "high": N_("High"),
}


# The profile's fields as the form names them, for the audit trail's account of a change
# (bot/dialogs/trail.py); the rates are RATE_LABELS.
FIELD_LABELS: dict[str, str] = {
    "organisation": N_("Organisation name"),
    "language": N_("Language"),
    **{field_id: label for field_id, label, _hint, _low, _high in COUNTS},
    "staff_available_fte": N_("Staff available for the project (FTE)"),
    "itil_adoption": N_("ITIL adoption"),
    "complexity": N_("Complexity of the services"),
    "outsourced_processes": N_("Processes operated by other parties"),
    "existing_certifications": N_("Existing certifications"),
    "start_date": N_("Start date"),
    "target_certification_date": N_("Target certification date"),
    "country": N_("Country"),
    "timezone": N_("Timezone"),
    "currency": N_("Currency"),
    "fiscal_year_start_month": N_("Fiscal year starts in"),
}


def audited(profile: Profile | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the trail compares of a profile: the form's fields, and the money rates (each
    with its default filled in, so a field set back to its default shows as a change)."""
    if profile is None:
        return {}, {}
    dumped = profile.model_dump(mode="json")
    rates = dumped["assumptions"]
    return {k: dumped[k] for k in FIELD_LABELS}, {r: rates[r] for r in MONEY_RATES}


def _initial(value: Any) -> str | None:
    return None if value is None else str(value)


def _lookup_field(
    field_id: Lookup, label: str, hint: str, initial: str | None, required: bool = True
) -> Field:
    options = tuple(Option(p.code, p.label, p.group) for p in places.places(field_id))
    return Field(
        field_id,
        label,
        "choice",
        hint=hint,
        required=required,
        options=options,
        initial=initial,
        lookup=field_id,
        placeholder=_("Type to search"),
    )


def _own_timezone(ctx: DialogContext) -> str | None:
    """The person's own timezone as the platform knows it (Slack: users.info), when it is
    one of the listed places: a team first set up by one of its own is most likely there."""
    if not ctx.member.timezone:
        return None
    try:
        return places.resolve("timezone", ctx.member.timezone)  # Asia/Calcutta: Asia/Kolkata
    except places.LookupFailed:
        return None


def setup_form(ctx: DialogContext) -> Form:
    current: dict[str, Any] = dict(ctx.organisation.profile or {})
    rates: dict[str, Any] = dict(current.get("assumptions") or {})
    items: list[Field | Text] = [
        Text(_("Tell iso20k about your organisation. You can change this any time.")),
        Field(
            "organisation",
            _("Organisation name"),
            "text",
            initial=current.get("organisation") or ctx.organisation.name,
            max_length=NAME_LIMIT,
        ),
        _language_field(current.get("language")),
    ]
    for field_id, label, hint, low, high in COUNTS:
        items.append(
            Field(
                field_id,
                _(label),
                "number",
                hint=_(hint),
                minimum=low,
                maximum=high,
                integer=True,
                initial=_initial(current.get(field_id)),
            )
        )
    items += [
        Field(
            "staff_available_fte",
            _("Staff available for the project (FTE)"),
            "number",
            hint=_("Full-time equivalents who can work on processes, e.g. 2.5."),
            minimum=0.1,
            maximum=10_000,
            initial=_initial(current.get("staff_available_fte")),
        ),
        Field(
            "itil_adoption",
            _("ITIL adoption"),
            "choice",
            options=tuple(Option(v, _(ITIL_LABELS[v])) for v in get_args(ItilAdoption)),
            initial=current.get("itil_adoption", "none"),
        ),
        Field(
            "complexity",
            _("Complexity of the services"),
            "choice",
            required=False,  # left empty: normal
            hint=_("As the auditors will see it: high adds audit time, low saves some."),
            options=tuple(Option(v, _(COMPLEXITY_LABELS[v])) for v in get_args(Complexity)),
            initial=current.get("complexity", "normal"),
        ),
        Field(
            "outsourced_processes",
            _("Processes operated by other parties"),
            "number",
            required=False,
            hint=_(
                "Processes or parts of them a supplier runs for you (ISO/IEC 20000-1 8.2.3). "
                "Each adds audit time. Leave empty for none."
            ),
            minimum=0,
            maximum=MAX_OUTSOURCED,
            integer=True,
            initial=_initial(current.get("outsourced_processes")),
        ),
        Field(
            "existing_certifications",
            _("Existing certifications"),
            "multi_choice",
            required=False,
            options=tuple(Option(c, c) for c in get_args(Certification)),
            initial=tuple(current.get("existing_certifications") or ()),
        ),
        Field(
            "start_date",
            _("Start date"),
            "date",
            required=False,
            not_before=ctx.today,
            hint=_("Plan forward from this date. Leave empty to start today."),
            initial=current.get("start_date"),
        ),
        Field(
            "target_certification_date",
            _("Target certification date"),
            "date",
            required=False,
            not_before=ctx.today,
            hint=_("Or plan backward to this date."),
            initial=current.get("target_certification_date"),
        ),
        _lookup_field(
            "country",
            _("Country"),
            _("For public holidays in the plan. Type to search, e.g. China or Germany."),
            current.get("country"),
            required=False,
        ),
        _lookup_field(
            "timezone",
            _("Timezone"),
            _("Where the team works: reminders go out in its working hours. Type a city."),
            current.get("timezone") or _own_timezone(ctx) or ctx.organisation.timezone,
        ),
        _lookup_field(
            "currency",
            _("Currency"),
            _("Of every amount in the cost estimate. Type a name or code, e.g. EUR or RMB."),
            current.get("currency") or ctx.organisation.currency,
        ),
    ]
    items.append(
        Field(
            "fiscal_year_start_month",
            _("Fiscal year starts in"),
            "choice",
            required=False,
            options=_month_options(),
            hint=_("The cost estimate shows the certification cycle in your fiscal years."),
            initial=str(current.get("fiscal_year_start_month", 1)),
        )
    )
    items += _rate_fields(current.get("currency") or ctx.organisation.currency, rates)
    items.append(
        Field(
            "reminder_channel",
            _("Reminder channel"),
            "channel",
            required=False,
            hint=_("Where reminders and the weekly digest go."),
            initial=ctx.organisation.reminder_channel,
        )
    )
    return Form(
        kind=KIND,
        title=_("Organisation profile"),
        items=tuple(items),
        submit=_p("button", "Save"),
    )


def _language_field(current: Any) -> Field:
    """The organisation's language: every language there is a catalog for, each by its own
    name (a person looks for their language written in it), English unless chosen."""
    return Field(
        "language",
        _("Language"),
        "choice",
        required=False,  # left empty: English, the profile's default
        hint=_(
            "What iso20k writes in for this organisation: channel messages, reports, and "
            "everyone whose chat app does not say which language they read."
        ),
        options=tuple(Option(language.tag, language.name) for language in languages().values()),
        initial=str(current or "en"),
    )


def _month_options() -> tuple[Option, ...]:
    """January to December as the reader's language names them (CLDR, through Babel)."""
    names = get_month_names("wide", locale=active().locale)
    return tuple(Option(str(n), str(names[n])) for n in range(1, 13))


def has_rate_table(currency: str) -> bool:
    return load_rates().table(currency) is not None


def _rate_fields(currency: str, rates: dict[str, Any]) -> list[Field]:
    """The day rates, optional where the currency has a rate table. Without one there are no
    defaults (iso20k_core/standard/rates.py): every money rate is asked for, and required."""
    if has_rate_table(currency):
        return [
            Field(
                rate,
                _(RATE_LABELS[rate]),
                "number",
                required=False,
                minimum=0,
                maximum=100_000,
                hint=_("Leave empty for the documented default."),
                initial=_initial(rates.get(rate)),
            )
            for rate in RATE_FIELDS
        ]
    return [
        Field(
            rate,
            _("{rate} ({currency})", rate=_(RATE_LABELS[rate]), currency=currency),
            "number",
            minimum=0,
            maximum=MAX_AMOUNT,
            hint=_needed_hint(currency),
            initial=_initial(rates.get(rate)),
        )
        for rate in MONEY_RATES
    ]


def _needed_hint(currency: str) -> str:
    return _(
        "There are no default rates for {currency}: give yours, without tax.", currency=currency
    )


def submit_setup(ctx: DialogContext, clean: dict[str, CleanValue]) -> Outcome:
    # Two people saving the first setup at once: one of them becomes the admin, not both.
    ctx.lock_organisation()
    if ctx.admins_exist() and not ctx.is_manager:
        return Outcome(reply=_not_allowed())
    raw: dict[str, Any] = {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in clean.items()
        if key not in (*MONEY_RATES, "reminder_channel") and value not in (None, "")
    }
    certifications = clean.get("existing_certifications")
    raw["existing_certifications"] = (
        list(certifications) if isinstance(certifications, tuple) else []
    )
    rates = {k: clean[k] for k in MONEY_RATES if clean.get(k) is not None}
    if rates:
        raw["assumptions"] = rates
    try:
        profile = parse_profile(raw, today=ctx.today)  # dates within the horizon of today
    except InputError as exc:
        field_id = exc.field.split(".")[-1]
        known = set(clean)  # the fields of the form: an error elsewhere goes on the first
        problem = exc.problem[:1].upper() + exc.problem[1:]
        return Outcome(errors={field_id if field_id in known else "organisation": problem})
    missing = [r for r in MONEY_RATES if r not in rates and not has_rate_table(profile.currency)]
    on_form = {r: _needed_hint(profile.currency) for r in missing if r in clean}
    if on_form:
        return Outcome(errors=on_form)

    org = ctx.organisation
    first = org.profile is None
    fields_before, rates_before = audited(ctx.profile())
    channel_before = org.reminder_channel
    org.profile = profile.model_dump(mode="json", exclude_defaults=True)
    org.name, org.timezone, org.currency = profile.organisation, profile.timezone, profile.currency
    channel = clean.get("reminder_channel")
    org.reminder_channel = channel if isinstance(channel, str) else None
    ctx.session.add(org)
    _record_changes(ctx, first, (fields_before, rates_before), audited(profile), channel_before)
    if not ctx.admins_exist():
        was, ctx.member.role = ctx.member.role, "admin"
        ctx.session.add(ctx.member)
        ctx.record(
            "role.granted",
            {
                "user": ctx.member.platform_user_id,
                "name": ctx.member.display_name,
                "from": was,
                "to": "admin",
            },
        )
    ctx.session.flush()
    result = ctx.replan()
    # The reply is read by whoever saved: in the language active for them (a person whose
    # chat app gives no language of their own reads the one just chosen from the next step on).
    facts = [
        Fact(_("Persons in scope"), str(profile.persons_in_scope)),
        Fact(_("Services"), str(profile.services_in_scope)),
    ]
    if result is not None:
        facts.append(Fact(_("Certification expected"), fig.date(result.plan.certification_date)))
    if missing:  # the currency changed to one without a table: its rates were not on the form
        return Outcome(
            reply=Message(
                heading=_("Profile saved: rates needed"),
                text=_(
                    "There are no default rates for {currency}, so the cost estimate is "
                    "incomplete. Open {setup} again and give them: {rates}.",
                    currency=profile.currency,
                    setup=command("setup"),
                    rates=listed(_(RATE_LABELS[r]).lower() for r in missing),
                ),
                facts=tuple(facts),
                buttons=(Button(_("Give the rates"), "setup", style="primary"),),
                tone="warning",
            )
        )
    return Outcome(
        reply=Message(
            heading=_("Profile saved"),
            text=_(
                "{organisation} is set up. Next: answer the assessment, or assign sections to "
                "the people who know them.",
                organisation=profile.organisation,
            ),
            facts=tuple(facts),
            buttons=(Button(_("Start the assessment"), "assess", style="primary"),),
            tone="success",
        )
    )


def _record_changes(
    ctx: DialogContext,
    first: bool,
    before: tuple[dict[str, Any], dict[str, Any]],
    after: tuple[dict[str, Any], dict[str, Any]],
    channel_before: str | None,
) -> None:
    """The trail's entries for a saved setup: the profile created, or what of it and of the
    rates changed, and the reminder channel if it moved (nothing for a save that changed
    nothing)."""
    if first:
        ctx.record("profile.created", {"changes": changes({}, {**after[0], **after[1]})})
    else:
        for action, old, new in (
            ("profile.changed", before[0], after[0]),
            ("rates.changed", before[1], after[1]),
        ):
            changed = changes(old, new)
            if changed:
                ctx.record(action, {"changes": changed})
    if ctx.organisation.reminder_channel != channel_before:
        ctx.record(
            "reminders.channel_set",
            {"from": channel_before, "to": ctx.organisation.reminder_channel},
        )


def _not_allowed() -> Message:
    return Message(
        heading=_("Only managers can change the profile"),
        text=_(
            "Ask an admin to give you the manager role: {role}",
            role=command("role @you manager"),
        ),
        tone="warning",
    )
