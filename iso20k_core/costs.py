"""The cost estimate: five parts, internal effort and a three-year view.

The five parts, bought from others: consulting, certification body, training, reference material
and publicity, tool software (optional). Internal staff effort is shown beside them because it
is real cost that never reaches an invoice, line by line, so a reader can follow it back to
the process work the plan names (`Plan.process_work_days`: the one figure of process work
that risks, costs and reports all quote). Every amount is a whole number in the profile's
currency and every effort a whole number of days, rounded per line (figures.py), so totals
are exact sums of the lines shown.

Where a figure's basis is uncertain (consultant days, the audit-day estimate) a line carries
its low and high beside the expected amount: the quantity's range × the rate, rounded per
figure like the amount; sums add lows and highs. Lines on a certain basis are point ranges.

Money rates come from the profile, else from the rate table of its currency
(standard/rates.py). A rate neither gives is unknown: every line resting on it has no amount
and names the rate in `needs`, the sums above it have none either, and `Costs.missing_rates`
lists what to ask for. Nothing is guessed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from iso20k_core import figures as fig
from iso20k_core.answers import AnswerValue
from iso20k_core.audit import audit_days as compute_audit_days
from iso20k_core.consulting import ConsultingEffort, consulting_effort
from iso20k_core.plan import TaskSize
from iso20k_core.profile import MONEY_RATES, Assumptions, Profile
from iso20k_core.results import (
    AuditDays,
    CostLine,
    CostPart,
    Costs,
    DayRange,
    EffortLine,
    Plan,
    YearCost,
    rates_needed,
)
from iso20k_core.standard.rates import resolve

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


def _days(value: float) -> int:
    """Effort is planned in whole days, rounded up: part of a day is still a day's work."""
    return math.ceil(round(value, 6))


def _line(
    key: str, title: str, amount: float, basis: str, spread: tuple[float, float] | None = None
) -> CostLine:
    """A known amount; `spread` its low and high, when its basis is uncertain."""
    low, high = spread or (amount, amount)
    expected = _money(amount)
    # min/max only absorb float noise (a quantity's share times a huge rate): low <= expected.
    return CostLine(
        key=key,
        title=title,
        amount=expected,
        low=min(_money(low), expected),
        high=max(_money(high), expected),
        basis=basis,
    )


def _priced(
    key: str,
    title: str,
    quantity: float | DayRange,
    a: Assumptions,
    rate: str,
    basis: str,
    cur: str,
) -> CostLine:
    """`quantity` × the rate named; without a value for the rate, no amount and the rate
    named in `needs`. A `DayRange` quantity gives the line its low and high (each the
    range's figure × the rate, rounded like the amount); a number gives a point range.
    `{rate}` in `basis` is written as the rate with its currency (`1,400 EUR`), or as its
    name when it is needed (`auditor_day_rate (rate needed)`)."""
    value: float | None = getattr(a, rate)
    if value is None:
        text = basis.format(rate=f"{rate} (rate needed)")
        return CostLine(key=key, title=title, amount=None, basis=text, needs=(rate,))
    q = quantity if isinstance(quantity, DayRange) else _point(quantity)
    text = basis.format(rate=f"{fig.number(value)} {cur}")
    return _line(key, title, q.expected * value, text, (q.low * value, q.high * value))


def _point(quantity: float) -> DayRange:
    return DayRange(low=quantity, expected=quantity, high=quantity)


def _fixed(key: str, title: str, a: Assumptions, rate: str, basis: str) -> CostLine:
    """An amount that is the rate itself (a fee, a purchase)."""
    value: float | None = getattr(a, rate)
    if value is None:
        text = f"{basis}; {rate} (rate needed)"
        return CostLine(key=key, title=title, amount=None, basis=text, needs=(rate,))
    return _line(key, title, value, basis)


def _sum(amounts: Sequence[int | None]) -> int | None:
    """The sum, or None when one of the amounts is unknown."""
    known = [x for x in amounts if x is not None]
    return sum(known) if len(known) == len(amounts) else None


def _sums(items: Sequence[CostLine | CostPart]) -> dict[str, int | None]:
    """The sums of the amounts, the lows and the highs (None as soon as one is unknown)."""
    return {
        "amount": _sum([x.amount for x in items]),
        "low": _sum([x.low for x in items]),
        "high": _sum([x.high for x in items]),
    }


def _part(key: str, title: str, lines: list[CostLine]) -> CostPart:
    return CostPart(key=key, title=title, lines=tuple(lines), **_sums(lines))


def _persons(n: int) -> str:
    return f"{fig.count(n)} {'person' if n == 1 else 'persons'}"


# --- consulting ---------------------------------------------------------------------------


def consultant_process_days(effort: ConsultingEffort) -> int:
    """The consultants' documentation and process support, in person-days (expected): work
    the own staff no longer do themselves."""
    if not effort.activities:
        return 0
    return int(effort.days("documentation").expected)


