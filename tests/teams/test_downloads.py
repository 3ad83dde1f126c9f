"""Files offered by a short-lived link (bot/downloads.py) and their route `GET /files/{token}`:
the same bytes back while the link works, None (404) for anything else, only the token's
digest stored, expired rows swept, and the headers a browser needs to keep the file private.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.downloads import digest, fetch, forget_expired, link, offer
from bot.store.db import make_engine
from bot.store.models import Download, Organisation
from bot.web import create_web_app
from tests.migrated import migrated

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(migrated(f"sqlite:///{tmp_path / 'downloads.db'}"))
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def org(session: Session) -> int:
    organisation = Organisation(platform="teams", external_id="tenant-1", name="Acme IT")
    session.add(organisation)
    session.commit()
    assert organisation.id is not None
    return organisation.id


def offered(
    session: Session,
    org: int,
    content: bytes = PDF,
    *,
    filename: str = "iso20k-report.pdf",
    mime: str = "application/pdf",
    at: dt.datetime = NOW,
    lifetime: dt.timedelta = HOUR,
) -> str:
    token = offer(session, org, filename, mime, content, at, lifetime)
    session.commit()
    return token


def test_an_offered_file_comes_back_by_its_token(session: Session, org: int) -> None:
    token = offered(session, org)
    found = fetch(session, token, NOW + dt.timedelta(minutes=59))
    assert found is not None
    assert found.content == PDF
    assert found.filename == "iso20k-report.pdf" and found.mime == "application/pdf"
    assert found.organisation_id == org


def test_the_file_is_gone_when_its_link_expires(session: Session, org: int) -> None:
    token = offered(session, org)
    assert fetch(session, token, NOW + HOUR - dt.timedelta(microseconds=1)) is not None
    assert fetch(session, token, NOW + HOUR) is None
    assert fetch(session, token, NOW + 30 * HOUR) is None


def test_a_wrong_empty_or_overlong_token_opens_nothing(session: Session, org: int) -> None:
    token = offered(session, org)
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    for wrong in (changed, token[1:], token + "x", "", " ", "x" * 43, token.upper()):
        if wrong != token:
            assert fetch(session, wrong, NOW) is None, wrong
    assert fetch(session, "a" * 101, NOW) is None
    assert fetch(session, token + "x" * 200, NOW) is None


def test_an_overlong_token_is_not_even_looked_up(session: Session, org: int) -> None:
    """A token over 100 characters is refused before the digest is computed and looked up:
    make the table hold a row whose digest matches one."""
    long_token = "y" * 101
    session.add(
        Download(
            organisation_id=org,
            token_digest=digest(long_token),
            filename="x.pdf",
            mime="application/pdf",
            content=b"x",
            created_at=NOW,
            expires_at=NOW + HOUR,
        )
    )
    session.commit()
    assert fetch(session, long_token, NOW) is None
    assert fetch(session, "y" * 100, NOW) is None  # no such row; the limit is not the reason


def test_only_the_tokens_digest_is_stored(session: Session, org: int) -> None:
    token = offered(session, org)
    (row,) = session.exec(select(Download)).all()
    assert row.token_digest == hashlib.sha256(token.encode()).hexdigest()
    raw = session.connection().execute(text("SELECT * FROM download")).mappings().one()
    for column, value in raw.items():
        stored = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        assert token not in stored, column


def test_tokens_are_distinct_and_long(session: Session, org: int) -> None:
    tokens = [offered(session, org, b"%d" % n) for n in range(200)]
    assert len(set(tokens)) == len(tokens)
    assert all(len(t) >= 43 for t in tokens)  # 256 random bits, base64url
    assert all(t.replace("-", "").replace("_", "").isalnum() for t in tokens)  # URL-safe
    assert {fetch(session, t, NOW).content for t in tokens} == {b"%d" % n for n in range(200)}  # type: ignore[union-attr]


def test_expired_rows_are_deleted_when_a_file_is_offered(session: Session, org: int) -> None:
    old = offered(session, org, b"old", at=NOW - 2 * HOUR)
    lasting = offered(session, org, b"lasting", at=NOW - 2 * HOUR, lifetime=3 * HOUR)
    assert len(session.exec(select(Download)).all()) == 2
    new = offered(session, org, b"new", at=NOW)
    contents = sorted(d.content for d in session.exec(select(Download)).all())
    assert contents == [b"lasting", b"new"]
    assert fetch(session, old, NOW) is None
    assert fetch(session, lasting, NOW) is not None and fetch(session, new, NOW) is not None


def test_forget_expired_counts_what_it_deleted(session: Session, org: int) -> None:
    for n in range(3):
        offered(session, org, b"%d" % n, at=NOW, lifetime=dt.timedelta(minutes=n + 1))
    assert forget_expired(session, NOW + dt.timedelta(minutes=2)) == 2
    assert forget_expired(session, NOW + dt.timedelta(minutes=2)) == 0


def test_the_link_is_made_from_the_public_url() -> None:
    assert link("https://iso20k.example.com/", "abc") == "https://iso20k.example.com/files/abc"
    assert link("https://iso20k.example.com", "abc") == "https://iso20k.example.com/files/abc"


# --- GET /files/{token} --------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


class Client:
    """GET over httpx's ASGI transport: the app's own routing, headers and body, no server."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.app = create_web_app(None, files=engine, now=clock)

    def get(self, path: str) -> httpx.Response:
        async def get() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await client.get(path)

        return asyncio.run(get())


@pytest.fixture
def client(engine: Engine, clock: Clock) -> Client:
    return Client(engine, clock)


def test_a_pdf_is_served_as_an_attachment(client: Client, session: Session, org: int) -> None:
    token = offered(session, org)
    answer = client.get(f"/files/{token}")
    assert answer.status_code == 200
    assert answer.content == PDF
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == "attachment; filename*=UTF-8''iso20k-report.pdf"
    assert answer.headers["cache-control"] == "private, no-store"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"


def test_a_png_is_shown_inline(client: Client, session: Session, org: int) -> None:
    token = offered(session, org, PNG, filename="readiness.png", mime="image/png")
    answer = client.get(f"/files/{token}")
    assert answer.status_code == 200 and answer.content == PNG
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["content-disposition"] == "inline; filename*=UTF-8''readiness.png"
    assert answer.headers["cache-control"] == "private, no-store"
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_unknown_and_expired_links_are_the_same_404(
    client: Client, clock: Clock, session: Session, org: int
) -> None:
    token = offered(session, org)
    unknown = client.get("/files/" + "x" * 43)
    overlong = client.get("/files/" + "x" * 500)
    clock.now = NOW + HOUR
    expired = client.get(f"/files/{token}")
    for answer in (unknown, overlong, expired):
        assert answer.status_code == 404
        assert answer.content == unknown.content
        assert answer.headers["content-type"] == unknown.headers["content-type"]
    assert PDF not in expired.content


def test_a_file_is_not_served_by_its_digest(client: Client, session: Session, org: int) -> None:
    token = offered(session, org)
    assert client.get(f"/files/{digest(token)}").status_code == 404


def test_a_chinese_filename_is_encoded_for_the_header(
    client: Client, session: Session, org: int
) -> None:
    name = "就绪报告 2026.pdf"
    token = offered(session, org, filename=name)
    answer = client.get(f"/files/{token}")
    assert answer.status_code == 200
    disposition = answer.headers["content-disposition"]
    assert disposition == f"attachment; filename*=UTF-8''{quote(name)}"
    assert disposition.isascii()
    assert "%E5%B0%B1%E7%BB%AA" in disposition  # 就绪 in UTF-8
