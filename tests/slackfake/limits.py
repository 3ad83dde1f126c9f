"""Block Kit limits: fail a test when a message or view would be refused (or mangled) by Slack.

Why: Slack answers an over-limit payload with ``invalid_blocks`` / ``view_too_large`` at run time,
usually in front of a user; `slack_sdk.models` catches many limits but silently drops unknown
block types, does not count a message's blocks, and its `validate_json()` checks only the object
it is called on, not the blocks inside it. PLATFORM.md ("Block Kit limits") lists the limits we
rely on:

    50 blocks per message, 100 per modal or Home tab; section text 3000 chars, <= 10 fields of
    2000; header 150; actions <= 25 elements; context <= 10; button text 75, value 2000;
    option text 75, value 150; <= 100 options in a select; modal title, submit and close <= 24
    chars each; private_metadata <= 3000 chars; block_id/action_id/callback_id <= 255; a modal
    with inputs needs submit; a view over 250 kB is refused.

The other numbers come from Slack's reference pages on docs.slack.dev, named next to each
constant. Two passes: our own checks first (every problem found, each naming the block and the
field), then — if those pass — `slack_sdk.models` on each block (``Block.parse(b).to_dict()``,
which validates recursively) and on the view (``View(**view).validate_json()``).

Identifiers ("Blocks" and each element's reference): a `block_id` "should be unique for each
message and each iteration of a message", and an `action_id` "should be unique among all other
action_ids in the containing block"; Slack refuses a surface that repeats either
(``invalid_blocks``). So a block_id may appear once per message or view, an action_id once per
block (the same action_id in two blocks is allowed).

`message_refusals` / `view_refusals` return what Slack would refuse (the fake answers those
with an error); `check_message` / `check_view` raise `LimitError` for those and, for messages,
also for text Slack would silently truncate.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block, BlockElement
from slack_sdk.models.views import View

__all__ = [
    "LimitError",
    "check_blocks",
    "check_message",
    "check_view",
    "message_refusals",
    "view_refusals",
    "view_too_large",
]

# From PLATFORM.md "Block Kit limits" (and the reference page named).
MAX_MESSAGE_BLOCKS = 50  # "Blocks" reference: up to 50 blocks in a message
MAX_VIEW_BLOCKS = 100  # "Modal views" / "Home tab views": max of 100 blocks
MAX_HEADER_TEXT = 150  # "Header block"
MAX_SECTION_TEXT = 3000  # "Section block"
MAX_SECTION_FIELDS = 10  # "Section block"
MAX_SECTION_FIELD_TEXT = 2000  # "Section block"
MAX_ACTIONS_ELEMENTS = 25  # "Actions block"
MAX_CONTEXT_ELEMENTS = 10  # "Context block"
MAX_BUTTON_TEXT = 75  # "Button element"
MAX_BUTTON_VALUE = 2000  # "Button element"
MAX_OPTION_TEXT = 75  # "Option object"
MAX_OPTION_VALUE = 150  # "Option object"
MAX_SELECT_OPTIONS = 100  # "Select menu element": options and option_groups, 100 each
MAX_VIEW_BUTTON_TEXT = 24  # "Modal views": title, submit, close
MAX_PRIVATE_METADATA = 3000  # "Modal views"
MAX_ID = 255  # block_id ("Blocks"), action_id (each element), callback_id ("Modal views")
MAX_VIEW_BYTES = 250_000  # "views.open" error view_too_large: "greater than 250kb"; we read kB as
# 1000 bytes, the stricter reading, so a view that passes here passes at Slack either way.

# From Slack's reference pages only (not in PLATFORM.md).
MAX_INPUT_LABEL = 2000  # "Input block": label text max 2000
MAX_INPUT_HINT = 2000  # "Input block": hint text max 2000
MAX_PLACEHOLDER = 150  # "Plain-text input element", select menus: placeholder max 150
MAX_TEXT_INPUT_LENGTH = 3000  # "Plain-text input element": min_length/max_length at most 3000
MAX_MESSAGE_TEXT = 40_000  # changelog "Truncating really long messages" (2018): text is cut at
# 40,000 characters, with a message_truncated warning, in chat.postMessage and response_url.
MAX_CHECKBOX_OPTIONS = 10  # "Checkboxes element": a maximum of 10 options
MAX_RADIO_OPTIONS = 10  # "Radio button group element": a maximum of 10 options
MAX_OVERFLOW_OPTIONS = 5  # "Overflow menu element": at most 5 options

_OPTION_LIMITS = {
    "checkboxes": MAX_CHECKBOX_OPTIONS,
    "radio_buttons": MAX_RADIO_OPTIONS,
    "overflow": MAX_OVERFLOW_OPTIONS,
}


class LimitError(ValueError):
    """A payload Slack would refuse or truncate; `problems` lists every finding."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"- {p}" for p in self.problems)
        super().__init__(f"Block Kit payload breaks Slack's limits:\n{lines}")


