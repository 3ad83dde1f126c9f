"""Reading an incoming activity into a `Turn`: who spoke, where, what they typed or submitted;
what the bot ignores; what is refused and why; and the delivery key that makes a repeated
delivery (or a double click on a card) one turn.

Activities are built by `tests.teamsfake.activities` in Teams' wire shape, then changed.
"""

from __future__ import annotations

import copy
import dataclasses
import html
from typing import Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.teams.activity import (
    Conversation,
    Mentioned,
    NotAnActivity,
    Turn,
    TurnKind,
    _typed,
    read_turn,
)
from tests.teamsfake.activities import (
    TeamsUser,
    bot,
    conversation_update,
    installation_update,
    message,
)
from tests.teamsfake.identity import APP_ID

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
SERVICE_URL = "https://smba.trafficmanager.net/amer/"
CHAT = "a:1personal-chat"
CHANNEL = "19:general@thread.tacv2;messageid=1700000000000"
ALICE = TeamsUser("29:alice", "aad-alice-0001", "Alice Admin")
BOB = TeamsUser("29:bob", "aad-bob-0002", "Bob Builder")
BOT_ID = f"28:{APP_ID}"


def said(text: str | None, **changes: Any) -> dict[str, Any]:
    """A message from Alice in her 1:1 chat (or wherever `changes` say)."""
    where: dict[str, Any] = {
        "tenant": TENANT,
        "user": ALICE,
        "conversation": CHAT,
        "service_url": SERVICE_URL,
    }
    return message(text, **{**where, **changes})


def in_channel(text: str, **changes: Any) -> dict[str, Any]:
    return said(text, conversation=CHANNEL, conversation_type="channel", **changes)


def turn_of(body: dict[str, Any]) -> Turn:
    turn = read_turn(body, APP_ID)
    assert turn is not None
    return turn


def submitted(value: dict[str, Any], card: str = "1700000000001", **changes: Any) -> Turn:
    return turn_of(said(None, value=value, reply_to=card, **changes))


# --- messages ------------------------------------------------------------------------------


def test_a_message_in_a_personal_chat() -> None:
    body = said("help", locale="de-DE", timezone="Asia/Tokyo")
    turn = turn_of(body)
    assert turn.kind == "message"
    assert turn.text == "help"
    assert turn.activity_id == body["id"]
    assert turn.user_teams_id == "29:alice"
    assert turn.user_aad_id == "aad-alice-0001"
    assert turn.user_name == "Alice Admin"
    assert turn.tenant_id == TENANT
    assert turn.conversation == Conversation(CHAT, SERVICE_URL, TENANT, "personal", BOT_ID)
    assert turn.mentions == ()
    assert turn.value == {}
    assert turn.reply_to_id is None
    assert turn.locale == "de-DE"
    assert turn.timezone == "Asia/Tokyo"


def test_in_a_channel_the_bots_mention_is_stripped_and_others_are_kept() -> None:
    body = in_channel("assign <at>Bob Builder</at> resolution", mentions=[BOB])
    assert body["text"].startswith("<at>iso20k</at> ")  # as Teams sends it
    body["channelData"]["channel"]["name"] = "General"
    turn = turn_of(body)
    assert turn.kind == "message"
    assert turn.text == "assign <at>Bob Builder</at> resolution"
    assert turn.mentions == (Mentioned("29:bob", "Bob Builder", "<at>Bob Builder</at>"),)
    assert turn.conversation.type == "channel"
    assert turn.conversation.id == CHANNEL
    assert turn.conversation.name == "General"
    assert turn.conversation.bot_id == BOT_ID


def test_the_bots_mention_anywhere_in_the_text_is_stripped() -> None:
    body = in_channel("")
    body["text"] = "please <at>iso20k</at>, status"
    assert turn_of(body).text == "please , status"


def test_a_mention_entity_of_someone_else_with_the_bots_name_is_not_the_bot() -> None:
    body = in_channel("hello")
    twin = TeamsUser("29:twin", "aad-twin", "iso20k")  # a person named like the bot
    body["entities"].append(
        {"type": "mention", "text": "<at>iso20k</at>", "mentioned": {"id": twin.teams_id}}
    )
    turn = turn_of(body)
    assert [m.teams_id for m in turn.mentions] == ["29:twin"]


