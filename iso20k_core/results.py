"""The shapes of an evaluation: plain, frozen values that every renderer reads."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from iso20k_core.language import _

Compliance = Literal["met", "partly met", "not met", "not assessed"]
Verdict = Literal["ready to start", "feasible with preparation", "not yet feasible"]
Level = Literal["low", "medium", "high"]
DocumentState = Literal["exists", "in draft", "missing", "not answered"]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True)


class SectionCompletion(_Value):
    section: str
    title: str
    answered: int
    total: int
    percent: float


class Completion(_Value):
    answered: int
    total: int
    percent: float
    sections: tuple[SectionCompletion, ...]


class AreaResult(_Value):
    id: str
    title: str
    section: str
    kind: str
    clause: str | None
    dimension: str | None
    owner_role: str | None
    answered: int
    total: int
    maturity: float
    required: int | None
    gap: float
    compliance: Compliance


class BenefitResult(_Value):
    id: str
    text: str
    importance: int | None
    delivered_by: tuple[str, ...]
    current_maturity: float
    expected_gain: float  # importance x headroom of the delivering areas, 0..5


class Feasibility(_Value):
    management_score: float
    technical_score: float
    score: float
    management_weight: float
    benefit_score: float | None
    benefits: tuple[BenefitResult, ...]
    verdict: Verdict
    reasons: tuple[str, ...]


class DocumentResult(_Value):
    """One document a stage 1 audit reviews, and whether it exists (bank `documents`)."""

    id: str
    document: str
    clause: str
    state: DocumentState


class Stage(_Value):
    number: int
    key: str
    title: str
    start: dt.date
    end: dt.date
    business_days: int


class Task(_Value):
    area: str
    title: str
    owner_role: str
    gap: float
    effort_days: int
    start: dt.date
    end: dt.date


class Milestone(_Value):
    key: str
    title: str
    date: dt.date
    owner_role: str


class AuditBatch(_Value):
    key: str
    title: str
    planned_date: dt.date
    on_site_days: int
    audit_days: float
    window_end: dt.date  # unbooked: the end of the reserve left to the body; booked: on site
    booking_deadline: dt.date | None  # None once booked
    booked: bool = False  # planned_date is the date the certification body confirmed


class Plan(_Value):
    mode: Literal["forward", "backward"]
    start: dt.date
    certification_date: dt.date
    target_date: dt.date | None
    target_feasible: bool | None
    earliest_certification_date: dt.date
    business_days: int
    stages: tuple[Stage, ...]
    tasks: tuple[Task, ...]
    milestones: tuple[Milestone, ...]
    audit_batches: tuple[AuditBatch, ...]
    improvement_window: tuple[dt.date, dt.date]
    # after stage 2: its nonconformities closed before the certification decision
    nonconformity_window: tuple[dt.date, dt.date]
    certificate_expiry: dt.date
    calendar: str
    country: str | None  # whose public holidays the business-day calendar skips
    # The organisation's own days off and working days (profile), on top of the country's.
    days_off: tuple[dt.date, ...] = ()
    working_days: tuple[dt.date, ...] = ()
    # The one figure of process work, in person-days: risks, costs and reports all read it.
    process_work_days: int
    staff_available_fte: float  # who does the process work (profile.staff_available_fte)
    max_process_years: int  # the cap on process work (plan.MAX_PROCESS_YEARS)
    process_capped: bool  # the work does not fit in plan.MAX_PROCESS_YEARS with the staff
    process_years_needed: float  # years of business days it needs with the staff available
    booking_conflicts: tuple[str, ...] = ()  # booked dates that contradict the plan

    @property
    def bookings_miss_target(self) -> bool:
        """The plan alone could meet the target date, but the audits as booked do not."""
        return (
            self.target_date is not None
            and self.target_feasible is False
            and self.earliest_certification_date <= self.target_date
        )


def rates_needed(*items: CostLine | CostPart | CycleStep | FiscalYear) -> tuple[str, ...]:
    """The rates the items need and lack, each once, in the order they first appear."""
    return tuple(dict.fromkeys(name for item in items for name in item.needs))


# An amount is None when it rests on a rate nobody has given: the profile's currency has no
# rate table (iso20k_core/standard/rates-*.yaml) and the profile does not set it. `needs`
# names those rates (fields of `Assumptions`); a sum is None as soon as one of its parts is.
# Renderings write "rate needed: …" in place of the figure (figures.money), never a number.


# `amount` is the expected figure; `low` and `high` how low and how high it may come out where
# its basis is uncertain (consultant days, the audit-day estimate). Where the basis is certain
# (a fee, a price) they equal the amount, and a value built without them gets exactly that.
# All three are None together. A sum's low and high are the sums of its lines' lows and highs.


class Ranged(_Value):
    amount: int | None
    low: int | None = None
    high: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _point_by_default(cls, data: object) -> object:
        if isinstance(data, dict) and "amount" in data:
            data = {"low": data["amount"], "high": data["amount"], **data}
            if data["amount"] is None:
                data["low"] = data["high"] = None
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Ranged:
        if self.amount is None:
            if self.low is not None or self.high is not None:
                raise ValueError("an unknown amount has no range")
        elif self.low is None or self.high is None or not self.low <= self.amount <= self.high:
            raise ValueError("low <= amount <= high")
        return self

    @property
    def uncertain(self) -> bool:
        """The figure may come out other than expected: write its range beside it."""
        return self.low != self.high


class CostLine(Ranged):
    key: str
    title: str
    basis: str
    needs: tuple[str, ...] = ()
    # When the money is spent, for the fiscal-year view (costs.py, "the certification
    # cycle"); None on a line that is not dated by itself (the project parts' own lines).
    date: dt.date | None = None


class CostPart(Ranged):
    key: str
    title: str
    lines: tuple[CostLine, ...]

    @property
    def needs(self) -> tuple[str, ...]:
        return rates_needed(*self.lines)


class EffortLine(_Value):
    """Days of the organisation's own staff for one purpose (whole days, rounded up)."""

    key: str
    title: str
    days: int
    basis: str


