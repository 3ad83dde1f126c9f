"""Local fakes of the Microsoft services a Teams bot talks to, over real HTTP on 127.0.0.1.

- `identity.FakeIdentity`: the Bot Framework's OpenID metadata and signing keys (JWKS), with
  RSA keys generated here, and `sign` to make the bearer tokens Teams would send.
"""

from .identity import FakeIdentity, SigningKey

__all__ = ["FakeIdentity", "SigningKey"]
