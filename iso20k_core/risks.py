"""Risks of the certification project, each with a countermeasure.

Each rule reads the answers, the profile and the evaluation so far and fires with a reason
(`trigger`) that a manager can check. Likelihood and impact are three-level, the score their
product (1-9), as in a classic risk matrix (ISO 31000 leaves the scale to the organisation).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from iso20k_core import figures as fig
from iso20k_core.answers import AnswerValue
from iso20k_core.results import AreaResult, Completion, Costs, Feasibility, Level, Plan, Risk
from iso20k_core.scoring import years_text

LEVEL = {"low": 1, "medium": 2, "high": 3}
HIGH_TURNOVER_PERCENT = 15
MAX_PROCESS_MONTHS_OF_WORK = 120  # business days of process work per available person
WIDE_SCOPE_SERVICES = 25
WIDE_SCOPE_SITES = 3
BOOKING_WARNING_DAYS = 14  # calendar days
MIN_TARGET_SLACK_DAYS = 30


@dataclass(frozen=True)
class RiskContext:
    answers: dict[str, AnswerValue]
    areas: dict[str, AreaResult]
    completion: Completion
    feasibility: Feasibility
    plan: Plan
    costs: Costs
    persons_in_scope: int
    services_in_scope: int
    sites: int
    staff_available_fte: float
    itil_adoption: str
    certifications: tuple[str, ...]
    today: dt.date

    def maturity(self, area: str) -> float:
        found = self.areas.get(area)
        return found.maturity if found else 0.0

    def gap(self, area: str) -> float:
        found = self.areas.get(area)
        return found.gap if found else 0.0

    def answer(self, question: str) -> AnswerValue | None:
        return self.answers.get(question)


Rule = Callable[[RiskContext], Risk | None]


def _risk(
    id: str,
    title: str,
    likelihood: Level,
    impact: Level,
    trigger: str,
    countermeasure: str,
    member_trigger: str | None = None,
) -> Risk:
    """`member_trigger`: the trigger without staffing or money, when `trigger` has them."""
    return Risk(
        id=id,
        title=title,
        likelihood=likelihood,
        impact=impact,
        score=LEVEL[likelihood] * LEVEL[impact],
        trigger=trigger,
        countermeasure=countermeasure,
        member_trigger=member_trigger,
    )


def weak_leadership(c: RiskContext) -> Risk | None:
    m = c.maturity("leadership")
    sponsor = c.answer("leadership.sponsor_named")
    if m >= 3 and sponsor == "yes":
        return None
    return _risk(
        "weak_leadership",
        "Weak leadership commitment",
        "high" if m < 2 else "medium",
        "high",
        f"leadership maturity {fig.level(m)}; sponsor named: {sponsor or 'unanswered'}",
        "Have top management sign the service management policy and project charter, name a "
        "sponsor from the board, and put SMS progress on the management meeting agenda.",
    )


def budget_not_approved(c: RiskContext) -> Risk | None:
    answer = c.answer("leadership.budget_approved")
    if answer == "yes":
        return None
    return _risk(
        "budget_not_approved",
        "Budget not approved",
        "medium",
        "high",
        f"budget approved: {answer or 'unanswered'}",
        "Present the cost estimate and its fiscal years to the sponsor and get the budget "
        "approved before booking consultants or the certification body.",
    )


def target_too_close(c: RiskContext) -> Risk | None:
    p = c.plan
    if p.target_date is None:
        return None
    if not p.target_feasible:
        why = f"earliest feasible {p.earliest_certification_date.isoformat()}"
        if p.earliest_certification_date <= p.target_date:  # the plan fits; the bookings don't
            why = f"the audits as booked lead to a decision on {p.certification_date.isoformat()}"
        return _risk(
            "target_too_close",
            "Target certification date cannot be met",
            "high",
            "high",
            f"target {p.target_date.isoformat()}; {why}",
            "Move the target date, narrow the scope, or add staff to the process work; do not "
            "shorten the three-month trial operation the certification body expects.",
        )
    slack = (p.certification_date - p.earliest_certification_date).days
    if slack >= MIN_TARGET_SLACK_DAYS:
        return None
    return _risk(
        "target_too_close",
        "Target certification date leaves no slack",
        "medium",
        "high",
        f"{slack} days of slack: the plan must start by {p.start.isoformat()} to certify by "
        f"{p.target_date.isoformat()}",
        "Start now, book the audits early, and agree a fallback date with the certification body.",
    )


def staff_turnover(c: RiskContext) -> Risk | None:
    turnover = c.answer("organisation.staff_turnover_percent")
    if not isinstance(turnover, int | float) or turnover < HIGH_TURNOVER_PERCENT:
        return None
    return _risk(
        "staff_turnover",
        "Staff turnover erodes process knowledge",
        "high" if turnover >= 2 * HIGH_TURNOVER_PERCENT else "medium",
        "medium",
        f"annual staff turnover {fig.number(turnover)} %",
        "Document procedures as you establish them, name deputies for every process owner, and "
        "include the SMS in onboarding.",
    )


def tool_dependence(c: RiskContext) -> Risk | None:
    answer = c.answer("tooling.processes_documented_outside_tool")
    if answer not in ("no", "partial"):
        return None
    return _risk(
        "tool_dependence",
        "Processes exist only in the tool's configuration",
        "medium" if answer == "no" else "low",
        "medium",
        f"processes documented outside the tool: {answer}",
        "Write each process down independently of the tool (purpose, roles, inputs, outputs, "
        "records) so auditors and new staff can follow it and a tool change does not lose it.",
    )


def weak_tooling(c: RiskContext) -> Risk | None:
    m = c.maturity("tooling")
    if m >= 2:
        return None
    return _risk(
        "weak_tooling",
        "Records cannot be produced reliably",
        "medium",
        "medium",
        f"ITSM tooling maturity {fig.level(m)}",
        "Consolidate incidents, requests, changes and configuration records in one ITSM tool "
        "before trial operation: auditors sample records.",
    )


def weak_supplier_management(c: RiskContext) -> Risk | None:
    gap = c.gap("supplier")
    reviewed = c.answer("supplier.contracts_reviewed")
    if gap < 1 and reviewed == "yes":
        return None
    return _risk(
        "weak_supplier_management",
        "Weak supplier management",
        "medium",
        "high",
        f"supplier management gap {fig.level(gap)}; contracts reviewed: {reviewed or 'unanswered'}",
        "List the suppliers that contribute to the services, agree documented contracts with "
        "service targets, and review their performance at planned intervals (8.3.4).",
    )


def no_internal_audit(c: RiskContext) -> Risk | None:
    auditors = c.answer("performance.internal_auditors")
    count = auditors if isinstance(auditors, int | float) else 0
    if count >= 1:
        return None
    return _risk(
        "no_internal_audit",
        "No internal audit capability",
        "high",
        "high",
        f"trained internal auditors: {fig.number(count)}",
        "Train at least two internal auditors now and plan a full internal audit of the SMS "
        "during trial operation; stage 2 needs its results (9.2).",
    )


def audit_programme_incomplete(c: RiskContext) -> Risk | None:
    programme = c.answer("performance.internal_audit_programme")
    if programme == "yes":
        return None
    return _risk(
        "audit_programme_incomplete",
        "Internal audit programme does not cover the SMS",
        "medium",
        "high",
        f"internal audit programme: {programme or 'unanswered'}",
        "Plan audits of every clause and process of the SMS at planned intervals, with "
        "criteria, scope and auditors who do not audit their own work (9.2).",
    )


def no_management_review(c: RiskContext) -> Risk | None:
    held = c.answer("performance.management_review_held")
    if held == "yes":
        return None
    return _risk(
        "no_management_review",
        "No management review yet",
        "medium",
        "high",
        f"management review held: {held or 'unanswered'}",
        "Schedule the management review in the trial operation, with the inputs listed in "
        "9.3, and keep its minutes as evidence.",
    )


def too_few_people(c: RiskContext) -> Risk | None:
    p = c.plan
    effort = p.process_work_days
    per_person = effort / c.staff_available_fte
    if (
        c.staff_available_fte >= 1
        and per_person <= MAX_PROCESS_MONTHS_OF_WORK
        and not p.process_capped
    ):
        return None
    trigger = (
        f"{fig.count(effort)} person-days of process work for "
        f"{fig.number(c.staff_available_fte)} FTE available"
    )
    if p.process_capped:
        trigger += (
            f": {years_text(p.process_years_needed)} of work, more than the "
            f"{p.max_process_years} years a plan allows"
        )
    return _risk(
        "too_few_people",
        "Too few people for the process work",
        "high",
        "high" if p.process_capped else "medium",
        trigger,
        "Free process owners from daily work for the project, bring in consultants for the "
        "largest gaps, or narrow the scope.",
        member_trigger="the process work needs more people than the project has"
        + (f"; it cannot be done within {p.max_process_years} years" if p.process_capped else ""),
    )


def wide_scope(c: RiskContext) -> Risk | None:
    if c.services_in_scope <= WIDE_SCOPE_SERVICES and c.sites <= WIDE_SCOPE_SITES:
        return None
    return _risk(
        "wide_scope",
        "Scope too wide for a first certification",
        "medium",
        "medium",
        f"{c.services_in_scope} services at {c.sites} sites in scope",
        "Certify a core set of services first and extend the scope at a surveillance audit.",
    )


def incomplete_assessment(c: RiskContext) -> Risk | None:
    if c.completion.percent >= 80:
        return None
    return _risk(
        "incomplete_assessment",
        "Assessment incomplete: the picture may be wrong",
        "high",
        "medium",
        f"{fig.percent(c.completion.percent)} of questions answered",
        "Assign the open sections to their process owners with a due date and re-run the "
        "evaluation before committing to dates and budget.",
    )


def weak_business_case(c: RiskContext) -> Risk | None:
    score = c.feasibility.benefit_score
    if score is None or score >= 30:
        return None
    return _risk(
        "weak_business_case",
        "Benefits rated low: support may fade",
        "medium",
        "high",
        f"benefit score {fig.score(score)}/100",
        "Agree with senior management which benefits certification must bring and measure "
        "them; without them the project loses priority.",
    )


def booking_deadline_close(c: RiskContext) -> Risk | None:
    stage1 = next(b for b in c.plan.audit_batches if b.key == "stage1")
    deadline = stage1.booking_deadline  # None once the audit is booked
    if deadline is None or (deadline - c.today).days > BOOKING_WARNING_DAYS:
        return None
    return _risk(
        "booking_deadline_close",
        "Stage 1 audit must be booked now",
        "high",
        "high",
        f"booking deadline {deadline.isoformat()}",
        "Request quotes and dates from certification bodies this week; ask for their lead times.",
    )


def bookings_contradict_plan(c: RiskContext) -> Risk | None:
    conflicts = c.plan.booking_conflicts
    if not conflicts:
        return None
    return _risk(
        "bookings_contradict_plan",
        "Booked audit dates do not fit the plan",
        "high",
        "high",
        "; ".join(conflicts),
        "Ask the certification body to move the booking, or move the plan's work so that "
        "the trial operation, the internal audit and the management review come first.",
    )


def security_without_isms(c: RiskContext) -> Risk | None:
    if c.gap("information_security") < 1 or "ISO/IEC 27001" in c.certifications:
        return None
    return _risk(
        "security_without_isms",
        "Information security management below the requirement",
        "medium",
        "high",
        f"information security gap {fig.level(c.gap('information_security'))}; no ISO/IEC 27001",
        "Write the information security policy, assess information security risks for the "
        "services and put the controls in place (8.7.3); reuse ISO/IEC 27001 material.",
    )


def weak_change_management(c: RiskContext) -> Risk | None:
    if c.gap("change") < 1:
        return None
    return _risk(
        "weak_change_management",
        "Uncontrolled changes endanger the trial operation",
        "medium",
        "high",
        f"change management gap {fig.level(c.gap('change'))}",
        "Introduce the change policy and a change advisory routine first: changes touch every "
        "other process and auditors sample change records.",
    )


def no_itil_basis(c: RiskContext) -> Risk | None:
    if c.itil_adoption != "none" or c.maturity("itil") >= 2:
        return None
    return _risk(
        "no_itil_basis",
        "No common service management language",
        "medium",
        "medium",
        f"ITIL adoption: {c.itil_adoption}; ITIL maturity {fig.level(c.maturity('itil'))}",
        "Run ITIL 4 Foundation training for process owners early in preparation.",
    )


def roles_unclear(c: RiskContext) -> Risk | None:
    answer = c.answer("organisation.roles_defined")
    if answer == "yes":
        return None
    return _risk(
        "roles_unclear",
        "Roles and responsibilities unclear",
        "medium",
        "medium",
        f"roles defined: {answer or 'unanswered'}",
        "Name an SMS manager and an owner for every process, with authority written down (5.3).",
    )


def weak_service_culture(c: RiskContext) -> Risk | None:
    m = c.maturity("culture")
    if m >= 2:
        return None
    return _risk(
        "weak_service_culture",
        "Weak service culture and customer focus",
        "medium",
        "medium",
        f"service culture maturity {fig.level(m)}",
        "Start customer satisfaction measurement and service reviews early; make service "
        "targets visible to every team.",
    )


def unmanaged_current_risks(c: RiskContext) -> Risk | None:
    m = c.maturity("current_risks")
    if m >= 2:
        return None
    return _risk(
        "unmanaged_current_risks",
        "Weaknesses of the current management system unmanaged",
        "medium",
        "medium",
        f"maturity of managing current risks {fig.level(m)}",
        "Record the known weaknesses (single points of knowledge, undocumented practice) as "
        "SMS risks with owners and treat them in the plan (6.1).",
    )


def three_year_cost_unclear(c: RiskContext) -> Risk | None:
    if c.costs.quote_includes_surveillance is not None:
        return None
    return _risk(
        "three_year_cost_unclear",
        "Three-year certification cost unclear",
        "low",
        "medium",
        "unknown whether the certification body's quote includes surveillance and recertification",
        "Ask each certification body for a quote covering the whole three-year cycle.",
    )


RULES: tuple[Rule, ...] = (
    weak_leadership,
    budget_not_approved,
    target_too_close,
    staff_turnover,
    tool_dependence,
    weak_tooling,
    weak_supplier_management,
    no_internal_audit,
    audit_programme_incomplete,
    no_management_review,
    too_few_people,
    wide_scope,
    incomplete_assessment,
    weak_business_case,
    booking_deadline_close,
    bookings_contradict_plan,
    security_without_isms,
    weak_change_management,
    no_itil_basis,
    roles_unclear,
    weak_service_culture,
    unmanaged_current_risks,
    three_year_cost_unclear,
)


def assess_risks(context: RiskContext, rules: tuple[Rule, ...] = RULES) -> tuple[Risk, ...]:
    fired = [risk for rule in rules if (risk := rule(context)) is not None]
    return tuple(sorted(fired, key=lambda r: (-r.score, r.id)))
