"""Block Kit limit checks: a valid modal passes, each violation is named."""

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.slackfake.limits import (
    LimitError,
    check_blocks,
    check_message,
    check_view,
    message_refusals,
    view_refusals,
)


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(text), "value": value}


def _section(text: str, block_id: str = "s") -> dict[str, Any]:
    return {"type": "section", "block_id": block_id, "text": {"type": "mrkdwn", "text": text}}


def valid_modal() -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "profile",
        "private_metadata": '{"org": 7}',
        "title": _plain("Organisation profile"),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "blocks": [
            {"type": "header", "text": _plain("Scope of the SMS")},
            _section("Which services are *in scope*?", block_id="intro"),
            {
                "type": "input",
                "block_id": "name",
                "label": _plain("Organisation name"),
                "hint": _plain("As on the certificate."),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "max_length": 200,
                    "placeholder": _plain("ACME IT Services"),
                },
            },
            {
                "type": "input",
                "block_id": "size",
                "label": _plain("Staff in IT"),
                "element": {
                    "type": "static_select",
                    "action_id": "pick",
                    "options": [_option("1-50", "s"), _option("51-250", "m")],
                },
            },
            {
                "type": "actions",
                "block_id": "more",
                "elements": [
                    {"type": "button", "action_id": "help", "text": _plain("Help"), "value": "1"}
                ],
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "ISO/IEC 20000-1:2018"}]},
        ],
    }


def _problems(check: Any, payload: Any) -> str:
    with pytest.raises(LimitError) as err:
        check(payload)
    return str(err.value)


def test_valid_modal_passes() -> None:
    check_view(valid_modal())


def test_valid_message_and_home_pass() -> None:
    check_message({"text": "Readiness 62 %", "blocks": [_section("*Readiness* 62 %")]})
    check_view({"type": "home", "blocks": [_section("Welcome")]})


def test_message_with_51_blocks() -> None:
    blocks = [_section(f"line {i}", block_id=f"b{i}") for i in range(51)]
    assert "51 blocks" in _problems(check_message, {"text": "t", "blocks": blocks})
    check_message({"text": "t", "blocks": blocks[:50]})


def test_modal_with_101_blocks() -> None:
    modal = valid_modal()
    modal["blocks"] = [{"type": "divider"}] * 101
    assert "101 blocks" in _problems(check_view, modal)


def test_modal_title_of_25_characters() -> None:
    modal = valid_modal()
    modal["title"] = _plain("x" * 25)
    assert "modal title: 25 characters" in _problems(check_view, modal)


def test_option_text_of_76_characters_names_the_block() -> None:
    modal = valid_modal()
    modal["blocks"][3]["element"]["options"][1]["text"]["text"] = "o" * 76

    message = _problems(check_view, modal)

    assert "blocks[3] (input, block_id 'size')" in message
    assert "options[1] text: 76 characters" in message


def test_unknown_block_type() -> None:
    modal = valid_modal()
    modal["blocks"].append({"type": "fancy_card", "block_id": "x"})
    assert "unknown block type 'fancy_card'" in _problems(check_view, modal)


def test_unknown_element_type() -> None:
    modal = valid_modal()
    modal["blocks"][4]["elements"].append({"type": "slider", "action_id": "s"})
    assert "unknown element type" in _problems(check_view, modal)


def test_modal_with_input_but_no_submit() -> None:
    modal = valid_modal()
    del modal["submit"]
    assert "needs a submit button" in _problems(check_view, modal)


def test_section_text_of_3001_characters() -> None:
    message = _problems(check_message, {"text": "t", "blocks": [_section("a" * 3001)]})
    assert "blocks[0] (section, block_id 's') text: 3001 characters" in message


