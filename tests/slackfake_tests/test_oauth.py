"""The fake's OAuth: it refuses what Slack refuses on oauth.v2.access, and tells tokens apart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.slackfake.server import CODE_LIFETIME, FakeSlack, ManualClock

ID, SECRET, BACK = "1.2", "s3cret", "https://app.example/slack/oauth_redirect"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(clock=ManualClock()) as fake:
        fake.enable_oauth(ID, SECRET)
        yield fake


def error_of(call: object) -> str:
    with pytest.raises(SlackApiError) as refused:
        call()  # type: ignore[operator]
    return str(refused.value.response["error"])


def test_a_code_is_exchanged_once_by_its_app_and_redirect(slack: FakeSlack) -> None:
    client = WebClient(base_url=slack.url)
    code = slack.authorize("TA", "U1", redirect_uri=BACK)

    def exchange(**given: str) -> object:
        args = {"client_id": ID, "client_secret": SECRET, "code": code, "redirect_uri": BACK}
        return lambda: client.oauth_v2_access(**{**args, **given})

    assert error_of(exchange(client_id="9.9")) == "invalid_client_id"
    assert error_of(exchange(client_secret="wrong")) == "bad_client_secret"
    assert error_of(exchange(code="code-made-up")) == "invalid_code"
    got = client.oauth_v2_access(client_id=ID, client_secret=SECRET, code=code, redirect_uri=BACK)
    assert got["team"]["id"] == "TA" and got["authed_user"]["id"] == "U1"
    assert got["access_token"].startswith("xoxb-") and "refresh_token" not in got
    assert error_of(exchange()) == "invalid_code"  # used
    other = slack.authorize("TA", "U1", redirect_uri=BACK)
    assert error_of(exchange(code=other, redirect_uri="https://elsewhere/")) == "bad_redirect_uri"
    late = slack.authorize("TA", "U1", redirect_uri=BACK)
    slack.clock.advance(CODE_LIFETIME + 1)  # type: ignore[attr-defined]
    assert error_of(exchange(code=late)) == "invalid_code"


def test_each_token_answers_for_its_workspace_until_revoked(slack: FakeSlack) -> None:
    client = WebClient(base_url=slack.url)
    tokens = {}
    for team in ("TA", "TB"):
        code = slack.authorize(team, "U1")
        got = client.oauth_v2_access(client_id=ID, client_secret=SECRET, code=code)
        tokens[team] = str(got["access_token"])
    for team, token in tokens.items():
        assert WebClient(token=token, base_url=slack.url).auth_test()["team_id"] == team
    assert [c.team for c in slack.calls_to("auth.test")] == ["TA", "TB"]
    slack.revoke("TA")
    gone = WebClient(token=tokens["TA"], base_url=slack.url)
    assert error_of(gone.auth_test) == "invalid_auth"
    assert error_of(WebClient(token="xoxb-never-issued", base_url=slack.url).auth_test) == (
        "invalid_auth"
    )
    assert WebClient(token=tokens["TB"], base_url=slack.url).auth_test()["ok"]


def test_a_rotating_token_expires_and_its_refresh_token_works_once(slack: FakeSlack) -> None:
    slack.set_token_lifetime(600)
    client = WebClient(base_url=slack.url)
    got = client.oauth_v2_access(
        client_id=ID, client_secret=SECRET, code=slack.authorize("TA", "U1")
    )
    assert got["access_token"].startswith("xoxe.xoxb-") and got["expires_in"] == 600
    refresh = str(got["refresh_token"])
    new = client.oauth_v2_access(
        client_id=ID, client_secret=SECRET, grant_type="refresh_token", refresh_token=refresh
    )
    assert new["access_token"] != got["access_token"] and new["token_type"] == "bot"
    again = lambda: client.oauth_v2_access(  # noqa: E731
        client_id=ID, client_secret=SECRET, grant_type="refresh_token", refresh_token=refresh
    )
    assert error_of(again) == "invalid_refresh_token"
    slack.clock.advance(601)  # type: ignore[attr-defined]
    expired = WebClient(token=str(new["access_token"]), base_url=slack.url)
    assert error_of(expired.auth_test) == "token_expired"