def check_message(payload: Mapping[str, Any]) -> None:
    """Check a chat.postMessage / chat.update / response_url payload (`text`, `blocks`).

    Raises `LimitError` naming each over-limit block and field, and text Slack would truncate.
    """
    problems = message_refusals(payload)
    text = payload.get("text")
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        problems.append(
            f"message text: {len(text)} characters; Slack truncates at {MAX_MESSAGE_TEXT}"
        )
    if problems:
        raise LimitError(problems)


def message_refusals(payload: Mapping[str, Any]) -> list[str]:
    """What Slack refuses in a message payload (it answers ``invalid_blocks`` / ``no_text``)."""
    blocks = _as_list(payload.get("blocks"))
    problems: list[str] = []
    if not payload.get("text") and not blocks and not payload.get("attachments"):
        problems.append("message: needs text or blocks (Slack answers no_text)")
    if len(blocks) > MAX_MESSAGE_BLOCKS:
        problems.append(f"message: {len(blocks)} blocks; a message allows {MAX_MESSAGE_BLOCKS}")
    problems += _block_problems(blocks)
    return problems or _sdk_problems(blocks, view=None)


def check_view(view: Mapping[str, Any]) -> None:
    """Check a modal or Home tab view as passed to views.open/update/push/publish.

    Raises `LimitError` naming each over-limit block and field.
    """
    problems = view_refusals(view)
    if problems:
        raise LimitError(problems)


def view_refusals(view: Mapping[str, Any]) -> list[str]:
    """What Slack refuses in a view (``invalid_arguments`` / ``view_too_large``)."""
    blocks = _as_list(view.get("blocks"))
    kind = view.get("type")
    problems: list[str] = []
    if kind not in ("modal", "home"):
        problems.append(f"view type: {kind!r}; expected 'modal' or 'home'")
    if len(blocks) > MAX_VIEW_BLOCKS:
        problems.append(f"view: {len(blocks)} blocks; a {kind} allows {MAX_VIEW_BLOCKS}")
    if kind == "modal":
        problems += _modal_problems(view, blocks)
    metadata = view.get("private_metadata")
    if isinstance(metadata, str) and len(metadata) > MAX_PRIVATE_METADATA:
        problems.append(
            f"view private_metadata: {len(metadata)} characters; max {MAX_PRIVATE_METADATA}"
        )
    _check_id(problems, "view callback_id", view.get("callback_id"))
    if view_too_large(view):
        size = _view_bytes(view)
        problems.append(f"view: {size} bytes of JSON; Slack refuses views over 250 kB")
    problems += _block_problems(blocks)
    return problems or _sdk_problems(blocks, view=view)


def view_too_large(view: Mapping[str, Any]) -> bool:
    """Over 250 kB of JSON: Slack's own error for it is ``view_too_large``."""
    return _view_bytes(view) > MAX_VIEW_BYTES


def _view_bytes(view: Mapping[str, Any]) -> int:
    return len(json.dumps(view, ensure_ascii=False).encode("utf-8"))


def check_blocks(blocks: Sequence[Mapping[str, Any]]) -> None:
    """Check blocks alone (no count limit): for renderers that build part of a surface."""
    problems = _block_problems(blocks) or _sdk_problems(blocks, view=None)
    if problems:
        raise LimitError(problems)


# -- our own checks -----------------------------------------------------------------------


def _modal_problems(view: Mapping[str, Any], blocks: Sequence[Mapping[str, Any]]) -> list[str]:
    problems: list[str] = []
    if view.get("title") is None:
        problems.append("modal title: missing; a modal needs a title")
    for field in ("title", "submit", "close"):
        _check_text(problems, f"modal {field}", view.get(field), MAX_VIEW_BUTTON_TEXT)
    has_input = any(b.get("type") == "input" for b in blocks)
    if has_input and view.get("submit") is None:
        problems.append("modal submit: missing; a modal with input blocks needs a submit button")
    return problems


