"""Assessment, assignments, bookings and resilience, over real HTTP against the fake Slack."""

from __future__ import annotations

import time
from typing import Any

from sqlmodel import Session, select

from bot.store.models import Answer, AnswerRevision, Assignment, AuditBatch
from iso20k_core.standard import load_bank
from tests.e2e.harness import SlackWorld, block_text, button
from tests.e2e.quiet import WorkCounter
from tests.e2e.test_slack_basics import set_up

BANK = load_bank()


def answer_everything(view: dict[str, Any], choice: int = 3) -> dict[str, Any]:
    """A state for every input of a modal, as a person filling it in would leave it."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        match element["type"]:
            case "radio_buttons" | "static_select":
                option = element["options"][min(choice, len(element["options"]) - 1)]
                values[block["block_id"]] = {"type": element["type"], "selected_option": option}
            case "number_input":
                values[block["block_id"]] = {"type": "number_input", "value": "2"}
            case "datepicker":
                values[block["block_id"]] = {"type": "datepicker", "selected_date": "2026-10-01"}
            case _:
                values[block["block_id"]] = {"type": "plain_text_input", "value": "Documented."}
    return values


def answers(world: SlackWorld) -> dict[str, object]:
    with Session(world.engine) as session:
        return {a.question_id: a.value for a in session.exec(select(Answer))}


def test_a_whole_section_over_two_pages(world: SlackWorld) -> None:
    set_up(world)
    world.command("assess resolution")
    first = world.opened_view(2)  # the first was setup's
    inputs = [b for b in first["blocks"] if b["type"] == "input"]
    assert len(inputs) == 10
    assert all(b.get("hint", {}).get("text") for b in inputs)  # guidance for every question
    page_two = world.submit(first, answer_everything(first)).json()
    assert page_two["response_action"] == "update"
    second = page_two["view"]
    assert "page 2 of 2" in block_text(second["blocks"])
    assert world.submit(second, answer_everything(second)).text == ""
    saved = world.last("chat.postMessage", 2)
    assert "Resolution and fulfilment: saved" in block_text(saved.args["blocks"])
    section = [q.id for q in BANK.section("resolution").questions]
    assert set(section) <= set(answers(world))
    # resuming: the next `assess` opens the first section with an unanswered question
    world.command("assess")
    assert "Management and technical foundation" in block_text(world.opened_view(3)["blocks"])


def test_a_retried_submission_and_two_people_keep_every_revision(world: SlackWorld) -> None:
    set_up(world)
    world.command("assess context")
    view = world.opened_view(2)
    values = answer_everything(view, choice=1)
    world.submit(view, values)
    world.submit(view, values)  # a double click, or Slack retrying
    world.command("assess context", user="U2")
    other = world.opened_view(3)
    world.submit(other, answer_everything(other, choice=2), user="U2")
    with Session(world.engine) as session:
        history = list(
            session.exec(
                select(AnswerRevision).where(
                    AnswerRevision.question_id == "sms_leadership.commitment"
                )
            )
        )
    assert [r.new_value for r in history] == [1, 2]
    assert [r.old_value for r in history] == [None, 1]
    assert answers(world)["sms_leadership.commitment"] == 2


def test_assign_sends_a_direct_message_that_opens_the_section(world: SlackWorld) -> None:
    set_up(world)
    world.command("assign <@U2|bob> resolution 2026-12-18")
    assert "Assigned Resolution and fulfilment" in block_text(
        world.last("response_url").args["blocks"]
    )
    dm = world.last("chat.postMessage", 2)
    assert dm.args["channel"] == "U2"
    world.click(button(dm.args["blocks"], "Answer now"), user="U2")
    view = world.opened_view(2)  # the first was setup's
    assert "Resolution and fulfilment — page 1 of 2" in block_text(view["blocks"])
    world.command("assign <@U2|bob> resolution 2026-12-18")  # twice: still one assignment
    # Its reply first: commands run side by side, so the next one's could overtake it.
    world.last("response_url", 2)
    world.command("assign <@U2|bob> nosuch")
    assert "There is no section 'nosuch'" in block_text(
        world.last("response_url", 3).args["blocks"]
    )
    world.command("assign <@U2|bob> resolution 2020-01-01")
    assert "in the past" in block_text(world.last("response_url", 4).args["blocks"])
    with Session(world.engine) as session:
        rows = list(session.exec(select(Assignment)))
    assert len(rows) == 1 and str(rows[0].due_date) == "2026-12-18"
    world.command("status", user="U2")
    mine = block_text(world.last("response_url", 5).args["blocks"])
    assert "Resolution and fulfilment: 0 of 11 answered, due 2026-12-18" in mine


def test_recording_an_audit_booking(world: SlackWorld) -> None:
    set_up(world)
    world.command("audit")
    listing = world.last("response_url").args["blocks"]
    assert "not booked; book by" in block_text(listing)
    world.click(button(listing, "Record a booking"))
    form = world.opened_view(2)
    values = {
        "batch": "stage1",
        "booked_date": "2028-09-04",
        "certification_body": "Cert Body Ltd",
        "booking_reference": "Q-17",
    }
    assert world.submit(form, values).text == ""
    with Session(world.engine) as session:
        stage1 = session.exec(select(AuditBatch).where(AuditBatch.key == "stage1")).one()
    assert stage1.booked and stage1.booking_reference == "Q-17"
    world.command("audit")
    assert "booked with Cert Body Ltd" in block_text(world.last("response_url", 2).args["blocks"])


def test_rate_limits_and_server_errors_are_retried(world: SlackWorld) -> None:
    set_up(world)
    world.slack.fail_next("views.open", status=429, retry_after=1)
    world.command("assess context")
    opened = world.slack.wait_for("views.open", 3, timeout=15)  # setup, the 429, the retry
    assert opened[-2].failed and not opened[-1].failed
    world.slack.fail_next("chat.postMessage", status=503)
    world.command("assign <@U2|bob> context")
    posted = world.slack.wait_for("chat.postMessage", 3, timeout=15)
    assert posted[-1].args["channel"] == "U2" and not posted[-1].failed


def test_home_tab_is_published_once_per_event(world: SlackWorld) -> None:
    set_up(world)
    counter = WorkCounter(world)
    event = {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}
    assert world.event(event, event_id="Ev1").status == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert world.event(event, event_id="Ev1", headers=retry).status == 200
    assert world.event(event, event_id="Ev2").status == 200
    # Counted once everything the three deliveries caused is over, not at the first match:
    # a duplicate Home view would arrive after the ones this test is waiting for.
    counter.wait_quiet(2)  # the retry in flight joins its first: maybe no call
    published = world.slack.calls_to("views.publish")
    assert len(published) == 2  # Ev1 once (its retry did nothing), Ev2 once
    assert "ISO/IEC 20000-1 status: Acme IT" in block_text(published[0].json("view")["blocks"])
    home = published[-1].json("view")
    world.click(button(home["blocks"], "Continue the assessment"), in_message=False)
    assert world.opened_view(2)["title"]["text"] == "Assessment"


def test_the_command_is_acknowledged_before_slow_work(world: SlackWorld) -> None:
    set_up(world)
    world.slack.delay("views.open", 2.0)  # Slack being slow must not delay the ack
    response = world.command("assess")
    answered = time.monotonic()
    assert response.status == 200
    slow = world.slack.wait_for("views.open", 2, timeout=10)[-1]
    # the command's answer came back before Slack had even answered the app's views.open
    assert answered < slow.at + 2.0
