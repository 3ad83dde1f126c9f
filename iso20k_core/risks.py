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
from iso20k_core.language import _, _p
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


def _said(value: AnswerValue | None) -> str:
    """A yes / partial / no answer as a trigger quotes it, in the reader's words; an
    unanswered question says so."""
    match value:
        case None:
            return _p("answer", "unanswered")
        case "yes":
            return _p("answer", "yes")
        case "partial":
            return _p("answer", "partial")
        case "no":
            return _p("answer", "no")
    return str(value)


def _itil_adoption(value: str) -> str:
    """The profile's ITIL adoption (none / partial / broad) in the reader's words."""
    match value:
        case "none":
            return _p("ITIL adoption", "none")
        case "partial":
            return _p("ITIL adoption", "partial")
        case "broad":
            return _p("ITIL adoption", "broad")
    return value


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
        _("Weak leadership commitment"),
        "high" if m < 2 else "medium",
        "high",
        _(
            "leadership maturity {maturity}; sponsor named: {sponsor}",
            maturity=fig.level(m),
            sponsor=_said(sponsor),
        ),
        _(
            "Have top management sign the service management policy and project charter, "
            "name a sponsor from the board, and put SMS progress on the management meeting "
            "agenda."
        ),
    )


def budget_not_approved(c: RiskContext) -> Risk | None:
    answer = c.answer("leadership.budget_approved")
    if answer == "yes":
        return None
    return _risk(
        "budget_not_approved",
        _("Budget not approved"),
        "medium",
        "high",
        _("budget approved: {answer}", answer=_said(answer)),
        _(
            "Present the cost estimate and its fiscal years to the sponsor and get the budget "
            "approved before booking consultants or the certification body."
        ),
    )


def target_too_close(c: RiskContext) -> Risk | None:
    p = c.plan
    if p.target_date is None:
        return None
    if not p.target_feasible:
        if p.earliest_certification_date <= p.target_date:  # the plan fits; the bookings don't
            trigger = _(
                "target {target}; the audits as booked lead to a decision on {decision}",
                target=fig.date(p.target_date),
                decision=fig.date(p.certification_date),
            )
        else:
            trigger = _(
                "target {target}; earliest feasible {earliest}",
                target=fig.date(p.target_date),
                earliest=fig.date(p.earliest_certification_date),
            )
        return _risk(
            "target_too_close",
            _("Target certification date cannot be met"),
            "high",
            "high",
            trigger,
            _(
                "Move the target date, narrow the scope, or add staff to the process work; do "
                "not shorten the three-month trial operation the certification body expects."
            ),
        )
    slack = (p.certification_date - p.earliest_certification_date).days
    if slack >= MIN_TARGET_SLACK_DAYS:
        return None
    return _risk(
        "target_too_close",
        _("Target certification date leaves no slack"),
        "medium",
        "high",
        _(
            "{slack} days of slack: the plan must start by {start} to certify by {target}",
            slack=slack,
            start=fig.date(p.start),
            target=fig.date(p.target_date),
        ),
        _(
            "Start now, book the audits early, and agree a fallback date with the "
            "certification body."
        ),
    )


def staff_turnover(c: RiskContext) -> Risk | None:
    turnover = c.answer("organisation.staff_turnover_percent")
    if not isinstance(turnover, int | float) or turnover < HIGH_TURNOVER_PERCENT:
        return None
    return _risk(
        "staff_turnover",
        _("Staff turnover erodes process knowledge"),
        "high" if turnover >= 2 * HIGH_TURNOVER_PERCENT else "medium",
        "medium",
        _("annual staff turnover {turnover} %", turnover=fig.number(turnover)),
        _(
            "Document procedures as you establish them, name deputies for every process "
            "owner, and include the SMS in onboarding."
        ),
    )


def tool_dependence(c: RiskContext) -> Risk | None:
    answer = c.answer("tooling.processes_documented_outside_tool")
    if answer not in ("no", "partial"):
        return None
    return _risk(
        "tool_dependence",
        _("Processes exist only in the tool's configuration"),
        "medium" if answer == "no" else "low",
        "medium",
        _("processes documented outside the tool: {answer}", answer=_said(answer)),
        _(
            "Write each process down independently of the tool (purpose, roles, inputs, "
            "outputs, records) so auditors and new staff can follow it and a tool change does "
            "not lose it."
        ),
    )


def weak_tooling(c: RiskContext) -> Risk | None:
    m = c.maturity("tooling")
    if m >= 2:
        return None
    return _risk(
        "weak_tooling",
        _("Records cannot be produced reliably"),
        "medium",
        "medium",
        _("ITSM tooling maturity {maturity}", maturity=fig.level(m)),
        _(
            "Consolidate incidents, requests, changes and configuration records in one ITSM "
            "tool before trial operation: auditors sample records."
        ),
    )