def _days_range(r: DayRange) -> str:
    text = fig.count(int(r.expected))
    if r.low == r.high:
        return text
    return f"{text} ({fig.count(int(r.low))}–{fig.count(int(r.high))})"


def _consulting(profile: Profile, a: Assumptions, effort: ConsultingEffort, cur: str) -> CostPart:
    if not effort.activities:
        line = _line(
            "consultant_days", "Consultant days", 0, "no consultants (use_consultants is false)"
        )
        return _part("consulting", "Consulting", [line])
    total = effort.total
    activities = ", ".join(f"{_days_range(x.days)} {x.title}" for x in effort.activities)
    basis = (
        f"{_days_range(total)} days × {{rate}}: {activities}; an estimate (no published "
        f"ISO/IEC 20000 consulting days): the range is how much the own staff do themselves"
    )
    line = _priced(
        "consultant_days", "Consultant days", total, a, "consultant_day_rate", basis, cur
    )
    return _part("consulting", "Consulting", [line])


# --- certification body, training, material, tools ----------------------------------------


def _audit_line(key: str, title: str, days: float | DayRange, a: Assumptions, cur: str) -> CostLine:
    r = days if isinstance(days, DayRange) else _point(days)
    basis = f"{fig.number(r.expected)} audit days × {{rate}}"
    if r.low != r.high:
        basis = (
            f"{fig.number(r.expected)} audit days ({fig.number(r.low)}–{fig.number(r.high)}) "
            f"× {{rate}}; the audit days are an estimate until the certification body quotes"
        )
    return _priced(key, title, r, a, "auditor_day_rate", basis, cur)


def _certification_body(profile: Profile, a: Assumptions, audit: AuditDays) -> CostPart:
    cur = profile.currency
    return _part(
        "certification_body",
        "Certification body",
        [
            _audit_line("stage1_audit", "Stage 1 audit", audit.stage1_range, a, cur),
            _audit_line("stage2_audit", "Stage 2 audit", audit.stage2_range, a, cur),
        ],
    )


def process_owners_to_train(profile: Profile, tasks: tuple[TaskSize, ...]) -> int:
    """One course per owner role of a weak area; in small teams one person holds several."""
    roles = {t.area.owner_role or "SMS manager" for t in tasks}
    return min(len(roles), math.ceil(profile.persons_in_scope / PERSONS_PER_PROCESS_OWNER))


def auditors_to_train(profile: Profile, answers: dict[str, AnswerValue]) -> int:
    existing = answers.get(INTERNAL_AUDITORS_QUESTION)
    have = int(existing) if isinstance(existing, int | float) else 0
    return max(profile.assumptions.internal_auditors_to_train - have, 0)


def _training(
    profile: Profile,
    a: Assumptions,
    answers: dict[str, AnswerValue],
    tasks: tuple[TaskSize, ...],
) -> CostPart:
    cur = profile.currency
    owners = process_owners_to_train(profile, tasks)
    trainees = auditors_to_train(profile, answers)
    return _part(
        "training",
        "Training",
        [
            _priced(
                "awareness",
                "SMS awareness for all staff in scope",
                profile.persons_in_scope,
                a,
                "awareness_cost_per_person",
                f"{_persons(profile.persons_in_scope)} × {{rate}}",
                cur,
            ),
            _priced(
                "internal_auditors",
                "Internal auditor course",
                trainees,
                a,
                "internal_auditor_course_cost",
                f"{_persons(trainees)} × {{rate}}",
                cur,
            ),
            _priced(
                "process_owners",
                "Process owner training",
                owners,
                a,
                "process_owner_course_cost",
                f"{owners} process {'owner' if owners == 1 else 'owners'} of weak areas × {{rate}}",
                cur,
            ),
        ],
    )


def _reference_publicity(a: Assumptions) -> CostPart:
    return _part(
        "reference_publicity",
        "Reference material and publicity",
        [
            _fixed(
                "standards",
                "Copies of the standards",
                a,
                "standard_copies_cost",
                "ISO/IEC 20000-1 and -2",
            ),
            _fixed(
                "reference", "Reference material", a, "reference_material_cost", "books, templates"
            ),
            _fixed(
                "publicity",
                "Internal publicity and certificate announcement",
                a,
                "publicity_cost",
                "campaign",
            ),
        ],
    )


def _tool_software(a: Assumptions) -> CostPart:
    first_year = a.tool_software_cost + a.tool_software_annual_cost
    return _part(
        "tool_software",
        "Tool software (optional)",
        [
            _line(
                "tool_software",
                "ITSM tool software, first year",
                first_year,
                "none planned" if first_year == 0 else "one-off and first-year licence",
            )
        ],
    )


# --- internal effort ----------------------------------------------------------------------


