"""The engine as the dialogs show it: dates in the horizon, bookings that move the plan,
figures that agree with the report, and what members may see.

Each test runs the real dialogs on a migrated SQLite database, as a member, a manager or an
admin of one organisation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, select

from bot.dialogs.commands import handle_command, handle_submit
from bot.dialogs.context import DialogContext
from bot.dialogs.model import Message
from bot.store.crud import record_answer
from bot.store.models import AuditBatch, Reminder
from iso20k_core.report.charts import gantt_png
from tests.core.helpers import all_best
from tests.dialogs.people import BANK, SETUP, as_user, reply, text_of

# --- dates -------------------------------------------------------------------------------


def sentences(errors: dict[str, str]) -> dict[str, str]:
    """Errors whatever the case of their first letter: the engine writes a problem to follow
    a field name, and the setup form may capitalise it."""
    return {field: text[:1].lower() + text[1:] for field, text in errors.items()}


def test_setup_refuses_a_far_start_date_on_its_field(session: Session) -> None:
    admin = as_user(session, "admin")
    outcome = handle_submit(admin, "setup", {}, {**SETUP, "start_date": "9999-06-01"})
    assert sentences(outcome.errors) == {
        "start_date": "choose a date from 2000-01-01 to 2036-11-25 (at most 10 years ahead)."
    }
    assert admin.organisation.profile is None  # nothing saved


def test_setup_puts_target_before_start_on_the_target_field(session: Session) -> None:
    admin = as_user(session, "admin")
    raw = {**SETUP, "start_date": "2027-01-04", "target_certification_date": "2027-01-04"}
    outcome = handle_submit(admin, "setup", {}, raw)
    assert sentences(outcome.errors) == {
        "target_certification_date": "choose a target date after the start date (2027-01-04)."
    }


# --- figures agree ----------------------------------------------------------------------


def test_risks_costs_and_status_give_the_same_figures(organisation: DialogContext) -> None:
    risks = text_of(reply(organisation, "risks"))
    assert "Why: 54 person-days of process work for 0.5 FTE available" in risks
    cost = reply(organisation, "cost")
    facts = {f.label: f.value for f in cost.facts}
    # tests/core/helpers.two_weak_processes: 19 (15-32) consultant days x 1,200; the project
    # 22,800 + 10,500 + 3,450 + 2,250 + 0 = 39,000 (31,725-62,850); 135 person-days x 480.
    assert facts["Consulting"] == "22,800 EUR (18,000–38,400)"
    assert facts["Project total"] == "39,000 EUR (31,725–62,850)"
    assert facts["Internal effort (135 person-days)"] == "64,800 EUR"
    assert "• Process work: 51 (54 person-days of process work, less 3 done by consultants)" in (
        text_of(cost)
    )
    # why the consulting figure has a range: its basis, in the card's text
    assert "Figures in brackets are how low and how high" in text_of(cost)
    assert "Consultant days: 19 (15–32) days × 1,200 EUR" in text_of(cost)
    status = {f.label: f.value for f in reply(organisation, "status").facts}
    assert status["Readiness"] == "92.9 %"
    plan = text_of(reply(organisation, "plan"))
    assert "54 person-days of process work in all." in plan


# --- members see no staffing -------------------------------------------------------------


def test_members_get_risks_without_staffing_and_the_plan_without_tasks(
    organisation: DialogContext, session: Session
) -> None:
    member = as_user(session, "bob")
    assert member.member.role == "member"
    risks = text_of(reply(member, "risks"))
    assert "Why: the process work needs more people than the project has" in risks
    assert "FTE" not in risks and "person-days" not in risks

    plan = reply(member, "plan")
    assert "Tasks" not in text_of(plan) and "person-days" not in text_of(plan)
    evaluation = member.evaluation()
    assert evaluation is not None and evaluation.plan.tasks
    assert plan.file is not None
    assert plan.file.content == gantt_png(evaluation, with_tasks=False)

    status = reply(member, "status")
    assert status.heading == "Your part of the assessment"
    assert "cost" not in text_of(status).lower()
    assert "managers only" in reply(member, "cost").heading
    ics = handle_command(member, "export ics").reply
    assert isinstance(ics, Message) and ics.file is not None  # the calendar is for everyone
    assert b"person-days" not in ics.file.content and b"FTE" not in ics.file.content


def test_managers_get_the_figures_and_the_full_gantt(
    organisation: DialogContext, session: Session
) -> None:
    manager = as_user(session, "carol", role="manager")
    assert "0.5 FTE available" in text_of(reply(manager, "risks"))
    plan = reply(manager, "plan")
    assert "Tasks, biggest gaps first" in text_of(plan)
    evaluation = manager.evaluation()
    assert evaluation is not None and plan.file is not None
    assert plan.file.content == gantt_png(evaluation)


# --- bookings ---------------------------------------------------------------------------


def book(ctx: DialogContext, key: str, day: str) -> Any:
    raw = {
        "batch": key,
        "booked_date": day,
        "certification_body": "Cert Body Ltd",
        "booking_reference": "Q-17",
    }
    return handle_submit(ctx, "booking", {}, raw)


def rows(ctx: DialogContext) -> dict[str, AuditBatch]:
    found = ctx.session.exec(
        select(AuditBatch).where(AuditBatch.organisation_id == ctx.organisation.id)
    )
    return {r.key: r for r in found}


def test_a_booking_moves_the_plan_its_rows_and_its_reminders(
    organisation: DialogContext,
) -> None:
    before = organisation.evaluation()
    assert before is not None
    planned = next(b for b in before.plan.audit_batches if b.key == "stage1")
    booked_day = planned.planned_date + dt.timedelta(days=28)  # four weeks later, same weekday
    outcome = book(organisation, "stage1", booked_day.isoformat())
    assert not outcome.errors
    assert isinstance(outcome.reply, Message) and outcome.reply.tone == "success"
    after = organisation.evaluation()
    assert after is not None
    stage1 = next(b for b in after.plan.audit_batches if b.key == "stage1")
    assert (stage1.planned_date, stage1.booked) == (booked_day, True)
    assert after.plan.certification_date > before.plan.certification_date
    assert (
        f"The certification decision is now expected on {after.plan.certification_date}."
        in outcome.reply.text
    )
    row = rows(organisation)["stage1"]
    assert (row.planned_date, row.booked, row.booked_date) == (booked_day, True, booked_day)
    assert (row.certification_body, row.booking_reference) == ("Cert Body Ltd", "Q-17")
    assert rows(organisation)["stage2"].planned_date == next(
        b.planned_date for b in after.plan.audit_batches if b.key == "stage2"
    )
    # Reminders follow the rows: none to book stage 1, the audit reminders on its new date.
    pending = organisation.session.exec(
        select(Reminder).where(
            Reminder.organisation_id == organisation.organisation.id, Reminder.state == "pending"
        )
    ).all()
    assert not [r for r in pending if r.kind == "booking_deadline" and r.subject == "stage1"]
    audit_days = {r.payload["planned"] for r in pending if r.kind == "audit_batch"}
    assert booked_day.isoformat() in audit_days
    assert "booked" in text_of(reply(organisation, "plan"))
    assert f"Confirmed {booked_day.isoformat()}" in text_of(reply(organisation, "audit"))


def test_a_booking_on_a_saturday_is_recorded_with_a_warning(organisation: DialogContext) -> None:
    outcome = book(organisation, "stage1", "2027-09-04")
    assert not outcome.errors
    assert isinstance(outcome.reply, Message) and outcome.reply.tone == "warning"
    assert "Note: 2027-09-04 is a Saturday, not a business day." in outcome.reply.text
    monday = book(organisation, "stage1", "2027-10-04")  # booked again: a Monday, no holiday
    assert isinstance(monday.reply, Message) and monday.reply.tone == "success"
    good_friday = book(organisation, "stage1", "2028-04-14")
    assert isinstance(good_friday.reply, Message)
    assert "2028-04-14 is Good Friday, not a business day" in good_friday.reply.text


def test_a_manager_s_plan_lists_ten_tasks_and_counts_the_rest(session: Session) -> None:
    # Nothing answered: all 28 requirement areas are tasks; a chat message shows ten.
    admin = as_user(session, "admin")
    assert not handle_submit(admin, "setup", {}, SETUP).errors
    evaluation = admin.evaluation()
    assert evaluation is not None and len(evaluation.plan.tasks) == 28
    lines = tasks_section(admin).splitlines()
    assert [line.startswith("• ") for line in lines[1:]] == [True] * 10 + [False]
    assert evaluation.plan.tasks[0].title in lines[1]  # biggest gap first
    assert lines[-1] == "…and 18 more in the report"
    # Everything answered at its best: nothing left to list.
    assessment = admin.assessment()
    for question, value in all_best(BANK).items():
        stored = value.isoformat() if isinstance(value, dt.date) else value
        record_answer(session, assessment, question, stored, admin.member)
    admin.replan()
    assert tasks_section(admin) == "No weak area left."


def tasks_section(ctx: DialogContext) -> str:
    found = [
        s.text for s in reply(ctx, "plan").sections if s.heading == "Tasks, biggest gaps first"
    ]
    assert len(found) == 1 and found[0] is not None
    return found[0]


def test_the_last_surveillance_audit_comes_before_a_booked_recertification(
    organisation: DialogContext,
) -> None:
    # The last pair of the cycle is checked like the first: surveillance 2 is the audit
    # before last, and a booked recertification bounds it.
    evaluation = organisation.evaluation()
    assert evaluation is not None
    recertification = next(
        b.planned_date for b in evaluation.plan.audit_batches if b.key == "recertification"
    )
    assert not book(organisation, "recertification", recertification.isoformat()).errors
    late = book(organisation, "surveillance2", (recertification + dt.timedelta(7)).isoformat())
    assert late.errors == {
        "booked_date": "Choose a date before the recertification audit "
        f"(booked for {recertification.isoformat()})."
    }
    assert not rows(organisation)["surveillance2"].booked


def test_bookings_out_of_the_horizon_or_out_of_order_are_refused(
    organisation: DialogContext,
) -> None:
    assert book(organisation, "stage1", "9999-12-31").errors == {
        "booked_date": "Choose a date from 2000-01-01 to 2036-11-25 (at most 10 years ahead)."
    }
    assert not rows(organisation)["stage1"].booked  # nothing recorded
    assert not book(organisation, "stage1", "2027-09-06").errors
    early = book(organisation, "stage2", "2027-09-06")
    assert early.errors == {
        "booked_date": "Choose a date after the stage 1 audit (booked for 2027-09-06)."
    }
    assert not book(organisation, "stage2", "2027-10-04").errors
    late = book(organisation, "stage1", "2027-10-11")
    assert late.errors == {
        "booked_date": "Choose a date before the stage 2 audit (booked for 2027-10-04)."
    }
