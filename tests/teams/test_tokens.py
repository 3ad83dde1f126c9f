"""The bot's own tokens (client credentials): fetched once and shared, replaced shortly before
they expire or when the connector refuses one, and every failure told without the secret.

Most tests inject `fetch` (what the token endpoint answers) and `clock`; the last ones run
against `tests.teamsfake.FakeTokenService` over real HTTP.
"""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

import pytest

from bot.teams.tokens import MARGIN, ClientCredentials, TokenUnavailable
from tests.teamsfake import APP_ID, APP_PASSWORD, BOT_SCOPE, FakeTokenService

SECRET = "s3cr3t-Value~With.Special&Chars=1"
URL = "https://login.example/botframework.com/oauth2/v2.0/token"


class Endpoint:
    """A token endpoint answering from a script; records what it was sent."""

    def __init__(self, lifetime: float = 3600) -> None:
        self.lifetime = lifetime
        self.calls: list[tuple[str, bytes]] = []
        self.answer: tuple[int, bytes] | None = None  # None: a fresh token
        self.raises: OSError | None = None

    def __call__(self, url: str, body: bytes) -> tuple[int, bytes]:
        self.calls.append((url, body))
        if self.raises is not None:
            raise self.raises
        if self.answer is not None:
            return self.answer
        token = {"access_token": f"token-{len(self.calls)}", "expires_in": self.lifetime}
        return 200, json.dumps({"token_type": "Bearer", **token}).encode()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def credentials(endpoint: Endpoint, clock: Clock | None = None) -> ClientCredentials:
    return ClientCredentials(APP_ID, SECRET, URL, BOT_SCOPE, fetch=endpoint, clock=clock or Clock())


def test_one_fetch_for_many_calls() -> None:
    endpoint = Endpoint()
    tokens = credentials(endpoint)
    assert {tokens.token() for _ in range(50)} == {"token-1"}
    assert len(endpoint.calls) == 1


def test_one_fetch_for_many_threads_at_once() -> None:
    endpoint = Endpoint()
    tokens = credentials(endpoint)
    start = threading.Barrier(8)

    def ask() -> str:
        start.wait(timeout=30)
        return tokens.token()

    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda _: ask(), range(8)))
    assert set(got) == {"token-1"}
    assert len(endpoint.calls) == 1


def test_a_new_token_shortly_before_expiry() -> None:
    endpoint, clock = Endpoint(lifetime=3600), Clock()
    tokens = credentials(endpoint, clock)
    assert tokens.token() == "token-1"
    clock.now += 3600 - MARGIN - 1
    assert tokens.token() == "token-1"
    clock.now += 1  # MARGIN seconds before it expires
    assert tokens.token() == "token-2"
    assert len(endpoint.calls) == 2
    clock.now += 3600 - MARGIN - 1
    assert tokens.token() == "token-2"


def test_a_short_lived_token_is_kept_for_half_its_life() -> None:
    endpoint, clock = Endpoint(lifetime=120), Clock()  # shorter than MARGIN
    tokens = credentials(endpoint, clock)
    assert tokens.token() == "token-1"
    clock.now += 59
    assert tokens.token() == "token-1"
    clock.now += 1
    assert tokens.token() == "token-2"


def test_expires_in_as_a_string_is_read() -> None:
    endpoint, clock = Endpoint(), Clock()
    endpoint.answer = (200, b'{"access_token": "t", "expires_in": "3599"}')  # Entra v1 style
    tokens = credentials(endpoint, clock)
    assert tokens.token() == "t"
    clock.now += 3599 - MARGIN - 1
    tokens.token()
    assert len(endpoint.calls) == 1


def test_forget_fetches_anew() -> None:
    endpoint = Endpoint()
    tokens = credentials(endpoint)
    assert tokens.token() == "token-1"
    tokens.forget()
    assert tokens.token() == "token-2"
    assert tokens.token() == "token-2"
    assert len(endpoint.calls) == 2


ENTRA_401 = {
    "error": "invalid_client",
    "error_description": f"AADSTS7000215: Invalid client secret provided: {SECRET}",
    "error_codes": [7000215],
}


