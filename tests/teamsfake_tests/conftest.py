"""Fixtures for the Teams fakes' own tests: a token service on a clock the test moves, a
connector that checks its tokens, and helpers to call both over HTTP (plain urllib, and the
Agents SDK's own `ConnectorClient`, which is what the app uses)."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from microsoft_agents.hosting.core.connector.client import ConnectorClient

from tests.clocks import SteppedClock
from tests.teamsfake import APP_ID, APP_PASSWORD, BOT_SCOPE, FakeConnector, FakeTokenService

T = TypeVar("T")

TENANT = "7a1d0c55-0000-4000-8000-00000000aaaa"
OTHER_TENANT = "7a1d0c55-0000-4000-8000-00000000bbbb"
ANN = "29:1ann"  # in TENANT, with an open personal chat "a:ann"
BOB = "29:1bob"  # in OTHER_TENANT
CARD: dict[str, Any] = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "Scope of the SMS", "wrap": True}],
    "actions": [{"type": "Action.Submit", "title": "Save", "data": {"form": "scope"}}],
}


@pytest.fixture
def clock() -> SteppedClock:
    return SteppedClock(start=1_000.0)


@pytest.fixture
def tokens(clock: SteppedClock) -> Iterator[FakeTokenService]:
    with FakeTokenService(clock=clock) as fake:
        yield fake


@pytest.fixture
def connector(tokens: FakeTokenService) -> Iterator[FakeConnector]:
    with FakeConnector(tokens) as fake:
        fake.add_person(ANN, "aad-ann", "Ann Auditor", TENANT, upn="ann@example.org")
        fake.add_person(BOB, "aad-bob", "Bob Other", OTHER_TENANT)
        fake.open("a:ann", tenant_id=TENANT, members=[ANN])
        yield fake


@pytest.fixture
def token(tokens: FakeTokenService) -> str:
    """A token got the way the app gets it: the client-credentials POST."""
    status, body = grant(tokens.token_url)
    assert status == 200, body
    access: str = body["access_token"]
    return access


def grant(url: str, **form: str) -> tuple[int, dict[str, Any]]:
    """POST a client-credentials request (the good one, changed by `form`)."""
    fields = {
        "grant_type": "client_credentials",
        "client_id": APP_ID,
        "client_secret": APP_PASSWORD,
        "scope": BOT_SCOPE,
        **form,
    }
    data = urllib.parse.urlencode(fields).encode()
    return call("POST", url, data, "application/x-www-form-urlencoded")


def call(
    method: str,
    url: str,
    data: bytes | None = None,
    content_type: str = "application/json",
    token: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """One plain HTTP request; the status and the JSON body, whatever the status."""
    status, _, body = call_raw(method, url, data, content_type, token)
    return status, json.loads(body) if body else {}


def call_raw(
    method: str,
    url: str,
    data: bytes | None = None,
    content_type: str = "application/json",
    token: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", content_type)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, dict(err.headers.items()), err.read()


def post_json(
    connector: FakeConnector, path: str, body: Any, token: str | None, method: str = "POST"
) -> tuple[int, dict[str, Any]]:
    """A JSON request to a path under the connector's service URL (``v3/…``)."""
    return call(method, connector.service_url + path, json.dumps(body).encode(), token=token)


def with_sdk(
    connector: FakeConnector, token: str, work: Callable[[ConnectorClient], Awaitable[T]]
) -> T:
    """Run `work` with the SDK's ConnectorClient on the connector's service URL, in an event
    loop of its own, and close the client's session afterwards."""

    async def main() -> T:
        client = ConnectorClient(connector.service_url, token)
        try:
            return await work(client)
        finally:
            await client.close()

    return asyncio.run(main())
