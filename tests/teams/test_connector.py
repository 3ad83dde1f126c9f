"""The Bot Connector client: send, reply, update, open a 1:1 chat, look a member up; polite
retries on 429 and 5xx, one new token after a 401, anonymous without a token.

Runs over real HTTP against `FakeConnector` and `FakeTokenService`; `sleep` is injected and
records each wait instead of sleeping. Every test ends with `check_all`: the connector
refused nothing the test did not provoke (`allow_refusal`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field

import pytest
from microsoft_agents.activity import Activity

from bot.teams.activity import Conversation
from bot.teams.connector import PAUSES, RETRIES, Connector, ConnectorError, Throttled
from bot.teams.tokens import ClientCredentials
from tests.teamsfake import APP_ID, APP_PASSWORD, BOT_SCOPE, FakeConnector, FakeTokenService

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER_TENANT = "0d1e2f3a-0000-4000-8000-00000000beef"
CHAT = "a:alice-chat"
BOT = f"28:{APP_ID}"


class RecordingConnector(FakeConnector):
    """The fake, also keeping each request's Authorization header."""

    def __init__(self, tokens: FakeTokenService | None) -> None:
        super().__init__(tokens)
        self.authorizations: list[str | None] = []

    def _authorize(self, header: str | None) -> None:
        self.authorizations.append(header)
        super()._authorize(header)


@dataclass
class Bench:
    tokens: FakeTokenService
    fake: RecordingConnector
    waits: list[float]
    connector: Connector
    chat: Conversation
    made: list[Connector] = field(default_factory=list)  # closed when the test ends

    def connect(self, sleep: Callable[[float], None] | None = None, **options: float) -> Connector:
        credentials = ClientCredentials(APP_ID, APP_PASSWORD, self.tokens.token_url, BOT_SCOPE)
        made = Connector(credentials, sleep=sleep or self.waits.append, **options)
        self.made.append(made)
        return made


def populate(fake: FakeConnector) -> Conversation:
    fake.add_person("29:alice", "aad-alice", "Alice Admin", TENANT)
    fake.add_person("29:bob", "aad-bob", "Bob Builder", TENANT)
    fake.add_person("29:carol", "aad-carol", "Carol of Contoso", OTHER_TENANT)
    fake.open(CHAT, tenant_id=TENANT, members=["29:alice"])
    return Conversation(CHAT, fake.service_url, TENANT, "personal", BOT)


@pytest.fixture
def bench() -> Iterator[Bench]:
    with FakeTokenService() as tokens, RecordingConnector(tokens) as fake:
        waits: list[float] = []
        chat = populate(fake)
        credentials = ClientCredentials(APP_ID, APP_PASSWORD, tokens.token_url, BOT_SCOPE)
        kept = Bench(tokens, fake, waits, Connector(credentials, sleep=waits.append), chat)
        yield kept
        for connector in (kept.connector, *kept.made):
            connector.close()  # its kept HTTP sessions
        fake.check_all()


def text(words: str) -> Activity:
    return Activity(type="message", text=words)


def test_send_posts_under_the_path_prefix_with_a_token(bench: Bench) -> None:
    sent_id = bench.connector.send(bench.chat, text("hello"))
    (sent,) = bench.fake.sent
    assert sent.activity_id == sent_id and sent_id
    assert sent.conversation_id == CHAT
    assert sent.reply_to_id is None
    assert sent.activity["type"] == "message" and sent.activity["text"] == "hello"
    (request,) = bench.fake.requests
    assert (request.method, request.path) == ("POST", f"/amer/v3/conversations/{CHAT}/activities")
    (token,) = bench.tokens.issued
    assert bench.fake.authorizations == [f"Bearer {token.access_token}"]
    assert bench.waits == []


def test_a_service_url_without_a_trailing_slash_keeps_its_prefix(bench: Bench) -> None:
    chat = Conversation(CHAT, bench.fake.service_url.rstrip("/"), TENANT)
    bench.connector.send(chat, text("hello"))
    assert bench.fake.requests[0].path.startswith("/amer/v3/conversations/")


