"""FakeConnector driven by the Agents SDK's own ConnectorClient, the client the app uses: it
accepts exactly what the SDK sends (the /amer/ prefix kept, camelCase bodies) and refuses
what the Bot Connector refuses, which the SDK raises as `aiohttp.ClientResponseError`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from microsoft_agents.activity import (
    Activity,
    Attachment,
    ChannelAccount,
    ConversationParameters,
)
from microsoft_agents.hosting.core.connector.client import ConnectorClient

from tests.teamsfake import APP_ID, FakeConnector, FakeTokenService

from .conftest import ANN, BOB, CARD, OTHER_TENANT, TENANT, with_sdk

ADAPTIVE = "application/vnd.microsoft.card.adaptive"


def card_message(card: dict[str, Any]) -> Activity:
    return Activity(type="message", attachments=[Attachment(content_type=ADAPTIVE, content=card)])


def one_to_one(member: str, tenant: str) -> ConversationParameters:
    return ConversationParameters(
        is_group=False,
        bot=ChannelAccount(id=f"28:{APP_ID}", name="iso20k"),
        members=[ChannelAccount(id=member)],
        tenant_id=tenant,
        channel_data={"tenant": {"id": tenant}},
    )


def refused(
    connector: FakeConnector, token: str, work: Callable[[ConnectorClient], Awaitable[Any]]
) -> aiohttp.ClientResponseError:
    with pytest.raises(aiohttp.ClientResponseError) as err:
        with_sdk(connector, token, work)
    return err.value


# -- what the SDK sends is accepted --------------------------------------------------------


def test_a_send_keeps_the_prefix_and_is_recorded(connector: FakeConnector, token: str) -> None:
    async def work(client: ConnectorClient) -> str:
        answer = await client.conversations.send_to_conversation(
            "a:ann", Activity(type="message", text="Hello Ann")
        )
        return str(answer.id)

    activity_id = with_sdk(connector, token, work)

    [sent] = connector.sent
    assert (sent.conversation_id, sent.activity_id, sent.reply_to_id) == (
        "a:ann",
        activity_id,
        None,
    )
    assert sent.activity == {"type": "message", "text": "Hello Ann"}
    assert connector.requests[0].path == "/amer/v3/conversations/a:ann/activities"
    assert connector.messages_to("a:ann") == [sent]
    connector.check_all()


def test_a_card_reply_and_its_update_in_place(connector: FakeConnector, token: str) -> None:
    edited = {**CARD, "body": [{"type": "TextBlock", "text": "Saved"}]}

    async def work(client: ConnectorClient) -> tuple[str, str]:
        first = await client.conversations.send_to_conversation("a:ann", card_message(CARD))
        reply = card_message(CARD)
        reply.reply_to_id = first.id
        second = await client.conversations.reply_to_activity("a:ann", first.id, reply)
        updated = card_message(edited)
        updated.id = second.id
        await client.conversations.update_activity("a:ann", second.id, updated)
        return first.id, second.id

    first, second = with_sdk(connector, token, work)

    assert [s.activity_id for s in connector.sent] == [first, second]
    reply = connector.sent[1]
    assert reply.reply_to_id == first and reply.reply_to_known
    assert reply.activity["replyToId"] == first  # camelCase, as the SDK dumps by alias
    assert reply.cards == [CARD]
    [update] = connector.updates
    assert (update.conversation_id, update.activity_id, update.cards) == ("a:ann", second, [edited])
    assert connector.latest_card(second) == edited
    assert connector.latest_card(first) == CARD
    connector.check_all()


def test_a_1to1_is_created_once_per_person(connector: FakeConnector, token: str) -> None:
    async def work(client: ConnectorClient) -> tuple[str, str]:
        first = await client.conversations.create_conversation(one_to_one(ANN, TENANT))
        again = await client.conversations.create_conversation(one_to_one(ANN, TENANT))
        await client.conversations.send_to_conversation(
            first.id, Activity(type="message", text="Your audit is due")
        )
        return first.id, again.id

    first, again = with_sdk(connector, token, work)

    assert first == again and first.startswith("a:")
    assert [c.new for c in connector.created] == [True, False]
    created = connector.created[0]
    assert (created.member_id, created.tenant_id) == (ANN, TENANT)
    assert created.parameters["bot"]["id"] == f"28:{APP_ID}"
    assert created.parameters["tenantId"] == TENANT  # camelCase on the wire
    assert [s.text for s in connector.messages_to(first)] == ["Your audit is due"]


def test_a_member_as_teams_channel_account(connector: FakeConnector, token: str) -> None:
    async def work(client: ConnectorClient) -> tuple[Any, Any]:
        one = await client.conversations.get_conversation_member("a:ann", ANN)
        every = await client.conversations.get_conversation_members("a:ann")
        return one, every

    one, every = with_sdk(connector, token, work)

    assert (one.id, one.name, one.aad_object_id, one.tenant_id) == (
        ANN,
        "Ann Auditor",
        "aad-ann",
        TENANT,
    )
    extra = one.model_dump(by_alias=True)
    assert extra["userPrincipalName"] == "ann@example.org" and extra["userRole"] == "user"
    assert [m.id for m in every] == [ANN]


def test_an_anonymous_connector_needs_no_token() -> None:
    with FakeConnector(None) as connector:
        connector.open("a:emulator", tenant_id=TENANT)

        async def work(client: ConnectorClient) -> None:
            await client.conversations.send_to_conversation(
                "a:emulator", Activity(type="message", text="hi")
            )

        with_sdk(connector, "", work)  # an empty token: the SDK sends no Authorization

        assert [s.text for s in connector.sent] == ["hi"]
        connector.check_all()


# -- what the Bot Connector refuses is refused ---------------------------------------------


async def _hello(client: ConnectorClient) -> None:
    await client.conversations.send_to_conversation("a:ann", Activity(type="message", text="hi"))


def test_no_token_is_401(connector: FakeConnector) -> None:
    error = refused(connector, "", _hello)

    assert error.status == 401
    assert '"code": "Unauthorized"' in error.message
    assert [(r.status, r.code) for r in connector.refusals] == [(401, "Unauthorized")]
    assert connector.sent == []


def test_an_expired_token_is_401(
    connector: FakeConnector, tokens: FakeTokenService, token: str
) -> None:
    tokens.expire_all()
    assert refused(connector, token, _hello).status == 401
    assert "expired" in connector.refusals[0].reason


def test_a_token_of_another_app_is_401(tokens: FakeTokenService) -> None:
    with FakeConnector(tokens, app_id="11111111-2222-3333-4444-555555555555") as other:
        other.open("a:ann", tenant_id=TENANT)
        error = refused(other, tokens.issue(APP_ID), _hello)
        assert error.status == 401
        assert f"app {APP_ID}" in other.refusals[0].reason


def test_an_invalid_card_is_bad_argument(connector: FakeConnector, token: str) -> None:
    broken = {**CARD, "body": [{"type": "TextBlock"}]}  # TextBlock needs its text

    async def work(client: ConnectorClient) -> None:
        await client.conversations.send_to_conversation("a:ann", card_message(broken))

    error = refused(connector, token, work)

    assert error.status == 400 and '"BadArgument"' in error.message
    assert "invalid card" in connector.refusals[0].reason
    assert connector.sent == []
    with pytest.raises(AssertionError, match="BadArgument"):
        connector.check_all()
    connector.allow_refusal("BadArgument")
    connector.check_all()


def test_an_oversized_message_is_413(connector: FakeConnector, token: str) -> None:
    async def work(client: ConnectorClient) -> None:
        text = "x" * (100 * 1024)
        await client.conversations.send_to_conversation(
            "a:ann", Activity(type="message", text=text)
        )

    error = refused(connector, token, work)

    assert error.status == 413 and "MessageSizeTooBig" in error.message


def test_an_unknown_conversation_is_404(connector: FakeConnector, token: str) -> None:
    async def work(client: ConnectorClient) -> None:
        await client.conversations.send_to_conversation(
            "a:nobody", Activity(type="message", text="hi")
        )

    assert refused(connector, token, work).status == 404
    assert connector.refusals[0].code == "ConversationNotFound"


def test_an_update_of_an_activity_never_sent_is_404(connector: FakeConnector, token: str) -> None:
    async def work(client: ConnectorClient) -> None:
        update = Activity(type="message", text="edited", id="1700000000000")
        await client.conversations.update_activity("a:ann", "1700000000000", update)

    assert refused(connector, token, work).status == 404
    assert connector.refusals[0].code == "NotFound" and connector.updates == []


def test_a_1to1_with_someone_of_another_tenant_is_refused(
    connector: FakeConnector, token: str
) -> None:
    async def work(client: ConnectorClient) -> None:
        await client.conversations.create_conversation(one_to_one(BOB, TENANT))

    assert refused(connector, token, work).status == 400
    assert connector.refusals[0].code == "BadArgument" and connector.created == []

    async def in_his_tenant(client: ConnectorClient) -> str:
        return str(
            (await client.conversations.create_conversation(one_to_one(BOB, OTHER_TENANT))).id
        )

    assert with_sdk(connector, token, in_his_tenant).startswith("a:")


def test_throttled_requests_are_429_with_retry_after(connector: FakeConnector, token: str) -> None:
    connector.throttle(2, retry_after=3)

    async def work(client: ConnectorClient) -> list[Any]:
        outcomes: list[Any] = []
        for _ in range(3):
            try:
                outcomes.append(await _send_hi(client))
            except aiohttp.ClientResponseError as err:
                assert err.headers is not None
                outcomes.append((err.status, err.headers.get("Retry-After")))
        return outcomes

    outcomes = with_sdk(connector, token, work)

    assert outcomes[:2] == [(429, "3"), (429, "3")]
    assert isinstance(outcomes[2], str)  # the third got through: its activity id
    assert [t.retry_after for t in connector.throttled] == [3, 3]
    assert connector.refusals == []  # the test asked for them: no refusal
    assert len(connector.sent) == 1


async def _send_hi(client: ConnectorClient) -> str:
    answer = await client.conversations.send_to_conversation(
        "a:ann", Activity(type="message", text="hi")
    )
    return str(answer.id)


def test_a_reply_in_a_channel_thread_keeps_its_conversation_id(
    connector: FakeConnector, token: str
) -> None:
    thread = "19:abc@thread.tacv2;messageid=1700000000000"
    connector.open(thread, tenant_id=TENANT, conversation_type="channel")

    async def work(client: ConnectorClient) -> None:
        reply = Activity(type="message", text="Noted", reply_to_id="1700000000000")
        await client.conversations.reply_to_activity(thread, "1700000000000", reply)

    with_sdk(connector, token, work)

    [sent] = connector.messages_to(thread)
    assert sent.reply_to_id == "1700000000000"
    connector.check_all()


def test_the_sdks_update_cannot_carry_a_timestamp(connector: FakeConnector, token: str) -> None:
    """SDK 1.9.0 dumps an update without ``mode="json"`` (sends and replies use it), so an
    activity with a datetime set fails in the client, before any request: an app must update
    with a fresh Activity, not a copy of one it received. When this test fails, the SDK fixed
    it."""
    stamped = Activity(type="message", text="e", timestamp=datetime.now(UTC))

    async def work(client: ConnectorClient) -> None:
        sent = await client.conversations.send_to_conversation("a:ann", stamped)
        await client.conversations.update_activity("a:ann", str(sent.id), stamped)

    with pytest.raises(TypeError, match="datetime is not JSON serializable"):
        with_sdk(connector, token, work)
    assert len(connector.sent) == 1 and connector.updates == []
