"""The Bot Framework's identity provider, faked: OpenID metadata and the keys that sign the
tokens on incoming activities.

`FakeIdentity` serves `GET /v1/.well-known/openidconfiguration` (issuer and `jwks_uri`, as
login.botframework.com does) and `GET /v1/.well-known/keys` (the public half of each key,
with its `kid`). `sign` makes a token as the Bot Connector would, with any claim changed;
keys can be added (rotation) and the endpoints made to fail.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.localhttp import LocalService

ISSUER = "https://api.botframework.com"  # what the public cloud's metadata states
APP_ID = "9e3c1f3a-4f0c-4b0e-9a57-000000000001"


@dataclass
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def jwk(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**found, "kid": self.kid, "use": "sig", "endorsements": ["msteams"]}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, fake: FakeIdentity) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: `FakeIdentity.requests` is the log."""


class FakeIdentity(LocalService):
    def __init__(self) -> None:
        self.keys = [SigningKey("key-1")]
        self.requests: list[str] = []
        self.failing = False  # answer 503 to everything, as an outage would

    def _new_server(self) -> _Server:
        return _Server(self)

    @property
    def metadata_url(self) -> str:
        return f"{self.root_url}/v1/.well-known/openidconfiguration"

    def sign(
        self,
        key: SigningKey | None = None,
        *,
        lifetime: float = 3600,
        headers: dict[str, Any] | None = None,
        drop: tuple[str, ...] = (),
        **claims: Any,
    ) -> str:
        """A token as the Bot Connector sends it, signed with `key` (the first by default);
        `claims` change or add claims, `drop` leaves some out."""
        key = key or self.keys[0]
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": ISSUER,
            "aud": APP_ID,
            "nbf": now - 60,
            "exp": now + int(lifetime),
            "serviceurl": "https://smba.trafficmanager.net/amer/",
        }
        body.update(claims)
        body = {k: v for k, v in body.items() if k not in drop}
        return jwt.encode(
            body, key.private, algorithm="RS256", headers={"kid": key.kid, **(headers or {})}
        )

    def _handle(self, request: _Handler) -> None:
        self.requests.append(request.path)
        if self.failing:
            request.send_error(503)
            return
        if request.path == "/v1/.well-known/openidconfiguration":
            body: Any = {
                "issuer": ISSUER,
                "authorization_endpoint": "https://invalid.botframework.com",
                "jwks_uri": f"{self.root_url}/v1/.well-known/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        elif request.path == "/v1/.well-known/keys":
            body = {"keys": [key.jwk() for key in self.keys]}
        else:
            request.send_error(404)
            return
        data = json.dumps(body).encode()
        request.send_response(200)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)