def _block_problems(blocks: Sequence[Mapping[str, Any]]) -> list[str]:
    problems: list[str] = []
    seen_block_ids: dict[str, int] = {}
    for index, block in enumerate(blocks):
        where = _where(index, block)
        if not isinstance(block, Mapping):
            problems.append(f"{where}: not a JSON object")
            continue
        parsed, error = _parse(Block, block)
        if error is not None:
            problems.append(f"{where}: slack_sdk cannot read it: {error}")
            continue
        if parsed is None:
            problems.append(
                f"{where}: unknown block type {block.get('type')!r} "
                "(Slack refuses it; slack_sdk would silently drop it)"
            )
            continue
        _check_id(problems, f"{where} block_id", block.get("block_id"))
        _check_unique_ids(problems, where, index, block, seen_block_ids)
        _check_block(problems, where, block)
    return problems


def _check_unique_ids(
    problems: list[str],
    where: str,
    index: int,
    block: Mapping[str, Any],
    seen_block_ids: dict[str, int],
) -> None:
    """A block_id once per surface, an action_id once per block (see the module docstring)."""
    block_id = block.get("block_id")
    if isinstance(block_id, str):
        if block_id in seen_block_ids:
            problems.append(
                f"{where}: duplicate block_id {block_id!r} "
                f"(also blocks[{seen_block_ids[block_id]}])"
            )
        else:
            seen_block_ids[block_id] = index
    seen_actions: set[str] = set()
    for element in _interactive_elements(block):
        action_id = element.get("action_id")
        if not isinstance(action_id, str):
            continue  # Slack generates one
        if action_id in seen_actions:
            problems.append(f"{where}: duplicate action_id {action_id!r} within the block")
        seen_actions.add(action_id)


