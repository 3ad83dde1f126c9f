"""The bot's own tokens for its calls to the Bot Connector: OAuth 2.0 client credentials.

The Agents SDK's `MsalAuth` goes through MSAL, which accepts only https authorities and asks
Microsoft's instance discovery first, so it cannot reach a national cloud's endpoint set by
hand, nor the tests' local fake (PLATFORM.md "Outbound tokens"). The grant itself is one form
POST (`grant_type=client_credentials`, the app id and secret, the Bot Framework's scope) to
`TEAMS_TOKEN_URL`; the token is kept until shortly before it expires, shared by every call
of the process, and fetched again after the connector refuses it.

The secret never appears in a log line or an error: failures say only what went wrong.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings

FETCH_TIMEOUT = 10.0
MARGIN = 300.0  # seconds before its expiry that a token is replaced


class TokenUnavailable(Exception):
    """No token could be had just now (the endpoint refused or did not answer)."""


Fetch = Callable[[str, bytes], tuple[int, bytes]]


def _post(url: str, body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read()


class ClientCredentials:
    def __init__(
        self,
        app_id: str,
        password: str,
        token_url: str,
        scope: str,
        *,
        fetch: Fetch = _post,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": app_id,
                "client_secret": password,
                "scope": scope,
            }
        ).encode()
        self._url = token_url
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._until = 0.0

    def token(self) -> str:
        """A valid access token, fetched only when the one kept is about to expire."""
        with self._lock:
            if self._token is None or self._clock() >= self._until:
                self._token, lifetime = self._request()
                self._until = self._clock() + max(lifetime - MARGIN, lifetime / 2)
            return self._token

    def forget(self) -> None:
        """The connector refused the token (revoked, or the clock was wrong): fetch anew."""
        with self._lock:
            self._token = None

    def _request(self) -> tuple[str, float]:
        try:
            status, body = self._fetch(self._url, self._form)
        except OSError as exc:
            raise TokenUnavailable(f"token endpoint unreachable: {type(exc).__name__}") from None
        try:
            answer = json.loads(body or b"{}")
        except ValueError:
            answer = {}
        if status != 200 or not isinstance(answer, dict) or "access_token" not in answer:
            error = answer.get("error") if isinstance(answer, dict) else None
            raise TokenUnavailable(f"token endpoint answered {status} {error or ''}".strip())
        return str(answer["access_token"]), float(answer.get("expires_in") or 3600)


def tokens_from(settings: Settings) -> ClientCredentials | None:
    """The bot's token source from TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_TOKEN_URL and
    TEAMS_TOKEN_SCOPE; None without a registration (anonymous development: no token sent)."""
    if not (settings.teams_app_id and settings.teams_app_password):
        return None
    return ClientCredentials(
        settings.teams_app_id,
        settings.teams_app_password,
        settings.teams_token_endpoint(),
        settings.teams_token_scope,
    )
