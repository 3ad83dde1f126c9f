"""The cost estimate: five parts, internal effort and a three-year view.

The five parts follow DESIGN.md: consulting, certification body, training, reference material
and publicity, tool software (optional). Internal staff effort is shown beside them because it
is real cost that never reaches an invoice. Every amount is a whole number in the profile's
currency, rounded per line, so totals are exact sums of the lines shown.
"""

from __future__ import annotations

import math

from iso20k_core.answers import AnswerValue
from iso20k_core.audit import audit_days as compute_audit_days
from iso20k_core.plan import TaskSize, size_scale
from iso20k_core.profile import Profile
from iso20k_core.results import AuditDays, CostLine, CostPart, Costs, Plan, YearCost

HOURS_PER_DAY = 8
INTERNAL_AUDITORS_QUESTION = "performance.internal_auditors"
# The SMS manager coordinates the project about a fifth of the time.
COORDINATION_SHARE = 0.2
# Auditees accompanying each audit day (the SMS manager and a process owner).
AUDIT_ESCORTS = 2
INTERNAL_AUDIT_DAYS_PER_AUDITOR = 3
# In small organisations one person owns several processes: at most one owner per five persons.
PERSONS_PER_PROCESS_OWNER = 5


def _money(value: float) -> int:
    """Round half up to a whole currency unit (never banker's rounding on money)."""
    return math.floor(round(value, 6) + 0.5)


def _line(key: str, title: str, amount: float, basis: str) -> CostLine:
    return CostLine(key=key, title=title, amount=_money(amount), basis=basis)


def _part(key: str, title: str, lines: list[CostLine]) -> CostPart:
    return CostPart(key=key, title=title, amount=sum(x.amount for x in lines), lines=tuple(lines))


