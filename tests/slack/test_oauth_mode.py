"""The OAuth mode's settings, start-up checks and worker setup, and reminders sent with each
workspace's own token."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from sqlmodel import Session, select

from bot.cli import cli
from bot.reminders.dispatch import tick
from bot.reminders.runner import channels_for
from bot.settings import Settings
from bot.slack.installations import DatabaseInstallationStore
from bot.slack.reminder_channel import SlackReminderChannels
from bot.slack.tokens import FixedToken, InstalledTokens
from bot.store.models import Reminder
from bot.store.secrets import Cipher, new_key
from bot.workers import worker_setup
from tests.reminders.test_slack_reminders import BANK, pending, set_up
from tests.slackfake.server import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
KEY = new_key()
SECRET = "client-secret-do-not-print"


def oauth(**given: object) -> Settings:
    values: dict[str, object] = {
        "slack_client_id": "1.2",
        "slack_client_secret": SECRET,
        "slack_signing_secret": "signing",
        "iso20k_secret_key": KEY,
        **given,
    }
    return Settings(**values)  # type: ignore[arg-type]


def test_the_default_scopes_are_the_manifest_s() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    assert Settings().slack_scope_list() == manifest["oauth_config"]["scopes"]["bot"]
    assert manifest["oauth_config"]["redirect_urls"] == ["https://YOUR-HOST/slack/oauth_redirect"]


def test_the_oauth_mode_is_on_with_client_credentials_and_no_bot_token() -> None:
    on = oauth()
    assert on.slack and on.slack_oauth and on.oauth_missing() == []
    with_token = oauth(slack_bot_token="xoxb-1")
    assert with_token.slack and not with_token.slack_oauth  # the one workspace, as before
    assert not Settings(slack_client_id="1.2").slack
    assert oauth(slack_signing_secret=None, iso20k_secret_key=" ").oauth_missing() == [
        "SLACK_SIGNING_SECRET",
        "ISO20K_SECRET_KEY",
    ]
    assert oauth(public_url="https://h.example/").slack_redirect_url() == (
        "https://h.example/slack/oauth_redirect"
    )
    shown = repr(on)
    assert SECRET not in shown and KEY not in shown
    assert SECRET in on.secret_values() and KEY in on.secret_values()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ISO20K_SECRET_KEY": ""}, "ISO20K_SECRET_KEY"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET"),
        ({"ISO20K_SECRET_KEY": "not-a-key-but-a-secret-value"}, "key 1 of 1"),
        ({"SLACK_APP_TOKEN": "xapp-1-abc"}, "SLACK_APP_TOKEN"),
    ],
)
def test_serve_refuses_to_start_naming_the_setting_never_a_value(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    for name, value in {
        "SLACK_CLIENT_ID": "1.2",
        "SLACK_CLIENT_SECRET": SECRET,
        "SLACK_SIGNING_SECRET": "signing-secret-value",
        "ISO20K_SECRET_KEY": KEY,
        **env,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2, result.output
    assert named in result.output
    for value in (SECRET, KEY, "not-a-key-but-a-secret-value", "signing-secret-value"):
        assert value not in result.output


def test_the_worker_setup_of_the_oauth_mode_pickles() -> None:
    # Worker processes get it by pickle: a partial of settings values, no lambda, no engine.
    assert pickle.loads(pickle.dumps(worker_setup(oauth(slack_api_url="http://x/api/"))))


def test_the_reminder_channel_follows_the_mode(tmp_path: Path) -> None:
    from bot.store.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    one = channels_for(Settings(slack_bot_token="xoxb-1", slack_signing_secret="s"), engine)
    many = channels_for(oauth(), engine)
    assert isinstance(one["slack"], SlackReminderChannels)
    assert isinstance(one["slack"].tokens, FixedToken)
    assert isinstance(many["slack"], SlackReminderChannels)
    assert isinstance(many["slack"].tokens, InstalledTokens)
    engine.dispose()


def test_reminders_go_out_with_their_workspace_s_token_or_not_at_all(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = set_up(tmp_path)  # an organisation of workspace T1 with due reminders
    due = min(r.due_at for r in pending(engine, "assignment_nudge"))
    store = DatabaseInstallationStore(engine, Cipher([KEY]))
    channels = SlackReminderChannels(InstalledTokens(store), None)
    with FakeSlack(token="xoxb-other-workspace", team_id="T9") as slack:
        channels.base_url = slack.url
        # Not installed in T1: no call at all, one line, the reminder kept for later.
        with caplog.at_level(logging.WARNING):
            result = tick(engine, BANK, {"slack": channels}, lambda: due, limit=500)
        assert result.sent == 0 and result.retried == result.claimed > 0
        assert slack.calls == []
        assert "no Slack installation for workspace T1" in caplog.text
        with Session(engine) as session:
            kept = session.exec(select(Reminder).where(Reminder.state == "pending")).all()
            assert kept and all(r.last_error for r in kept if r.attempts)
        # Installed: the reminders of T1 go out with T1's own token.
        slack.enable_oauth("1.2", SECRET)
        code = slack.authorize("T1", "U1")
        got = WebClient(base_url=slack.url).oauth_v2_access(
            client_id="1.2", client_secret=SECRET, code=code
        )
        store.save(
            Installation(
                team_id="T1",
                bot_token=got["access_token"],
                bot_id="B1",
                bot_user_id="U0BOT",
                user_id="U1",
            )
        )
        slack.invite_bot("C42")  # the team channel chosen in setup
        later = max(r.due_at for r in pending(engine, "assignment_nudge"))
        result = tick(engine, BANK, {"slack": channels}, lambda: later, limit=500)
        posts = slack.calls_to("chat.postMessage")
        assert result.sent == len(posts) > 0 and slack.refused == []
        assert {c.team for c in posts} == {"T1"}
        assert {c.headers["authorization"] for c in posts} == {f"Bearer {got['access_token']}"}