@pytest.mark.parametrize(
    ("sent", "read"),
    [
        ("status&nbsp;", "status"),
        ("<p>status</p>", "status"),
        ("<div><p>assess</p><p>leadership</p></div>", "assess leadership"),
        ("R&amp;D &lt;team&gt;", "R&D <team>"),
        ("caf&eacute; &#8364;5 &#x41;", "café €5 A"),
        ("  assess \n\t  leadership  ", "assess leadership"),
        ("assess\u00a0leadership", "assess leadership"),
        ("<at>iso20k</at>&nbsp;assign&nbsp;<at>Bob Builder</at>&nbsp;x", None),
    ],
)
def test_markup_and_entities_in_the_text_read_as_plain_text(sent: str, read: str | None) -> None:
    body = in_channel("", mentions=[BOB])
    body["text"] = sent
    expected = read if read is not None else "assign <at>Bob Builder</at> x"
    assert turn_of(body).text == expected


def test_a_mention_keeps_its_markup_while_the_text_around_it_is_read() -> None:
    assert _typed("a&amp;b <at>O'Brien</at> <b>c</b>", []) == "a&b <at>O'Brien</at> c"


# Text as a person may type it, but never `<at>`: Teams sends typed `<`, `>` and `&` escaped.
TYPED = st.text(st.characters(codec="utf-8"), max_size=200).filter(
    lambda t: "<at>" not in t.lower()
)


@given(TYPED)
def test_any_typed_text_survives_up_to_whitespace(typed: str) -> None:
    escaped = html.escape(typed, quote=False)
    collapsed = " ".join(typed.split())
    assert _typed(escaped, []) == collapsed
    assert turn_of(said(escaped)).text == collapsed
    body = in_channel(escaped)
    assert turn_of(body).text == collapsed


@given(TYPED.filter(lambda t: not ({"<", ">", "&"} & set(t))))
def test_typed_text_without_markup_characters_is_read_as_sent(typed: str) -> None:
    assert turn_of(said(typed)).text == " ".join(typed.split())


# --- card submissions ----------------------------------------------------------------------


def test_a_card_submission() -> None:
    value = {"iso20k": {"form": "setup"}, "organisation": "Acme IT"}
    turn = submitted(value, card="1700000000042")
    assert turn.kind == "submission"
    assert turn.value == value
    assert turn.reply_to_id == "1700000000042"
    assert turn.text == ""
    assert turn.mentions == ()
    assert turn.user_aad_id == "aad-alice-0001"


def test_a_submission_with_text_is_still_a_submission() -> None:
    body = said("ignored", value={"a": "1"}, reply_to="17")
    turn = turn_of(body)
    assert turn.kind == "submission" and turn.text == "" and turn.value == {"a": "1"}


# --- installs and what the bot ignores -----------------------------------------------------


@pytest.mark.parametrize("conversation_type", ["personal", "channel"])
def test_the_bot_added_to_a_conversation_is_installed(conversation_type: str) -> None:
    where = CHAT if conversation_type == "personal" else CHANNEL
    body = conversation_update(
        tenant=TENANT,
        conversation=where,
        service_url=SERVICE_URL,
        conversation_type=conversation_type,  # type: ignore[arg-type]
    )
    turn = turn_of(body)
    assert turn.kind == "installed"
    assert turn.conversation.id == where
    assert turn.user_aad_id == ""  # the installer's placeholder has none; allowed here


def test_the_bot_added_among_others_is_installed() -> None:
    body = conversation_update(
        tenant=TENANT,
        conversation=CHANNEL,
        service_url=SERVICE_URL,
        members_added=[ALICE, bot()],
        conversation_type="channel",
    )
    assert turn_of(body).kind == "installed"


def test_the_bot_found_by_its_app_id_when_the_recipient_differs() -> None:
    body = conversation_update(tenant=TENANT, conversation=CHAT, service_url=SERVICE_URL)
    body["recipient"] = {"id": "28:some-other-form"}
    assert turn_of(body).kind == "installed"
    assert read_turn(body, None) is None  # without the app id nothing says it is the bot


def test_someone_else_added_is_nothing_for_the_bot() -> None:
    body = conversation_update(
        tenant=TENANT,
        conversation=CHANNEL,
        service_url=SERVICE_URL,
        members_added=[BOB],
        by=ALICE,
        conversation_type="channel",
    )
    assert read_turn(body, APP_ID) is None


def test_a_member_removed_is_nothing_for_the_bot() -> None:
    body = conversation_update(
        tenant=TENANT,
        conversation=CHANNEL,
        service_url=SERVICE_URL,
        members_added=[],
        members_removed=[bot()],
        by=ALICE,
        conversation_type="channel",
    )
    assert read_turn(body, APP_ID) is None