def weak_supplier_management(c: RiskContext) -> Risk | None:
    gap = c.gap("supplier")
    reviewed = c.answer("supplier.contracts_reviewed")
    if gap < 1 and reviewed == "yes":
        return None
    return _risk(
        "weak_supplier_management",
        _("Weak supplier management"),
        "medium",
        "high",
        _(
            "supplier management gap {gap}; contracts reviewed: {reviewed}",
            gap=fig.level(gap),
            reviewed=_said(reviewed),
        ),
        _(
            "List the suppliers that contribute to the services, agree documented contracts "
            "with service targets, and review their performance at planned intervals (8.3.4)."
        ),
    )


def no_internal_audit(c: RiskContext) -> Risk | None:
    auditors = c.answer("performance.internal_auditors")
    count = auditors if isinstance(auditors, int | float) else 0
    if count >= 1:
        return None
    return _risk(
        "no_internal_audit",
        _("No internal audit capability"),
        "high",
        "high",
        _("trained internal auditors: {count}", count=fig.number(count)),
        _(
            "Train at least two internal auditors now and plan a full internal audit of the "
            "SMS during trial operation; stage 2 needs its results (9.2)."
        ),
    )


def audit_programme_incomplete(c: RiskContext) -> Risk | None:
    programme = c.answer("performance.internal_audit_programme")
    if programme == "yes":
        return None
    return _risk(
        "audit_programme_incomplete",
        _("Internal audit programme does not cover the SMS"),
        "medium",
        "high",
        _("internal audit programme: {answer}", answer=_said(programme)),
        _(
            "Plan audits of every clause and process of the SMS at planned intervals, with "
            "criteria, scope and auditors who do not audit their own work (9.2)."
        ),
    )