def internal_effort(
    profile: Profile, plan: Plan, audit: AuditDays, consulting: ConsultingEffort
) -> tuple[EffortLine, ...]:
    """The own staff's days, line by line; the total is their sum."""
    a = profile.assumptions
    work = plan.process_work_days
    own = work - consultant_process_days(consulting)
    process_basis = (
        f"{fig.count(work)} person-days of process work, less "
        f"{fig.count(work - own)} done by consultants"
        if work != own
        else f"all {fig.count(work)} person-days of process work"
    )
    auditors = max(a.internal_auditors_to_train, 1)
    return (
        EffortLine(key="process_work", title="Process work", days=own, basis=process_basis),
        EffortLine(
            key="coordination",
            title="Project coordination (SMS manager)",
            days=_days(COORDINATION_SHARE * plan.business_days),
            basis=f"{fig.number(COORDINATION_SHARE * 100)} % of the plan's "
            f"{fig.count(plan.business_days)} business days",
        ),
        EffortLine(
            key="awareness",
            title="Awareness training of all staff in scope",
            days=_days(profile.persons_in_scope * a.awareness_hours_per_person / HOURS_PER_DAY),
            basis=f"{_persons(profile.persons_in_scope)} × "
            f"{fig.number(a.awareness_hours_per_person)} hours",
        ),
        EffortLine(
            key="internal_audit",
            title="Internal audit of the SMS",
            days=auditors * INTERNAL_AUDIT_DAYS_PER_AUDITOR,
            basis=f"{_persons(auditors)} × {INTERNAL_AUDIT_DAYS_PER_AUDITOR} days",
        ),
        EffortLine(
            key="audit_escort",
            title="Accompanying the certification audits",
            days=_days(AUDIT_ESCORTS * audit.initial),
            basis=f"{AUDIT_ESCORTS} persons × {fig.number(audit.initial)} audit days",
        ),
    )


# --- the three-year view ------------------------------------------------------------------


def _year(year: int, title: str, lines: list[CostLine]) -> YearCost:
    return YearCost(year=year, title=title, lines=tuple(lines), **_sums(lines))


def _three_years(
    profile: Profile, a: Assumptions, parts: tuple[CostPart, ...], audit: AuditDays
) -> tuple[YearCost, ...]:
    cur = profile.currency
    fee = _fixed(
        "certificate_fee",
        "Certificate management fee",
        a,
        "certificate_management_fee",
        "annual fee of the certification body",
    )
    licence = _line(
        "tool_licence", "Tool software licence", a.tool_software_annual_cost, "annual licence"
    )
    surveillance = [
        _audit_line(f"surveillance{n}", f"Surveillance audit {n}", audit.surveillance_range, a, cur)
        for n in (1, 2)
    ]
    recert = _audit_line(
        "recertification", "Recertification audit", audit.recertification_range, a, cur
    )
    year1_lines = [
        *(
            CostLine(
                key=p.key,
                title=p.title,
                amount=p.amount,
                low=p.low,
                high=p.high,
                basis="project, see above",
                needs=p.needs,
            )
            for p in parts
        ),
        fee,
    ]
    return (
        _year(1, "Year 1: preparation and initial certification", year1_lines),
        _year(2, "Year 2: first surveillance", [surveillance[0], fee, licence]),
        _year(
            3,
            "Year 3: second surveillance and recertification",
            [surveillance[1], recert, fee, licence],
        ),
    )


def estimate(
    profile: Profile,
    answers: dict[str, AnswerValue],
    tasks: tuple[TaskSize, ...],
    plan: Plan,
) -> Costs:
    a = resolve(profile)  # the profile's rates, else its currency's table, else unknown
    audit = compute_audit_days(profile)
    consulting = consulting_effort(profile, plan, audit)
    parts = (
        _consulting(profile, a, consulting, profile.currency),
        _certification_body(profile, a, audit),
        _training(profile, a, answers, tasks),
        _reference_publicity(a),
        _tool_software(a),
    )
    project = _sums(parts)
    effort = internal_effort(profile, plan, audit, consulting)
    i_days = sum(line.days for line in effort)
    internal_cost = None if a.internal_day_rate is None else _money(i_days * a.internal_day_rate)
    years = _three_years(profile, a, parts, audit)
    missing = rates_needed(*parts, *years)
    if internal_cost is None:
        missing = (*missing, "internal_day_rate")
    return Costs(
        currency=profile.currency,
        parts=parts,
        project_total=project["amount"],
        project_low=project["low"],
        project_high=project["high"],
        internal_effort=effort,
        internal_days=i_days,
        internal_cost=internal_cost,
        # The own staff's days are planned, not quoted: a point beside the project's range.
        total_with_internal=_sum([project["amount"], internal_cost]),
        total_with_internal_low=_sum([project["low"], internal_cost]),
        total_with_internal_high=_sum([project["high"], internal_cost]),
        audit_days=audit,
        three_years=years,
        three_year_total=_sum([y.amount for y in years]),
        quote_includes_surveillance=a.quote_includes_surveillance,
        missing_rates=tuple(name for name in MONEY_RATES if name in missing),
    )
