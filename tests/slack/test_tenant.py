"""Who sent a Slack request: the workspace, the enterprise and the person, for every payload."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from hypothesis import given
from hypothesis import strategies as st

from bot.slack.tenant import Requester, requester_of, tenant_key
from tests.slackfake.signing import (
    block_actions_body,
    button_action,
    event_body,
    slash_command_body,
    view_submission_body,
)


def form(body: str) -> dict[str, Any]:
    fields = dict(parse_qsl(body, keep_blank_values=True))
    return json.loads(fields["payload"]) if "payload" in fields else fields


def test_each_kind_of_payload_names_its_workspace_and_person() -> None:
    click = block_actions_body([button_action("iso20k:plan:0", "plan|")], team_id="T1")
    view = view_submission_body({"callback_id": "iso20k:setup"}, team_id="T1", user_id="U2")
    event = event_body({"type": "app_home_opened", "user": "U3", "tab": "home"}, team_id="T1")
    assert requester_of(form(slash_command_body(team_id="T1", user_id="U1"))) == Requester(
        "T1", "U1"
    )
    assert requester_of(form(click)) == Requester("T1", "U0ALICE")
    assert requester_of(form(view)) == Requester("T1", "U2")
    assert requester_of(json.loads(event)) == Requester("T1", "U3")


def test_enterprise_grid_payloads_key_on_enterprise_and_workspace() -> None:
    grid = {"enterprise_id": "E1", "is_enterprise_install": True}
    bodies = [
        form(slash_command_body(team_id="T1", user_id="U1", **grid)),
        form(block_actions_body([button_action("iso20k:plan:0")], team_id="T1", **grid)),
        form(view_submission_body({"callback_id": "iso20k:setup"}, team_id="T1", **grid)),
        json.loads(event_body({"type": "app_home_opened", "user": "U1"}, team_id="T1", **grid)),
    ]
    assert [requester_of(b).workspace for b in bodies if requester_of(b)] == ["E1:T1"] * 4
    # an org-wide interaction has no team object: the person's team_id names the workspace
    assert form(block_actions_body([], team_id="T1", **grid))["team"] is None


def test_an_event_of_an_org_wide_install_uses_context_team_id() -> None:
    body = json.loads(event_body({"type": "app_home_opened", "user": "U1"}, team_id="T1"))
    body |= {"team_id": "E1", "context_team_id": "T9", "context_enterprise_id": "E1"}
    assert requester_of(body) == Requester("T9", "U1", "E1")


def test_no_workspace_or_no_person_is_nobody() -> None:
    assert requester_of({}) is None
    assert requester_of({"team_id": "", "user_id": "U1"}) is None
    assert requester_of({"team_id": "T1", "user_id": ""}) is None
    assert requester_of({"team": None, "user": {"id": "U1"}, "enterprise": {"id": "E1"}}) is None
    assert requester_of({"team_id": "E1", "user_id": "U1"}) is None  # an enterprise is no team
    assert requester_of({"team_id": ["T1"], "user_id": "U1"}) is None
    assert requester_of({"team_id": "T1:T2", "user_id": "U1"}) is None


ids = st.from_regex(r"[TEUWC][A-Z0-9]{0,4}(:T1)?", fullmatch=True)
junk = st.one_of(
    ids,
    st.dictionaries(st.sampled_from(["id", "team_id", "enterprise_id", "user"]), ids),
    st.none(),
    st.integers(),
    st.text(max_size=40),
    st.lists(st.text(max_size=5), max_size=2),
    st.dictionaries(st.sampled_from(["id", "team_id", "enterprise_id"]), st.text(max_size=12)),
)
keys = st.sampled_from(
    [
        "team_id",
        "context_team_id",
        "enterprise_id",
        "context_enterprise_id",
        "user_id",
        "team",
        "user",
        "enterprise",
        "view",
        "event",
        "authorizations",
    ]
)


@given(st.dictionaries(keys, junk, max_size=8))
def test_whatever_a_payload_holds_the_tenant_is_a_well_formed_key_or_nobody(
    body: dict[str, Any],
) -> None:
    found = requester_of(body)
    if found is None:
        return
    key = found.workspace
    team, _, rest = key.rpartition(":") if ":" in key else ("", "", key)
    assert rest == found.team_id and rest.startswith("T") and rest.isalnum()
    assert team == (found.enterprise_id or "")
    assert found.user_id[0] in "UW" and found.user_id.isalnum()
    assert key == tenant_key(found.enterprise_id, found.team_id)
