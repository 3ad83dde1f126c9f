"""The installation and state stores on our database: tokens only ever encrypted, one row per
workspace, a reinstall resumes the organisation, states consumed once, keys rotated."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.cli import cli
from bot.logs import JsonFormatter, Redactor
from bot.slack.installations import (
    DatabaseInstallationStore,
    DatabaseOAuthStateStore,
    installation_key,
    rotate_secrets,
)
from bot.slack.tenant import split_tenant, tenant_key
from bot.slack.tokens import InstalledTokens, rotator
from bot.store.db import make_engine
from bot.store.models import Organisation, SlackInstallation
from bot.store.secrets import Cipher, UnreadableSecret, new_key
from tests.migrated import migrated
from tests.slackfake.server import FakeSlack, ManualClock

KEY = new_key()
BOT = "xoxb-111-222-SECRETbottokenvalue"
REFRESH = "xoxe-1-SECRETrefreshvalue"
USER = "xoxp-333-SECRETusertokenvalue"
HOOK = "https://hooks.slack.com/services/T1/B1/SECREThookvalue"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """A migrated database: a SQLite file, or a scratch database on the session's PostgreSQL."""
    if request.param == "sqlite":
        url = migrated(f"sqlite:///{tmp_path / 'i.db'}")
    else:
        url = migrated(str(request.getfixturevalue("fresh_postgres_url")))
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


def installation(team: str | None = "T1", bot: str = BOT, **given: object) -> Installation:
    values: dict[str, object] = {
        "app_id": "A1",
        "team_id": team,
        "team_name": f"Team {team}",
        "bot_token": bot,
        "bot_id": "B1",
        "bot_user_id": "U0BOT",
        "bot_scopes": "commands,chat:write",
        "bot_refresh_token": REFRESH,
        "bot_token_expires_in": 43_200,
        "user_id": "U1",
        "user_token": USER,
        "user_scopes": "search:read",
        "incoming_webhook_url": HOOK,
        "incoming_webhook_channel": "#general",
        **given,
    }
    return Installation(**values)  # type: ignore[arg-type]


def test_an_installation_is_found_again_with_every_token(db: tuple[str, Engine]) -> None:
    store = DatabaseInstallationStore(db[1], Cipher([KEY]))
    store.save(installation())
    found = store.find_installation(enterprise_id=None, team_id="T1")
    assert found is not None
    assert (found.bot_token, found.bot_refresh_token, found.user_token) == (BOT, REFRESH, USER)
    assert found.incoming_webhook_url == HOOK and found.incoming_webhook_channel == "#general"
    assert found.user_scopes == ["search:read"] and found.bot_scopes == ["commands", "chat:write"]
    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == BOT and bot.bot_token_expires_at is not None
    assert store.find_bot(enterprise_id=None, team_id="T2") is None
    # Another person's user token is not handed out.
    assert store.find_installation(enterprise_id=None, team_id="T1", user_id="U9") is None


def test_no_token_is_in_the_database_file_in_the_clear(db: tuple[str, Engine]) -> None:
    url, engine = db
    if not url.startswith("sqlite"):
        pytest.skip("the embedded database is a file to read; PostgreSQL's is the server's")
    store = DatabaseInstallationStore(engine, Cipher([KEY]))
    store.save(installation())
    engine.dispose()  # everything written to the file
    raw = Path(url.removeprefix("sqlite:///")).read_bytes()
    assert b"T1" in raw  # the file is the one written
    for secret in (BOT, REFRESH, USER, HOOK, "SECRET"):
        assert secret.encode() not in raw


def test_a_reinstall_replaces_the_row_and_resumes_the_organisation(
    db: tuple[str, Engine],
) -> None:
    engine = db[1]
    with Session(engine) as session:
        gone = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        session.add(Organisation(platform="slack", external_id="T1", name="A", uninstalled_at=gone))
        session.add(Organisation(platform="slack", external_id="T2", name="B", uninstalled_at=gone))
        session.commit()
    store = DatabaseInstallationStore(engine, Cipher([KEY]))
    store.save(installation())
    store.save(installation(bot="xoxb-111-222-NEWtoken"))
    with Session(engine) as session:
        rows = session.exec(select(SlackInstallation)).all()
        assert [r.installation_key for r in rows] == [":T1"]
        resumed = {o.external_id: o.uninstalled_at for o in session.exec(select(Organisation))}
    assert resumed["T1"] is None and resumed["T2"] is not None  # only the reinstalled one
    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == "xoxb-111-222-NEWtoken"


