"""FakeTokenService answers the client-credentials grant as Entra ID does, over HTTP."""

from __future__ import annotations

import json

from tests.clocks import SteppedClock
from tests.teamsfake import APP_ID, APP_PASSWORD, FakeTokenService

from .conftest import TENANT, call, grant


def test_the_right_secret_gets_a_bearer_token_that_is_valid(tokens: FakeTokenService) -> None:
    status, body = grant(tokens.token_url)

    assert status == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == body["ext_expires_in"] == 3600
    assert tokens.valid(body["access_token"])
    assert tokens.app_of(body["access_token"]) == APP_ID
    [issued] = tokens.issued
    assert (issued.access_token, issued.app_id, issued.tenant) == (
        body["access_token"],
        APP_ID,
        "botframework.com",
    )
    assert issued.expires_at - issued.issued_at == 3600
    assert tokens.requests == 1 and tokens.refusals == []


def test_a_single_tenant_bot_asks_under_its_tenant(tokens: FakeTokenService) -> None:
    status, body = grant(tokens.token_url_for(TENANT))

    assert status == 200 and tokens.valid(body["access_token"])
    assert tokens.issued[0].tenant == TENANT


def test_each_request_gets_a_token_of_its_own(tokens: FakeTokenService) -> None:
    first, second = grant(tokens.token_url)[1], grant(tokens.token_url)[1]
    assert first["access_token"] != second["access_token"]
    assert len(tokens.issued) == 2


def test_a_wrong_secret_is_invalid_client_and_not_echoed(tokens: FakeTokenService) -> None:
    status, body = grant(tokens.token_url, client_secret="s3cret-guess")

    assert status == 401
    assert body["error"] == "invalid_client"
    assert body["error_description"].startswith("AADSTS7000215: ")
    assert body["error_codes"] == [7000215]
    assert "s3cret-guess" not in json.dumps(body) and APP_PASSWORD not in json.dumps(body)
    assert tokens.issued == []
    assert [(r.status, r.error) for r in tokens.refusals] == [(401, "invalid_client")]


def test_an_unknown_app_is_invalid_client(tokens: FakeTokenService) -> None:
    status, body = grant(tokens.token_url, client_id="00000000-0000-0000-0000-000000000000")
    assert (status, body["error"]) == (401, "invalid_client")


def test_another_scope_is_invalid_scope(tokens: FakeTokenService) -> None:
    status, body = grant(tokens.token_url, scope="https://graph.microsoft.com/.default")

    assert (status, body["error"]) == (400, "invalid_scope")
    assert body["error_description"].startswith("AADSTS70011: ")


def test_a_configured_scope_is_the_only_one_granted() -> None:
    with FakeTokenService(scope="api://botid-x/.default") as tokens:
        assert grant(tokens.token_url, scope="api://botid-x/.default")[0] == 200
        assert grant(tokens.token_url)[1]["error"] == "invalid_scope"


def test_another_grant_is_unsupported_grant_type(tokens: FakeTokenService) -> None:
    status, body = grant(tokens.token_url, grant_type="password")

    assert (status, body["error"]) == (400, "unsupported_grant_type")
    assert body["error_description"].startswith("AADSTS70003: ")


def test_a_json_body_or_a_missing_field_is_invalid_request(tokens: FakeTokenService) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": APP_ID,
        "client_secret": APP_PASSWORD,
        "scope": "https://api.botframework.com/.default",
    }
    as_json = call("POST", tokens.token_url, json.dumps(form).encode())
    no_scope = grant(tokens.token_url, scope="")

    assert (as_json[0], as_json[1]["error"]) == (400, "invalid_request")
    assert (no_scope[0], no_scope[1]["error"]) == (400, "invalid_request")
    assert "'scope'" in no_scope[1]["error_description"]
    assert APP_PASSWORD not in json.dumps(as_json[1])
    assert tokens.issued == []


def test_a_token_expires_after_its_lifetime(clock: SteppedClock) -> None:
    with FakeTokenService(lifetime=600, clock=clock) as tokens:
        token = grant(tokens.token_url)[1]["access_token"]
        clock.now += 599
        assert tokens.valid(token)
        clock.now += 1
        assert not tokens.valid(token) and tokens.app_of(token) is None


def test_expire_all_makes_every_token_stale_but_new_ones_work(tokens: FakeTokenService) -> None:
    old = [grant(tokens.token_url)[1]["access_token"] for _ in range(2)]

    tokens.expire_all()

    assert not any(tokens.valid(t) for t in old)
    assert tokens.valid(grant(tokens.token_url)[1]["access_token"])
    assert not tokens.valid("never-issued")


def test_failing_answers_503_and_counts_the_requests(tokens: FakeTokenService) -> None:
    tokens.failing = True
    assert grant(tokens.token_url)[0] == 503
    tokens.failing = False
    assert grant(tokens.token_url)[0] == 200
    assert tokens.requests == 2


def test_other_paths_are_not_found(tokens: FakeTokenService) -> None:
    assert call("POST", f"{tokens.root_url}/oauth2/v2.0/token", b"")[0] == 404
    assert call("GET", tokens.token_url)[0] == 404