class CycleStep(Ranged):
    """One step of the certification cycle (ISO/IEC 17021-1 9.1.3): the initial certification
    (the project and the body's initial fees), surveillance 1 and 2, recertification."""

    key: str  # initial, surveillance1, surveillance2, recertification
    title: str
    date: dt.date  # the step's audit (initial: the certification date)
    lines: tuple[CostLine, ...]

    @property
    def needs(self) -> tuple[str, ...]:
        return rates_needed(*self.lines)


class FiscalYear(Ranged):
    """The cycle's spending that falls in one fiscal year of the organisation: the same lines
    as the cycle steps, each in the year its date falls in."""

    key: str  # "FY2027"
    title: str  # "FY 2027 (January–December 2027)", "FY 2027/28 (April 2027 – March 2028)"
    start: dt.date
    end: dt.date
    lines: tuple[CostLine, ...]

    @property
    def needs(self) -> tuple[str, ...]:
        return rates_needed(*self.lines)


class QuoteCheck(_Value):
    """One thing to confirm in a certification body's quote, and why it matters."""

    key: str
    item: str
    why: str


class DayRange(_Value):
    """Low, expected and high days where the basis is uncertain; all three are equal when
    the figure is known (a body's quote, the profile's own table)."""

    low: float
    expected: float
    high: float


class AuditAdjustment(_Value):
    """One documented change to the table's audit days: a percentage of the table figure or
    days added, with the reason and its source (or "estimate: ...")."""

    key: str  # sites, services, complexity, outsourced, integration, reduction_cap
    title: str
    percent: float | None = None  # of the table figure; negative reduces
    days: float | None = None  # audit days added
    reason: str

    @property
    def change(self) -> str:
        """The change as shown: "+5 %", "-10 %", "+0.75 audit days"."""
        if self.days is not None:
            return _("{days} audit days", days=format(self.days, "+g"))
        return _("{value} %", value=format(self.percent or 0, "+g"))