def no_management_review(c: RiskContext) -> Risk | None:
    held = c.answer("performance.management_review_held")
    if held == "yes":
        return None
    return _risk(
        "no_management_review",
        _("No management review yet"),
        "medium",
        "high",
        _("management review held: {answer}", answer=_said(held)),
        _(
            "Schedule the management review in the trial operation, with the inputs listed "
            "in 9.3, and keep its minutes as evidence."
        ),
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
    figures = {
        "days": fig.count(effort),
        "fte": fig.number(c.staff_available_fte),
        "needed": years_text(p.process_years_needed),
        "years": p.max_process_years,
    }
    if p.process_capped:
        trigger = _(
            "{days} person-days of process work for {fte} FTE available: {needed} of work, "
            "more than the {years} years a plan allows",
            **figures,
        )
        member_trigger = _(
            "the process work needs more people than the project has; it cannot be done "
            "within {years} years",
            years=p.max_process_years,
        )
    else:
        trigger = _("{days} person-days of process work for {fte} FTE available", **figures)
        member_trigger = _("the process work needs more people than the project has")
    return _risk(
        "too_few_people",
        _("Too few people for the process work"),
        "high",
        "high" if p.process_capped else "medium",
        trigger,
        _(
            "Free process owners from daily work for the project, bring in consultants for "
            "the largest gaps, or narrow the scope."
        ),
        member_trigger=member_trigger,
    )


def wide_scope(c: RiskContext) -> Risk | None:
    if c.services_in_scope <= WIDE_SCOPE_SERVICES and c.sites <= WIDE_SCOPE_SITES:
        return None
    return _risk(
        "wide_scope",
        _("Scope too wide for a first certification"),
        "medium",
        "medium",
        _(
            "{services} services at {sites} sites in scope",
            services=c.services_in_scope,
            sites=c.sites,
        ),
        _("Certify a core set of services first and extend the scope at a surveillance audit."),
    )


def incomplete_assessment(c: RiskContext) -> Risk | None:
    if c.completion.percent >= 80:
        return None
    return _risk(
        "incomplete_assessment",
        _("Assessment incomplete: the picture may be wrong"),
        "high",
        "medium",
        _("{percent} of questions answered", percent=fig.percent(c.completion.percent)),
        _(
            "Assign the open sections to their process owners with a due date and re-run the "
            "evaluation before committing to dates and budget."
        ),
    )


def weak_business_case(c: RiskContext) -> Risk | None:
    score = c.feasibility.benefit_score
    if score is None or score >= 30:
        return None
    return _risk(
        "weak_business_case",
        _("Benefits rated low: support may fade"),
        "medium",
        "high",
        _("benefit score {score}/100", score=fig.score(score)),
        _(
            "Agree with senior management which benefits certification must bring and "
            "measure them; without them the project loses priority."
        ),
    )


def booking_deadline_close(c: RiskContext) -> Risk | None:
    stage1 = next(b for b in c.plan.audit_batches if b.key == "stage1")
    deadline = stage1.booking_deadline  # None once the audit is booked
    if deadline is None or (deadline - c.today).days > BOOKING_WARNING_DAYS:
        return None
    return _risk(
        "booking_deadline_close",
        _("Stage 1 audit must be booked now"),
        "high",
        "high",
        _("booking deadline {deadline}", deadline=fig.date(deadline)),
        _(
            "Request quotes and dates from certification bodies this week; ask for their "
            "lead times."
        ),
    )


def bookings_contradict_plan(c: RiskContext) -> Risk | None:
    conflicts = c.plan.booking_conflicts
    if not conflicts:
        return None
    return _risk(
        "bookings_contradict_plan",
        _("Booked audit dates do not fit the plan"),
        "high",
        "high",
        # The conflicts are whole sentences of the plan's, in the reader's language.
        _p("between clauses", "; ").join(conflicts),
        _(
            "Ask the certification body to move the booking, or move the plan's work so that "
            "the trial operation, the internal audit and the management review come first."
        ),
    )


def security_without_isms(c: RiskContext) -> Risk | None:
    if c.gap("information_security") < 1 or "ISO/IEC 27001" in c.certifications:
        return None
    return _risk(
        "security_without_isms",
        _("Information security management below the requirement"),
        "medium",
        "high",
        _(
            "information security gap {gap}; no ISO/IEC 27001",
            gap=fig.level(c.gap("information_security")),
        ),
        _(
            "Write the information security policy, assess information security risks for "
            "the services and put the controls in place (8.7.3); reuse ISO/IEC 27001 material."
        ),
    )


def weak_change_management(c: RiskContext) -> Risk | None:
    if c.gap("change") < 1:
        return None
    return _risk(
        "weak_change_management",
        _("Uncontrolled changes endanger the trial operation"),
        "medium",
        "high",
        _("change management gap {gap}", gap=fig.level(c.gap("change"))),
        _(
            "Introduce the change policy and a change advisory routine first: changes touch "
            "every other process and auditors sample change records."
        ),
    )


def no_itil_basis(c: RiskContext) -> Risk | None:
    if c.itil_adoption != "none" or c.maturity("itil") >= 2:
        return None
    return _risk(
        "no_itil_basis",
        _("No common service management language"),
        "medium",
        "medium",
        _(
            "ITIL adoption: {adoption}; ITIL maturity {maturity}",
            adoption=_itil_adoption(c.itil_adoption),
            maturity=fig.level(c.maturity("itil")),
        ),
        _("Run ITIL 4 Foundation training for process owners early in preparation."),
    )


def roles_unclear(c: RiskContext) -> Risk | None:
    answer = c.answer("organisation.roles_defined")
    if answer == "yes":
        return None
    return _risk(
        "roles_unclear",
        _("Roles and responsibilities unclear"),
        "medium",
        "medium",
        _("roles defined: {answer}", answer=_said(answer)),
        _("Name an SMS manager and an owner for every process, with authority written down (5.3)."),
    )


def weak_service_culture(c: RiskContext) -> Risk | None:
    m = c.maturity("culture")
    if m >= 2:
        return None
    return _risk(
        "weak_service_culture",
        _("Weak service culture and customer focus"),
        "medium",
        "medium",
        _("service culture maturity {maturity}", maturity=fig.level(m)),
        _(
            "Start customer satisfaction measurement and service reviews early; make service "
            "targets visible to every team."
        ),
    )


def unmanaged_current_risks(c: RiskContext) -> Risk | None:
    m = c.maturity("current_risks")
    if m >= 2:
        return None
    return _risk(
        "unmanaged_current_risks",
        _("Weaknesses of the current management system unmanaged"),
        "medium",
        "medium",
        _("maturity of managing current risks {maturity}", maturity=fig.level(m)),
        _(
            "Record the known weaknesses (single points of knowledge, undocumented practice) "
            "as SMS risks with owners and treat them in the plan (6.1)."
        ),
    )


def three_year_cost_unclear(c: RiskContext) -> Risk | None:
    if c.costs.quote_includes_surveillance is not None:
        return None
    return _risk(
        "three_year_cost_unclear",
        _("Three-year certification cost unclear"),
        "low",
        "medium",
        _(
            "unknown whether the certification body's quote includes surveillance and "
            "recertification"
        ),
        _("Ask each certification body for a quote covering the whole three-year cycle."),
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