def _mutate(path: str, value: Any) -> dict[str, Any]:
    """valid_modal() with one field replaced; path is dotted keys and list indexes."""
    modal = copy.deepcopy(valid_modal())
    *parents, last = path.split(".")
    node: Any = modal
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    node[int(last) if last.isdigit() else last] = value
    return modal


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("blocks.0.text", _plain("h" * 151), "text: 151 characters"),
        ("blocks.1.fields", [_plain("f")] * 11, "11 fields"),
        ("blocks.1.fields", [_plain("f" * 2001)], "fields[0]: 2001 characters"),
        ("blocks.4.elements", [{"type": "button", "text": _plain("b")}] * 26, "26 elements"),
        ("blocks.5.elements", [{"type": "mrkdwn", "text": "c"}] * 11, "11 elements"),
        ("blocks.4.elements.0.text", _plain("b" * 76), "(button) text: 76 characters"),
        ("blocks.4.elements.0.value", "v" * 2001, "(button) value: 2001 characters"),
        ("blocks.3.element.options.0.value", "v" * 151, "value: 151 characters"),
        ("blocks.3.element.options", [_option("o", "v")] * 101, "101 options"),
        ("blocks.2.label", _plain("l" * 2001), "label: 2001 characters"),
        ("blocks.2.hint", _plain("h" * 2001), "hint: 2001 characters"),
        ("blocks.2.element.placeholder", _plain("p" * 151), "placeholder: 151 characters"),
        ("blocks.2.element.max_length", 3001, "max_length: 3001"),
        ("blocks.2.element.action_id", "a" * 256, "action_id: 256 characters"),
        ("blocks.2.block_id", "b" * 256, "block_id: 256 characters"),
        ("callback_id", "c" * 256, "callback_id: 256 characters"),
        ("private_metadata", "m" * 3001, "private_metadata: 3001 characters"),
        ("submit", _plain("s" * 25), "modal submit: 25 characters"),
        ("close", _plain("c" * 25), "modal close: 25 characters"),
    ],
)
def test_each_limit_is_named(path: str, value: Any, expected: str) -> None:
    assert expected in _problems(check_view, _mutate(path, value))


def test_view_over_250_kb() -> None:
    modal = valid_modal()
    modal["blocks"] = [_section("x" * 2900, block_id=f"b{i}") for i in range(90)]
    assert "Slack refuses views over 250 kB" in _problems(check_view, modal)


def test_message_text_over_40000_characters() -> None:
    assert "truncates at 40000" in _problems(check_message, {"text": "x" * 40_001})


def test_empty_message() -> None:
    assert "needs text or blocks" in _problems(check_message, {"channel": "C1"})


def test_blocks_as_a_json_string_are_checked() -> None:
    blocks = json.dumps([_section("a" * 3001)])  # as a form-encoded argument carries them
    assert "3001 characters" in _problems(check_message, {"blocks": blocks})


def test_all_problems_are_listed() -> None:
    modal = valid_modal()
    modal["title"] = _plain("t" * 30)
    del modal["submit"]

    with pytest.raises(LimitError) as err:
        check_view(modal)

    assert len(err.value.problems) == 2


def test_slack_sdk_validators_still_run() -> None:
    # A confirm dialog's title over 100 characters is one of slack_sdk's own checks.
    button = {
        "type": "button",
        "action_id": "delete",
        "text": _plain("Delete"),
        "confirm": {
            "title": _plain("t" * 101),
            "text": _plain("Sure?"),
            "confirm": _plain("Yes"),
            "deny": _plain("No"),
        },
    }
    message = _problems(check_blocks, [{"type": "actions", "elements": [button]}])
    assert "slack_sdk" in message
    assert "title attribute cannot exceed 100 characters" in message


@settings(max_examples=30, deadline=None)
@given(length=st.integers(min_value=1, max_value=40))
def test_modal_title_limit_is_exactly_24(length: int) -> None:
    modal = valid_modal()
    modal["title"] = _plain("t" * length)
    if length <= 24:
        check_view(modal)
    else:
        with pytest.raises(LimitError):
            check_view(modal)


def test_a_block_id_is_unique_within_a_surface() -> None:
    modal = valid_modal()
    modal["blocks"].append(_section("again", block_id="intro"))

    message = _problems(check_view, modal)

    assert "blocks[6] (section, block_id 'intro'): duplicate block_id 'intro' (also blocks[1])" in (
        message
    )


def test_an_action_id_is_unique_within_its_block() -> None:
    button = {"type": "button", "action_id": "help", "text": _plain("Help"), "value": "1"}
    twice = [{"type": "actions", "elements": [button, dict(button)]}]
    apart = [{"type": "actions", "elements": [button]}, {"type": "actions", "elements": [button]}]

    assert "duplicate action_id 'help' within the block" in _problems(check_blocks, twice)
    check_blocks(apart)
    check_blocks([{"type": "actions", "elements": [{**button, "action_id": None}] * 2}])


def test_refusals_are_listed_without_raising() -> None:
    assert message_refusals({"text": "t", "blocks": [_section("ok")]}) == []
    assert message_refusals({"text": "x" * 40_001}) == []  # truncated by Slack, not refused
    assert view_refusals(valid_modal()) == []
    assert "51 blocks" in message_refusals({"text": "t", "blocks": [{"type": "divider"}] * 51})[0]
