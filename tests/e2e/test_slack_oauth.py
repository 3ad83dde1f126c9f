"""Many workspaces (Slack OAuth), end to end over real HTTP against the fake Slack: installing
through /slack/install and /slack/oauth_redirect, the greeting, each workspace answered with
its own token, reinstalling, token rotation, and no token in the database or a log line."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
from sqlmodel import Session, select

from bot.logs import JsonFormatter, Redactor
from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.installations import DatabaseInstallationStore
from bot.store.db import make_engine
from bot.store.models import Organisation, SlackInstallation
from bot.store.secrets import Cipher, new_key
from bot.web import create_web_app
from bot.workers import Deps, make_slow_lane, make_worker
from iso20k_core.standard import load_bank
from tests.e2e.harness import (
    SECRET,
    SlackPeople,
    SlackWorld,
    block_text,
    fixed_now,
    free_port,
    serve_served,
    wait_until,
)
from tests.e2e.test_slack_basics import setup_values, text
from tests.migrated import migrated
from tests.slackfake.server import FakeSlack, ManualClock

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "test-client-secret-value"
KEY = new_key()
COOKIE = "slack-app-oauth-state"


@contextlib.contextmanager
def oauth_served(
    tmp_path: Path, url: str, caplog: pytest.LogCaptureFixture, processes: int = 0
) -> Iterator[SlackWorld]:
    """The real app in the OAuth mode under uvicorn, its dialog steps on a thread or in
    `processes` worker processes, against a fake Slack that installs by OAuth."""
    caplog.set_level(logging.DEBUG)
    slack = FakeSlack(token="xoxb-never-used", team_id="T0NONE", clock=ManualClock()).start()
    slack.enable_oauth(CLIENT_ID, CLIENT_SECRET)
    migrated(url)
    engine = make_engine(url)
    port = free_port()
    settings = Settings(
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        slack_signing_secret=SECRET,
        iso20k_secret_key=KEY,
        slack_api_url=slack.url,
        database_url=url,
        public_url=f"http://127.0.0.1:{port}",
        report_processes=1 if processes else 0,
    )
    assert settings.slack and settings.slack_oauth
    bank = load_bank()
    deps = Deps(
        engine=engine,
        bank=bank,
        worker=make_worker(settings, engine, bank, processes),
        clock=fixed_now,
        slow=make_slow_lane(settings, engine, bank),
    )
    app = create_web_app(
        build_app(settings, deps),
        health=deps.health,
        on_shutdown=functools.partial(deps.background.drain, 30.0),
    )
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, 60, "for uvicorn to start")
    world = SlackWorld(slack, f"http://127.0.0.1:{port}", engine, deps, server, thread)
    try:
        yield world
        world.check_all()
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        deps.close()
        engine.dispose()
        slack.close()
    # No token the fake ever issued is in a log line, as operators would read it.
    tokens = [*slack._tokens, *slack._refresh_tokens]
    redact = JsonFormatter(Redactor([CLIENT_SECRET, KEY]))
    for record in caplog.records:
        line = redact.format(record)
        assert not any(t in line for t in tokens), line
        assert CLIENT_SECRET not in line and KEY not in line


@pytest.fixture
def oauth_world(
    tmp_path: Path, slack_database_url: str, caplog: pytest.LogCaptureFixture
) -> Iterator[SlackWorld]:
    with oauth_served(tmp_path, slack_database_url, caplog) as world:
        yield world


def install(
    world: SlackPeople,
    team: str,
    user: str,
    *,
    name: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """A person opens the install link, allows the app in Slack, and comes back."""
    with httpx.Client(base_url=world.base_url, timeout=30) as browser:
        start = browser.get("/slack/install", headers=headers)
        assert start.status_code == 302, start.text
        authorize = urlsplit(start.headers["location"])
        asked = parse_qs(authorize.query)
        assert authorize.path == "/oauth/v2/authorize"
        assert asked["client_id"] == [CLIENT_ID]
        assert set(asked["scope"][0].split(",")) == {
            "commands",
            "chat:write",
            "im:write",
            "files:write",
            "users:read",
        }
        # Without PUBLIC_URL there is none: Slack then uses the one URL registered.
        redirect = asked["redirect_uri"][0] if "redirect_uri" in asked else None
        assert redirect in (f"{world.base_url}/slack/oauth_redirect", None)
        state = asked["state"][0]
        assert start.cookies.get(COOKIE) == state or f"{COOKIE}={state}" in start.headers.get(
            "set-cookie", ""
        )
        code = world.slack.authorize(team, user, team_name=name, redirect_uri=redirect)
        back = browser.get(
            "/slack/oauth_redirect",
            params={"code": code, "state": state},
            headers={"cookie": f"{COOKIE}={state}", **(headers or {})},
        )
    return back


def test_installing_stores_the_workspace_and_greets_the_installer(
    oauth_world: SlackWorld, slack_database_url: str
) -> None:
    world = oauth_world
    with httpx.Client(base_url=world.base_url) as browser:
        asked = parse_qs(urlsplit(browser.get("/slack/install").headers["location"]).query)
        assert asked["redirect_uri"] == [f"{world.base_url}/slack/oauth_redirect"]
    page = install(world, "TA", "UA1", name="Alpha")
    assert page.status_code == 200, page.text
    assert "iso20k is installed" in page.text and "Alpha" in page.text
    # The greeting: a direct message to the installer, with the new workspace's token.
    greeting = world.last("chat.postMessage")
    assert greeting.args["channel"] == "UA1" and greeting.team == "TA"
    assert "/iso20k setup" in greeting.args["text"]
    with Session(world.engine) as session:
        row = session.exec(select(SlackInstallation)).one()
    assert (row.installation_key, row.team_name, row.installer_user_id) == (":TA", "Alpha", "UA1")
    token = world.slack.tokens_of("TA")[0]
    assert token not in row.secrets
    found = DatabaseInstallationStore(world.engine, Cipher([KEY])).find_bot(
        enterprise_id=None, team_id="TA"
    )
    assert found is not None and found.bot_token == token
    if slack_database_url.startswith("sqlite"):
        world.engine.dispose()
        raw = Path(slack_database_url.removeprefix("sqlite:///")).read_bytes()
        assert token.encode() not in raw and b"TA" in raw


def test_the_installer_is_greeted_in_their_own_language(oauth_world: SlackWorld) -> None:
    world = oauth_world
    world.slack.set_user("UC1", team_id="TC", locale="zh-CN")
    page = install(world, "TC", "UC1", name="丙公司", headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert page.status_code == 200 and "iso20k 已安装" in page.text and "丙公司" in page.text
    greeting = world.last("chat.postMessage")
    assert greeting.team == "TC" and "感谢安装 iso20k" in greeting.args["text"]
    assert "/iso20k setup" in greeting.args["text"]


def test_a_bad_or_reused_state_installs_nothing(oauth_world: SlackWorld) -> None:
    world = oauth_world
    with httpx.Client(base_url=world.base_url, timeout=30) as browser:
        start = browser.get("/slack/install")
        state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
        code = world.slack.authorize("TA", "UA1")
        made_up = browser.get(
            "/slack/oauth_redirect",
            params={"code": code, "state": "made-up"},
            headers={"cookie": f"{COOKIE}=made-up"},
        )
        assert made_up.status_code == 401
        assert "did not finish" in made_up.text and "Nothing was installed" in made_up.text
        cookie = {"cookie": f"{COOKIE}={state}"}
        first = browser.get(
            "/slack/oauth_redirect", params={"code": code, "state": state}, headers=cookie
        )
        assert first.status_code == 200
        again = world.slack.authorize("TA", "UA1")
        reused = browser.get(
            "/slack/oauth_redirect", params={"code": again, "state": state}, headers=cookie
        )
        assert reused.status_code == 401 and "Nothing was installed" in reused.text
        # Slack said no (the person pressed Cancel): our page, in the browser's language.
        start = browser.get("/slack/install")
        state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
        denied = browser.get(
            "/slack/oauth_redirect",
            params={"error": "access_denied", "state": state},
            headers={"cookie": f"{COOKIE}={state}", "accept-language": "zh-CN"},
        )
        assert denied.status_code == 200 and "已在 Slack 中取消安装" in denied.text
    exchanged = world.slack.calls_to("oauth.v2.access")
    assert len(exchanged) == 1  # a refused state never reaches Slack
    with Session(world.engine) as session:
        assert len(session.exec(select(SlackInstallation)).all()) == 1


def test_a_wrong_code_is_refused_by_slack_and_installs_nothing(oauth_world: SlackWorld) -> None:
    world = oauth_world
    with httpx.Client(base_url=world.base_url, timeout=30) as browser:
        start = browser.get("/slack/install")
        state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
        back = browser.get(
            "/slack/oauth_redirect",
            params={"code": "code-never-issued", "state": state},
            headers={"cookie": f"{COOKIE}={state}"},
        )
    assert back.status_code == 401 and "Nothing was installed" in back.text
    assert world.slack.calls_to("oauth.v2.access")[0].refusal == "invalid_code"
    world.allow_refusal("invalid_code")
    with Session(world.engine) as session:
        assert session.exec(select(SlackInstallation)).all() == []


def test_two_workspaces_are_each_answered_with_their_own_token(oauth_world: SlackWorld) -> None:
    world = oauth_world
    assert install(world, "TA", "UA1", name="Alpha").status_code == 200
    assert install(world, "TB", "UB1", name="Beta").status_code == 200
    token_a, token_b = world.slack.tokens_of("TA")[0], world.slack.tokens_of("TB")[0]
    assert token_a != token_b
    for count, (team, user, token, name) in enumerate(
        (("TB", "UB1", token_b, "Beta GmbH"), ("TA", "UA1", token_a, "Alpha Ltd")), start=1
    ):
        assert world.command("setup", team=team, user=user).status == 200
        opened = world.last("views.open", count)
        assert opened.team == team and opened.headers["authorization"] == f"Bearer {token}"
        view = world.opened_view(count)
        submitted = world.submit(view, setup_values(organisation=text(name)), team=team, user=user)
        assert submitted.status == 200 and submitted.text == ""
    # Who each person is was asked of their own workspace.
    looked_up = {c.args["user"]: c.team for c in world.slack.calls_to("users.info")}
    assert looked_up["UB1"] == "TB" and looked_up["UA1"] == "TA"
    with Session(world.engine) as session:
        orgs = {o.external_id: o.name for o in session.exec(select(Organisation))}
    assert orgs == {"TA": "Alpha Ltd", "TB": "Beta GmbH"}
    # Each Home tab shows its own organisation only, published with its own token.
    for team, user, mine, theirs in (
        ("TB", "UB1", "Beta GmbH", "Alpha Ltd"),
        ("TA", "UA1", "Alpha Ltd", "Beta GmbH"),
    ):
        world.event({"type": "app_home_opened", "user": user, "tab": "home"}, team=team)
        published = wait_until(
            lambda: [c for c in world.slack.calls_to("views.publish") if c.args["user_id"] == user],  # noqa: B023
            60,
            f"for {user}'s Home tab",
        )
        shown = block_text(published[0].json("view")["blocks"])
        assert published[0].team == team and mine in shown and theirs not in shown


def test_a_reinstall_replaces_the_tokens(oauth_world: SlackWorld) -> None:
    world = oauth_world
    assert install(world, "TA", "UA1").status_code == 200
    old = world.slack.tokens_of("TA")[0]
    assert world.command("setup", team="TA", user="UA1").status == 200
    world.last("views.open")
    assert install(world, "TA", "UA2").status_code == 200
    new = world.slack.tokens_of("TA")
    assert new and old not in new  # the fake revoked the old token, as Slack does
    with Session(world.engine) as session:
        rows = session.exec(select(SlackInstallation)).all()
    assert [(r.installation_key, r.installer_user_id) for r in rows] == [(":TA", "UA2")]
    assert world.command("setup", team="TA", user="UA1").status == 200
    second = world.last("views.open", 2)
    assert second.headers["authorization"] == f"Bearer {new[0]}" and second.refusal is None


def test_an_expiring_token_is_refreshed_and_the_new_one_stored(oauth_world: SlackWorld) -> None:
    world = oauth_world
    world.slack.set_token_lifetime(3_600)  # rotation on; inside the 2-hour refresh window
    assert install(world, "TA", "UA1").status_code == 200
    first = world.slack.tokens_of("TA")[0]
    world.slack.set_token_lifetime(43_200)
    assert world.command("setup", team="TA", user="UA1").status == 200
    opened = world.last("views.open")
    refreshes = [c for c in world.slack.calls_to("oauth.v2.access") if c.args.get("grant_type")]
    assert [c.args["grant_type"] for c in refreshes] == ["refresh_token"]  # once
    used = opened.headers["authorization"].removeprefix("Bearer ")
    assert used != first and world.slack.team_of(used) == "TA"
    bot = DatabaseInstallationStore(world.engine, Cipher([KEY])).find_bot(
        enterprise_id=None, team_id="TA"
    )
    assert bot is not None and bot.bot_token == used


def test_a_workspace_without_an_installation_gets_no_call(oauth_world: SlackWorld) -> None:
    world = oauth_world
    answer = world.command("status", team="TZ", user="UZ1")
    assert answer.status in (200, 401)
    assert [c for c in world.slack.calls if c.team == "TZ"] == []
    with Session(world.engine) as session:
        assert session.exec(select(Organisation)).all() == []


def test_worker_processes_answer_each_workspace_with_its_own_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Worker processes read the installations themselves (their setup is a pickled partial).
    with oauth_served(tmp_path, f"sqlite:///{tmp_path / 'p.db'}", caplog, processes=1) as world:
        assert install(world, "TA", "UA1").status_code == 200
        assert install(world, "TB", "UB1").status_code == 200
        for count, (team, user) in enumerate((("TA", "UA1"), ("TB", "UB1")), start=1):
            assert world.command("setup", team=team, user=user).status == 200
            opened = world.last("views.open", count)
            token = world.slack.tokens_of(team)[0]
            assert opened.team == team and opened.headers["authorization"] == f"Bearer {token}"


def test_iso20k_serve_installs_and_answers_in_the_oauth_mode(tmp_path: Path) -> None:
    """The real `iso20k serve` process, configured by environment only, in the OAuth mode:
    it installs a workspace and answers it with that workspace's token from a worker
    process; SIGTERM stops it with status 0 and nothing left running."""
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    migrated(url)
    with FakeSlack(token="xoxb-never-used", team_id="T0NONE") as slack:
        slack.enable_oauth(CLIENT_ID, CLIENT_SECRET)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SLACK_CLIENT_ID": CLIENT_ID,
            "SLACK_CLIENT_SECRET": CLIENT_SECRET,
            "SLACK_SIGNING_SECRET": SECRET,
            "ISO20K_SECRET_KEY": KEY,
            "SLACK_API_URL": slack.url,
            "DIALOG_PROCESSES": "1",
            "REPORT_PROCESSES": "0",
            "PYTHONUNBUFFERED": "1",
        }
        for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "PUBLIC_URL", "SLACK_REDIRECT_URI"):
            env.pop(name, None)
        with serve_served(env, tmp_path / "serve.log") as served:
            people = SlackPeople(slack, served.base_url)
            assert install(people, "TS", "US1").status_code == 200
            token = slack.tokens_of("TS")[0]
            assert people.command("setup", team="TS", user="US1").status == 200
            opened = people.last("views.open")
            assert opened.headers["authorization"] == f"Bearer {token}"
            assert token not in served.output() and CLIENT_SECRET not in served.output()
            assert KEY not in served.output()