def test_a_workspace_of_an_enterprise_is_served_by_its_org_wide_install(
    db: tuple[str, Engine],
) -> None:
    store = DatabaseInstallationStore(db[1], Cipher([KEY]))
    store.save(installation(team=None, enterprise_id="E1", is_enterprise_install=True))
    bot = store.find_bot(enterprise_id="E1", team_id="T7")
    assert bot is not None and bot.bot_token == BOT
    assert store.find_bot(enterprise_id="E2", team_id="T7") is None


def test_deleting_removes_the_tokens(db: tuple[str, Engine]) -> None:
    store = DatabaseInstallationStore(db[1], Cipher([KEY]))
    store.save(installation())
    store.delete_installation(enterprise_id=None, team_id="T1", user_id="U1")
    found = store.find_installation(enterprise_id=None, team_id="T1")
    assert found is not None and found.user_token is None and found.bot_token == BOT
    store.delete_all(enterprise_id=None, team_id="T1")
    assert store.find_bot(enterprise_id=None, team_id="T1") is None


def test_key_rotation_old_key_second_reads_then_rotate_secrets_lets_it_go(
    db: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = db
    old, new = KEY, new_key()
    DatabaseInstallationStore(engine, Cipher([old])).save(installation())
    both = DatabaseInstallationStore(engine, Cipher([new, old]))
    bot = both.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == BOT  # the old key, listed second, still reads
    with pytest.raises(UnreadableSecret):  # the new key alone does not, yet
        DatabaseInstallationStore(engine, Cipher([new])).find_bot(enterprise_id=None, team_id="T1")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ISO20K_SECRET_KEY", f"{new},{old}")
    result = CliRunner().invoke(cli, ["rotate-secrets"])
    assert result.exit_code == 0, result.output
    assert "1 stored secret re-encrypted" in result.output
    bot = DatabaseInstallationStore(engine, Cipher([new])).find_bot(
        enterprise_id=None, team_id="T1"
    )
    assert bot is not None and bot.bot_token == BOT  # the old key can be dropped now
    assert new not in result.output and old not in result.output


def test_rotate_secrets_changes_nothing_when_one_row_is_unreadable(db: tuple[str, Engine]) -> None:
    engine = db[1]
    store = DatabaseInstallationStore(engine, Cipher([KEY]))
    store.save(installation("T1"))
    other = new_key()
    DatabaseInstallationStore(engine, Cipher([other])).save(installation("T2"))
    with Session(engine) as session:
        before = {r.installation_key: r.secrets for r in session.exec(select(SlackInstallation))}
    with pytest.raises(UnreadableSecret):
        rotate_secrets(engine, Cipher([new_key(), KEY]))
    with Session(engine) as session:
        after = {r.installation_key: r.secrets for r in session.exec(select(SlackInstallation))}
    assert after == before


def test_secret_key_prints_a_key_the_cipher_takes() -> None:
    result = CliRunner().invoke(cli, ["secret-key"])
    assert result.exit_code == 0
    key = result.output.strip()
    cipher = Cipher.from_setting(key)
    assert cipher.decrypt(cipher.encrypt({"a": "b"})) == {"a": "b"}
    assert key != CliRunner().invoke(cli, ["secret-key"]).output.strip()


def test_a_state_is_consumed_once_and_not_after_it_expires(db: tuple[str, Engine]) -> None:
    now = [dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)]
    states = DatabaseOAuthStateStore(db[1], expiration_seconds=600, clock=lambda: now[0])
    first, second = states.issue(), states.issue()
    assert first != second and len(first) >= 40
    assert states.consume(first) is True
    assert states.consume(first) is False  # used
    assert states.consume("made-up") is False and states.consume("") is False
    now[0] += dt.timedelta(seconds=601)
    assert states.consume(second) is False  # expired


