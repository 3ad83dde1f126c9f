"""Inbound tokens: only the Bot Framework's, for this bot, within their time, pass.

The verifier runs against `tests.teamsfake.FakeIdentity` over real HTTP: OpenID metadata and
keys served on 127.0.0.1, tokens signed with RSA keys made for the test.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import jwt
import pytest

from bot.teams.auth import TokenRefused, TokenVerifier
from tests.teamsfake import FakeIdentity, SigningKey
from tests.teamsfake.identity import APP_ID

SERVICE_URL = "https://smba.trafficmanager.net/amer/"


@pytest.fixture
def identity() -> Iterator[FakeIdentity]:
    with FakeIdentity() as fake:
        yield fake


@pytest.fixture
def verifier(identity: FakeIdentity) -> TokenVerifier:
    return TokenVerifier(APP_ID, identity.metadata_url)


def refused(verifier: TokenVerifier, header: str | None, service_url: str = SERVICE_URL) -> str:
    with pytest.raises(TokenRefused) as caught:
        verifier.verify(header, service_url)
    return str(caught.value)


def test_a_token_from_the_bot_framework_for_this_bot_passes(
    identity: FakeIdentity, verifier: TokenVerifier
) -> None:
    claims = verifier.verify(f"Bearer {identity.sign()}", SERVICE_URL)
    assert claims["aud"] == APP_ID and claims["iss"] == "https://api.botframework.com"
    # the trailing slash and the case of the service URL do not matter
    assert verifier.verify(f"bearer {identity.sign()}", SERVICE_URL.rstrip("/").upper())


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Basic abc", "token"])
def test_no_bearer_token_is_refused(verifier: TokenVerifier, header: str | None) -> None:
    assert refused(verifier, header) == "no bearer token"


def test_an_expired_token_is_refused_past_five_minutes_of_skew(
    identity: FakeIdentity, verifier: TokenVerifier
) -> None:
    assert verifier.verify(f"Bearer {identity.sign(lifetime=-240)}", SERVICE_URL)
    assert refused(verifier, f"Bearer {identity.sign(lifetime=-360)}") == "expired"


def test_a_token_for_another_app_or_from_another_issuer_is_refused(
    identity: FakeIdentity, verifier: TokenVerifier
) -> None:
    assert refused(verifier, f"Bearer {identity.sign(aud='another-app')}") == (
        "addressed to another app"
    )
    assert refused(verifier, f"Bearer {identity.sign(iss='https://evil.example')}") == (
        "from another issuer"
    )


@pytest.mark.parametrize("claim", ["exp", "aud", "iss"])
def test_a_token_without_a_required_claim_is_refused(
    identity: FakeIdentity, verifier: TokenVerifier, claim: str
) -> None:
    assert refused(verifier, f"Bearer {identity.sign(drop=(claim,))}").startswith("invalid")


def test_a_token_signed_by_a_key_the_metadata_does_not_name_is_refused(
    identity: FakeIdentity, verifier: TokenVerifier
) -> None:
    stranger = SigningKey("key-1")  # the right key id, another key
    assert refused(verifier, f"Bearer {identity.sign(stranger)}").startswith("invalid")
    unknown = SigningKey("key-unknown")
    assert refused(verifier, f"Bearer {identity.sign(unknown)}") == "signed by an unknown key"


def test_a_rotated_key_is_fetched_when_first_seen(identity: FakeIdentity) -> None:
    verifier = TokenVerifier(APP_ID, identity.metadata_url, refresh_cooldown=0)
    assert verifier.verify(f"Bearer {identity.sign()}", SERVICE_URL)
    new = SigningKey("key-2")
    identity.keys.append(new)
    assert verifier.verify(f"Bearer {identity.sign(new)}", SERVICE_URL)
    assert identity.requests.count("/v1/.well-known/keys") == 2
    assert identity.requests.count("/v1/.well-known/openidconfiguration") == 1  # kept


def b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_made_up_key_ids_do_not_make_a_request_each(
    identity: FakeIdentity, verifier: TokenVerifier
) -> None:
    assert verifier.verify(f"Bearer {identity.sign()}", SERVICE_URL)
    for n in range(5):
        refused(verifier, f"Bearer {identity.sign(SigningKey(f'made-up-{n}'))}")
    assert identity.requests.count("/v1/.well-known/keys") == 1  # within the cooldown


def test_unsigned_and_hmac_tokens_are_refused(
    identity: FakeIdentity, verifier: TokenVerifier
) -> None:
    body = {"iss": "https://api.botframework.com", "aud": APP_ID, "exp": time.time() + 600}
    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(body)}."
    assert refused(verifier, f"Bearer {unsigned}") == "algorithm 'none' is not RS256"
    # the public key used as an HMAC secret: the classic algorithm confusion
    public = identity.keys[0].jwk()["n"]
    forged = jwt.encode(body, public, algorithm="HS256", headers={"kid": "key-1"})
    assert refused(verifier, f"Bearer {forged}") == "algorithm 'HS256' is not RS256"
    assert refused(verifier, "Bearer not.a.token") == "malformed token"


def test_a_token_issued_for_another_service_url_is_refused(
    identity: FakeIdentity, verifier: TokenVerifier
) -> None:
    token = identity.sign(serviceurl="https://smba.trafficmanager.net/emea/")
    assert refused(verifier, f"Bearer {token}", SERVICE_URL) == "issued for another serviceUrl"
    assert refused(verifier, f"Bearer {identity.sign()}", "https://evil.example/") == (
        "issued for another serviceUrl"
    )


def test_the_identity_provider_down_refuses_rather_than_trusting(
    identity: FakeIdentity, verifier: TokenVerifier
) -> None:
    identity.failing = True
    assert refused(verifier, f"Bearer {identity.sign()}") == (
        "the OpenID metadata could not be read"
    )
    identity.failing = False
    assert verifier.verify(f"Bearer {identity.sign()}", SERVICE_URL)


def test_the_keys_down_refuses_and_no_message_holds_the_token(identity: FakeIdentity) -> None:
    verifier = TokenVerifier(APP_ID, identity.metadata_url)
    verifier._current_metadata()  # the metadata is read; then the key endpoint fails
    identity.failing = True
    token = identity.sign()
    with pytest.raises(TokenRefused) as caught:
        verifier.verify(f"Bearer {token}", SERVICE_URL)
    assert str(caught.value) == "the signing keys could not be fetched"
    assert token not in str(caught.value) and caught.value.__cause__ is None


def test_the_metadata_is_read_again_after_a_day() -> None:
    now = [1000.0]
    fetched: list[str] = []

    def fetch(url: str) -> object:
        fetched.append(url)
        return {"issuer": "https://api.botframework.com", "jwks_uri": "http://127.0.0.1:9/"}

    verifier = TokenVerifier(APP_ID, "http://metadata", fetch=fetch, clock=lambda: now[0])
    verifier._current_metadata()
    now[0] += 23 * 3600
    verifier._current_metadata()
    assert len(fetched) == 1
    now[0] += 2 * 3600
    verifier._current_metadata()
    assert len(fetched) == 2


def test_a_verifier_needs_the_app_id() -> None:
    with pytest.raises(ValueError, match="TEAMS_APP_ID"):
        TokenVerifier("", "http://metadata")


def test_needs_fetch_says_exactly_when_verifying_would_ask_the_identity_provider(
    identity: FakeIdentity,
) -> None:
    """The endpoint verifies on the event loop when `needs_fetch` is False: it must then make
    no request, and it must be False for the common case (a known key, fresh metadata)."""
    verifier = TokenVerifier(APP_ID, identity.metadata_url, refresh_cooldown=0)
    token = f"Bearer {identity.sign()}"
    assert verifier.needs_fetch(token)  # nothing read yet
    verifier.verify(token, SERVICE_URL)
    asked = len(identity.requests)
    again = f"Bearer {identity.sign()}"
    assert not verifier.needs_fetch(again)
    verifier.verify(again, SERVICE_URL)
    assert len(identity.requests) == asked  # in place, nobody asked
    assert not verifier.needs_fetch("Basic nothing")  # refused without asking anyone
    new = SigningKey("key-2")
    identity.keys.append(new)
    rotated = f"Bearer {identity.sign(new)}"
    assert verifier.needs_fetch(rotated)  # a key not seen yet: fetched off the loop
    verifier.verify(rotated, SERVICE_URL)
    assert len(identity.requests) == asked + 1
    assert not verifier.needs_fetch(rotated)
