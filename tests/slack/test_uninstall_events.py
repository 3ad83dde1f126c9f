"""Which installation an `app_uninstalled` or `tokens_revoked` event is about, from the
envelope Slack sends (tests/slackfake/signing.py builds it as Slack does)."""

from __future__ import annotations

import json

import pytest

from bot.slack.listeners.events import installation_of
from bot.store.lifecycle import SlackWorkspace
from tests.slackfake.signing import event_body


def envelope(**kwargs: object) -> dict[str, object]:
    body: dict[str, object] = json.loads(event_body({"type": "app_uninstalled"}, **kwargs))
    return body


def test_a_workspace_outside_an_enterprise() -> None:
    assert installation_of(envelope(team_id="T1")) == SlackWorkspace("T1")


def test_a_workspace_of_an_enterprise() -> None:
    found = installation_of(envelope(team_id="T1", enterprise_id="E1"))
    assert found == SlackWorkspace("T1", "E1", org_wide=False)


def test_an_org_wide_install_names_no_workspace() -> None:
    found = installation_of(envelope(team_id="T1", enterprise_id="E1", is_enterprise_install=True))
    assert found == SlackWorkspace(None, "E1", org_wide=True)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"team_id": ""},
        {"team_id": "not-a-team", "authorizations": "junk"},
        {"authorizations": [{"is_enterprise_install": True, "enterprise_id": None}]},
        {"authorizations": [None], "team_id": 7},
    ],
)
def test_a_body_naming_no_installation_is_none(body: dict[str, object]) -> None:
    assert installation_of(body) is None
