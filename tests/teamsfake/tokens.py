"""The Microsoft identity platform's token endpoint, faked: the client-credentials grant a bot
uses to get the access token it sends to the Bot Connector.

`FakeTokenService` serves `POST /{tenant}/oauth2/v2.0/token` (``botframework.com`` for
multi-tenant bots, the tenant id for single-tenant ones) and answers as Entra ID does: a
bearer token for the right app id, secret and scope, else Entra's OAuth error (``error``,
``error_description`` with an AADSTS code, ``error_codes``). The tokens are opaque random
strings the service remembers with their app and expiry, so `FakeConnector` can ask `valid`;
an app must treat a real token as opaque too. Expiry runs on an injectable clock, so a test
can make every token stale (`expire_all`, or move the clock) without sleeping.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.localhttp import LocalService

from .identity import APP_ID

APP_PASSWORD = "test-app-password"  # the client secret of APP_ID in the default app table
BOT_SCOPE = "https://api.botframework.com/.default"  # what the Bot Connector accepts
MULTI_TENANT = "botframework.com"  # the tenant segment of a multi-tenant bot's token URL

# Entra ID's codes for each refusal (the error_description starts with one of them)
_AADSTS = {
    "invalid_client": 7000215,  # Invalid client secret provided
    "unsupported_grant_type": 70003,
    "invalid_scope": 70011,
    "invalid_request": 900144,  # The request body must contain the following parameter
}


@dataclass(frozen=True)
class IssuedToken:
    """One access token handed out: which app asked, in which tenant segment, and when it was
    issued and expires on the service's clock."""

    access_token: str
    app_id: str
    tenant: str
    issued_at: float
    expires_at: float


@dataclass(frozen=True)
class TokenRefusal:
    """A request the service refused: HTTP status, OAuth error and why (the secret is never
    part of it)."""

    status: int
    error: str
    description: str
    client_id: str | None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # socketserver's 5 is too few for a burst (PLATFORM.md "Lessons")

    def __init__(self, fake: FakeTokenService) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: `FakeTokenService.issued` and `refusals` are the log."""


class FakeTokenService(LocalService):
    """`apps` maps app id to client secret; `lifetime` is each token's `expires_in` (seconds);
    `scope` is the only scope granted; `clock` (seconds, default `time.monotonic`) decides
    expiry. Thread-safe: the app asks from its threads while the test reads."""

    def __init__(
        self,
        apps: dict[str, str] | None = None,
        lifetime: int = 3600,
        *,
        scope: str = BOT_SCOPE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.apps = dict(apps) if apps is not None else {APP_ID: APP_PASSWORD}
        self.lifetime = lifetime
        self.scope = scope
        self.clock = clock
        self.failing = False  # answer 503 to everything, as an outage would
        self.requests = 0
        self._lock = threading.Lock()
        self._issued: list[IssuedToken] = []
        self._refusals: list[TokenRefusal] = []
        self._expiry: dict[str, tuple[str, float]] = {}  # token -> (app id, expires at)

    def _new_server(self) -> _Server:
        return _Server(self)

    @property
    def token_url(self) -> str:
        """The multi-tenant bot's token URL; `token_url_for` gives a single-tenant one."""
        return self.token_url_for(MULTI_TENANT)

    def token_url_for(self, tenant: str) -> str:
        return f"{self.root_url}/{tenant}/oauth2/v2.0/token"

    @property
    def issued(self) -> list[IssuedToken]:
        """Every token issued so far, oldest first (e.g. to assert one token for many sends)."""
        with self._lock:
            return list(self._issued)

    @property
    def refusals(self) -> list[TokenRefusal]:
        with self._lock:
            return list(self._refusals)

    def valid(self, token: str) -> bool:
        """Whether `token` was issued here and has not expired."""
        return self.app_of(token) is not None

    def app_of(self, token: str) -> str | None:
        """The app a valid token was issued to; None for an unknown or expired one."""
        with self._lock:
            found = self._expiry.get(token)
            if found is None or self.clock() >= found[1]:
                return None
            return found[0]

    def issue(self, app_id: str = APP_ID, tenant: str = MULTI_TENANT) -> str:
        """A valid token for `app_id` without an HTTP round trip, for tests of the connector
        that are not about getting tokens."""
        with self._lock:
            now = self.clock()
            token = secrets.token_urlsafe(32)
            self._issued.append(IssuedToken(token, app_id, tenant, now, now + self.lifetime))
            self._expiry[token] = (app_id, now + self.lifetime)
            return token

    def expire_all(self) -> None:
        """Make every token issued so far stale, as if its lifetime had passed; new requests
        get fresh ones."""
        with self._lock:
            self._expiry = {t: (app, float("-inf")) for t, (app, _) in self._expiry.items()}

    def _handle(self, request: _Handler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        with self._lock:
            self.requests += 1
        if self.failing:
            _send(request, 503, {"error": "temporarily_unavailable"})
            return
        parts = urlsplit(request.path).path.strip("/").split("/")
        if request.command != "POST" or len(parts) != 4 or parts[1:] != ["oauth2", "v2.0", "token"]:
            _send(request, 404, {"error": "not_found"})
            return
        status, body = self._answer(parts[0], raw, request.headers.get("Content-Type", ""))
        _send(request, status, body)

    def _answer(self, tenant: str, raw: bytes, content_type: str) -> tuple[int, dict[str, Any]]:
        if content_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
            # Entra reads only a form body: a JSON one lacks every parameter
            return self._refuse(400, "invalid_request", "'grant_type'", None)
        form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        client_id = form.get("client_id") or None
        for name in ("grant_type", "client_id", "client_secret", "scope"):
            if not form.get(name):
                return self._refuse(400, "invalid_request", f"'{name}'", client_id)
        if form["grant_type"] != "client_credentials":
            return self._refuse(400, "unsupported_grant_type", form["grant_type"], client_id)
        if form["scope"] != self.scope:
            return self._refuse(400, "invalid_scope", form["scope"], client_id)
        secret = self.apps.get(form["client_id"])
        if secret is None or not secrets.compare_digest(secret, form["client_secret"]):
            # Entra says unauthorized_client (AADSTS700016) for an unknown app; both are the
            # app's credentials being wrong, so both are invalid_client here (the brief's rule)
            return self._refuse(401, "invalid_client", "", client_id)
        token = self.issue(form["client_id"], tenant)
        return 200, {
            "token_type": "Bearer",
            "expires_in": self.lifetime,
            "ext_expires_in": self.lifetime,
            "access_token": token,
        }

    def _refuse(
        self, status: int, error: str, detail: str, client_id: str | None
    ) -> tuple[int, dict[str, Any]]:
        descriptions = {
            "invalid_client": "Invalid client secret provided. Ensure the secret being sent "
            f"in the request is the client secret value, not the client secret ID, for a "
            f"secret added to app '{client_id}'.",
            "unsupported_grant_type": f"The provided value for the input parameter "
            f"'grant_type' is not valid: {detail}.",
            "invalid_scope": f"The provided value for scope {detail} is not valid.",
            "invalid_request": f"The request body must contain the following parameter: {detail}.",
        }
        code = _AADSTS[error]
        description = f"AADSTS{code}: {descriptions[error]}"
        with self._lock:
            self._refusals.append(TokenRefusal(status, error, description, client_id))
        return status, {"error": error, "error_description": description, "error_codes": [code]}


def _send(request: _Handler, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    try:
        request.send_response(status)
        request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(data)))
        request.send_header("Cache-Control", "no-store, no-cache")
        request.end_headers()
        request.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up