def test_reply_threads_to_the_activity(bench: Bench) -> None:
    bench.connector.send(bench.chat, text("first"), reply_to="1700000000001")
    (sent,) = bench.fake.sent
    assert sent.reply_to_id == "1700000000001"
    path = f"/amer/v3/conversations/{CHAT}/activities/1700000000001"
    assert bench.fake.requests[0].path == path


def test_update_replaces_a_message_the_bot_sent(bench: Bench) -> None:
    sent_id = bench.connector.send(bench.chat, text("before"))
    bench.connector.update(bench.chat, sent_id, text("after"))
    (update,) = bench.fake.updates
    assert update.activity_id == sent_id
    assert update.activity["text"] == "after"
    assert bench.fake.latest(sent_id) == update.activity
    assert bench.fake.requests[-1].method == "PUT"


def test_many_calls_share_one_token(bench: Bench) -> None:
    for n in range(5):
        bench.connector.send(bench.chat, text(f"message {n}"))
    assert len(bench.tokens.issued) == 1
    assert len(set(bench.fake.authorizations)) == 1


def test_open_personal_creates_the_chat_once(bench: Bench) -> None:
    first = bench.connector.open_personal(bench.fake.service_url, TENANT, BOT, "29:bob")
    again = bench.connector.open_personal(bench.fake.service_url, TENANT, BOT, "29:bob")
    assert first == again and first.startswith("a:")
    assert [c.new for c in bench.fake.created] == [True, False]
    created = bench.fake.created[0]
    assert created.member_id == "29:bob" and created.tenant_id == TENANT
    assert created.parameters["isGroup"] is False
    assert created.parameters["channelData"] == {"tenant": {"id": TENANT}}
    chat = Conversation(first, bench.fake.service_url, TENANT, "personal", BOT)
    bench.connector.send(chat, text("hello Bob"))
    assert bench.fake.messages_to(first)[0].text == "hello Bob"


def test_open_personal_with_someone_of_another_tenant_is_refused(bench: Bench) -> None:
    bench.fake.allow_refusal("BadArgument")
    with pytest.raises(ConnectorError) as refused:
        bench.connector.open_personal(bench.fake.service_url, TENANT, BOT, "29:carol")
    assert refused.value.status == 400
    assert not bench.fake.created
    assert bench.waits == []


@pytest.mark.parametrize("user_id", ["29:bob", "aad-bob"])
def test_member_found_by_teams_or_aad_id(bench: Bench, user_id: str) -> None:
    found = bench.connector.member(bench.chat, user_id)
    assert found is not None
    assert found.id == "29:bob"
    assert found.aad_object_id == "aad-bob"
    assert found.name == "Bob Builder"


@pytest.mark.parametrize("user_id", ["29:carol", "aad-carol", "29:nobody"])
def test_member_not_in_the_tenant_is_none(bench: Bench, user_id: str) -> None:
    bench.fake.allow_refusal("MemberNotFoundInConversation")
    assert bench.connector.member(bench.chat, user_id) is None
    assert bench.waits == []


def test_an_unknown_conversation_is_a_connector_error(bench: Bench) -> None:
    bench.fake.allow_refusal("ConversationNotFound")
    gone = Conversation("a:never-opened", bench.fake.service_url, TENANT)
    with pytest.raises(ConnectorError) as refused:
        bench.connector.send(gone, text("hello"))
    assert refused.value.status == 404
    assert not isinstance(refused.value, Throttled)
    assert len(bench.fake.requests) == 1  # not retried


# --- retries ---------------------------------------------------------------------------


def test_a_429_waits_retry_after_then_succeeds(bench: Bench) -> None:
    bench.fake.throttle(1, retry_after=3)
    assert bench.connector.send(bench.chat, text("hello"))
    assert bench.waits == [3.0]
    assert len(bench.fake.throttled) == 1
    assert [s.text for s in bench.fake.sent] == ["hello"]


def test_a_fractional_retry_after_is_waited(bench: Bench) -> None:
    bench.fake.throttle(2, retry_after=0.25)
    bench.connector.update(bench.chat, bench.connector.send(bench.chat, text("a")), text("b"))
    assert bench.waits == [0.25, 0.25]


