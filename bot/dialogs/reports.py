"""`status`, `plan`, `cost`, `risks`: the evaluation, told for a chat window.

One visibility rule for every text and picture (README): costs and staffing are for managers
and admins only; members see their own assignments and progress. So members get their own
status, the plan without its tasks (text and Gantt chart alike), no costs, and each risk in
the member-safe words its rule wrote (`Risk.for_members`). Every figure is written with
`iso20k_core.figures`, as in the report.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import func, select

from bot.dialogs.common import managers_only, not_set_up
from bot.dialogs.context import DialogContext
from bot.dialogs.model import Attachment, Button, Fact, Message, Section, command
from bot.dialogs.team import my_assignments
from bot.store.models import Reminder
from iso20k_core import figures as fig
from iso20k_core.report.charts import cost_png, gantt_png
from iso20k_core.results import AuditDays, Costs, DayRange, Evaluation

MAX_LISTED = 10  # a chat message stays readable; the full lists are in the report


def _current_stage(e: Evaluation, today: dt.date) -> str:
    for s in e.plan.stages:
        if s.start <= today <= s.end:
            return f"{s.number}. {s.title} (until {s.end.isoformat()})"
    if today < e.plan.start:
        return f"not started (starts {e.plan.start.isoformat()})"
    return "certification stage complete"


def status(ctx: DialogContext) -> Message:
    if ctx.profile() is None:
        return not_set_up()
    if not ctx.is_manager:
        return member_status(ctx)  # their own assignments: no evaluation needed
    e = ctx.evaluation()
    if e is None:
        return not_set_up()
    nxt = next((m for m in e.plan.milestones if m.date >= ctx.today), None)
    batch = next((b for b in e.plan.audit_batches if b.planned_date >= ctx.today), None)
    facts = [
        Fact(
            "Answered",
            f"{e.completion.answered} of {e.completion.total} "
            f"({fig.percent(e.completion.percent)})",
        ),
        Fact("Readiness", fig.percent(e.readiness_percent)),
        Fact("Verdict", e.feasibility.verdict),
        Fact("Current stage", _current_stage(e, ctx.today)),
        Fact("Next milestone", f"{nxt.title}, {nxt.date.isoformat()}" if nxt else "none"),
        Fact(
            "Project cost",
            fig.money_range(
                e.costs.project_total,
                e.costs.project_low,
                e.costs.project_high,
                e.costs.currency,
                e.costs.project_needs,
            ),
        ),
    ]
    if e.stage1_documents:
        facts.append(Fact("Stage 1 documents", _documents_fact(e)))
    if batch is not None:
        state = "booked" if batch.booked else f"not booked — book by {batch.booking_deadline}"
        facts.append(
            Fact("Next audit", f"{batch.title}, {batch.planned_date.isoformat()} ({state})")
        )
    failed = _failed_reminders(ctx)
    if failed:
        facts.append(Fact("Reminders failed", f"{failed} — see {command('remind')}"))
    weakest = [e.area(a) for a in e.weakest_areas[:3]]
    return Message(
        heading=f"ISO/IEC 20000-1 status: {ctx.organisation.name}",
        text=e.feasibility.reasons[0] if e.feasibility.reasons else "",
        facts=tuple(facts),
        sections=(
            Section(
                heading="Weakest areas",
                text="\n".join(
                    f"• {a.title}: maturity {fig.level(a.maturity)} of {a.required}"
                    for a in weakest
                )
                or "None below the required maturity.",
            ),
        ),
        progress=(e.completion.answered, e.completion.total),
        buttons=(
            Button("Continue the assessment", "assess", style="primary"),
            Button("Plan", "plan"),
            Button("Costs", "cost"),
            Button("Risks", "risks"),
        ),
    )


def _documents_fact(e: Evaluation) -> str:
    """`12 of 18 exist; 4 missing, 2 in draft`: what stage 1 still waits for."""
    docs = e.stage1_documents
    exist = sum(1 for d in docs if d.state == "exists")
    counts = [
        (sum(1 for d in docs if d.state == state), state)
        for state in ("missing", "in draft", "not answered")
    ]
    rest = ", ".join(f"{n} {state}" for n, state in counts if n)
    return f"{exist} of {len(docs)} exist" + (f"; {rest}" if rest else "")


def _failed_reminders(ctx: DialogContext) -> int:
    query = (
        select(func.count())
        .select_from(Reminder)
        .where(Reminder.organisation_id == ctx.organisation.id, Reminder.state == "failed")
    )
    return ctx.session.exec(query).one()


def member_status(ctx: DialogContext) -> Message:
    answers = ctx.answers()
    lines = []
    unfinished: list[str] = []  # assigned sections with questions left, soonest due first
    for a in sorted(my_assignments(ctx), key=lambda a: (a.due_date or dt.date.max, a.id or 0)):
        section = ctx.bank.section(a.section_id)
        done = sum(1 for q in section.questions if q.id in answers)
        due = f", due {a.due_date.isoformat()}" if a.due_date else ""
        lines.append(
            f"• {section.title}: {done} of {len(section.questions)} answered{due}"
            f"{' (done)' if a.state == 'done' else ''}"
        )
        if done < len(section.questions):
            unfinished.append(section.id)
    # documents for stage 1 are asked too, but the count is of the scored questions
    answered = sum(1 for q in ctx.bank.questions if q.id in answers)
    # "Answer now" opens the person's own next section, not the first unanswered of all.
    answer_now = Button("Answer now", "assess", unfinished[0] if unfinished else "", "primary")
    return Message(
        heading="Your part of the assessment",
        text="\n".join(lines) or "Nothing is assigned to you. You can still answer any section.",
        facts=(Fact("Answered by everyone", f"{answered} of {len(ctx.bank.questions)}"),),
        progress=(answered, len(ctx.bank.questions)),
        buttons=(answer_now,),
    )


def plan(ctx: DialogContext) -> Message:
    e = ctx.evaluation()
    if e is None:
        return not_set_up()
    p = e.plan
    stages = "\n".join(
        f"{s.number}. {s.title}: {s.start.isoformat()} – {s.end.isoformat()}"
        f" ({s.business_days} business days)"
        for s in p.stages
    )
    milestones = "\n".join(f"• {m.date.isoformat()} {m.title}" for m in p.milestones)
    audits = "\n".join(
        f"• {b.title}: {b.planned_date.isoformat()}, "
        + ("booked" if b.booked or b.booking_deadline is None else f"book by {b.booking_deadline}")
        for b in p.audit_batches
    )
    sections = [
        Section("Stages", stages),
        Section("Milestones", milestones),
        Section("Audits", audits),
    ]
    if ctx.is_manager:
        tasks = "\n".join(
            f"• {t.start.isoformat()} {t.title} — {t.owner_role}, "
            f"{fig.count(t.effort_days)} person-days"
            for t in p.tasks[:MAX_LISTED]
        )
        more = len(p.tasks) - MAX_LISTED
        if more > 0:
            tasks += f"\n…and {more} more in the report"
        total = f"{fig.count(p.process_work_days)} person-days of process work in all.\n"
        sections.append(
            Section("Tasks, biggest gaps first", total + tasks if tasks else "No weak area left.")
        )
    target = ""
    if p.target_date is not None:
        if p.target_feasible:
            target = f" Target {p.target_date.isoformat()}: feasible."
        elif p.bookings_miss_target:
            target = (
                f" Target {p.target_date.isoformat()} is NOT met by the audits as booked "
                f"(decision {p.certification_date.isoformat()})."
            )
        else:
            target = (
                f" Target {p.target_date.isoformat()} is NOT feasible; the earliest date "
                f"that works is {p.earliest_certification_date.isoformat()}."
            )
    return Message(
        heading="Certification plan",
        file=Attachment(
            "plan-gantt.png",
            gantt_png(e, with_tasks=ctx.is_manager),  # the picture shows what the text does
            "Plan: Gantt chart",
            "image/png",
        ),
        text=f"Certification expected {p.certification_date.isoformat()} "
        f"({p.mode} planning).{target}",
        sections=tuple(sections),
        tone="warning" if p.target_feasible is False else "info",
    )


def cost(ctx: DialogContext) -> Message:
    if not ctx.is_manager:
        return managers_only("Costs")
    e = ctx.evaluation()
    if e is None:
        return not_set_up()
    c = e.costs
    facts = [
        Fact(p.title, fig.money_range(p.amount, p.low, p.high, c.currency, p.needs))
        for p in c.parts
    ]
    facts += [
        Fact(
            "Project total",
            fig.money_range(
                c.project_total, c.project_low, c.project_high, c.currency, c.project_needs
            ),
        ),
        Fact(
            f"Internal effort ({fig.count(c.internal_days)} person-days)",
            fig.money(c.internal_cost, c.currency, c.internal_needs),
        ),
        Fact(
            "Certification cycle total",
            fig.money_range(c.cycle_total, c.cycle_low, c.cycle_high, c.currency, c.cycle_needs),
        ),
    ]
    quote = {None: "unknown — ask the certification body", True: "yes", False: "no"}
    effort = "\n".join(
        f"• {line.title}: {fig.count(line.days)} ({line.basis})" for line in c.internal_effort
    )
    a = c.audit_days
    return Message(
        heading="Cost estimate",
        file=Attachment("costs.png", cost_png(e), "Cost breakdown", "image/png"),
        text=f"Audit days: {fig.number(a.initial)} initial "
        f"(stage 1 {fig.number(a.stage1)}, stage 2 {fig.number(a.stage2)}), "
        f"{fig.number(a.surveillance)} per surveillance.{_day_range(a.initial_range)} "
        "Every rate is an assumption you can "
        f"change with {command('setup')}." + _ranges_why(c) + _rates_needed(c),
        facts=tuple(facts),
        sections=(
            *_audit_time(a),
            Section(heading="Internal effort, person-days", text=effort),
            Section(
                text="Quote includes surveillance and recertification: "
                + quote[c.quote_includes_surveillance]
            ),
        ),
    )


def _day_range(r: DayRange) -> str:
    if r.low == r.high:
        return ""
    return (
        f" The initial audit may come out between {fig.number(r.low)} and "
        f"{fig.number(r.high)} days: the table is an estimate (see Audit time)."
    )


def _audit_time(a: AuditDays) -> tuple[Section, ...]:
    """Why the audit days are what they are: the range's basis and every adjustment."""
    lines = [f"• {x.title}: {x.change} ({x.reason})" for x in a.adjustments]
    if a.initial_range.low != a.initial_range.high:
        lines.append(f"• Range: {a.range_basis}.")
    return (Section(heading="Audit time", text="\n".join(lines)),) if lines else ()


