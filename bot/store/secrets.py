"""Secrets at rest: tokens are encrypted with Fernet (`cryptography`) before they are stored.

`ISO20K_SECRET_KEY` holds one key or several, comma-separated (`iso20k secret-key` makes
one). The first key encrypts; every key decrypts, so keys are rotated by putting a new key
first, keeping the old ones until `iso20k rotate-secrets` has re-encrypted every row with
the new one, then dropping them (docs/operations.md "Secrets"). Fernet authenticates what it
decrypts: a value changed in the database, or encrypted with a key no longer listed, is
refused rather than read as garbage.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretKeyError(ValueError):
    """ISO20K_SECRET_KEY is missing or malformed; the message never repeats a key."""


class UnreadableSecret(Exception):
    """A stored secret no configured key decrypts (the key was dropped too early, or the row
    was changed); the message names no value."""


def new_key() -> str:
    """A fresh key for ISO20K_SECRET_KEY: 32 random bytes, url-safe base64."""
    return Fernet.generate_key().decode()


class Cipher:
    """Encrypts with the first of its keys and decrypts with any of them."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise SecretKeyError("ISO20K_SECRET_KEY is empty: run `iso20k secret-key` for one")
        fernets = []
        for number, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.encode()))
            except (ValueError, TypeError):
                # Never echo the key: say which of the list is wrong and what a key looks like.
                raise SecretKeyError(
                    f"ISO20K_SECRET_KEY: key {number} of {len(keys)} is not a Fernet key "
                    "(44 characters of url-safe base64; `iso20k secret-key` makes one)"
                ) from None
        self._fernet = MultiFernet(fernets)
        self.key_count = len(keys)

    @classmethod
    def from_setting(cls, value: str) -> Cipher:
        return cls([part.strip() for part in value.split(",") if part.strip()])

    def encrypt(self, secrets: Mapping[str, str | None]) -> str:
        """A Fernet token holding `secrets` (None values are left out)."""
        kept = {name: value for name, value in secrets.items() if value is not None}
        return self._fernet.encrypt(json.dumps(kept, sort_keys=True).encode()).decode()

    def decrypt(self, token: str) -> dict[str, str]:
        try:
            plain = self._fernet.decrypt(token.encode())
        except InvalidToken:
            raise UnreadableSecret(
                "a stored secret could not be decrypted with any key in ISO20K_SECRET_KEY"
            ) from None
        found = json.loads(plain)
        assert isinstance(found, dict)
        return {str(k): str(v) for k, v in found.items()}

    def rotate(self, token: str) -> str:
        """The same secrets encrypted with the first key (MultiFernet.rotate)."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise UnreadableSecret(
                "a stored secret could not be decrypted with any key in ISO20K_SECRET_KEY"
            ) from None
