"""The cost estimate: five parts, internal effort, and the certification cycle by step and
by fiscal year.

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

import datetime as dt
import math
from collections.abc import Sequence
from typing import Literal

from babel.dates import get_month_names

from iso20k_core import figures as fig
from iso20k_core.answers import AnswerValue
from iso20k_core.consulting import ConsultingEffort, consulting_effort
from iso20k_core.language import _, _n, _p, active
from iso20k_core.plan import AUDIT_TITLES, TaskSize
from iso20k_core.profile import MONEY_RATES, Assumptions, Profile
from iso20k_core.quote import quote_checklist
from iso20k_core.results import (
    AuditBatch,
    AuditDays,
    CostLine,
    CostPart,
    Costs,
    CycleStep,
    DayRange,
    EffortLine,
    FiscalYear,
    Plan,
    Ranged,
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
    key: str,
    title: str,
    amount: float,
    basis: str,
    spread: tuple[float, float] | None = None,
    date: dt.date | None = None,
) -> CostLine:
    """A known amount; `spread` its low and high, when its basis is uncertain; `date` when
    the money is spent, where the line knows it (no copy of the line to date it later)."""
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
        date=date,
    )


def _unknown(key: str, title: str, basis: str, rate: str, date: dt.date | None) -> CostLine:
    """A line resting on a rate nobody gave: no amount, no range, the rate in `needs`."""
    return CostLine(key=key, title=title, amount=None, basis=basis, needs=(rate,), date=date)


def _priced(
    key: str,
    title: str,
    quantity: float | DayRange,
    a: Assumptions,
    rate: str,
    basis: str,
    cur: str,
    date: dt.date | None = None,
) -> CostLine:
    """`quantity` × the rate named; without a value for the rate, no amount and the rate
    named in `needs`. A `DayRange` quantity gives the line its low and high (each the
    range's figure × the rate, rounded like the amount); a number gives a point range.
    `{rate}` in `basis` is written as the rate with its currency (`1,400 EUR`), or as its
    name when it is needed (`auditor_day_rate (rate needed)`)."""
    value: float | None = getattr(a, rate)
    if value is None:
        needed = _("{rate} (rate needed)", rate=rate)
        return _unknown(key, title, basis.format(rate=needed), rate, date)
    text = basis.format(rate=fig.rate(value, cur))
    if not isinstance(quantity, DayRange):
        return _line(key, title, quantity * value, text, date=date)
    q = quantity
    return _line(key, title, q.expected * value, text, (q.low * value, q.high * value), date)


def _fixed(
    key: str, title: str, a: Assumptions, rate: str, basis: str, date: dt.date | None = None
) -> CostLine:
    """An amount that is the rate itself (a fee, a purchase)."""
    value: float | None = getattr(a, rate)
    if value is None:
        return _unknown(
            key, title, _("{basis}; {rate} (rate needed)", basis=basis, rate=rate), rate, date
        )
    return _line(key, title, value, basis, date=date)


def _sum(amounts: Sequence[int | None]) -> int | None:
    """The sum, or None when one of the amounts is unknown."""
    known = [x for x in amounts if x is not None]
    return sum(known) if len(known) == len(amounts) else None


def _sums(items: Sequence[Ranged]) -> dict[str, int | None]:
    """The sums of the amounts, the lows and the highs (None as soon as one is unknown)."""
    return {
        "amount": _sum([x.amount for x in items]),
        "low": _sum([x.low for x in items]),
        "high": _sum([x.high for x in items]),
    }


def _part(key: str, title: str, lines: list[CostLine]) -> CostPart:
    return CostPart(key=key, title=title, lines=tuple(lines), **_sums(lines))


def _persons(n: int) -> str:
    return _n("{n} person", "{n} persons", n, n=fig.count(n))


# `{rate}` stays in a priced line's basis until `_priced` writes the rate there.
_RATE = "{rate}"


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
            "consultant_days",
            _("Consultant days"),
            0,
            _("no consultants (use_consultants is false)"),
        )
        return _part("consulting", _("Consulting"), [line])
    total = effort.total
    activities = _p("list separator", ", ").join(
        _("{days} {activity}", days=_days_range(x.days), activity=x.title)
        for x in effort.activities
    )
    basis = _(
        "{days} days × {rate}: {activities}; an estimate (no published ISO/IEC 20000 "
        "consulting days): the range is how much the own staff do themselves",
        days=_days_range(total),
        rate=_RATE,
        activities=activities,
    )
    line = _priced(
        "consultant_days", _("Consultant days"), total, a, "consultant_day_rate", basis, cur
    )
    return _part("consulting", _("Consulting"), [line])


# --- certification body, training, material, tools ----------------------------------------


# The body's quote is built the way bodies build theirs (NQA, "What are the Costs of Third
# Party Certification?", 2017-07-20: "the number of days required for an audit multiplied by
# a day rate", and on some quotes "expenses, travel time, application fees, annual
# management fees"; the Chinese fee tables, e.g. ttxrewh.cn/FeeStandards: 申请费, 审核费 per
# auditor-day, 审定与注册费, 差旅费 at cost, 年金 once a year). Every audit is priced the same
# way; the application and registration fees come again at recertification (hwcert.cn,
# xqcciso.com), and the annual fee is paid once a year (每年交纳一次, ttxrewh.cn): one for each
# certificate year, the first at the certification decision, the next with each later step.


def _dated(line: CostLine, day: dt.date) -> CostLine:
    return line.model_copy(update={"date": day})


def _audit_lines(
    key: str, title: str, days: DayRange, batch: AuditBatch, a: Assumptions, cur: str
) -> list[CostLine]:
    """An audit as a quote prices it: audit days × day rate, and the auditors' travel and
    expenses for the same auditor-days; both dated on the audit. Where the audit days are
    uncertain (the default table), both lines carry their range."""
    shown = fig.number(days.expected)
    basis = _("{days} audit days × {rate}", days=shown, rate=_RATE)
    if days.low != days.high:
        shown += f" ({fig.number(days.low)}–{fig.number(days.high)})"
        basis = _(
            "{days} audit days × {rate}; the audit days are an estimate until the "
            "certification body quotes",
            days=shown,
            rate=_RATE,
        )
    audit = _priced(
        f"{key}_audit", title, days, a, "auditor_day_rate", basis, cur, batch.planned_date
    )
    travel = _priced(
        f"{key}_travel",
        _("{audit}: travel and expenses", audit=title),
        days,
        a,
        "travel_expenses_per_audit_day",
        _("{days} audit days × {rate} per auditor-day", days=shown, rate=_RATE),
        cur,
        batch.planned_date,
    )
    return [audit, travel]


def _applied(batch: AuditBatch) -> dt.date:
    """An application goes in when the audit is booked: by its booking deadline, or (booked
    already) on the audit's date at the latest."""
    return batch.booking_deadline or batch.planned_date


def _fee(key: str, title: str, a: Assumptions, rate: str, basis: str, day: dt.date) -> CostLine:
    return _fixed(key, title, a, rate, basis, day)


def _annual_fee(key: str, title: str, a: Assumptions, day: dt.date) -> CostLine:
    return _fee(
        key,
        title,
        a,
        "certificate_management_fee",
        _("annual fee of the certification body"),
        day,
    )


def _batches(plan: Plan) -> dict[str, AuditBatch]:
    return {b.key: b for b in plan.audit_batches}


def _certification_body(profile: Profile, a: Assumptions, audit: AuditDays, plan: Plan) -> CostPart:
    """The body's quote for the initial certification."""
    cur = profile.currency
    batch = _batches(plan)
    certified = plan.certification_date
    return _part(
        "certification_body",
        _("Certification body"),
        [
            _fee(
                "application",
                _("Application fee"),
                a,
                "application_fee",
                _("one-off, with the application"),
                _applied(batch["stage1"]),
            ),
            *_audit_lines(
                "stage1", _(AUDIT_TITLES["stage1"]), audit.stage1_range, batch["stage1"], a, cur
            ),
            *_audit_lines(
                "stage2", _(AUDIT_TITLES["stage2"]), audit.stage2_range, batch["stage2"], a, cur
            ),
            _fee(
                "registration",
                _("Registration and certificate fee"),
                a,
                "registration_fee",
                _("at the certification decision"),
                certified,
            ),
            _annual_fee("annual_fee", _("Annual fee, first certificate year"), a, certified),
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
        _("Training"),
        [
            _priced(
                "awareness",
                _("SMS awareness for all staff in scope"),
                profile.persons_in_scope,
                a,
                "awareness_cost_per_person",
                _("{persons} × {rate}", persons=_persons(profile.persons_in_scope), rate=_RATE),
                cur,
            ),
            _priced(
                "internal_auditors",
                _("Internal auditor course"),
                trainees,
                a,
                "internal_auditor_course_cost",
                _("{persons} × {rate}", persons=_persons(trainees), rate=_RATE),
                cur,
            ),
            _priced(
                "process_owners",
                _("Process owner training"),
                owners,
                a,
                "process_owner_course_cost",
                _n(
                    "{n} process owner of weak areas × {rate}",
                    "{n} process owners of weak areas × {rate}",
                    owners,
                    rate=_RATE,
                ),
                cur,
            ),
        ],
    )


def _reference_publicity(a: Assumptions) -> CostPart:
    return _part(
        "reference_publicity",
        _("Reference material and publicity"),
        [
            _fixed(
                "standards",
                _("Copies of the standards"),
                a,
                "standard_copies_cost",
                _("ISO/IEC 20000-1 and -2"),
            ),
            _fixed(
                "reference",
                _("Reference material"),
                a,
                "reference_material_cost",
                _("books, templates"),
            ),
            _fixed(
                "publicity",
                _("Internal publicity and certificate announcement"),
                a,
                "publicity_cost",
                _("campaign"),
            ),
        ],
    )


def _tool_software(a: Assumptions) -> CostPart:
    first_year = a.tool_software_cost + a.tool_software_annual_cost
    return _part(
        "tool_software",
        _("Tool software (optional)"),
        [
            _line(
                "tool_software",
                _("ITSM tool software, first year"),
                first_year,
                _("none planned") if first_year == 0 else _("one-off and first-year licence"),
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
        _(
            "{work} person-days of process work, less {consulted} done by consultants",
            work=fig.count(work),
            consulted=fig.count(work - own),
        )
        if work != own
        else _("all {work} person-days of process work", work=fig.count(work))
    )
    auditors = max(a.internal_auditors_to_train, 1)
    return (
        EffortLine(key="process_work", title=_("Process work"), days=own, basis=process_basis),
        EffortLine(
            key="coordination",
            title=_("Project coordination (SMS manager)"),
            days=_days(COORDINATION_SHARE * plan.business_days),
            basis=_(
                "{share} % of the plan's {days} business days",
                share=fig.number(COORDINATION_SHARE * 100),
                days=fig.count(plan.business_days),
            ),
        ),
        EffortLine(
            key="awareness",
            title=_("Awareness training of all staff in scope"),
            days=_days(profile.persons_in_scope * a.awareness_hours_per_person / HOURS_PER_DAY),
            basis=_(
                "{persons} × {hours} hours",
                persons=_persons(profile.persons_in_scope),
                hours=fig.number(a.awareness_hours_per_person),
            ),
        ),
        EffortLine(
            key="internal_audit",
            title=_("Internal audit of the SMS"),
            days=auditors * INTERNAL_AUDIT_DAYS_PER_AUDITOR,
            basis=_(
                "{persons} × {days} days",
                persons=_persons(auditors),
                days=INTERNAL_AUDIT_DAYS_PER_AUDITOR,
            ),
        ),
        EffortLine(
            key="audit_escort",
            title=_("Accompanying the certification audits"),
            days=_days(AUDIT_ESCORTS * audit.initial),
            basis=_(
                "{persons} × {days} audit days",
                persons=_persons(AUDIT_ESCORTS),
                days=fig.number(audit.initial),
            ),
        ),
    )


# --- the certification cycle: by step and by fiscal year ---------------------------------
#
# One certification cycle (ISO/IEC 17021-1 9.1.3): the initial certification, surveillance 1
# and 2, and the recertification that opens the next certificate. Each later step carries
# the costs of the certificate year it opens: its audit with travel, the annual fee, the tool
# licence, and at recertification the application and registration fees again.
#
# The fiscal-year view holds the same lines, each in the fiscal year its date falls in. The
# body's lines are dated by their audit or fee (above). Project spending is dated by the
# stage where it is incurred, at the stage's start: training and tool software in process
# establishment, copies of the standards and reference material in preliminary preparation,
# the publicity campaign and certificate announcement at the certification date; consulting
# (and any other part) runs through the project, so each of its lines is split over the
# five stages in proportion to their business days (whole units, largest remainder first,
# so the pieces sum to the line exactly).

PART_STAGE = {
    "training": "process_establishment",
    "reference_publicity": "preparation",
    "tool_software": "process_establishment",
}
AT_CERTIFICATION = frozenset({"publicity"})
# The months in English, for code that needs a fixed list; what a person reads comes from
# `month_name` (CLDR's names in the reader's language).
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _step(key: str, title: str, day: dt.date, lines: list[CostLine]) -> CycleStep:
    return CycleStep(key=key, title=title, date=day, lines=tuple(lines), **_sums(lines))


def month_name(month: int) -> str:
    """A month's name in the active language as it reads inside a label: `April`; `4月`
    in Chinese, where the wide name (`四月`) is literary. Which of CLDR's widths a
    language uses is the translator's choice (the catalog entry below)."""
    chosen = _p("month names inside a label: wide or abbreviated", "wide")
    width: Literal["wide", "abbreviated"] = "abbreviated" if chosen == "abbreviated" else "wide"
    return str(get_month_names(width, context="format", locale=active().locale)[month])


def _licence(key: str, year: int, a: Assumptions, day: dt.date) -> CostLine:
    title = _("Tool software licence, certificate year {year}", year=year)
    basis = _("annual licence") if a.tool_software_annual_cost else _("none planned")
    return _line(key, title, a.tool_software_annual_cost, basis, date=day)


def _surveillance(
    n: int, profile: Profile, a: Assumptions, audit: AuditDays, batch: AuditBatch
) -> CycleStep:
    key, day = f"surveillance{n}", batch.planned_date
    title = _(AUDIT_TITLES[key])
    return _step(
        key,
        title,
        day,
        [
            *_audit_lines(key, title, audit.surveillance_range, batch, a, profile.currency),
            _annual_fee(f"{key}_annual_fee", _("{audit}: annual fee", audit=title), a, day),
            _licence(f"{key}_licence", n + 1, a, day),
        ],
    )


def _recertification(
    profile: Profile, a: Assumptions, audit: AuditDays, batch: AuditBatch
) -> CycleStep:
    key, day = "recertification", batch.planned_date
    title = _(AUDIT_TITLES[key])
    return _step(
        key,
        title,
        day,
        [
            _fee(
                f"{key}_application",
                _("{audit}: application fee", audit=title),
                a,
                "application_fee",
                _("again for the new certificate (some bodies waive it)"),
                _applied(batch),
            ),
            *_audit_lines(key, title, audit.recertification_range, batch, a, profile.currency),
            _fee(
                f"{key}_registration",
                _("{audit}: registration and certificate fee", audit=title),
                a,
                "registration_fee",
                _("the new certificate"),
                day,
            ),
            _annual_fee(f"{key}_annual_fee", _("{audit}: annual fee", audit=title), a, day),
            _licence(f"{key}_licence", 4, a, day),
        ],
    )


def cycle_steps(
    profile: Profile,
    a: Assumptions,
    parts: tuple[CostPart, ...],
    audit: AuditDays,
    plan: Plan,
) -> tuple[CycleStep, ...]:
    """Initial certification (the project's parts, the body's initial quote among them),
    surveillance 1 and 2, recertification; each dated by the plan."""
    batch = _batches(plan)
    initial = [
        CostLine(
            key=p.key,
            title=p.title,
            amount=p.amount,
            low=p.low,
            high=p.high,
            basis=_("project, see above"),
            needs=p.needs,
        )
        for p in parts
    ]
    return (
        _step(
            "initial",
            _("Initial certification"),
            plan.certification_date,
            initial,
        ),
        _surveillance(1, profile, a, audit, batch["surveillance1"]),
        _surveillance(2, profile, a, audit, batch["surveillance2"]),
        _recertification(profile, a, audit, batch["recertification"]),
    )


def whole_shares(amount: int, weights: list[int]) -> list[int]:
    """`amount` in whole units in proportion to `weights`, summing to `amount` exactly: each
    share rounded down, the units left over to the largest remainders (earlier first)."""
    total = sum(weights)
    if total == 0:
        return [amount] + [0] * (len(weights) - 1)
    floors = [amount * w // total for w in weights]
    rest = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i] % total), i))
    for i in rest[: amount - sum(floors)]:
        floors[i] += 1
    return floors


def _spread(line: CostLine, plan: Plan, cur: str) -> list[CostLine]:
    """A project line split over the stages by business days, each piece at its stage's
    start; an unknown amount cannot be split and stays whole at the project start. The
    range is split the same way: how far the low and high lie from the amount, in whole
    shares, so every piece keeps low <= amount <= high and the pieces sum to the line."""
    stages = plan.stages
    if line.amount is None or line.low is None or line.high is None or line.amount == 0:
        return [_dated(line, stages[0].start)]
    weights = [s.business_days for s in stages]
    pieces = whole_shares(line.amount, weights)
    below = whole_shares(line.amount - line.low, weights)
    above = whole_shares(line.high - line.amount, weights)
    return [
        line.model_copy(
            update={
                "key": f"{line.key}.{stage.key}",
                "title": _("{line}, {stage}", line=line.title, stage=stage.title.lower()),
                "amount": share,
                "low": share - down,
                "high": share + up,
                "basis": _(
                    "{days} of {total} business days of {amount}",
                    days=fig.count(stage.business_days),
                    total=fig.count(plan.business_days),
                    amount=fig.money(line.amount, cur),
                ),
                "date": stage.start,
            }
        )
        for stage, share, down, up in zip(stages, pieces, below, above, strict=True)
        if share or down or up
    ]


def dated_project_lines(parts: tuple[CostPart, ...], plan: Plan, cur: str) -> list[CostLine]:
    """Every line of the project with the date its money is spent (the rule above)."""
    start = {s.key: s.start for s in plan.stages}
    lines: list[CostLine] = []
    for part in parts:
        for line in part.lines:
            if line.date is not None:
                lines.append(line)
            elif line.key in AT_CERTIFICATION:
                lines.append(_dated(line, plan.certification_date))
            elif part.key in PART_STAGE:
                lines.append(_dated(line, start[PART_STAGE[part.key]]))
            else:
                lines.extend(_spread(line, plan, cur))
    return lines


def fiscal_year_of(day: dt.date, start_month: int) -> int:
    """The calendar year a fiscal year starting in `start_month` begins in."""
    return day.year if day.month >= start_month else day.year - 1


def fiscal_year_label(year: int, start_month: int) -> str:
    """FY 2027 (January–December 2027), or FY 2027/28 (April 2027 – March 2028)."""
    if start_month == 1:
        return _(
            "FY {year} ({first}–{last} {year})",
            year=year,
            first=month_name(1),
            last=month_name(12),
        )
    following = format((year + 1) % 100, "02d")
    return _(
        "FY {year}/{next} ({first} {year} – {last} {last_year})",
        year=year,
        next=following,
        first=month_name(start_month),
        last=month_name(start_month - 1),
        last_year=year + 1,
    )


def fiscal_years(
    parts: tuple[CostPart, ...],
    steps: tuple[CycleStep, ...],
    plan: Plan,
    start_month: int,
    cur: str,
) -> tuple[FiscalYear, ...]:
    """The cycle's lines by fiscal year, every year from the first spending to the last
    (a year without any is shown with nothing in it); the same total as the steps."""
    lines = dated_project_lines(parts, plan, cur) + [x for s in steps[1:] for x in s.lines]
    dated = [(x.date, x) for x in lines if x.date is not None]
    years = [fiscal_year_of(day, start_month) for day, _ in dated]
    result = []
    for year in range(min(years), max(years) + 1):
        mine = [x for (_, x), y in zip(dated, years, strict=True) if y == year]
        mine.sort(key=lambda x: x.date or dt.date.min)
        result.append(
            FiscalYear(
                key=f"FY{year}",
                title=fiscal_year_label(year, start_month),
                start=dt.date(year, start_month, 1),
                end=dt.date(year + 1, start_month, 1) - dt.timedelta(days=1),
                lines=tuple(mine),
                **_sums(mine),
            )
        )
    return tuple(result)


def estimate(
    profile: Profile,
    answers: dict[str, AnswerValue],
    tasks: tuple[TaskSize, ...],
    plan: Plan,
    audit: AuditDays,
) -> Costs:
    a = resolve(profile)  # the profile's rates, else its currency's table, else unknown
    consulting = consulting_effort(profile, plan, audit)
    parts = (
        _consulting(profile, a, consulting, profile.currency),
        _certification_body(profile, a, audit, plan),
        _training(profile, a, answers, tasks),
        _reference_publicity(a),
        _tool_software(a),
    )
    project = _sums(parts)
    effort = internal_effort(profile, plan, audit, consulting)
    i_days = sum(line.days for line in effort)
    internal_cost = None if a.internal_day_rate is None else _money(i_days * a.internal_day_rate)
    steps = cycle_steps(profile, a, parts, audit, plan)
    cycle = _sums(steps)
    missing = rates_needed(*parts, *steps)
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
        cycle_steps=steps,
        fiscal_years=fiscal_years(
            parts, steps, plan, profile.fiscal_year_start_month, profile.currency
        ),
        cycle_total=cycle["amount"],
        cycle_low=cycle["low"],
        cycle_high=cycle["high"],
        fiscal_year_start_month=profile.fiscal_year_start_month,
        quote_checklist=quote_checklist(),
        quote_includes_surveillance=a.quote_includes_surveillance,
        missing_rates=tuple(name for name in MONEY_RATES if name in missing),
    )
