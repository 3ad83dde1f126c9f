"""What a reminder says, written when it is sent (so it tells what is open at that moment).

It is written in the language of whoever reads it (bot/reminders/dispatch.py makes it
active): so nothing a person reads is taken as finished text from the stored payload, which
was generated in whatever language the person who last changed the plan reads. Names the
plan gives (a milestone's, an audit's) are looked up by their key in the evaluation made in
the reader's language, and a section's title in the bank as they read it; the payload's own
copy is used only when the plan no longer has that key (or, for a section, when what is
stored is not the bank's title of it). Dates are stored as ISO dates and
written as the reader writes them (`fig.date`).
"""

from __future__ import annotations

import datetime as dt

from bot.dialogs.context import DialogContext, bank_for
from bot.dialogs.model import Button, Fact, Message, Section, mention
from bot.dialogs.team import open_sections
from bot.store.models import Reminder
from iso20k_core import figures as fig
from iso20k_core.language import N_, _, _p
from iso20k_core.language import english as english_language
from iso20k_core.results import Evaluation
from iso20k_core.standard import Bank

# The engine's verdicts are values (iso20k_core.results.Verdict); what a reader sees of each.
VERDICTS = {
    "ready to start": N_("ready to start"),
    "feasible with preparation": N_("feasible with preparation"),
    "not yet feasible": N_("not yet feasible"),
}


def reminder_message(reminder: Reminder, ctx: DialogContext) -> Message:
    p = reminder.payload or {}
    kind = reminder.kind
    if kind == "milestone":
        return Message(
            heading=_(
                "Milestone in {days} working days: {title}",
                days=reminder_offset(reminder),
                title=_milestone_title(ctx, reminder.subject, p.get("title")),
            ),
            text=_("Planned for {date}.", date=_day(p.get("date"))),
            buttons=(Button(_p("button", "Plan"), "plan"),),
        )
    if kind == "booking_deadline":
        return Message(
            heading=_(
                "Book the {audit} by {deadline}",
                audit=_batch_title(ctx, reminder.subject, p.get("title")) or _("audit"),
                deadline=_day(p.get("deadline")),
            ),
            text=_(
                "The audit is planned for {date}. Ask the certification body for a date, then "
                "record the booking; these reminders stop once it is recorded.",
                date=_day(p.get("planned")),
            ),
            buttons=(
                Button(_p("button", "Record a booking"), "book", reminder.subject, "primary"),
            ),
            tone="warning",
        )
    if kind == "audit_batch":
        return _audit_message(ctx, reminder.subject, p)
    if kind == "assignment_nudge":
        section = str(p.get("section", ""))
        return Message(
            heading=_(
                "Reminder: please answer {section}",
                section=_section_title(ctx, section, p.get("title")),
            ),
            text=_(
                "It was due {date}. It takes a few minutes per page; your answers are saved "
                "page by page.",
                date=_day(p.get("due")),
            ),
            buttons=(Button(_p("button", "Answer now"), "assess", section, "primary"),),
        )
    if kind == "overdue_summary":
        parts = p.get("overdue")
        if isinstance(parts, list):  # written now, in the reader's language
            sections = [_overdue_line(ctx, s) for s in parts]
        else:  # a reminder stored before its parts were: its finished lines
            sections = [str(s) for s in p.get("sections") or []]
        return Message(
            heading=_("{n} assigned sections are overdue", n=len(sections)),
            text="\n".join(f"• {s}" for s in sections),
            tone="warning",
        )
    return _digest(ctx)


def reminder_offset(reminder: Reminder) -> str:
    return reminder.dedupe_key.split(":")[2]


def _day(value: object) -> str:
    """An ISO date of the payload as the reader writes dates; anything else as stored."""
    if isinstance(value, str):
        try:
            return fig.date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _evaluation(ctx: DialogContext) -> Evaluation | None:
    try:
        return ctx.evaluation()
    except Exception:  # a plan that cannot be made now: the names stored with the reminder
        return None


def _milestone_title(ctx: DialogContext, key: str, stored: object) -> str:
    e = _evaluation(ctx)
    found = next((m.title for m in e.plan.milestones if m.key == key), None) if e else None
    return found or str(stored)


