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

from bot.dialogs.common import listed, managers_only, not_set_up, verdict_label
from bot.dialogs.context import DialogContext
from bot.dialogs.model import Attachment, Button, Fact, Message, Section, command
from bot.dialogs.team import my_assignments
from bot.store.models import Reminder
from iso20k_core import figures as fig
from iso20k_core.language import N_, _, _p
from iso20k_core.report.charts import cost_png, gantt_png
from iso20k_core.results import AuditDays, Costs, DayRange, Evaluation

MAX_LISTED = 10  # a chat message stays readable; the full lists are in the report
# A risk's likelihood and impact (engine values), as a person reads them.
LEVELS = {"low": N_("low"), "medium": N_("medium"), "high": N_("high")}


def _current_stage(e: Evaluation, today: dt.date) -> str:
    for s in e.plan.stages:
        if s.start <= today <= s.end:
            return _(
                "{number}. {stage} (until {day})",
                number=s.number,
                stage=s.title,
                day=fig.date(s.end),
            )
    if today < e.plan.start:
        return _("not started (starts {day})", day=fig.date(e.plan.start))
    return _("certification stage complete")


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
            _("Answered"),
            _(
                "{answered} of {total} ({percent})",
                answered=e.completion.answered,
                total=e.completion.total,
                percent=fig.percent(e.completion.percent),
            ),
        ),
        Fact(_("Readiness"), fig.percent(e.readiness_percent)),
        Fact(_("Verdict"), verdict_label(e.feasibility.verdict)),
        Fact(_("Current stage"), _current_stage(e, ctx.today)),
        Fact(
            _("Next milestone"),
            _("{milestone}, {day}", milestone=nxt.title, day=fig.date(nxt.date))
            if nxt
            else _("none"),
        ),
        Fact(
            _("Project cost"),
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
        facts.append(Fact(_("Stage 1 documents"), _documents_fact(e)))
    if batch is not None:
        audit, day = batch.title, fig.date(batch.planned_date)
        if batch.booked:
            next_audit = _("{audit}, {day} (booked)", audit=audit, day=day)
        else:
            next_audit = _(
                "{audit}, {day} (not booked — book by {deadline})",
                audit=audit,
                day=day,
                deadline=fig.date(batch.booking_deadline),
            )
        facts.append(Fact(_("Next audit"), next_audit))
    failed = _failed_reminders(ctx)
    if failed:
        facts.append(
            Fact(
                _("Reminders failed"),
                _("{failed} — see {remind}", failed=failed, remind=command("remind")),
            )
        )
    weakest = [e.area(a) for a in e.weakest_areas[:3]]
    return Message(
        heading=_("ISO/IEC 20000-1 status: {organisation}", organisation=ctx.organisation.name),
        text=e.feasibility.reasons[0] if e.feasibility.reasons else "",
        facts=tuple(facts),
        sections=(
            Section(
                heading=_("Weakest areas"),
                text="\n".join(
                    _(
                        "• {area}: maturity {maturity} of {required}",
                        area=a.title,
                        maturity=fig.level(a.maturity),
                        required=a.required,
                    )
                    for a in weakest
                )
                or _("None below the required maturity."),
            ),
        ),
        progress=(e.completion.answered, e.completion.total),
        buttons=(
            Button(_("Continue the assessment"), "assess", style="primary"),
            Button(_p("button", "Plan"), "plan"),
            Button(_p("button", "Costs"), "cost"),
            Button(_p("button", "Risks"), "risks"),
        ),
    )


def _documents_fact(e: Evaluation) -> str:
    """`12 of 18 exist; 4 missing, 2 in draft`: what stage 1 still waits for."""
    docs = e.stage1_documents
    exist = sum(1 for d in docs if d.state == "exists")
    missing, draft, unanswered = (
        sum(1 for d in docs if d.state == state)
        for state in ("missing", "in draft", "not answered")
    )
    rest = [
        _("{n} missing", n=missing) if missing else "",
        _("{n} in draft", n=draft) if draft else "",
        _("{n} not answered", n=unanswered) if unanswered else "",
    ]
    shown = listed(part for part in rest if part)
    if shown:
        return _("{exist} of {total} exist; {rest}", exist=exist, total=len(docs), rest=shown)
    return _("{exist} of {total} exist", exist=exist, total=len(docs))


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
        lines.append(
            _assignment_line(
                section.title, done, len(section.questions), a.due_date, a.state == "done"
            )
        )
        if done < len(section.questions):
            unfinished.append(section.id)
    # documents for stage 1 are asked too, but the count is of the scored questions
    answered = sum(1 for q in ctx.bank.questions if q.id in answers)
    # "Answer now" opens the person's own next section, not the first unanswered of all.
    answer_now = Button(_("Answer now"), "assess", unfinished[0] if unfinished else "", "primary")
    return Message(
        heading=_("Your part of the assessment"),
        text="\n".join(lines) or _("Nothing is assigned to you. You can still answer any section."),
        facts=(
            Fact(
                _("Answered by everyone"),
                _("{answered} of {total}", answered=answered, total=len(ctx.bank.questions)),
            ),
        ),
        progress=(answered, len(ctx.bank.questions)),
        buttons=(answer_now,),
    )


def _assignment_line(
    section: str, done: int, total: int, due: dt.date | None, finished: bool
) -> str:
    """`• Change management: 3 of 12 answered, due 2027-01-15 (done)`."""
    if due is not None and finished:
        return _(
            "• {section}: {done} of {total} answered, due {day} (done)",
            section=section,
            done=done,
            total=total,
            day=fig.date(due),
        )
    if due is not None:
        return _(
            "• {section}: {done} of {total} answered, due {day}",
            section=section,
            done=done,
            total=total,
            day=fig.date(due),
        )
    if finished:
        return _(
            "• {section}: {done} of {total} answered (done)",
            section=section,
            done=done,
            total=total,
        )
    return _("• {section}: {done} of {total} answered", section=section, done=done, total=total)


def plan(ctx: DialogContext) -> Message:
    e = ctx.evaluation()
    if e is None:
        return not_set_up()
    p = e.plan
    stages = "\n".join(
        _(
            "{number}. {stage}: {start} – {end} ({days} business days)",
            days=s.business_days,
            number=s.number,
            stage=s.title,
            start=fig.date(s.start),
            end=fig.date(s.end),
        )
        for s in p.stages
    )
    milestones = "\n".join(
        _("• {day} {milestone}", day=fig.date(m.date), milestone=m.title) for m in p.milestones
    )
    audits = "\n".join(
        _("• {audit}: {day}, booked", audit=b.title, day=fig.date(b.planned_date))
        if b.booked or b.booking_deadline is None
        else _(
            "• {audit}: {day}, book by {deadline}",
            audit=b.title,
            day=fig.date(b.planned_date),
            deadline=fig.date(b.booking_deadline),
        )
        for b in p.audit_batches
    )
    sections = [
        Section(_("Stages"), stages),
        Section(_("Milestones"), milestones),
        Section(_("Audits"), audits),
    ]
    if ctx.is_manager:
        tasks = "\n".join(
            _(
                "• {day} {task} — {owner}, {days} person-days",
                day=fig.date(t.start),
                task=t.title,
                owner=t.owner_role,
                days=fig.count(t.effort_days),
            )
            for t in p.tasks[:MAX_LISTED]
        )
        more = len(p.tasks) - MAX_LISTED
        if more > 0:
            tasks += "\n" + _("…and {more} more in the report", more=more)
        total = _(
            "{days} person-days of process work in all.",
            days=fig.count(p.process_work_days),
        )
        sections.append(
            Section(
                _("Tasks, biggest gaps first"),
                total + "\n" + tasks if tasks else _("No weak area left."),
            )
        )
    return Message(
        heading=_("Certification plan"),
        file=Attachment(
            "plan-gantt.png",
            gantt_png(e, with_tasks=ctx.is_manager),  # the picture shows what the text does
            _("Plan: Gantt chart"),
            "image/png",
        ),
        text=_expected(e),
        sections=tuple(sections),
        tone="warning" if p.target_feasible is False else "info",
    )


def _expected(e: Evaluation) -> str:
    """When certification is expected, how it was planned, and whether the target holds."""
    p = e.plan
    day = fig.date(p.certification_date)
    if p.mode == "forward":
        sentences = [_("Certification expected {day} (forward planning).", day=day)]
    else:
        sentences = [_("Certification expected {day} (backward planning).", day=day)]
    if p.target_date is not None:
        target = fig.date(p.target_date)
        if p.target_feasible:
            sentences.append(_("Target {day}: feasible.", day=target))
        elif p.bookings_miss_target:
            sentences.append(
                _(
                    "Target {day} is NOT met by the audits as booked (decision {decision}).",
                    day=target,
                    decision=day,
                )
            )
        else:
            sentences.append(
                _(
                    "Target {day} is NOT feasible; the earliest date that works is {earliest}.",
                    day=target,
                    earliest=fig.date(p.earliest_certification_date),
                )
            )
    return _sentences(sentences)


def _sentences(sentences: list[str]) -> str:
    """Sentences one after the other, as the language writes them (a space between them in
    English, none in Chinese)."""
    text = ""
    for sentence in (s for s in sentences if s):
        text = (
            _p("sentences", "{text} {sentence}", text=text, sentence=sentence) if text else sentence
        )
    return text


def cost(ctx: DialogContext) -> Message:
    if not ctx.is_manager:
        return managers_only(_("Costs are visible to managers only"))
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
            _("Project total"),
            fig.money_range(
                c.project_total, c.project_low, c.project_high, c.currency, c.project_needs
            ),
        ),
        Fact(
            _("Internal effort ({days} person-days)", days=fig.count(c.internal_days)),
            fig.money(c.internal_cost, c.currency, c.internal_needs),
        ),
        Fact(
            _("Certification cycle total"),
            fig.money_range(c.cycle_total, c.cycle_low, c.cycle_high, c.currency, c.cycle_needs),
        ),
    ]
    quote = {
        None: _(
            "Quote includes surveillance and recertification: unknown — ask the certification body"
        ),
        True: _("Quote includes surveillance and recertification: yes"),
        False: _("Quote includes surveillance and recertification: no"),
    }
    effort = "\n".join(
        _(
            "• {line}: {days} ({basis})",
            line=line.title,
            days=fig.count(line.days),
            basis=line.basis,
        )
        for line in c.internal_effort
    )
    a = c.audit_days
    return Message(
        heading=_("Cost estimate"),
        file=Attachment("costs.png", cost_png(e), _("Cost breakdown"), "image/png"),
        text=_sentences(
            [
                _(
                    "Audit days: {initial} initial (stage 1 {stage1}, stage 2 {stage2}), "
                    "{surveillance} per surveillance.",
                    initial=fig.number(a.initial),
                    stage1=fig.number(a.stage1),
                    stage2=fig.number(a.stage2),
                    surveillance=fig.number(a.surveillance),
                ),
                _day_range(a.initial_range),
                _(
                    "Every rate is an assumption you can change with {setup}.",
                    setup=command("setup"),
                ),
                _ranges_why(c),
                _rates_needed(c),
            ]
        ),
        facts=tuple(facts),
        sections=(
            *_audit_time(a),
            Section(heading=_("Internal effort, person-days"), text=effort),
            Section(text=quote[c.quote_includes_surveillance]),
        ),
    )


