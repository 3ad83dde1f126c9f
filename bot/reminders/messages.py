"""What a reminder says, written when it is sent (so it tells what is open at that moment)."""

from __future__ import annotations

from bot.dialogs.context import DialogContext
from bot.dialogs.model import Button, Fact, Message, Section
from bot.dialogs.team import open_sections
from bot.store.models import Reminder
from iso20k_core import figures as fig


def reminder_message(reminder: Reminder, ctx: DialogContext) -> Message:
    p = reminder.payload or {}
    kind = reminder.kind
    if kind == "milestone":
        return Message(
            heading=f"Milestone in {reminder_offset(reminder)} working days: {p.get('title')}",
            text=f"Planned for {p.get('date')}.",
            buttons=(Button("Plan", "plan"),),
        )
    if kind == "booking_deadline":
        return Message(
            heading=f"Book the {p.get('title', 'audit')} by {p.get('deadline')}",
            text=f"The audit is planned for {p.get('planned')}. Ask the certification body for "
            "a date, then record the booking; these reminders stop once it is recorded.",
            buttons=(Button("Record a booking", "book", reminder.subject, "primary"),),
            tone="warning",
        )
    if kind == "audit_batch":
        return _audit_message(ctx, p)
    if kind == "assignment_nudge":
        return Message(
            heading=f"Reminder: please answer {p.get('title')}",
            text=f"It was due {p.get('due')}. It takes a few minutes per page; your answers are "
            "saved page by page.",
            buttons=(Button("Answer now", "assess", str(p.get("section", "")), "primary"),),
        )
    if kind == "overdue_summary":
        sections = p.get("sections") or []
        return Message(
            heading=f"{len(sections)} assigned sections are overdue",
            text="\n".join(f"• {s}" for s in sections),
            tone="warning",
        )
    return _digest(ctx)


def reminder_offset(reminder: Reminder) -> str:
    return reminder.dedupe_key.split(":")[2]


def _audit_message(ctx: DialogContext, p: dict[str, object]) -> Message:
    e = ctx.evaluation()
    sections: list[Section] = []
    unanswered = open_sections(ctx)
    sections.append(
        Section("Sections not fully answered", "\n".join(f"• {s}" for s in unanswered) or "None.")
    )
    if e is not None:
        weakest = [e.area(a) for a in e.weakest_areas[:3]]
        sections.append(
            Section(
                "Weakest areas",
                "\n".join(
                    f"• {a.title}: maturity {fig.level(a.maturity)} of {a.required}"
                    for a in weakest
                )
                or "None.",
            )
        )
        sections.append(
            Section(
                "Open tasks",
                "\n".join(f"• {t.title} — {t.owner_role}" for t in e.plan.tasks[:5]) or "None.",
            )
        )
    return Message(
        heading=f"{p.get('title')} on {p.get('planned')}",
        text="What is still open before the auditors come:",
        sections=tuple(sections),
        buttons=(Button("Status", "status"),),
    )


def _digest(ctx: DialogContext) -> Message:
    e = ctx.evaluation()
    if e is None:
        return Message(heading="Weekly digest", text="No organisation profile yet.")
    nxt = next((m for m in e.plan.milestones if m.date >= ctx.today), None)
    batch = next((b for b in e.plan.audit_batches if b.planned_date >= ctx.today), None)
    return Message(
        heading=f"Weekly digest: {ctx.organisation.name}",
        facts=(
            Fact("Answered", f"{e.completion.answered} of {e.completion.total}"),
            Fact("Readiness", fig.percent(e.readiness_percent)),  # as in status and the report
            Fact("Verdict", e.feasibility.verdict),
            Fact("Next milestone", f"{nxt.title}, {nxt.date}" if nxt else "none"),
            Fact("Next audit", f"{batch.title}, {batch.planned_date}" if batch else "none"),
        ),
        progress=(e.completion.answered, e.completion.total),
        buttons=(Button("Continue the assessment", "assess", style="primary"),),
    )