def _batch_title(ctx: DialogContext, key: str, stored: object) -> str:
    e = _evaluation(ctx)
    found = next((b.title for b in e.plan.audit_batches if b.key == key), None) if e else None
    return found or ("" if stored is None else str(stored))


def _section_title(ctx: DialogContext, section_id: str, stored: object) -> str:
    """The section's title as the reader reads the bank, when what is stored is the bank's
    own (English) title of it; else what is stored, as it is."""
    english = _title_in(bank_for(ctx.bank, english_language()), section_id)
    if stored is not None and str(stored) != english:
        return str(stored)
    return _title_in(ctx.bank, section_id) or str(stored)


def _title_in(bank: Bank, section_id: str) -> str | None:
    return next((s.title for s in bank.assessed_sections if s.id == section_id), None)


def _overdue_line(ctx: DialogContext, entry: object) -> str:
    """One overdue section: stored as its parts (section, who, due) and written now; an
    entry stored as finished text by an older version is shown as it is."""
    if not isinstance(entry, dict):
        return str(entry)
    section = str(entry.get("section", ""))
    return _(
        "{section} ({person}, due {date})",
        section=_section_title(ctx, section, entry.get("title", section)),
        person=mention(str(entry.get("user", ""))),
        date=_day(entry.get("due")),
    )


def _audit_message(ctx: DialogContext, key: str, p: dict[str, object]) -> Message:
    e = ctx.evaluation()
    sections: list[Section] = []
    unanswered = open_sections(ctx)
    none = _("None.")
    sections.append(
        Section(
            _("Sections not fully answered"),
            "\n".join(f"• {s}" for s in unanswered) or none,
        )
    )
    if e is not None:
        weakest = [e.area(a) for a in e.weakest_areas[:3]]
        sections.append(
            Section(
                _("Weakest areas"),
                "\n".join(
                    _(
                        "• {area}: maturity {level} of {required}",
                        area=a.title,
                        level=fig.level(a.maturity),
                        required=a.required,
                    )
                    for a in weakest
                )
                or none,
            )
        )
        sections.append(
            Section(
                _("Open tasks"),
                "\n".join(
                    _("• {task} — {owner}", task=t.title, owner=t.owner_role)
                    for t in e.plan.tasks[:5]
                )
                or none,
            )
        )
    return Message(
        heading=_(
            "{audit} on {date}",
            audit=_batch_title(ctx, key, p.get("title")),
            date=_day(p.get("planned")),
        ),
        text=_("What is still open before the auditors come:"),
        sections=tuple(sections),
        buttons=(Button(_p("button", "Status"), "status"),),
    )


def _digest(ctx: DialogContext) -> Message:
    e = ctx.evaluation()
    if e is None:
        return Message(heading=_("Weekly digest"), text=_("No organisation profile yet."))
    nxt = next((m for m in e.plan.milestones if m.date >= ctx.today), None)
    batch = next((b for b in e.plan.audit_batches if b.planned_date >= ctx.today), None)
    none = _("none")
    return Message(
        heading=_("Weekly digest: {organisation}", organisation=ctx.organisation.name),
        facts=(
            Fact(
                _("Answered"),
                _(
                    "{answered} of {total}",
                    answered=e.completion.answered,
                    total=e.completion.total,
                ),
            ),
            # as in status and the report
            Fact(_("Readiness"), fig.percent(e.readiness_percent)),
            Fact(_("Verdict"), _(VERDICTS.get(e.feasibility.verdict, e.feasibility.verdict))),
            Fact(
                _("Next milestone"),
                _("{title}, {date}", title=nxt.title, date=fig.date(nxt.date)) if nxt else none,
            ),
            Fact(
                _("Next audit"),
                _("{title}, {date}", title=batch.title, date=fig.date(batch.planned_date))
                if batch
                else none,
            ),
        ),
        progress=(e.completion.answered, e.completion.total),
        buttons=(Button(_p("button", "Continue the assessment"), "assess", style="primary"),),
    )
