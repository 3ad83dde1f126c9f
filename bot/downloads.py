"""Files offered by a short-lived link: how reports, exports and charts reach Teams users.

A Teams bot cannot attach a file to a message in a channel or group chat (Teams' file
consent flow works in personal chats only, and needs OneDrive), and a card stays under about
100 KB (PLATFORM.md), too little for a PDF. So the worker stores the file with a random token
and the card links to `GET /files/{token}` on this app (`PUBLIC_URL`); the link works for
`DOWNLOAD_MINUTES` and then answers 404 like any unknown link.

Not guessable: the token has 256 random bits (`secrets.token_urlsafe(32)`), and only its
SHA-256 digest is stored, so the table alone opens no file. A link is a bearer credential:
whoever has it may download the file until it expires, as with a shared link of a file
service; the card that holds it goes only to the people the file was made for. Expired rows
are deleted whenever a file is offered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete
from sqlmodel import Session, col, select

from bot.store.models import Download

TOKEN_BYTES = 32


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def offer(
    session: Session,
    organisation_id: int,
    filename: str,
    mime: str,
    content: bytes,
    now: dt.datetime,
    lifetime: dt.timedelta,
) -> str:
    """Store the file and return the token of its link (the caller commits)."""
    forget_expired(session, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        Download(
            organisation_id=organisation_id,
            token_digest=digest(token),
            filename=filename,
            mime=mime,
            content=content,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return token


def fetch(session: Session, token: str, now: dt.datetime) -> Download | None:
    """The file behind a token while its link works; None for an unknown or expired one."""
    if not token or len(token) > 100:
        return None
    found = session.exec(select(Download).where(Download.token_digest == digest(token))).first()
    if found is None or found.expires_at <= now:
        return None
    return found


def forget_expired(session: Session, now: dt.datetime) -> int:
    result = session.exec(delete(Download).where(col(Download.expires_at) <= now))
    return int(result.rowcount)


def link(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/files/{token}"