def test_installation_update_add_and_remove() -> None:
    def installed(action: Literal["add", "remove"]) -> dict[str, Any]:
        return installation_update(
            action, tenant=TENANT, conversation=CHAT, service_url=SERVICE_URL, user=ALICE
        )

    added = turn_of(installed("add"))
    assert added.kind == "installed"
    assert added.user_aad_id == "aad-alice-0001"
    assert read_turn(installed("remove"), APP_ID) is None
    upgraded = installed("add")
    upgraded["action"] = "add-upgrade"  # a new version of the app: no second welcome
    assert read_turn(upgraded, APP_ID) is None


@pytest.mark.parametrize("kind", ["typing", "messageReaction", "messageUpdate", "event"])
def test_typing_reactions_and_other_activities_are_nothing(kind: str) -> None:
    body = said("x")
    body["type"] = kind
    if kind == "messageReaction":
        body["reactionsAdded"] = [{"type": "like"}]
    assert read_turn(body, APP_ID) is None


# --- refused bodies ------------------------------------------------------------------------


def without(body: dict[str, Any], *path: str) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    inner = changed
    for key in path[:-1]:
        inner = inner[key]
    del inner[path[-1]]
    return changed


@pytest.mark.parametrize(
    ("path", "named"),
    [
        (("conversation", "id"), "conversation.id"),
        (("conversation",), "conversation"),
        (("serviceUrl",), "serviceUrl"),
        (("from",), "from"),
        (("from", "id"), "from.id"),
        (("from", "aadObjectId"), "aadObjectId"),
    ],
    ids=lambda p: ".".join(p) if isinstance(p, tuple) else p,
)
def test_a_body_missing_a_part_is_refused_naming_it(path: tuple[str, ...], named: str) -> None:
    with pytest.raises(NotAnActivity) as refused:
        read_turn(without(said("help"), *path), APP_ID)
    assert named in str(refused.value)


@pytest.mark.parametrize(
    ("path", "named"),
    [
        (("conversation", "id"), "conversation.id"),
        (("serviceUrl",), "serviceUrl"),
        (("from", "id"), "from.id"),
        (("from", "aadObjectId"), "aadObjectId"),
        (("conversation", "tenantId"), "tenant"),
    ],
    ids=lambda p: ".".join(p) if isinstance(p, tuple) else p,
)
def test_a_body_with_an_empty_part_is_refused_naming_it(path: tuple[str, ...], named: str) -> None:
    body = copy.deepcopy(said("help"))
    inner = body
    for key in path[:-1]:
        inner = inner[key]
    inner[path[-1]] = ""
    with pytest.raises(NotAnActivity) as refused:
        read_turn(body, APP_ID)
    assert named in str(refused.value)


def test_no_tenant_anywhere_is_refused() -> None:
    body = without(without(said("help"), "conversation", "tenantId"), "channelData", "tenant")
    with pytest.raises(NotAnActivity, match="tenant"):
        read_turn(body, APP_ID)


def test_the_tenant_from_channel_data_when_the_conversation_has_none() -> None:
    body = without(said("help"), "conversation", "tenantId")
    body["channelData"]["tenant"]["id"] = "0d1e2f3a-0000-4000-8000-00000000beef"
    assert turn_of(body).tenant_id == "0d1e2f3a-0000-4000-8000-00000000beef"


def test_the_conversations_tenant_comes_first() -> None:
    body = said("help")
    body["channelData"]["tenant"]["id"] = "someone-else"
    assert turn_of(body).tenant_id == TENANT


@pytest.mark.parametrize(
    "junk",
    [{"type": 5}, {"from": "alice"}, {"conversation": []}, {"entities": "x"}, {"type": None}],
    ids=str,
)
def test_malformed_bodies_are_not_activities(junk: dict[str, Any]) -> None:
    with pytest.raises(NotAnActivity):
        read_turn({**said("help"), **junk}, APP_ID)


def test_the_clientinfo_timezone_is_optional() -> None:
    body = said("help", timezone="America/Sao_Paulo")
    assert turn_of(body).timezone == "America/Sao_Paulo"
    body["entities"] = [e for e in body["entities"] if e["type"] != "clientInfo"]
    assert turn_of(body).timezone is None
    body["entities"] = [{"type": "clientInfo", "locale": "en-US"}]
    assert turn_of(body).timezone is None


# --- delivery keys -------------------------------------------------------------------------


def test_the_same_activity_twice_has_one_key() -> None:
    body = said("help")
    assert turn_of(body).delivery_key() == turn_of(copy.deepcopy(body)).delivery_key()


