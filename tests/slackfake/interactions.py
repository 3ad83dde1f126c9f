"""What Slack's client sends when a person submits a modal, and what it accepts back.

Why: a view_submission carries ``view.state.values`` keyed by each input block's `block_id`
and then by its element's own `action_id`, in a shape that depends on the element type
(``value`` for text and number inputs, ``selected_option`` for radio buttons and selects,
``selected_options`` for checkboxes and multi-selects, ``selected_date`` for a datepicker,
``selected_user`` / ``selected_conversation`` for those selects; "view_submission payload"
and each element's reference on docs.slack.dev). A field the person did not touch is
submitted with its initial value, an empty one as null. A test that hand-writes that shape
(one action id for every element, an option that is not in the list) proves nothing about
the app, so `submission_state` builds it from the view's own blocks.

The app's answer to a submission is the acknowledgement itself ("Modals": ``response_action``
``errors`` / ``update`` / ``push`` / ``clear``, or an empty body that closes the view).
Slack shows the person a generic failure when it cannot use that answer: ``errors`` must be
keyed on `block_id`s of input blocks of the submitted view, and a view sent back must be a
valid modal. `ack_problems` names every such problem; `check_view` (`limits`) holds the view
to the same limits as a view sent to the Web API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from .limits import view_refusals

__all__ = ["RESPONSE_ACTIONS", "ack_problems", "input_blocks", "submission_state"]

RESPONSE_ACTIONS = ("errors", "update", "push", "clear")

# element type -> the key of its state in view.state.values
_STATE_KEY = {
    "plain_text_input": "value",
    "number_input": "value",
    "email_text_input": "value",
    "url_text_input": "value",
    "radio_buttons": "selected_option",
    "static_select": "selected_option",
    "external_select": "selected_option",
    "checkboxes": "selected_options",
    "multi_static_select": "selected_options",
    "multi_external_select": "selected_options",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
}
# the state key -> the element field holding its initial value
_INITIAL_KEY = {
    "value": "initial_value",
    "selected_option": "initial_option",
    "selected_options": "initial_options",
    "selected_date": "initial_date",
    "selected_time": "initial_time",
    "selected_user": "initial_user",
    "selected_users": "initial_users",
    "selected_conversation": "initial_conversation",
    "selected_conversations": "initial_conversations",
    "selected_channel": "initial_channel",
    "selected_channels": "initial_channels",
}
_UNTOUCHED = object()


def input_blocks(blocks: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The input blocks of a view by `block_id` (Slack names one it generated ``b<index>``)."""
    found: dict[str, Mapping[str, Any]] = {}
    for index, block in enumerate(blocks):
        if isinstance(block, Mapping) and block.get("type") == "input":
            found[str(block.get("block_id") or f"b{index}")] = block
    return found


def submission_state(
    blocks: Sequence[Mapping[str, Any]], values: Mapping[str, Any], *, forged: bool = False
) -> dict[str, Any]:
    """``view.state`` as Slack submits it for `blocks` after the person entered `values`.

    `values` maps a block_id to what the person chose: a string for text, number, date and
    time inputs, an option's value for radio buttons and selects, a list of values for
    checkboxes and multi-selects, a user or conversation id, or None for a field left empty.
    The element state as Slack sends it (``{"type": "static_select", "selected_option":
    {"value": "x"}}``) is accepted too; its type must be the element's. Blocks not in `values`
    keep their initial value. Raises AssertionError for what Slack could never submit: a value
    for a block that is no input of the view, an option not offered, a date that is no date.

    `forged` builds such a request anyway (an option not offered, a datepicker value that is
    no date), for tests of the app's own checks behind Slack's: Slack's client never sends
    it, so a test says so explicitly.
    """
    inputs = input_blocks(blocks)
    unknown = sorted(set(values) - set(inputs))
    if unknown:
        raise AssertionError(
            f"values for {unknown}: not input blocks of the view (its inputs: {sorted(inputs)})"
        )
    state: dict[str, dict[str, Any]] = {}
    for block_id, block in inputs.items():
        element = block.get("element")
        if not isinstance(element, Mapping):
            raise AssertionError(f"input block {block_id!r} has no element")
        action_id = str(element.get("action_id") or f"{block_id}-action")
        given = values.get(block_id, _UNTOUCHED)
        state[block_id] = {action_id: _element_state(block_id, element, given, forged)}
    return {"values": state}


