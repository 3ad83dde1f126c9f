"""Teams settings: anonymous mode only without a bot registration, where the bot's tokens come
from, which platforms are served, no secret in a repr; and `iso20k serve` / `start` refusing
a half-made Teams configuration in one line, exit status 2, at once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import PUBLIC_CLOUD_TOKEN_URL, Settings

ROOT = Path(__file__).resolve().parents[2]
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
APP_ID = "9e3c1f3a-4f0c-4b0e-9a57-000000000001"
# Starting the interpreter and importing the CLI takes a few seconds; a `serve` that did not
# exit at once would run until this ends it.
EXITS_AT_ONCE = 60


def scrubbed() -> dict[str, str]:
    """This process's environment without anything the settings read."""
    fields = {name.upper() for name in Settings.model_fields}
    return {k: v for k, v in os.environ.items() if k.upper() not in fields}


@pytest.fixture(autouse=True)
def no_settings_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in os.environ.keys() - scrubbed().keys():
        monkeypatch.delenv(name)


def iso20k(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={
            **scrubbed(),
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'iso20k.db'}",
            **env,
        },
        timeout=EXITS_AT_ONCE,
    )


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("iso20k: ")
    return lines[0]


# --- in process --------------------------------------------------------------------------


def test_anonymous_with_an_app_id_is_refused() -> None:
    with pytest.raises(ValidationError, match="TEAMS_ALLOW_ANONYMOUS"):
        Settings(teams_allow_anonymous=True, teams_app_id=APP_ID)


def test_anonymous_from_the_environment_with_an_app_id_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEAMS_ALLOW_ANONYMOUS", "true")
    monkeypatch.setenv("teams_app_id", APP_ID)  # names are case-insensitive
    with pytest.raises(ValidationError, match="unset TEAMS_APP_ID"):
        Settings()


def test_anonymous_alone_serves_teams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEAMS_ALLOW_ANONYMOUS", "true")
    settings = Settings()
    assert settings.teams_allow_anonymous and settings.teams
    assert not Settings().slack


def test_the_public_cloud_token_url_for_a_multi_tenant_bot() -> None:
    settings = Settings(teams_app_id=APP_ID, teams_app_password="pw")
    assert settings.teams_token_endpoint() == PUBLIC_CLOUD_TOKEN_URL
    assert "/botframework.com/" in PUBLIC_CLOUD_TOKEN_URL


def test_the_tenants_token_url_for_a_single_tenant_bot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEAMS_APP_TENANT_ID", TENANT)
    assert Settings().teams_token_endpoint() == (
        f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"
    )


def test_an_explicit_token_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://login.chinacloudapi.cn/botframework.com/oauth2/v2.0/token"
    monkeypatch.setenv("TEAMS_TOKEN_URL", url)
    assert Settings().teams_token_endpoint() == url
    monkeypatch.setenv("TEAMS_APP_TENANT_ID", TENANT)
    assert Settings().teams_token_endpoint() == url


@pytest.mark.parametrize(
    ("given", "teams", "slack"),
    [
        ({}, False, False),
        ({"teams_app_id": APP_ID}, False, False),
        ({"teams_app_password": "pw"}, False, False),
        ({"teams_app_id": APP_ID, "teams_app_password": "pw"}, True, False),
        ({"teams_allow_anonymous": True}, True, False),
        ({"slack_bot_token": "xoxb-1"}, False, True),
        ({"slack_signing_secret": "s"}, False, False),
        ({"slack_bot_token": "xoxb-1", "teams_app_id": APP_ID, "teams_app_password": "p"}, 1, 1),
    ],
)
def test_which_platforms_are_served(given: dict[str, object], teams: bool, slack: bool) -> None:
    settings = Settings(**given)  # type: ignore[arg-type]
    assert settings.teams is bool(teams)
    assert settings.slack is bool(slack)


def test_no_secret_in_the_settings_repr() -> None:
    secrets = {
        "teams_app_password": "teams-Secret~value",
        "slack_bot_token": "xoxb-secret-token",
        "slack_signing_secret": "signing-secret-value",
        "slack_app_token": "xapp-secret-token",
    }
    settings = Settings(
        teams_app_id=APP_ID,
        teams_app_password=secrets["teams_app_password"],
        slack_bot_token=secrets["slack_bot_token"],
        slack_signing_secret=secrets["slack_signing_secret"],
        slack_app_token=secrets["slack_app_token"],
    )
    shown = repr(settings) + str(settings)
    assert APP_ID in shown  # the repr is the real one, not empty
    for secret in secrets.values():
        assert secret not in shown


# --- the command line --------------------------------------------------------------------


@pytest.mark.parametrize("command", ["serve", "start"])
def test_anonymous_with_an_app_id_stops_serve_in_one_line(tmp_path: Path, command: str) -> None:
    done = iso20k(tmp_path, command, TEAMS_ALLOW_ANONYMOUS="true", TEAMS_APP_ID=APP_ID)
    line = one_line(done)
    assert "TEAMS_ALLOW_ANONYMOUS" in line and "TEAMS_APP_ID" in line
    assert not (tmp_path / "iso20k.db").exists()  # refused before anything was done


@pytest.mark.parametrize("command", ["serve", "start"])
def test_an_app_id_without_a_password_stops_serve_in_one_line(tmp_path: Path, command: str) -> None:
    done = iso20k(tmp_path, command, TEAMS_APP_ID=APP_ID)
    line = one_line(done)
    assert "TEAMS_APP_PASSWORD" in line


def test_a_refused_setting_never_shows_the_password(tmp_path: Path) -> None:
    password = "cli-Secret~value-123"
    done = iso20k(
        tmp_path,
        "serve",
        TEAMS_ALLOW_ANONYMOUS="true",
        TEAMS_APP_ID=APP_ID,
        TEAMS_APP_PASSWORD=password,
    )
    one_line(done)
    assert password not in done.stderr + done.stdout