def test_another_message_has_another_key() -> None:
    assert turn_of(said("help")).delivery_key() != turn_of(said("help")).delivery_key()


def test_a_double_click_on_a_card_is_one_submission() -> None:
    first = submitted({"form": "setup", "name": "Acme"})
    again = submitted({"name": "Acme", "form": "setup"})  # another activity, same values
    assert first.activity_id != again.activity_id
    assert first.delivery_key() == again.delivery_key()


def test_other_values_or_another_card_are_another_submission() -> None:
    first = submitted({"form": "setup", "name": "Acme"})
    assert first.delivery_key() != submitted({"form": "setup", "name": "Acme IT"}).delivery_key()
    assert first.delivery_key() != submitted({"form": "setup"}).delivery_key()
    other_card = submitted({"form": "setup", "name": "Acme"}, card="1700000000002")
    assert first.delivery_key() != other_card.delivery_key()
    by_bob = submitted({"form": "setup", "name": "Acme"}, user=BOB)
    assert first.delivery_key() != by_bob.delivery_key()
    nested = submitted({"form": "setup", "name": {"v": "Acme"}})
    assert first.delivery_key() != nested.delivery_key()


def test_a_message_and_a_submission_never_collide() -> None:
    typed = turn_of(said("help"))
    clicked = dataclasses.replace(typed, kind="submission", value={}, reply_to_id=None)
    assert typed.delivery_key() != clicked.delivery_key()


ID = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
VALUES = st.dictionaries(
    st.text(max_size=8), st.one_of(st.text(max_size=8), st.integers(), st.booleans()), max_size=4
)


KINDS: tuple[TurnKind, ...] = ("message", "submission", "installed")


@st.composite
def turns(draw: st.DrawFn) -> Turn:
    kind = draw(st.sampled_from(KINDS))
    return Turn(
        kind=kind,
        activity_id=draw(ID),
        conversation=Conversation(
            id=draw(st.sampled_from(["a:", "19:", "29:"])) + draw(ID),
            service_url=draw(st.sampled_from([SERVICE_URL, "https://smba.example/emea/"])),
            tenant_id=draw(ID),
            type=draw(st.sampled_from(["personal", "groupChat", "channel"])),
            bot_id=draw(st.sampled_from(["", BOT_ID])),
            name=draw(st.none() | ID),
        ),
        user_teams_id="29:" + draw(ID),
        user_aad_id=draw(ID),
        user_name=draw(st.none() | ID),
        text=draw(st.text(max_size=10)),
        mentions=(),
        value=draw(VALUES) if kind == "submission" else {},
        reply_to_id=draw(st.none() | ID),
        locale=draw(st.none() | st.sampled_from(["en-US", "de-DE"])),
        timezone=draw(st.none() | st.sampled_from(["UTC", "Europe/Berlin"])),
    )


def stated(turn: Turn) -> tuple[Any, ...]:
    """The parts a delivery key is made of: a message (or install) by its conversation and
    id; a submission by its conversation, the person, the card and the values."""
    where = (turn.tenant_id, turn.conversation.id)
    if turn.kind != "submission":
        return ("activity", *where, turn.activity_id)
    card = turn.reply_to_id or turn.activity_id
    return ("card", *where, turn.user_aad_id, card, repr(sorted(turn.value.items())))


@given(turns(), turns())
def test_the_key_is_equal_exactly_when_the_stated_parts_are(a: Turn, b: Turn) -> None:
    assert (a.delivery_key() == b.delivery_key()) == (stated(a) == stated(b))


@given(turns(), turns())
def test_the_key_ignores_every_other_part(a: Turn, other: Turn) -> None:
    """`a`'s key is kept when every part but the stated ones comes from another turn, and
    when a part its kind does not state changes."""
    mixed = dataclasses.replace(
        other,
        kind=a.kind,
        activity_id=a.activity_id,
        conversation=dataclasses.replace(
            other.conversation, id=a.conversation.id, tenant_id=a.tenant_id
        ),
        user_aad_id=a.user_aad_id,
        value=a.value,
        reply_to_id=a.reply_to_id,
    )
    assert mixed.delivery_key() == a.delivery_key()
    if a.kind != "submission":
        unstated = dataclasses.replace(
            a, user_aad_id=other.user_aad_id, reply_to_id=other.reply_to_id, value=other.value
        )
        assert unstated.delivery_key() == a.delivery_key()
    elif a.reply_to_id is not None:
        assert dataclasses.replace(a, activity_id=other.activity_id).delivery_key() == (
            a.delivery_key()
        )