def _element_state(
    block_id: str, element: Mapping[str, Any], given: Any, forged: bool
) -> dict[str, Any]:
    kind = str(element.get("type"))
    key = _STATE_KEY.get(kind)
    if key is None:
        raise AssertionError(f"input block {block_id!r}: no submission shape for {kind!r}")
    where = f"input block {block_id!r} ({kind})"
    if given is _UNTOUCHED:
        chosen = _plain(key, element.get(_INITIAL_KEY[key]))
    elif isinstance(given, Mapping):
        if given.get("type", kind) != kind:
            raise AssertionError(f"{where}: the test sent a {given['type']} state")
        chosen = _plain(key, given.get(key))
    else:
        chosen = given
    return {"type": kind, key: _slack_value(where, key, element, chosen, forged)}


def _plain(key: str, state: Any) -> Any:
    """An element state's value as a person's choice (option objects become their values)."""
    if key == "selected_option":
        return state.get("value") if isinstance(state, Mapping) else state
    if key == "selected_options":
        return [o.get("value") if isinstance(o, Mapping) else o for o in state or []]
    return state


def _slack_value(
    where: str, key: str, element: Mapping[str, Any], chosen: Any, forged: bool
) -> Any:
    if key == "selected_option":
        return None if chosen in (None, "") else _option(where, element, str(chosen), forged)
    if key == "selected_options":
        if isinstance(chosen, str) or not isinstance(chosen, Sequence):
            raise AssertionError(f"{where}: expected a list of option values, got {chosen!r}")
        return [_option(where, element, str(v), forged) for v in chosen]
    if key in ("selected_users", "selected_conversations", "selected_channels"):
        return [str(v) for v in chosen or []]
    if chosen in (None, ""):
        return None  # Slack submits an empty field as null
    if key == "selected_date" and not forged:
        _check_date(where, str(chosen))
    return str(chosen)


def _option(where: str, element: Mapping[str, Any], value: str, forged: bool) -> dict[str, Any]:
    """The option object Slack echoes back (text and value, as the app offered it)."""
    offered = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        offered += list(group.get("options") or [])
    for option in offered:
        if isinstance(option, Mapping) and option.get("value") == value:
            return dict(option)
    if forged or element.get("type") in ("external_select", "multi_external_select"):
        # External options came from the app's options handler: the fake cannot list them.
        return {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}
    values = [o.get("value") for o in offered if isinstance(o, Mapping)]
    raise AssertionError(f"{where}: no option {value!r} to choose (options: {values})")


def _check_date(where: str, text: str) -> None:
    try:
        if len(text) != 10:
            raise ValueError(text)
        dt.date.fromisoformat(text)
    except ValueError:
        raise AssertionError(f"{where}: a datepicker cannot submit {text!r}") from None


def ack_problems(ack: Any, submitted: Mapping[str, Any]) -> list[str]:
    """Why Slack could not use `ack` (the parsed JSON body of the app's answer to the
    submission of `submitted`); an empty list when it can. An empty body is no problem: it
    closes the view."""
    if ack is None:
        return []
    if not isinstance(ack, Mapping):
        return [f"the acknowledgement is not a JSON object: {ack!r}"]
    action = ack.get("response_action")
    if action not in RESPONSE_ACTIONS:
        return [f"unknown response_action {action!r}; Slack knows {', '.join(RESPONSE_ACTIONS)}"]
    if action == "errors":
        return _errors_problems(ack.get("errors"), submitted)
    if action in ("update", "push"):
        view = ack.get("view")
        if not isinstance(view, Mapping):
            return [f"response_action {action} without a view"]
        problems = [] if view.get("type") == "modal" else ["the view sent back is not a modal"]
        return problems + view_refusals(view)
    return []


def _errors_problems(errors: Any, submitted: Mapping[str, Any]) -> list[str]:
    if not isinstance(errors, Mapping) or not errors:
        return ["response_action errors needs a non-empty errors object"]
    inputs = sorted(input_blocks(submitted.get("blocks") or []))
    problems = []
    for key, message in errors.items():
        if key not in inputs:
            problems.append(
                f"errors keyed on {key!r}, which is not an input block of the view "
                f"(its inputs: {inputs}): Slack shows the person a generic failure"
            )
        if not isinstance(message, str) or not message.strip():
            problems.append(f"errors[{key!r}] is not a message: {message!r}")
    return problems