def _interactive_elements(block: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The elements of a block that carry an action_id (actions, accessory, input element)."""
    found = [block.get("accessory"), block.get("element")]
    if block.get("type") == "actions":
        found += _as_list(block.get("elements"))
    return [e for e in found if isinstance(e, Mapping)]


def _check_block(problems: list[str], where: str, block: Mapping[str, Any]) -> None:
    kind = block.get("type")
    if kind == "header":
        _check_text(problems, f"{where} text", block.get("text"), MAX_HEADER_TEXT)
    elif kind == "section":
        _check_text(problems, f"{where} text", block.get("text"), MAX_SECTION_TEXT)
        fields = _as_list(block.get("fields"))
        if len(fields) > MAX_SECTION_FIELDS:
            problems.append(f"{where}: {len(fields)} fields; max {MAX_SECTION_FIELDS}")
        for i, field in enumerate(fields):
            _check_text(problems, f"{where} fields[{i}]", field, MAX_SECTION_FIELD_TEXT)
        if block.get("accessory") is not None:
            _check_element(problems, f"{where} accessory", block["accessory"])
    elif kind == "actions":
        elements = _as_list(block.get("elements"))
        if len(elements) > MAX_ACTIONS_ELEMENTS:
            problems.append(f"{where}: {len(elements)} elements; max {MAX_ACTIONS_ELEMENTS}")
        for i, element in enumerate(elements):
            _check_element(problems, f"{where} elements[{i}]", element)
    elif kind == "context":
        elements = _as_list(block.get("elements"))
        if len(elements) > MAX_CONTEXT_ELEMENTS:
            problems.append(f"{where}: {len(elements)} elements; max {MAX_CONTEXT_ELEMENTS}")
    elif kind == "input":
        if block.get("label") is None:
            problems.append(f"{where} label: missing; an input block needs a label")
        _check_text(problems, f"{where} label", block.get("label"), MAX_INPUT_LABEL)
        _check_text(problems, f"{where} hint", block.get("hint"), MAX_INPUT_HINT)
        if block.get("element") is None:
            problems.append(f"{where} element: missing")
        else:
            _check_element(problems, f"{where} element", block["element"])


def _check_element(problems: list[str], where: str, element: Any) -> None:
    if not isinstance(element, Mapping):
        problems.append(f"{where}: not a JSON object")
        return
    kind = element.get("type")
    where = f"{where} ({kind})"
    parsed, error = _parse(BlockElement, element)
    if error is not None:
        problems.append(f"{where}: slack_sdk cannot read it: {error}")
        return
    if parsed is None:
        problems.append(f"{where}: unknown element type (slack_sdk would silently drop it)")
        return
    _check_id(problems, f"{where} action_id", element.get("action_id"))
    _check_text(problems, f"{where} placeholder", element.get("placeholder"), MAX_PLACEHOLDER)
    if kind == "button":
        _check_text(problems, f"{where} text", element.get("text"), MAX_BUTTON_TEXT)
        _check_len(problems, f"{where} value", element.get("value"), MAX_BUTTON_VALUE)
    if kind == "plain_text_input":
        for key in ("min_length", "max_length"):
            value = element.get(key)
            if isinstance(value, int) and value > MAX_TEXT_INPUT_LENGTH:
                problems.append(f"{where} {key}: {value}; max {MAX_TEXT_INPUT_LENGTH}")
    options = _as_list(element.get("options"))
    most = _OPTION_LIMITS.get(str(kind), MAX_SELECT_OPTIONS)
    if len(options) > most:
        problems.append(f"{where}: {len(options)} options; max {most}")
    _check_options(problems, f"{where} options", options)
    groups = _as_list(element.get("option_groups"))
    if len(groups) > MAX_SELECT_OPTIONS:
        problems.append(f"{where}: {len(groups)} option_groups; max {MAX_SELECT_OPTIONS}")
    for g, group in enumerate(groups):
        group_options = _as_list(group.get("options")) if isinstance(group, Mapping) else []
        if len(group_options) > MAX_SELECT_OPTIONS:
            problems.append(
                f"{where} option_groups[{g}]: {len(group_options)} options; "
                f"max {MAX_SELECT_OPTIONS}"
            )
        _check_options(problems, f"{where} option_groups[{g}] options", group_options)
    initial = _as_list(element.get("initial_options"))
    if element.get("initial_option") is not None:
        initial.append(element["initial_option"])
    _check_options(problems, f"{where} initial options", initial)


def _check_options(problems: list[str], where: str, options: Sequence[Any]) -> None:
    for i, option in enumerate(options):
        if not isinstance(option, Mapping):
            problems.append(f"{where}[{i}]: not a JSON object")
            continue
        _check_text(problems, f"{where}[{i}] text", option.get("text"), MAX_OPTION_TEXT)
        _check_len(problems, f"{where}[{i}] value", option.get("value"), MAX_OPTION_VALUE)


def _check_text(problems: list[str], where: str, text_object: Any, most: int) -> None:
    """A text object ({"type": ..., "text": ...}) or a bare string, at most `most` chars."""
    text = text_object.get("text") if isinstance(text_object, Mapping) else text_object
    _check_len(problems, where, text, most)


def _check_len(problems: list[str], where: str, value: Any, most: int) -> None:
    if isinstance(value, str) and len(value) > most:
        problems.append(f"{where}: {len(value)} characters; Slack allows at most {most}")


def _check_id(problems: list[str], where: str, value: Any) -> None:
    _check_len(problems, where, value, MAX_ID)


# -- slack_sdk's checks -------------------------------------------------------------------


def _sdk_problems(blocks: Sequence[Mapping[str, Any]], view: Mapping[str, Any] | None) -> list[str]:
    """slack_sdk's own validators. Only a payload that passes our checks goes through them, so
    one violation is not reported twice in two wordings."""
    problems: list[str] = []
    for index, block in enumerate(blocks):
        try:
            parsed, _ = _parse(Block, block)
            if parsed is not None:
                parsed.to_dict()  # to_dict() runs validate_json() on every nested object
        except (SlackObjectFormationError, TypeError, ValueError, AttributeError) as err:
            problems.append(f"{_where(index, block)}: slack_sdk: {err}")
    if view is not None:
        try:
            View(**view).validate_json()  # the view's own fields; blocks were checked above
        except (SlackObjectFormationError, TypeError, ValueError, AttributeError) as err:
            problems.append(f"view: slack_sdk: {err}")
    return problems


def _parse(
    kind: type[Block] | type[BlockElement], raw: Mapping[str, Any]
) -> tuple[Any, str | None]:
    """`kind.parse(raw)` quietly, as (object or None for an unknown type, error or None).

    slack_sdk logs a warning for each unknown type and returns None; we report it instead.
    """
    with _quiet(kind.logger):
        try:
            return kind.parse(dict(raw)), None
        except (SlackObjectFormationError, TypeError, ValueError, AttributeError) as err:
            return None, f"{type(err).__name__}: {err}"


class _quiet:
    """Raise a logger's level for a moment (slack_sdk warns on each unknown type)."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self.level = logger.level

    def __enter__(self) -> None:
        self.logger.setLevel(logging.ERROR)

    def __exit__(self, *exc: object) -> None:
        self.logger.setLevel(self.level)


# -- helpers ------------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    """Blocks may come as a list or, as form arguments do, as a JSON string."""
    if isinstance(value, str):
        value = json.loads(value)
    return list(value) if isinstance(value, list | tuple) else []


def _where(index: int, block: Any) -> str:
    if not isinstance(block, Mapping):
        return f"blocks[{index}]"
    label = f"blocks[{index}] ({block.get('type')}"
    if block.get("block_id"):
        label += f", block_id {block['block_id']!r}"
    return label + ")"