@settings(max_examples=30, deadline=None)
@given(
    enterprise=st.one_of(st.none(), st.from_regex(r"E[A-Z0-9]{1,8}", fullmatch=True)),
    team=st.from_regex(r"T[A-Z0-9]{1,8}", fullmatch=True),
)
def test_a_tenant_key_splits_back_into_its_enterprise_and_workspace(
    enterprise: str | None, team: str
) -> None:
    assert split_tenant(tenant_key(enterprise, team)) == (enterprise, team)
    assert installation_key(enterprise, team) != installation_key(enterprise, None, True)


def test_an_expiring_token_is_refreshed_once_and_stored(db: tuple[str, Engine]) -> None:
    engine = db[1]
    with FakeSlack(clock=ManualClock()) as slack:
        slack.enable_oauth("cid", "csecret", expires_in=3_600)  # within the 2-hour window
        code = slack.authorize("T5", "U1")
        client = WebClient(base_url=slack.url)
        answer = client.oauth_v2_access(client_id="cid", client_secret="csecret", code=code)
        first = str(answer["access_token"])
        store = DatabaseInstallationStore(engine, Cipher([KEY]))
        store.save(
            installation(
                "T5",
                bot=first,
                bot_refresh_token=answer["refresh_token"],
                bot_token_expires_in=answer["expires_in"],
            )
        )
        slack.set_token_lifetime(43_200)
        tokens = InstalledTokens(store, rotator("cid", "csecret", client), rotation_minutes=120)
        refreshed = tokens.bot_token("T5")
        assert refreshed is not None and refreshed != first
        assert slack.team_of(refreshed) == "T5"
        assert tokens.bot_token("T5") == refreshed  # kept: no second refresh
        refreshes = [c for c in slack.calls_to("oauth.v2.access") if c.args.get("grant_type")]
        assert len(refreshes) == 1
        # Another process reads the new token from the database.
        other = InstalledTokens(store, rotator("cid", "csecret", client))
        assert other.bot_token("T5") == refreshed
        assert len(slack.calls_to("oauth.v2.access")) == 2
        assert tokens.bot_token("T9") is None  # never installed: no token, no call


def test_tokens_read_from_the_database_never_reach_a_log_line(
    db: tuple[str, Engine], caplog: pytest.LogCaptureFixture
) -> None:
    store = DatabaseInstallationStore(db[1], Cipher([KEY]))
    store.save(installation())
    found = store.find_installation(enterprise_id=None, team_id="T1")
    assert found is not None
    record = logging.LogRecord(
        "t", logging.ERROR, __file__, 1, "failed with %r", (found.to_dict(),), None
    )
    line = JsonFormatter(Redactor()).format(record)
    for secret in (BOT, REFRESH, USER, HOOK):
        assert secret not in line
    assert "[redacted]" in line


def test_two_processes_refreshing_at_once_spend_the_refresh_token_once(
    db: tuple[str, Engine],
) -> None:
    url, engine = db
    with FakeSlack(clock=ManualClock()) as slack:
        slack.enable_oauth("cid", "csecret", expires_in=3_600)
        client = WebClient(base_url=slack.url)
        answer = client.oauth_v2_access(
            client_id="cid", client_secret="csecret", code=slack.authorize("T5", "U1")
        )
        DatabaseInstallationStore(engine, Cipher([KEY])).save(
            installation(
                "T5",
                bot=str(answer["access_token"]),
                bot_refresh_token=answer["refresh_token"],
                bot_token_expires_in=answer["expires_in"],
            )
        )
        slack.set_token_lifetime(43_200)
        # Two "processes": engines and stores of their own, asking at the same moment.
        engines = [make_engine(url) for _ in range(2)]
        sources = [
            InstalledTokens(
                DatabaseInstallationStore(e, Cipher([KEY])), rotator("cid", "csecret", client)
            )
            for e in engines
        ]
        start = threading.Barrier(2)
        got: list[str | None] = [None, None]

        def ask(n: int) -> None:
            start.wait(timeout=30)
            got[n] = sources[n].bot_token("T5")

        threads = [threading.Thread(target=ask, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        for e in engines:
            e.dispose()
        refreshes = [c for c in slack.calls_to("oauth.v2.access") if c.args.get("grant_type")]
        assert len(refreshes) == 1 and refreshes[0].refusal is None
        assert got[0] == got[1] and got[0] != answer["access_token"]
