"""Teams end to end: activities signed as the Bot Connector signs them, posted over real HTTP
to the real app under uvicorn, its answers read back from the fake Bot Connector."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.store.models import Answer, Member, Organisation, TeamsConversation
from iso20k_core.standard import load_bank
from tests.e2e.teams_harness import (
    ALICE,
    BOB,
    CAROL,
    OTHER_TENANT,
    TENANT,
    TeamsWorld,
    card_text,
    inputs_of,
    start_teams_world,
    stop_teams_world,
)
from tests.teamsfake.activities import message, post, signed_post
from tests.teamsfake.identity import SigningKey

BANK = load_bank()
SETUP = {
    "organisation": "Acme IT",
    "persons_in_scope": "60",
    "it_staff": "40",
    "services_in_scope": "8",
    "sites": "1",
    "staff_available_fte": "3",
    "itil_adoption": "partial",
    "start_date": "2027-01-11",
    "country": "DE",
    "timezone": "Europe/Berlin",
    "currency": "EUR",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def teams_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'teams.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


@pytest.fixture
def teams(tmp_path: Path, teams_database_url: str) -> Iterator[TeamsWorld]:
    world = start_teams_world(tmp_path, teams_database_url)
    try:
        yield world
        world.check_all()
    finally:
        stop_teams_world(world)


@pytest.fixture
def teams_sqlite(tmp_path: Path) -> Iterator[TeamsWorld]:
    world = start_teams_world(tmp_path)
    try:
        yield world
        world.check_all()
    finally:
        stop_teams_world(world)


def set_up(world: TeamsWorld, user=ALICE, tenant: str = TENANT, **changes: str) -> None:  # type: ignore[no-untyped-def]
    chat = world.chat_of(user, tenant)
    before = len(world.connector.messages_to(chat))
    assert world.say("setup", user=user, tenant=tenant).status == 202
    form = world.next_message(chat, before + 1)
    assert "Organisation profile" in card_text(form.cards[0])
    assert world.submit(form, {**SETUP, **changes}, user=user, tenant=tenant).status == 202
    saved = world.updated(form)
    assert "Organisation profile" not in card_text(saved) or "saved" in card_text(saved).lower()


def organisation(world: TeamsWorld, tenant: str = TENANT) -> Organisation | None:
    with Session(world.engine) as session:
        return session.exec(select(Organisation).where(Organisation.external_id == tenant)).first()


def test_help_in_a_personal_chat_and_the_conversation_is_kept(teams: TeamsWorld) -> None:
    assert teams.say("help").status == 202
    reply = teams.next_message(teams.chat_of(ALICE), 1)
    text = card_text(reply.cards[0])
    assert "prepare for ISO/IEC 20000-1 certification" in text
    assert "assess [section]" in text and "/iso20k" not in text  # typed as words in Teams
    assert teams.tokens.issued, "the reply carried the bot's own token"
    with Session(teams.engine) as session:
        kept = session.exec(select(TeamsConversation)).one()
    assert kept.conversation_id == teams.chat_of(ALICE)
    assert kept.user_aad_id == ALICE.aad_object_id
    assert kept.service_url == teams.connector.service_url


def test_setup_makes_the_first_person_admin_and_updates_its_card(teams: TeamsWorld) -> None:
    set_up(teams)
    found = organisation(teams)
    assert found is not None and found.name == "Acme IT" and found.profile is not None
    with Session(teams.engine) as session:
        member = session.exec(select(Member)).one()
    assert (member.platform_user_id, member.role) == (ALICE.aad_object_id, "admin")
    # the form's card was replaced; no second card was posted for the result
    assert len(teams.connector.messages_to(teams.chat_of(ALICE))) == 1


def test_a_refused_submission_shows_the_form_again_and_saves_nothing(teams: TeamsWorld) -> None:
    assert teams.say("setup").status == 202
    form = teams.next_message(teams.chat_of(ALICE), 1)
    values = {**SETUP, "persons_in_scope": "-5", "organisation": "Acme  IT"}
    assert teams.submit(form, values).status == 202
    again = teams.updated(form)
    text = card_text(again)
    assert "Organisation profile" in text
    people = next(e for e in inputs_of(again) if e["id"] == "persons_in_scope")
    assert people["value"] == -5  # the person's own value, kept
    shown_errors = [b for b in again["body"] if b.get("color") == "attention"]
    assert shown_errors, "the error is shown on the card"
    found = organisation(teams)
    assert found is None or found.profile is None  # nothing saved
    # corrected, it is saved
    assert teams.submit(form, SETUP).status == 202
    teams.updated(form, 2)
    teams.connector.wait_for(lambda: (o := organisation(teams)) is not None and o.profile)


def test_a_whole_section_over_two_pages(teams: TeamsWorld) -> None:
    set_up(teams)
    chat = teams.chat_of(ALICE)
    teams.say("assess resolution")
    page = teams.next_message(chat, 2)
    first = page.cards[0]
    assert "page 1 of 2" in card_text(first)
    questions = [e for e in inputs_of(first)]
    assert len(questions) == 10
    teams.submit(page, answer_everything(first))
    second = teams.updated(page)
    assert "page 2 of 2" in card_text(second)
    teams.submit(page, answer_everything(second))
    done = teams.updated(page, 2)
    assert "Resolution and fulfilment: saved" in card_text(done)
    with Session(teams.engine) as session:
        stored = {a.question_id for a in session.exec(select(Answer))}
    assert {q.id for q in BANK.section("resolution").questions} <= stored
    assert len(teams.connector.messages_to(chat)) == 2  # one card per form, updated in place


def answer_everything(card: dict[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for element in inputs_of(card):
        match element["type"]:
            case "Input.ChoiceSet":
                choices = element["choices"]
                values[element["id"]] = choices[min(2, len(choices) - 1)]["value"]
            case "Input.Number":
                values[element["id"]] = "2"
            case "Input.Date":
                values[element["id"]] = "2026-10-01"
            case _:
                values[element["id"]] = "Documented."
    return values


def test_status_for_the_admin(teams: TeamsWorld) -> None:
    set_up(teams)
    teams.say("status")
    reply = teams.next_message(teams.chat_of(ALICE), 2)
    text = card_text(reply.cards[0])
    assert "Readiness" in text and "Verdict" in text


def test_assign_mentions_a_colleague_who_gets_a_1to1_message(teams: TeamsWorld) -> None:
    set_up(teams)
    teams.say("assign <at>Bob Builder</at> resolution 2026-12-18", mentions=(BOB,))
    reply = teams.next_message(teams.chat_of(ALICE), 2)
    card = reply.cards[0]
    assert "<at>Bob Builder</at> will answer it" in card_text(card)
    entities = card["msteams"]["entities"]
    assert entities == [
        {
            "type": "mention",
            "text": "<at>Bob Builder</at>",
            "mentioned": {"id": BOB.aad_object_id, "name": "Bob Builder"},
        }
    ]
    created = teams.connector.wait_for(lambda: teams.connector.created)
    assert created[0].member_id == BOB.teams_id and created[0].tenant_id == TENANT
    to_bob = teams.next_message(created[0].conversation_id, 1)
    assert "Please answer" in card_text(to_bob.cards[0])
    # Bob presses "Answer now": the card becomes the section's first page
    teams.submit(to_bob, action="Answer now", user=BOB)
    page = teams.updated(to_bob)
    assert "Resolution and fulfilment" in card_text(page) and inputs_of(page)
    with Session(teams.engine) as session:
        bob = session.exec(select(Member).where(Member.platform_user_id == BOB.aad_object_id)).one()
    assert bob.role == "member"


def test_in_a_channel_the_answer_goes_to_the_1to1_chat(teams: TeamsWorld) -> None:
    set_up(teams)
    channel = "19:general@thread.tacv2"
    teams.connector.open(channel, tenant_id=TENANT, conversation_type="channel")
    assert teams.say("cost", conversation=channel, conversation_type="channel").status == 202
    pointer = teams.next_message(channel, 1)
    assert "answer in our 1:1 chat" in card_text(pointer.cards[0])
    assert pointer.reply_to_id is not None  # in the thread of the question
    answer = teams.next_message(teams.chat_of(ALICE), 2)
    assert "Project cost" in card_text(answer.cards[0]) or "cost" in card_text(answer.cards[0])


def test_a_report_by_link_that_is_not_guessable(teams_sqlite: TeamsWorld) -> None:
    teams = teams_sqlite
    set_up(teams)
    teams.say("report pdf")
    chat = teams.chat_of(ALICE)
    assert "Preparing your file" in card_text(teams.next_message(chat, 2).cards[0])
    card = teams.next_message(chat, 3).cards[0]
    link = next(a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl")
    assert link.startswith(teams.base_url + "/files/")
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 random bits
    with urllib.request.urlopen(link, timeout=30) as answer:
        assert answer.headers["Content-Type"] == "application/pdf"
        assert "attachment" in answer.headers["Content-Disposition"]
        assert answer.read().startswith(b"%PDF")
    for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 43):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{teams.base_url}/files/{wrong}", timeout=30)
        assert refused.value.code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "someone-else"},
        {"iss": "https://evil.example"},
        {"lifetime": -600},
        {"serviceurl": "https://evil.example/amer/"},
    ],
    ids=["audience", "issuer", "expired", "service-url"],
)
def test_bad_tokens_get_401_and_touch_nothing(
    teams_sqlite: TeamsWorld, change: dict[str, Any]
) -> None:
    teams = teams_sqlite
    answer = teams.say("setup", **change)
    assert answer.status == 401
    assert b"Bearer" not in answer.body
    assert organisation(teams) is None
    assert not teams.connector.sent


def test_no_token_and_a_foreign_key_get_401(teams_sqlite: TeamsWorld) -> None:
    teams = teams_sqlite
    activity = message(
        "help",
        tenant=TENANT,
        user=ALICE,
        conversation=teams.chat_of(ALICE),
        service_url=teams.connector.service_url,
    )
    assert post(teams.base_url, activity).status == 401
    stranger = SigningKey("key-1")  # same key id, another key: a forged signature
    token = teams.identity.sign(stranger, serviceurl=activity["serviceUrl"])
    assert post(teams.base_url, activity, token=token).status == 401
    assert signed_post(teams.identity, teams.base_url, activity).status == 202
    teams.next_message(teams.chat_of(ALICE), 1)
    assert organisation(teams) is not None


def test_two_tenants_never_see_each_other(teams: TeamsWorld) -> None:
    set_up(teams)
    teams.say("status", user=CAROL, tenant=OTHER_TENANT)
    theirs = teams.next_message(teams.chat_of(CAROL, OTHER_TENANT), 1)
    assert "Acme IT" not in card_text(theirs.cards[0])
    assert "No organisation profile yet" in card_text(theirs.cards[0])
    # Alice cannot assign someone of another tenant, even if mentioned
    teams.connector.allow_refusal("MemberNotFoundInConversation")
    teams.say("assign <at>Carol of Contoso</at> resolution", mentions=(CAROL,))
    refused = teams.next_message(teams.chat_of(ALICE), 2)
    assert "not in this organisation" in card_text(refused.cards[0])
    assert not teams.connector.created
    with Session(teams.engine) as session:
        assert {o.external_id for o in session.exec(select(Organisation))} == {
            TENANT,
            OTHER_TENANT,
        }


def test_a_429_waits_retry_after_and_the_reply_arrives(teams_sqlite: TeamsWorld) -> None:
    teams = teams_sqlite
    teams.connector.throttle(1, retry_after=0.25)
    teams.say("help")
    teams.next_message(teams.chat_of(ALICE), 1)
    assert len(teams.connector.throttled) == 1


def test_a_reminder_is_delivered_proactively_and_a_429_defers_it(
    teams_sqlite: TeamsWorld,
) -> None:
    from bot.reminders.dispatch import tick
    from bot.store.models import Reminder
    from bot.teams.reminder_channel import TeamsReminderChannel

    teams = teams_sqlite
    set_up(teams)
    channel = TeamsReminderChannel.from_settings(teams.settings, teams.engine)
    with Session(teams.engine) as session:
        first = session.exec(
            select(Reminder)
            .where(Reminder.target == ALICE.aad_object_id, Reminder.state == "pending")
            .order_by(Reminder.due_at)  # type: ignore[arg-type]
        ).first()
    assert first is not None, "setup made reminders for the admin"
    assert first.id is not None
    chat = teams.chat_of(ALICE)
    before = len(teams.connector.messages_to(chat))

    def due() -> Reminder:
        with Session(teams.engine) as session:
            found = session.get(Reminder, first.id)
            assert found is not None
            return found

    # Teams refuses three times: the connector waits twice, then hands it back to the outbox
    teams.connector.throttle(3, retry_after=0.25)
    for _ in range(3):  # the first tick may defer it to working hours
        moment = due().due_at
        tick(teams.engine, BANK, {"teams": channel}, lambda moment=moment: moment)
        if len(teams.connector.throttled) == 3:
            break
    assert len(teams.connector.throttled) == 3
    assert due().state == "pending" and len(teams.connector.messages_to(chat)) == before
    moment = due().due_at
    result = tick(teams.engine, BANK, {"teams": channel}, lambda: moment)
    channel.close()
    assert result.sent >= 1
    assert due().state == "sent"
    reminder = teams.connector.messages_to(chat)[before]
    assert reminder.cards and reminder.reply_to_id is None  # proactive, not a reply


def test_installing_the_bot_in_a_team_greets_it(teams_sqlite: TeamsWorld) -> None:
    from tests.teamsfake.activities import conversation_update

    teams = teams_sqlite
    channel = "19:ops@thread.tacv2"
    teams.connector.open(channel, tenant_id=TENANT, conversation_type="channel")
    activity = conversation_update(
        tenant=TENANT,
        conversation=channel,
        service_url=teams.connector.service_url,
        conversation_type="channel",
        by=ALICE,
    )
    assert signed_post(teams.identity, teams.base_url, activity).status == 202
    welcome = teams.next_message(channel, 1)
    assert "What you can ask" in card_text(welcome.cards[0])
    with Session(teams.engine) as session:
        kept = session.exec(select(TeamsConversation)).one()
    assert (kept.conversation_id, kept.conversation_type) == (channel, "channel")


def test_recording_a_booking_and_changing_reminders_in_cards(teams_sqlite: TeamsWorld) -> None:
    from bot.store.models import AuditBatch

    teams = teams_sqlite
    set_up(teams)
    chat = teams.chat_of(ALICE)
    teams.say("audit")
    listing = teams.next_message(chat, 2)
    assert "not booked; book by" in card_text(listing.cards[0])
    teams.submit(listing, action="Record a booking")
    form = teams.updated(listing)
    assert "Record a booking" in card_text(form)
    booking = {
        "batch": "stage1",
        "booked_date": "2028-09-04",
        "certification_body": "Cert Body Ltd",
        "booking_reference": "Q-17",
    }
    teams.submit(listing, booking)
    booked = teams.updated(listing, 2)
    assert "booked for 2028-09-04" in card_text(booked)
    with Session(teams.engine) as session:
        stage1 = session.exec(select(AuditBatch).where(AuditBatch.key == "stage1")).one()
    assert stage1.booked and stage1.booking_reference == "Q-17"
    # reminder settings: the same card flow
    teams.say("remind change")
    settings = teams.next_message(chat, 3)
    values = {e["id"]: str(e.get("value", "")) for e in inputs_of(settings.cards[0])}
    assert values, "the reminder settings are a form"
    teams.submit(settings, values)
    assert "Reminder" in card_text(teams.updated(settings))


def test_a_button_pressed_in_a_channel_is_answered_in_private(teams_sqlite: TeamsWorld) -> None:
    teams = teams_sqlite
    set_up(teams)
    channel = "19:reminders@thread.tacv2"
    teams.connector.open(channel, tenant_id=TENANT, conversation_type="channel")
    pressed = message(
        None,
        tenant=TENANT,
        user=ALICE,
        conversation=channel,
        service_url=teams.connector.service_url,
        conversation_type="channel",
        value={"iso20k": {"action": "book", "value": "stage1"}},
        reply_to="1700000000000",  # a reminder card the bot posted in the channel
    )
    assert signed_post(teams.identity, teams.base_url, pressed).status == 202
    form = teams.next_message(teams.chat_of(ALICE), 2)
    assert "Record a booking" in card_text(form.cards[0])
    pointer = teams.next_message(channel, 1)
    assert "answer in our 1:1 chat" in card_text(pointer.cards[0])
    assert not [u for u in teams.connector.updates if u.conversation_id == channel]


def test_role_by_mention_tells_the_person_in_private(teams_sqlite: TeamsWorld) -> None:
    teams = teams_sqlite
    set_up(teams)
    teams.say("role <at>Bob Builder</at> manager", mentions=(BOB,))
    granted = teams.next_message(teams.chat_of(ALICE), 2)
    assert "<at>Bob Builder</at> is now manager" in card_text(granted.cards[0])
    created = teams.connector.wait_for(lambda: teams.connector.created)
    told = teams.next_message(created[0].conversation_id, 1)
    assert "You are now manager" in card_text(told.cards[0])
    with Session(teams.engine) as session:
        bob = session.exec(select(Member).where(Member.platform_user_id == BOB.aad_object_id)).one()
    assert bob.role == "manager"


def test_the_plan_s_chart_is_shown_from_its_link(teams_sqlite: TeamsWorld) -> None:
    teams = teams_sqlite
    set_up(teams)
    teams.say("plan")
    chat = teams.chat_of(ALICE)
    assert "Drawing the plan" in card_text(teams.next_message(chat, 2).cards[0])
    card = teams.next_message(chat, 3).cards[0]
    images = [e for e in card["body"] if e.get("type") == "Image"]
    assert images and images[0]["url"].startswith(teams.base_url + "/files/")
    assert images[0]["altText"]
    with urllib.request.urlopen(images[0]["url"], timeout=30) as answer:
        assert answer.headers["Content-Type"] == "image/png"
        assert answer.headers["Content-Disposition"].startswith("inline")
        assert answer.read().startswith(b"\x89PNG")