def _day_range(r: DayRange) -> str:
    if r.low == r.high:
        return ""
    return _(
        "The initial audit may come out between {low} and {high} days: the table is an "
        "estimate (see Audit time).",
        low=fig.number(r.low),
        high=fig.number(r.high),
    )


def _audit_time(a: AuditDays) -> tuple[Section, ...]:
    """Why the audit days are what they are: the range's basis and every adjustment."""
    lines = [
        _(
            "• {adjustment}: {change} ({reason})",
            adjustment=x.title,
            change=x.change,
            reason=x.reason,
        )
        for x in a.adjustments
    ]
    if a.initial_range.low != a.initial_range.high:
        lines.append(_("• Range: {basis}.", basis=a.range_basis))
    return (Section(heading=_("Audit time"), text="\n".join(lines)),) if lines else ()


def _ranges_why(c: Costs) -> str:
    """Why a figure has a range in brackets: the lines whose basis is an estimate."""
    uncertain = [x for part in c.parts for x in part.lines if x.uncertain]
    if not uncertain:
        return ""
    why = _p("clause separator", "; ").join(
        _("{line}: {basis}", line=x.title, basis=x.basis) for x in uncertain
    )
    return _(
        "Figures in brackets are how low and how high an amount may come out (low–high) "
        "where its basis is an estimate. {why}.",
        why=why,
    )