class AuditDays(_Value):
    table_days: float
    reduction_percent: float  # all reductions together, capped at 30 %
    initial: float
    stage1: float
    stage2: float
    surveillance: float
    recertification: float
    # The expected figures above, with how low and how high they may come out.
    initial_range: DayRange
    surveillance_range: DayRange
    recertification_range: DayRange
    # Stage 1 and stage 2 of each figure of the initial range, split by the same rule.
    stage1_range: DayRange
    stage2_range: DayRange
    # Why the range is as wide as it is (or a point).
    range_basis: str = ""
    increase_percent: float = 0.0  # all increases together, of the table figure
    site_days: float = 0.0  # audit days added for the sampled sites
    sampled_sites: int = 0  # sites beyond the central one audited at initial certification
    # Every adjustment that applied, in the order applied; empty for the reference profile.
    adjustments: tuple[AuditAdjustment, ...] = ()
    auditors: int = 1  # the stage 2 team, by the rule in audit.auditors_for
    stage1_on_site: int = 1
    stage2_on_site: int = 1


class Costs(_Value):
    currency: str
    parts: tuple[CostPart, ...]
    project_total: int | None
    # The ranges of the totals (see Ranged); None where the total is None.
    project_low: int | None = None
    project_high: int | None = None
    internal_effort: tuple[EffortLine, ...]  # internal_days is their sum
    internal_days: int
    internal_cost: int | None
    total_with_internal: int | None
    total_with_internal_low: int | None = None
    total_with_internal_high: int | None = None
    audit_days: AuditDays
    # The same cycle costs two ways, summing to the same cycle_total to the unit.
    cycle_steps: tuple[CycleStep, ...]
    fiscal_years: tuple[FiscalYear, ...]
    cycle_total: int | None
    cycle_low: int | None = None
    cycle_high: int | None = None
    fiscal_year_start_month: int
    quote_checklist: tuple[QuoteCheck, ...]
    quote_includes_surveillance: bool | None
    # The rates the estimate needs and has no value for; empty when every amount is known.
    missing_rates: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _totals_point_by_default(cls, data: object) -> object:
        if isinstance(data, dict):
            for total in ("project_total", "total_with_internal", "cycle_total"):
                if total in data:
                    name = total.removesuffix("_total")
                    data = {f"{name}_low": data[total], f"{name}_high": data[total], **data}
        return data

    @property
    def project_uncertain(self) -> bool:
        return self.project_low != self.project_high

    @property
    def cycle_uncertain(self) -> bool:
        return self.cycle_low != self.cycle_high

    @property
    def total_uncertain(self) -> bool:
        return self.total_with_internal_low != self.total_with_internal_high

    @property
    def complete(self) -> bool:
        """Every amount is known: no rate is missing."""
        return not self.missing_rates

    @property
    def project_needs(self) -> tuple[str, ...]:
        return rates_needed(*self.parts)

    @property
    def internal_needs(self) -> tuple[str, ...]:
        return () if self.internal_cost is not None else ("internal_day_rate",)

    @property
    def total_needs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.project_needs + self.internal_needs))

    @property
    def cycle_needs(self) -> tuple[str, ...]:
        return rates_needed(*self.cycle_steps)


class Risk(_Value):
    id: str
    title: str
    likelihood: Level
    impact: Level
    score: int
    trigger: str
    countermeasure: str
    # Costs and staffing are for managers and admins (README). A rule whose trigger carries
    # them writes this version for members too; None: the trigger is fit for everyone.
    member_trigger: str | None = None

    def for_members(self) -> Risk:
        """The risk as a member may read it: no staffing figures, no money."""
        if self.member_trigger is None:
            return self
        return self.model_copy(update={"trigger": self.member_trigger, "member_trigger": None})


class Assumption(_Value):
    key: str
    value: str
    origin: Literal["default", "profile", "standard"]
    source: str


class Evaluation(_Value):
    organisation: str
    today: dt.date
    standard: str
    bank_version: str
    completion: Completion
    areas: tuple[AreaResult, ...]
    readiness_percent: float
    weakest_areas: tuple[str, ...]
    feasibility: Feasibility
    plan: Plan
    costs: Costs
    risks: tuple[Risk, ...]
    assumptions: tuple[Assumption, ...]
    sources: tuple[str, ...]
    # the documented information for stage 1, in the bank's order (documents.py)
    stage1_documents: tuple[DocumentResult, ...] = ()

    @property
    def documents_not_ready(self) -> tuple[DocumentResult, ...]:
        """Documents that are missing, in draft or not yet answered for: stage 1 needs them."""
        return tuple(d for d in self.stage1_documents if d.state != "exists")

    def area(self, area_id: str) -> AreaResult:
        for a in self.areas:
            if a.id == area_id:
                return a
        raise KeyError(area_id)
