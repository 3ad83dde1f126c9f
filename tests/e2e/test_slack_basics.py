"""The Slack app over real HTTP: signatures, help, setup with bad and good input, roles."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from bot.store.models import Member, Organisation
from tests.e2e.harness import SlackPeople, SlackWorld, block_text, button, start_world, stop_world


def radio(value: str) -> dict[str, Any]:
    return {"type": "radio_buttons", "selected_option": {"value": value}}


def chosen(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def number(value: str) -> dict[str, Any]:
    return {"type": "number_input", "value": value}


def date(value: str | None) -> dict[str, Any]:
    return {"type": "datepicker", "selected_date": value}


def text(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def setup_values(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "organisation": text("Acme IT"),
        "persons_in_scope": number("60"),
        "it_staff": number("40"),
        "services_in_scope": number("8"),
        "sites": number("1"),
        "staff_available_fte": number("3"),
        "itil_adoption": radio("partial"),
        "existing_certifications": {"type": "checkboxes", "selected_options": []},
        "start_date": date("2027-01-11"),
        "target_certification_date": date(None),
        "country": chosen("DE"),
        "timezone": chosen("Europe/Berlin"),
        "currency": chosen("EUR"),
        "consultant_day_rate": number(""),
        "auditor_day_rate": number(""),
        "internal_day_rate": number(""),
        "reminder_channel": {"type": "conversations_select", "selected_conversation": "C42"},
    }
    values.update(changes)
    return values


def set_up(world: SlackPeople, team: str = "T1", user: str = "U1") -> None:
    opened = len(world.slack.calls_to("views.open"))
    assert world.command("setup", team=team, user=user).status == 200
    view = world.opened_view(opened + 1)
    response = world.submit(view, setup_values(), team=team, user=user)
    assert response.status == 200 and response.text == ""


def organisations(world: SlackWorld) -> list[Organisation]:
    with Session(world.engine) as session:
        return list(session.exec(select(Organisation)))


def test_help_for_an_empty_command_and_the_closest_match(world: SlackWorld) -> None:
    started = time.monotonic()
    assert world.command("").status == 200
    reply = world.last("response_url")
    assert "iso20k: prepare for ISO/IEC 20000-1" in block_text(reply.args["blocks"])
    assert reply.args["response_type"] == "ephemeral"
    world.command("stauts")
    again = world.last("response_url", 2)
    assert "Did you mean `/iso20k status`?" in block_text(again.args["blocks"])
    assert world.slack.calls_to("auth.test")  # Bolt checked its token against the fake
    assert time.monotonic() - started < 10


def test_bad_signatures_get_401_and_touch_nothing(world: SlackWorld) -> None:
    assert world.command("setup", secret="wrong-secret").status == 401
    assert world.command("setup", timestamp=int(time.time()) - 6 * 60).status == 401
    assert organisations(world) == []
    assert world.slack.calls_to("views.open") == []


def test_setup_with_bad_input_shows_inline_errors_and_saves_nothing(world: SlackWorld) -> None:
    world.command("setup")
    view = world.opened_view()
    assert view["title"]["text"] == "Organisation profile"
    bad = setup_values(
        persons_in_scope=number("-5"),
        staff_available_fte=number("1e9"),
        start_date=date("2026-01-01"),
        country=chosen("XX"),  # not among the options: a forged or stale request
        it_staff=number(""),
    )
    response = world.submit(view, bad, forged=True)
    assert response.status == 200
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "persons_in_scope": "Enter at least 1.",
        "staff_available_fte": "Enter at most 10000.",
        "start_date": "Choose a date from 2026-11-25 on.",
        "it_staff": "Please fill this in.",
        "country": "'XX' is not a country with a holiday calendar",
    }
    assert organisations(world)[0].profile is None


def test_setup_saves_the_profile_and_makes_the_first_person_admin(world: SlackWorld) -> None:
    set_up(world)
    org = organisations(world)[0]
    assert org.profile is not None and org.profile["persons_in_scope"] == 60
    assert org.reminder_channel == "C42" and org.timezone == "Europe/Berlin"
    saved = world.last("chat.postMessage")
    assert saved.args["channel"] == "U1"
    assert "Profile saved" in block_text(saved.args["blocks"])
    with Session(world.engine) as session:
        assert session.exec(select(Member)).one().role == "admin"


def test_roles_decide_who_sees_costs(world: SlackWorld) -> None:
    set_up(world)
    world.command("cost", user="U2")
    refused = world.last("response_url", 1)
    assert "visible to managers only" in block_text(refused.args["blocks"])
    world.command("role <@U3|carol> manager", user="U2")
    assert "Only admins can grant roles" in block_text(world.last("response_url", 2).args["blocks"])
    world.command("role <@U2|bob> manager", user="U1")
    assert "is now manager" in block_text(world.last("response_url", 3).args["blocks"])
    notice = world.last("chat.postMessage", 2)
    assert notice.args["channel"] == "U2"
    world.command("cost", user="U2")
    costs = block_text(world.last("response_url", 4).args["blocks"])
    assert "Cost estimate" in costs and "Project total" in costs


def test_every_report_subcommand_answers(world: SlackWorld) -> None:
    set_up(world)
    expected = {
        "status": "ISO/IEC 20000-1 status: Acme IT",
        "plan": "Certification plan",
        "cost": "Cost estimate",
        "risks": "Risks (",
        "audit": "Audits with the certification body",
        "help": "What you can ask:",
        "remind": "Reminders",
    }
    for n, (command, heading) in enumerate(expected.items(), 1):
        assert world.command(command).status == 200
        assert heading in block_text(world.last("response_url", n).args["blocks"]), command


def test_two_workspaces_never_see_each_other(world: SlackWorld) -> None:
    set_up(world, team="T1", user="U1")
    world.command("status", team="T2", user="U9")
    other = block_text(world.last("response_url").args["blocks"])
    assert "No organisation profile yet" in other
    assert "Acme IT" not in other
    assert {o.external_id for o in organisations(world)} == {"T1", "T2"}
    world.command("status", team="T1", user="U1")
    assert "Acme IT" in block_text(world.last("response_url", 2).args["blocks"])


def test_status_buttons_lead_on(world: SlackWorld) -> None:
    set_up(world)
    world.command("status")
    blocks = world.last("response_url").args["blocks"]
    world.click(button(blocks, "Plan"))
    # A button's acknowledgement carries no text: the slow lane's "preparing" line comes
    # first, then the plan (bot/dialogs/lanes.py).
    assert "Drawing the plan" in block_text(world.last("response_url", 2).args["blocks"])
    assert "Certification plan" in block_text(world.last("response_url", 3).args["blocks"])
    world.click(button(blocks, "Continue the assessment"))
    assert world.opened_view(2)["title"]["text"] == "Assessment"


def test_dialogs_in_worker_processes_as_served_in_production(
    tmp_path: Path, slack_database_url: str
) -> None:
    world = start_world(tmp_path, database_url=slack_database_url, processes=2)
    try:
        set_up(world)
        world.command("status")
        assert "ISO/IEC 20000-1 status: Acme IT" in block_text(
            world.last("response_url").args["blocks"]
        )
        world.check_all()
    finally:
        stop_world(world)


def test_reminder_settings_keep_the_fields_nobody_touched(world: SlackWorld) -> None:
    set_up(world)
    world.command("remind change")
    form = world.opened_view(2)
    assert form["title"]["text"] == "Reminder settings"
    # Only one field is changed: Slack submits every other one with its initial value.
    assert world.submit(form, {"booking_days": "15, 5"}).text == ""
    saved = world.last("chat.postMessage", 2)
    assert "Reminder settings saved" in block_text(saved.args["blocks"])
    world.command("remind")
    shown = block_text(world.last("response_url").args["blocks"])
    assert "Before each booking deadline (business days)*\n15, 5" in shown
    assert "Before each audit (calendar days)*\n14, 7, 1" in shown
    assert "Working hours*\n09:00–17:00" in shown


def test_a_target_date_before_the_start_is_refused_on_the_target_date(world: SlackWorld) -> None:
    world.command("setup")
    view = world.opened_view()
    early = setup_values(
        start_date=date("2027-01-11"), target_certification_date=date("2027-01-04")
    )
    # The harness fails here if the error is keyed on anything but an input of the form:
    # Slack would show the person a generic failure instead of the message.
    answer = world.submit(view, early).json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["target_certification_date"]
    message = answer["errors"]["target_certification_date"]
    assert "_" not in message  # the person's words, no internal field names
    assert organisations(world)[0].profile is None


def test_setup_offers_the_person_s_own_timezone_and_lists_to_choose_from(
    world: SlackWorld,
) -> None:
    world.slack.set_user("U1", tz="Asia/Shanghai", team_id="T1")
    world.command("setup")
    view = world.opened_view()
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["timezone"]["initial_option"]["value"] == "Asia/Shanghai"
    for field in ("country", "timezone", "currency"):
        assert inputs[field]["type"] == "static_select"
        groups = inputs[field]["option_groups"]
        assert all(len(g["options"]) <= 100 for g in groups)
    countries = {
        o["value"]: o["text"]["text"]
        for g in inputs["country"]["option_groups"]
        for o in g["options"]
    }
    assert countries["CN"] == "China (CN)"