def _rates_needed(c: Costs) -> str:
    if c.complete:
        return ""
    return _(
        "There are no default rates for {currency}, so the estimate is incomplete: give "
        "{rates} with {setup} or in the profile.",
        currency=c.currency,
        rates=", ".join(c.missing_rates),
        setup=command("setup"),
    )


def risks(ctx: DialogContext) -> Message:
    e = ctx.evaluation()
    if e is None:
        return not_set_up()
    # Members read each risk as its rule wrote it for them: without staffing or money.
    told = e.risks if ctx.is_manager else tuple(r.for_members() for r in e.risks)
    shown = told[:MAX_LISTED]
    return Message(
        heading=_("Risks ({count})", count=len(told)),
        text=_("Highest first.") if told else _("No risk rule fired."),
        sections=tuple(
            Section(
                heading=_(
                    "{risk} — likelihood {likelihood}, impact {impact}",
                    risk=r.title,
                    likelihood=_(LEVELS[r.likelihood]),
                    impact=_(LEVELS[r.impact]),
                ),
                text=_(
                    "Why: {trigger}\nCountermeasure: {countermeasure}",
                    trigger=r.trigger,
                    countermeasure=r.countermeasure,
                ),
            )
            for r in shown
        ),
        tone="warning" if any(r.score >= 6 for r in told) else "info",
    )
