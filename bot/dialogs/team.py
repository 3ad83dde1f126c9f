"""`role` and `assign`: who may see what, and who answers which section."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from bot.dialogs.common import unknown_section
from bot.dialogs.context import DialogContext, DirectoryError, Person, bank_for
from bot.dialogs.model import (
    Button,
    Fact,
    Message,
    Notice,
    Outcome,
    StandingMessage,
    command,
    mention,
)
from bot.store.columns import utc_now
from bot.store.crud import upsert_member
from bot.store.models import ROLES, Assignment, Member, Role
from iso20k_core import figures as fig
from iso20k_core.calendar import calendar_for
from iso20k_core.language import N_, _, using

# "Organisation": a Slack workspace, a Teams tenant; the person reads the word they know
# from the product's own setup.
NOT_HERE = StandingMessage(
    N_("That person is not in this organisation"),
    tone="error",
    text=N_(
        "Sections and roles go to people of this organisation only; nothing was changed. "
        "Pick someone with @ from this organisation."
    ),
)
UNREACHABLE = StandingMessage(
    N_("Could not look that person up"),
    tone="warning",
    text=N_(
        "Nothing was changed. Please try again in a minute; if it keeps happening, tell "
        "whoever runs iso20k."
    ),
)
# A role's name as a person reads it; the role itself (a value stored and typed) stays.
ROLE_NAMES = {"admin": N_("admin"), "manager": N_("manager"), "member": N_("member")}


def _colleague(ctx: DialogContext, user_id: str) -> Person | Message:
    """The person named, checked to belong to this workspace before anything is stored or
    sent (a manager of one workspace must not reach people of another)."""
    try:
        person = ctx.colleague(user_id)
    except DirectoryError:
        return UNREACHABLE
    return NOT_HERE if person is None else person


def set_role(ctx: DialogContext, user_id: str, role: str) -> Outcome:
    if not ctx.is_admin:
        return Outcome(
            reply=Message(
                _("Only admins can grant roles"),
                tone="warning",
                text=_("Ask an admin of this organisation."),
            )
        )
    if role not in ROLES:  # narrows `role` to Role for the type checker
        return Outcome(
            reply=Message(
                _("There is no role {role!r}", role=role),
                tone="error",
                text=_("Roles: {roles}", roles=", ".join(ROLES)),
            )
        )
    if user_id == ctx.member.platform_user_id and role != "admin" and _admin_count(ctx) == 1:
        return Outcome(
            reply=Message(
                _("You are the only admin"),
                tone="warning",
                text=_("Make someone else admin first."),
            )
        )
    person = _colleague(ctx, user_id)
    if isinstance(person, Message):
        return Outcome(reply=person)
    typed: Role = role
    before = ctx.member_for(person)
    was = before.role
    member = upsert_member(ctx.session, ctx.organisation, before.platform_user_id, role=typed)
    if was != typed:
        ctx.record(
            "role.granted",
            {
                "user": member.platform_user_id,
                "name": person.display_name,
                "from": was,
                "to": typed,
            },
        )
    ctx.refresh_reminders()  # managers receive milestone and booking reminders
    with using(ctx.language_of(person)):  # the notice is the colleague's to read
        notice = Notice(
            user_id,
            Message(
                _("You are now {role} for ISO/IEC 20000 preparation", role=_(ROLE_NAMES[typed])),
                text=_("Try {status}.", status=command("status")),
            ),
        )
    return Outcome(
        reply=Message(
            _("Role granted"),
            text=_(
                "{person} is now {role}.",
                person=mention(member.platform_user_id),
                role=_(ROLE_NAMES[typed]),
            ),
            tone="success",
        ),
        notices=(notice,),
    )


def _admin_count(ctx: DialogContext) -> int:
    return len(
        ctx.session.exec(
            select(Member).where(
                Member.organisation_id == ctx.organisation.id, Member.role == "admin"
            )
        ).all()
    )


def assign(ctx: DialogContext, user_id: str, section_id: str, due: dt.date | None) -> Outcome:
    if not ctx.is_manager:
        return Outcome(reply=Message(_("Only managers can assign sections"), tone="warning"))
    section = next((s for s in ctx.bank.assessed_sections if s.id == section_id), None)
    if section is None:
        return Outcome(reply=unknown_section(ctx.bank, section_id))
    if due is not None and due < ctx.today:
        return Outcome(
            reply=Message(
                _("The due date is in the past"),
                tone="error",
                text=_("Choose {day} or later.", day=fig.date(ctx.today)),
            )
        )
    person = _colleague(ctx, user_id)
    if isinstance(person, Message):
        return Outcome(reply=person)
    member = ctx.member_for(person)
    assert member.id is not None
    assessment = ctx.assessment()
    row = ctx.session.exec(
        select(Assignment).where(
            Assignment.assessment_id == assessment.id,
            Assignment.section_id == section.id,
            Assignment.member_id == member.id,
        )
    ).first()
    if row is None:
        assert ctx.organisation.id is not None and assessment.id is not None
        row = Assignment(
            organisation_id=ctx.organisation.id,
            assessment_id=assessment.id,
            section_id=section.id,
            member_id=member.id,
        )
    row.due_date, row.state, row.updated_at = due, "open", utc_now()
    ctx.session.add(row)
    ctx.session.flush()
    ctx.record(
        "assignment.made",
        {
            "user": member.platform_user_id,
            "name": person.display_name,
            "section": section.id,
            "due": due.isoformat() if due else None,
        },
    )
    ctx.refresh_reminders()
    due_text = fig.date(due) if due else _("no due date")
    closed = _closed_because(ctx, due)
    if closed:
        answer = _(
            "{person} will answer it. Note: {day} is {closed}, not a business day; it is kept "
            "as given, and reminders wait for the next working morning.",
            person=mention(user_id),
            day=due_text,
            closed=closed,
        )
    else:
        answer = _("{person} will answer it.", person=mention(user_id))
    return Outcome(
        reply=Message(
            _("Assigned {section}", section=section.title),
            text=answer,
            tone="warning" if closed else "success",
            facts=(Fact(_("Due"), due_text),),
        ),
        notices=(_please_answer(ctx, person, user_id, section.id, due),),
    )


def _please_answer(
    ctx: DialogContext, person: Person, user_id: str, section_id: str, due: dt.date | None
) -> Notice:
    """The assignee's notice, in the assignee's language (the section's title too)."""
    language = ctx.language_of(person)
    section = bank_for(ctx.bank, language).section(section_id)
    with using(language):
        return Notice(
            user_id,
            Message(
                heading=_("Please answer: {section}", section=section.title),
                text=_(
                    "{person} asked you to answer {n} questions of the ISO/IEC 20000 assessment.",
                    person=mention(ctx.member.platform_user_id),
                    n=len(section.questions),
                ),
                facts=(Fact(_("Due"), fig.date(due) if due else _("no due date")),),
                buttons=(Button(_("Answer now"), "assess", section.id, "primary"),),
            ),
        )


def _closed_because(ctx: DialogContext, day: dt.date | None) -> str | None:
    """Why a due date is no business day of the organisation's country, if it is not."""
    if day is None:
        return None
    return calendar_for(ctx.profile()).closed_because(day)


def complete_assignments(ctx: DialogContext, section_id: str) -> None:
    """Close open assignments of a section once every question of it is answered."""
    section = ctx.bank.section(section_id)
    answers = ctx.answers()
    if any(q.id not in answers for q in section.questions):
        return
    for row in ctx.session.exec(
        select(Assignment).where(
            Assignment.assessment_id == ctx.assessment().id,
            Assignment.section_id == section_id,
            Assignment.state == "open",
        )
    ):
        row.state, row.updated_at = "done", utc_now()
        ctx.session.add(row)
    ctx.session.flush()


def my_assignments(ctx: DialogContext) -> list[Assignment]:
    return list(
        ctx.session.exec(
            select(Assignment).where(
                Assignment.organisation_id == ctx.organisation.id,
                Assignment.member_id == ctx.member.id,
                Assignment.state != "cancelled",
            )
        )
    )


def open_sections(ctx: DialogContext) -> list[str]:
    """Titles of the sections with unanswered questions."""
    answers = ctx.answers()
    return [
        s.title for s in ctx.bank.assessed_sections if any(q.id not in answers for q in s.questions)
    ]
