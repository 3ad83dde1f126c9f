"""Submissions built as Slack's client builds them, and acknowledgements checked as Slack takes
them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.slackfake.interactions import ack_problems, input_blocks, submission_state


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _option(value: str) -> dict[str, Any]:
    return {"text": _plain(value.title()), "value": value}


def _input(block_id: str, element: dict[str, Any]) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": _plain(block_id), "element": element}


BLOCKS: list[dict[str, Any]] = [
    {"type": "header", "text": _plain("Profile")},
    {"type": "section", "block_id": "intro", "text": {"type": "mrkdwn", "text": "Hello"}},
    _input("name", {"type": "plain_text_input", "action_id": "name_text"}),
    _input("staff", {"type": "number_input", "action_id": "n", "is_decimal_allowed": False}),
    _input(
        "itil",
        {
            "type": "radio_buttons",
            "action_id": "pick",
            "options": [_option("none"), _option("broad")],
            "initial_option": _option("none"),
        },
    ),
    _input(
        "certs",
        {
            "type": "checkboxes",
            "action_id": "ticks",
            "options": [_option("iso9001"), _option("iso27001")],
        },
    ),
    _input("start", {"type": "datepicker", "action_id": "day", "initial_date": "2027-01-11"}),
    _input("owner", {"type": "users_select", "action_id": "who"}),
    _input("channel", {"type": "conversations_select", "action_id": "where"}),
    _input(
        "size",
        {
            "type": "static_select",
            "action_id": "sel",
            "option_groups": [{"label": _plain("Small"), "options": [_option("s")]}],
        },
    ),
    _input("country", {"type": "external_select", "action_id": "ext"}),
    _input("team", {"type": "multi_static_select", "action_id": "m", "options": [_option("a")]}),
]


def test_each_element_type_submits_its_own_shape_under_its_own_action_id() -> None:
    state = submission_state(
        BLOCKS,
        {
            "name": "Acme IT",
            "staff": "40",
            "itil": "broad",
            "certs": ["iso27001"],
            "start": "2027-02-01",
            "owner": "U2",
            "channel": "C42",
            "size": "s",
            "country": "CN",
            "team": ["a"],
        },
    )

    assert state["values"] == {
        "name": {"name_text": {"type": "plain_text_input", "value": "Acme IT"}},
        "staff": {"n": {"type": "number_input", "value": "40"}},
        "itil": {"pick": {"type": "radio_buttons", "selected_option": _option("broad")}},
        "certs": {"ticks": {"type": "checkboxes", "selected_options": [_option("iso27001")]}},
        "start": {"day": {"type": "datepicker", "selected_date": "2027-02-01"}},
        "owner": {"who": {"type": "users_select", "selected_user": "U2"}},
        "channel": {"where": {"type": "conversations_select", "selected_conversation": "C42"}},
        "size": {"sel": {"type": "static_select", "selected_option": _option("s")}},
        "country": {
            "ext": {
                "type": "external_select",
                "selected_option": {"text": {**_plain("CN"), "emoji": True}, "value": "CN"},
            }
        },
        "team": {"m": {"type": "multi_static_select", "selected_options": [_option("a")]}},
    }


def test_untouched_fields_keep_their_initial_value_and_empty_ones_are_null() -> None:
    state = submission_state(BLOCKS, {"name": ""})["values"]

    assert state["itil"]["pick"]["selected_option"] == _option("none")
    assert state["start"]["day"]["selected_date"] == "2027-01-11"
    assert state["name"]["name_text"]["value"] is None
    assert state["staff"]["n"]["value"] is None
    assert state["certs"]["ticks"]["selected_options"] == []
    assert state["owner"]["who"]["selected_user"] is None


def test_only_input_blocks_are_submitted() -> None:
    state = submission_state(BLOCKS, {})["values"]

    assert set(state) == {b["block_id"] for b in BLOCKS if b["type"] == "input"}
    with pytest.raises(AssertionError, match=r"values for \['intro'\]: not input blocks"):
        submission_state(BLOCKS, {"intro": "x"})


def test_an_element_state_as_slack_sends_it_is_accepted_if_its_type_is_right() -> None:
    state = submission_state(
        BLOCKS, {"itil": {"type": "radio_buttons", "selected_option": {"value": "broad"}}}
    )
    assert state["values"]["itil"]["pick"]["selected_option"] == _option("broad")  # text filled in

    with pytest.raises(AssertionError, match="the test sent a static_select state"):
        submission_state(BLOCKS, {"itil": {"type": "static_select", "selected_option": None}})


def test_what_slack_could_never_submit_is_refused() -> None:
    with pytest.raises(AssertionError, match=r"no option 'partial' to choose"):
        submission_state(BLOCKS, {"itil": "partial"})
    with pytest.raises(AssertionError, match=r"no option 'iso20000'"):
        submission_state(BLOCKS, {"certs": ["iso20000"]})
    with pytest.raises(AssertionError, match="cannot submit '2026-02-30'"):
        submission_state(BLOCKS, {"start": "2026-02-30"})
    with pytest.raises(AssertionError, match="expected a list"):
        submission_state(BLOCKS, {"certs": "iso9001"})


def test_a_forged_submission_carries_what_slack_never_would() -> None:
    state = submission_state(BLOCKS, {"itil": "partial", "start": "2026-02-30"}, forged=True)

    assert state["values"]["itil"]["pick"]["selected_option"]["value"] == "partial"
    assert state["values"]["start"]["day"]["selected_date"] == "2026-02-30"
    with pytest.raises(AssertionError, match="not input blocks"):
        submission_state(BLOCKS, {"intro": "x"}, forged=True)


@given(st.dates())
def test_any_real_date_can_be_picked(day: Any) -> None:
    state = submission_state(BLOCKS, {"start": day.isoformat()})
    assert state["values"]["start"]["day"]["selected_date"] == day.isoformat()


def test_input_blocks_without_an_id_get_one() -> None:
    blocks = [_input("x", {"type": "plain_text_input"})]
    del blocks[0]["block_id"]

    assert list(input_blocks(blocks)) == ["b0"]
    assert list(submission_state(blocks, {})["values"]["b0"]) == ["b0-action"]


# -- acknowledgements ---------------------------------------------------------------------

SUBMITTED = {"type": "modal", "callback_id": "setup", "blocks": BLOCKS}


def _modal(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "modal", "title": _plain("Next"), "submit": _plain("Save"), "blocks": blocks}


def test_an_empty_ack_or_clear_or_errors_on_inputs_are_fine() -> None:
    assert ack_problems(None, SUBMITTED) == []
    assert ack_problems({"response_action": "clear"}, SUBMITTED) == []
    errors = {"response_action": "errors", "errors": {"start": "Choose a later date."}}
    assert ack_problems(errors, SUBMITTED) == []


def test_errors_keyed_on_something_that_is_no_input_block() -> None:
    ack = {
        "response_action": "errors",
        "errors": {"profile": "target must come after start", "intro": "x", "name": "Required."},
    }

    problems = ack_problems(ack, SUBMITTED)

    assert len(problems) == 2
    assert "errors keyed on 'profile', which is not an input block" in problems[0]
    assert "generic failure" in problems[0]
    assert "'intro'" in problems[1]  # a section's block_id is no input either


def test_errors_need_messages() -> None:
    assert ack_problems({"response_action": "errors", "errors": {}}, SUBMITTED)
    assert ack_problems({"response_action": "errors", "errors": {"name": ""}}, SUBMITTED)


def test_unknown_response_actions_are_refused() -> None:
    (problem,) = ack_problems({"response_action": "close"}, SUBMITTED)
    assert "unknown response_action 'close'" in problem
    assert ack_problems({"text": "thanks"}, SUBMITTED)
    assert ack_problems(["errors"], SUBMITTED)


def test_a_view_sent_back_is_held_to_the_limits_of_any_view() -> None:
    good = _modal([{"type": "divider"}])
    too_long = _modal([{"type": "divider"}] * 101)
    duplicate = _modal([BLOCKS[2], BLOCKS[2]])

    assert ack_problems({"response_action": "update", "view": good}, SUBMITTED) == []
    assert any(
        "101 blocks" in p
        for p in ack_problems({"response_action": "update", "view": too_long}, SUBMITTED)
    )
    assert any(
        "duplicate block_id 'name'" in p
        for p in ack_problems({"response_action": "push", "view": duplicate}, SUBMITTED)
    )
    home = {"type": "home", "blocks": []}
    assert "not a modal" in ack_problems({"response_action": "update", "view": home}, SUBMITTED)[0]
    assert ack_problems({"response_action": "push"}, SUBMITTED) == [
        "response_action push without a view"
    ]