@pytest.mark.parametrize(
    ("status", "body", "told"),
    [
        (401, json.dumps(ENTRA_401).encode(), "401 invalid_client"),
        (400, b'{"error": "invalid_scope", "error_description": "no"}', "400 invalid_scope"),
        (503, b"", "503"),
        (200, b"<html>Service unavailable</html>", "200"),  # not JSON
        (502, b"<html>Bad gateway</html>", "502"),
        (200, b'["access_token"]', "200"),  # JSON, but no object
        (200, b'{"token_type": "Bearer"}', "200"),  # no token in it
    ],
)
def test_a_refusal_is_unavailable_and_never_names_the_secret(
    status: int, body: bytes, told: str
) -> None:
    endpoint = Endpoint()
    endpoint.answer = (status, body)
    tokens = credentials(endpoint)
    with pytest.raises(TokenUnavailable) as failed:
        tokens.token()
    message = str(failed.value)
    assert told in message
    assert SECRET not in message
    assert SECRET not in "".join(traceback.format_exception(failed.value))  # as logged


def test_an_unreachable_endpoint_is_unavailable_and_the_next_call_tries_again() -> None:
    endpoint = Endpoint()
    endpoint.raises = ConnectionRefusedError(111, f"refused for {SECRET}")
    tokens = credentials(endpoint)
    with pytest.raises(TokenUnavailable, match="unreachable: ConnectionRefusedError") as failed:
        tokens.token()
    assert SECRET not in "".join(traceback.format_exception(failed.value))
    endpoint.raises = None
    assert tokens.token() == "token-2"


def test_a_timeout_is_unavailable() -> None:
    endpoint = Endpoint()
    endpoint.raises = TimeoutError("timed out")
    with pytest.raises(TokenUnavailable, match="TimeoutError"):
        credentials(endpoint).token()


def test_the_form_sent_and_the_secret_only_in_it() -> None:
    endpoint = Endpoint()
    credentials(endpoint).token()
    ((url, body),) = endpoint.calls
    assert url == URL
    assert SECRET not in url
    form = parse_qs(body.decode(), strict_parsing=True)
    assert form == {
        "grant_type": ["client_credentials"],
        "client_id": [APP_ID],
        "client_secret": [SECRET],
        "scope": [BOT_SCOPE],
    }


def test_the_secret_is_not_in_the_objects_repr() -> None:
    tokens = credentials(Endpoint())
    tokens.token()
    assert SECRET not in repr(tokens) and SECRET not in str(tokens)


# --- against the fake token service over HTTP ----------------------------------------------


@pytest.fixture
def service() -> Iterator[FakeTokenService]:
    with FakeTokenService() as fake:
        yield fake


def test_the_right_secret_gets_a_token_the_service_knows(service: FakeTokenService) -> None:
    tokens = ClientCredentials(APP_ID, APP_PASSWORD, service.token_url, BOT_SCOPE)
    token = tokens.token()
    assert service.valid(token)
    assert service.app_of(token) == APP_ID
    assert tokens.token() == token
    assert len(service.issued) == 1 and service.requests == 1


def test_a_wrong_secret_is_refused_over_http(service: FakeTokenService) -> None:
    wrong = "not-the-" + APP_PASSWORD
    tokens = ClientCredentials(APP_ID, wrong, service.token_url, BOT_SCOPE)
    with pytest.raises(TokenUnavailable) as failed:
        tokens.token()
    assert str(failed.value) == "token endpoint answered 401 invalid_client"
    assert wrong not in str(failed.value)
    assert [r.error for r in service.refusals] == ["invalid_client"]
    assert not service.issued


def test_a_wrong_scope_is_refused_over_http(service: FakeTokenService) -> None:
    tokens = ClientCredentials(APP_ID, APP_PASSWORD, service.token_url, "https://graph/.default")
    with pytest.raises(TokenUnavailable, match="400 invalid_scope"):
        tokens.token()


def test_an_outage_over_http(service: FakeTokenService) -> None:
    service.failing = True
    tokens = ClientCredentials(APP_ID, APP_PASSWORD, service.token_url, BOT_SCOPE)
    with pytest.raises(TokenUnavailable, match="503 temporarily_unavailable"):
        tokens.token()
    service.failing = False
    assert service.valid(tokens.token())


def test_nobody_listening_is_unavailable() -> None:
    with FakeTokenService() as gone:
        url = gone.token_url
    tokens = ClientCredentials(APP_ID, APP_PASSWORD, url, BOT_SCOPE)
    with pytest.raises(TokenUnavailable, match="unreachable"):
        tokens.token()