def _ranges_why(c: Costs) -> str:
    """Why a figure has a range in brackets: the lines whose basis is an estimate."""
    uncertain = [x for part in c.parts for x in part.lines if x.uncertain]
    if not uncertain:
        return ""
    why = "; ".join(f"{x.title}: {x.basis}" for x in uncertain)
    return (
        " Figures in brackets are how low and how high an amount may come out (low–high) "
        f"where its basis is an estimate. {why}."
    )


def _rates_needed(c: Costs) -> str:
    if c.complete:
        return ""
    return (
        f" There are no default rates for {c.currency}, so the estimate is incomplete: "
        f"give {', '.join(c.missing_rates)} with {command('setup')} or in the profile."
    )


def risks(ctx: DialogContext) -> Message:
    e = ctx.evaluation()
    if e is None:
        return not_set_up()
    # Members read each risk as its rule wrote it for them: without staffing or money.
    listed = e.risks if ctx.is_manager else tuple(r.for_members() for r in e.risks)
    shown = listed[:MAX_LISTED]
    return Message(
        heading=f"Risks ({len(listed)})",
        text="Highest first." if listed else "No risk rule fired.",
        sections=tuple(
            Section(
                heading=f"{r.title} — likelihood {r.likelihood}, impact {r.impact}",
                text=f"Why: {r.trigger}\nCountermeasure: {r.countermeasure}",
            )
            for r in shown
        ),
        tone="warning" if any(r.score >= 6 for r in listed) else "info",
    )
