"""Local fakes of the Microsoft services a Teams bot talks to, over real HTTP on 127.0.0.1.

- `identity.FakeIdentity`: the Bot Framework's OpenID metadata and signing keys (JWKS), with
  RSA keys generated here, and `sign` to make the bearer tokens Teams would send.
- `tokens.FakeTokenService`: the Microsoft identity platform's client-credentials token
  endpoint, which hands the bot the access token it sends to the connector.
- `connector.FakeConnector`: the Bot Connector service (``serviceUrl``) the bot sends,
  replies, updates and opens 1:1 chats through; it records everything and refuses what Teams
  refuses.
- `activities`: inbound activities shaped as Teams sends them, and `post` / `signed_post` to
  deliver them to the bot's ``/api/messages``.
"""

from .activities import Response, TeamsUser, bot, signed_post
from .connector import (
    ConnectorRequest,
    Conversation,
    Created,
    FakeConnector,
    Person,
    Refusal,
    Sent,
    Throttled,
    Update,
)
from .identity import APP_ID, FakeIdentity, SigningKey
from .tokens import APP_PASSWORD, BOT_SCOPE, FakeTokenService, IssuedToken, TokenRefusal

__all__ = [
    "APP_ID",
    "APP_PASSWORD",
    "BOT_SCOPE",
    "ConnectorRequest",
    "Conversation",
    "Created",
    "FakeConnector",
    "FakeIdentity",
    "FakeTokenService",
    "IssuedToken",
    "Person",
    "Refusal",
    "Response",
    "Sent",
    "SigningKey",
    "TeamsUser",
    "Throttled",
    "TokenRefusal",
    "Update",
    "bot",
    "signed_post",
]
