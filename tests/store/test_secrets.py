"""Secrets at rest: Fernet with several keys, the first one writing."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.store.secrets import Cipher, SecretKeyError, UnreadableSecret, new_key


def test_round_trip_and_no_clear_text() -> None:
    cipher = Cipher([new_key()])
    token = cipher.encrypt({"bot_token": "xoxb-123-secret", "user_token": None})
    assert "xoxb" not in token
    assert cipher.decrypt(token) == {"bot_token": "xoxb-123-secret"}


def test_rotation_first_key_writes_every_key_reads() -> None:
    old, new = new_key(), new_key()
    written_with_old = Cipher([old]).encrypt({"bot_token": "xoxb-1"})
    rotated = Cipher.from_setting(f"{new}, {old}")
    assert rotated.decrypt(written_with_old) == {"bot_token": "xoxb-1"}
    again = rotated.rotate(written_with_old)
    # After rotation the old key may go: the new one alone reads the row.
    assert Cipher([new]).decrypt(again) == {"bot_token": "xoxb-1"}
    with pytest.raises(UnreadableSecret):
        Cipher([new]).decrypt(written_with_old)


def test_a_dropped_key_is_refused_without_naming_the_value() -> None:
    token = Cipher([new_key()]).encrypt({"bot_token": "xoxb-hidden"})
    with pytest.raises(UnreadableSecret) as caught:
        Cipher([new_key()]).decrypt(token)
    assert "xoxb" not in str(caught.value)


def test_a_malformed_key_is_named_by_position_not_echoed() -> None:
    with pytest.raises(SecretKeyError) as caught:
        Cipher.from_setting(f"{new_key()},not-a-key-at-all")
    assert "key 2 of 2" in str(caught.value)
    assert "not-a-key-at-all" not in str(caught.value)
    with pytest.raises(SecretKeyError):
        Cipher.from_setting(" , ")


@given(
    st.dictionaries(
        st.sampled_from(["bot_token", "bot_refresh_token", "user_token"]), st.text(min_size=1)
    )
)
def test_any_secrets_come_back_as_written(secrets: dict[str, str]) -> None:
    cipher = Cipher([new_key(), new_key()])
    assert cipher.decrypt(cipher.encrypt(secrets)) == secrets