def test_429_three_times_raises_throttled(bench: Bench) -> None:
    bench.fake.throttle(RETRIES + 1, retry_after=7)
    with pytest.raises(Throttled) as throttled:
        bench.connector.send(bench.chat, text("hello"))
    assert throttled.value.retry_after == 7.0
    assert throttled.value.status == 429
    assert bench.waits == [7.0] * RETRIES
    assert len(bench.fake.throttled) == RETRIES + 1
    assert not bench.fake.sent


def test_a_retry_after_beyond_max_wait_raises_at_once(bench: Bench) -> None:
    connector = bench.connect(max_wait=5.0)
    bench.fake.throttle(1, retry_after=60)
    with pytest.raises(Throttled) as throttled:
        connector.send(bench.chat, text("hello"))
    assert throttled.value.retry_after == 60.0
    assert bench.waits == []
    assert len(bench.fake.requests) == 1


def test_a_502_is_retried_and_then_succeeds(bench: Bench) -> None:
    bench.fake.failing = True

    def sleep(seconds: float) -> None:
        bench.waits.append(seconds)
        bench.fake.failing = False  # the gateway recovers while we wait

    assert bench.connect(sleep).send(bench.chat, text("hello"))
    assert bench.waits == [PAUSES[0]]
    assert [r.status for r in bench.fake.requests] == [502, 201]


def test_a_502_that_stays_is_a_connector_error(bench: Bench) -> None:
    bench.fake.failing = True
    with pytest.raises(ConnectorError) as failed:
        bench.connector.send(bench.chat, text("hello"))
    assert failed.value.status == 502
    assert not isinstance(failed.value, Throttled)
    assert bench.waits == list(PAUSES[:RETRIES])
    assert [r.status for r in bench.fake.requests] == [502] * (RETRIES + 1)
    assert not bench.fake.sent


def test_nobody_listening_is_retried_then_a_connector_error(bench: Bench) -> None:
    with FakeConnector(None) as gone:
        url = gone.service_url
    anonymous = Connector(None, sleep=bench.waits.append)
    with closing(anonymous), pytest.raises(ConnectorError) as failed:
        anonymous.send(Conversation(CHAT, url, TENANT), text("hello"))
    assert failed.value.status == 0
    assert bench.waits == list(PAUSES[:RETRIES])


def test_an_expired_token_gets_one_new_token_and_succeeds(bench: Bench) -> None:
    bench.connector.send(bench.chat, text("first"))
    bench.tokens.expire_all()
    bench.fake.allow_refusal("Unauthorized")
    bench.connector.send(bench.chat, text("second"))
    assert len(bench.tokens.issued) == 2
    assert [s.text for s in bench.fake.sent] == ["first", "second"]
    assert [r.status for r in bench.fake.requests] == [201, 401, 201]
    assert bench.waits == []
    bench.connector.send(bench.chat, text("third"))
    assert len(bench.tokens.issued) == 2  # the new one is kept


def test_a_token_refused_twice_is_a_connector_error() -> None:
    # a token of another app: a new one is refused too, and it is not tried a third time
    with (
        FakeTokenService({"other-app": "other-secret"}) as tokens,
        FakeConnector(tokens) as fake,
    ):
        chat = populate(fake)
        waits: list[float] = []
        credentials = ClientCredentials("other-app", "other-secret", tokens.token_url, BOT_SCOPE)
        fake.allow_refusal("Unauthorized")
        connector = Connector(credentials, sleep=waits.append)
        with closing(connector), pytest.raises(ConnectorError) as refused:
            connector.send(chat, text("hello"))
        assert refused.value.status == 401
        assert len(tokens.issued) == 2
        assert [r.status for r in fake.requests] == [401, 401]
        assert waits == []
        fake.check_all()


def test_anonymous_sends_no_authorization_header() -> None:
    with RecordingConnector(None) as fake:
        chat = populate(fake)
        connector = Connector(None, sleep=lambda seconds: None)
        with closing(connector):
            sent_id = connector.send(chat, text("hello"))
            connector.update(chat, sent_id, text("changed"))
            assert connector.open_personal(fake.service_url, TENANT, BOT, "29:bob")
            assert connector.member(chat, "29:bob") is not None
        assert fake.authorizations == [None, None, None, None]
        assert [s.text for s in fake.sent] == ["hello"]
        fake.check_all()