def _fmt(value: float) -> str:
    """1,400 / 3.5 / 1,250.75: no trailing zeros, thousands separated."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def consultant_days(profile: Profile, tasks: tuple[TaskSize, ...], audit: AuditDays) -> int:
    if not profile.use_consultants:
        return 0
    effort = sum(t.effort_days for t in tasks)
    scale = size_scale(profile.persons_in_scope)
    preparation = 3
    gap_analysis = math.ceil(round(7 * scale, 6))
    process_work = math.ceil(round(effort * profile.assumptions.consulting_share, 6))
    trial_coaching = 3  # internal audit and management review coaching
    audit_support = math.ceil(audit.initial)
    return preparation + gap_analysis + process_work + trial_coaching + audit_support


def process_owners_to_train(profile: Profile, tasks: tuple[TaskSize, ...]) -> int:
    """One course per owner role of a weak area; in small teams one person holds several."""
    roles = {t.area.owner_role or "SMS manager" for t in tasks}
    return min(len(roles), math.ceil(profile.persons_in_scope / PERSONS_PER_PROCESS_OWNER))


def auditors_to_train(profile: Profile, answers: dict[str, AnswerValue]) -> int:
    existing = answers.get(INTERNAL_AUDITORS_QUESTION)
    have = int(existing) if isinstance(existing, int | float) else 0
    return max(profile.assumptions.internal_auditors_to_train - have, 0)


def internal_days(
    profile: Profile, tasks: tuple[TaskSize, ...], plan: Plan, audit: AuditDays
) -> int:
    a = profile.assumptions
    share = 1 - a.consulting_share if profile.use_consultants else 1.0
    process = sum(t.effort_days for t in tasks) * share
    coordination = COORDINATION_SHARE * plan.business_days
    awareness = profile.persons_in_scope * a.awareness_hours_per_person / HOURS_PER_DAY
    internal_audit = max(a.internal_auditors_to_train, 1) * INTERNAL_AUDIT_DAYS_PER_AUDITOR
    audit_escort = AUDIT_ESCORTS * audit.initial
    return math.ceil(round(process + coordination + awareness + internal_audit + audit_escort, 6))


def estimate(
    profile: Profile,
    answers: dict[str, AnswerValue],
    tasks: tuple[TaskSize, ...],
    plan: Plan,
) -> Costs:
    a = profile.assumptions
    cur = profile.currency
    audit = compute_audit_days(a, profile.persons_in_scope)
    owners = process_owners_to_train(profile, tasks)
    trainees = auditors_to_train(profile, answers)
    c_days = consultant_days(profile, tasks, audit)

    parts = (
        _part(
            "consulting",
            "Consulting",
            [
                _line(
                    "consultant_days",
                    "Consultant days",
                    c_days * a.consultant_day_rate,
                    f"{c_days} days × {_fmt(a.consultant_day_rate)} {cur}"
                    if profile.use_consultants
                    else "no consultants (use_consultants is false)",
                )
            ],
        ),
        _part(
            "certification_body",
            "Certification body",
            [
                _line(
                    "stage1_audit",
                    "Stage 1 audit",
                    audit.stage1 * a.auditor_day_rate,
                    f"{_fmt(audit.stage1)} audit days × {_fmt(a.auditor_day_rate)} {cur}",
                ),
                _line(
                    "stage2_audit",
                    "Stage 2 audit",
                    audit.stage2 * a.auditor_day_rate,
                    f"{_fmt(audit.stage2)} audit days × {_fmt(a.auditor_day_rate)} {cur}",
                ),
            ],
        ),
        _part(
            "training",
            "Training",
            [
                _line(
                    "awareness",
                    "SMS awareness for all staff in scope",
                    profile.persons_in_scope * a.awareness_cost_per_person,
                    f"{profile.persons_in_scope} persons × "
                    f"{_fmt(a.awareness_cost_per_person)} {cur}",
                ),
                _line(
                    "internal_auditors",
                    "Internal auditor course",
                    trainees * a.internal_auditor_course_cost,
                    f"{trainees} {'person' if trainees == 1 else 'persons'} × "
                    f"{_fmt(a.internal_auditor_course_cost)} {cur}",
                ),
                _line(
                    "process_owners",
                    "Process owner training",
                    owners * a.process_owner_course_cost,
                    f"{owners} process {'owner' if owners == 1 else 'owners'} of weak areas × "
                    f"{_fmt(a.process_owner_course_cost)} {cur}",
                ),
            ],
        ),
        _part(
            "reference_publicity",
            "Reference material and publicity",
            [
                _line(
                    "standards",
                    "Copies of the standards",
                    a.standard_copies_cost,
                    "ISO/IEC 20000-1 and -2",
                ),
                _line(
                    "reference", "Reference material", a.reference_material_cost, "books, templates"
                ),
                _line(
                    "publicity",
                    "Internal publicity and certificate announcement",
                    a.publicity_cost,
                    "campaign",
                ),
            ],
        ),
        _part(
            "tool_software",
            "Tool software (optional)",
            [
                _line(
                    "tool_software",
                    "ITSM tool software, first year",
                    a.tool_software_cost + a.tool_software_annual_cost,
                    "none planned"
                    if a.tool_software_cost + a.tool_software_annual_cost == 0
                    else "one-off and first-year licence",
                )
            ],
        ),
    )
    project_total = sum(p.amount for p in parts)
    i_days = internal_days(profile, tasks, plan, audit)
    internal_cost = _money(i_days * a.internal_day_rate)

    fee = _line(
        "certificate_fee",
        "Certificate management fee",
        a.certificate_management_fee,
        "annual fee of the certification body",
    )
    licence = _line(
        "tool_licence", "Tool software licence", a.tool_software_annual_cost, "annual licence"
    )
    surveillance = [
        _line(
            f"surveillance{n}",
            f"Surveillance audit {n}",
            audit.surveillance * a.auditor_day_rate,
            f"{_fmt(audit.surveillance)} audit days × {_fmt(a.auditor_day_rate)} {cur}",
        )
        for n in (1, 2)
    ]
    recert = _line(
        "recertification",
        "Recertification audit",
        audit.recertification * a.auditor_day_rate,
        f"{_fmt(audit.recertification)} audit days × {_fmt(a.auditor_day_rate)} {cur}",
    )
    year1_lines = [
        *(
            CostLine(key=p.key, title=p.title, amount=p.amount, basis="project, see above")
            for p in parts
        ),
        fee,
    ]
    years = (
        _year(1, "Year 1: preparation and initial certification", year1_lines),
        _year(2, "Year 2: first surveillance", [surveillance[0], fee, licence]),
        _year(
            3,
            "Year 3: second surveillance and recertification",
            [surveillance[1], recert, fee, licence],
        ),
    )
    return Costs(
        currency=cur,
        parts=parts,
        project_total=project_total,
        internal_days=i_days,
        internal_cost=internal_cost,
        total_with_internal=project_total + internal_cost,
        audit_days=audit,
        three_years=years,
        three_year_total=sum(y.amount for y in years),
        quote_includes_surveillance=a.quote_includes_surveillance,
    )


def _year(year: int, title: str, lines: list[CostLine]) -> YearCost:
    return YearCost(year=year, title=title, amount=sum(x.amount for x in lines), lines=tuple(lines))
