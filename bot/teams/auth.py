"""Who sent an activity to `POST /api/messages`: the Bot Framework's bearer token, verified.

Teams (through the Bot Connector) signs every activity it sends with a JWT. The token is
accepted only if it is RS256, signed by a key the configured OpenID metadata names
(`jwks_uri`), issued by the issuer that metadata states, addressed to this bot (`aud` =
`TEAMS_APP_ID`) and not expired beyond the usual five minutes of clock skew; when it names
the `serviceurl` it was issued for, that must be the activity's `serviceUrl`, so a token for
one connector cannot be replayed to make the bot post elsewhere. Anything else is refused
before the activity is read further.

The metadata URL is a setting (`TEAMS_OPENID_METADATA_URL`) and not the Agents SDK's fixed
public-cloud key URL (PLATFORM.md "Inbound tokens"): Azure China and the tests' fake
identity provider publish their own. PyJWT's `PyJWKClient` fetches and caches the keys, and
fetches again for a key id it has not seen (Microsoft rotates keys). Both fetches block, so
callers on an event loop run `verify` in a thread; a key or metadata that cannot be fetched
refuses the token (fail closed). Tokens never appear in a log line or an error message.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

from bot.settings import PUBLIC_CLOUD_METADATA

LEEWAY_SECONDS = 300  # the clock skew the Bot Framework's own validators allow
METADATA_LIFESPAN = 24 * 3600.0  # Microsoft asks for the metadata at most daily
FETCH_TIMEOUT = 10.0
# An unknown key id makes PyJWKClient fetch the keys again, but not sooner than this after
# its last fetch: a stream of made-up key ids cannot turn into a stream of requests.
REFRESH_COOLDOWN = 30.0
ALGORITHM = "RS256"  # the only one the Bot Framework signs with; never "none" or HMAC


class TokenRefused(Exception):
    """The activity is not from the Bot Framework for this bot: answer 401, touch nothing.
    The message says why in a few words, for the log; it never holds the token."""


@dataclass(frozen=True)
class Metadata:
    issuer: str
    jwks_uri: str


def fetch_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as response:
        return json.load(response)


class TokenVerifier:
    def __init__(
        self,
        app_id: str,
        metadata_url: str = PUBLIC_CLOUD_METADATA,
        *,
        leeway: float = LEEWAY_SECONDS,
        refresh_cooldown: float = REFRESH_COOLDOWN,
        fetch: Callable[[str], Any] = fetch_json,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not app_id:
            raise ValueError("TEAMS_APP_ID is needed to check whom a token is addressed to")
        self._app_id = app_id
        self._metadata_url = metadata_url
        self._leeway = leeway
        self._refresh_cooldown = refresh_cooldown
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._metadata: tuple[float, Metadata] | None = None
        self._keys: dict[str, jwt.PyJWKClient] = {}

    def verify(self, authorization: str | None, service_url: str | None) -> dict[str, Any]:
        """The token's claims, or `TokenRefused`. `authorization` is the request's header,
        `service_url` the activity's `serviceUrl`."""
        token = _bearer(authorization)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRefused("malformed token") from None
        if header.get("alg") != ALGORITHM:
            raise TokenRefused(f"algorithm {str(header.get('alg'))[:10]!r} is not {ALGORITHM}")
        metadata = self._current_metadata()
        try:
            key = self._key_client(metadata.jwks_uri).get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError:
            raise TokenRefused("the signing keys could not be fetched") from None
        except jwt.PyJWTError:
            raise TokenRefused("signed by an unknown key") from None
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[ALGORITHM],
                audience=self._app_id,
                issuer=metadata.issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRefused("expired") from None
        except jwt.InvalidAudienceError:
            raise TokenRefused("addressed to another app") from None
        except jwt.InvalidIssuerError:
            raise TokenRefused("from another issuer") from None
        except jwt.PyJWTError as error:
            raise TokenRefused(f"invalid: {type(error).__name__}") from None
        issued_for = claims.get("serviceurl")
        if issued_for is not None and not _same_url(str(issued_for), service_url):
            raise TokenRefused("issued for another serviceUrl")
        return claims

    def needs_fetch(self, authorization: str | None) -> bool:
        """Whether verifying this token would ask the identity provider (metadata due, or a
        key not seen in the last five minutes): then verify off the event loop. Otherwise
        verifying is one RSA signature check (0.2 ms), done where the request is, so a burst
        of activities does not queue behind a thread pool (benchmarks/teams_latency.py)."""
        with self._lock:
            metadata = self._metadata
            if metadata is None or self._clock() >= metadata[0]:
                return True
            client = self._keys.get(metadata[1].jwks_uri)
        if client is None or client.jwk_set_cache is None:
            return True
        try:
            kid = jwt.get_unverified_header(_bearer(authorization)).get("kid")
        except (TokenRefused, jwt.PyJWTError):
            return False  # refused without asking anyone
        keys = client.jwk_set_cache.get()
        return keys is None or all(key.key_id != kid for key in keys.keys)

    def _current_metadata(self) -> Metadata:
        with self._lock:
            now = self._clock()
            if self._metadata is not None and now < self._metadata[0]:
                return self._metadata[1]
        try:
            found = self._fetch(self._metadata_url)
            metadata = Metadata(issuer=str(found["issuer"]), jwks_uri=str(found["jwks_uri"]))
        except (OSError, ValueError, KeyError, TypeError):
            raise TokenRefused("the OpenID metadata could not be read") from None
        with self._lock:
            self._metadata = (now + METADATA_LIFESPAN, metadata)
        return metadata

    def _key_client(self, jwks_uri: str) -> jwt.PyJWKClient:
        with self._lock:
            client = self._keys.get(jwks_uri)
            if client is None:
                client = jwt.PyJWKClient(
                    jwks_uri, timeout=FETCH_TIMEOUT, cooldown_duration=self._refresh_cooldown
                )
                self._keys[jwks_uri] = client
            return client


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRefused("no bearer token")
    return token.strip()


def _same_url(a: str, b: str | None) -> bool:
    """Service URLs compare without a trailing slash and without case."""
    if b is None:
        return False
    return a.rstrip("/").lower() == b.rstrip("/").lower()
