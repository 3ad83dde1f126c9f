"""Render neutral forms and messages as Block Kit, and read modal submissions back.

Limits from PLATFORM.md (Slack's Block Kit reference): 50 blocks per message, 100 per modal
or Home tab; section text 3000 characters, at most 10 fields of 2000; header 150; actions at
most 25 elements; button text 75, value 2000; modal title, submit and close 24;
private_metadata 3000; block and action ids 255.

Markup is written here and nowhere else. Every string a dialog hands over may hold what a
person typed (an organisation named `<@U1> <!channel>`), so all mrkdwn text and the
notification `text` are escaped as Slack asks (`&`, `<`, `>` become `&amp;`, `&lt;`,
`&gt;`: docs.slack.dev "Formatting message text", escaping) and marked `verbatim`, so Slack
does not turn a typed `@channel` into a mention either; the only markup left is what the
dialogs' mention markers become (`<@U1>`, `<#C1>`). plain_text shows text as it is (no
escaping there) and a mention as `@U1`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.dialogs.model import Field, Form, Message, Text, readable, split_marks
from bot.dialogs.validation import RawValue
from iso20k_core.language import _, _p

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER = 150
MAX_LABEL = 2000
MAX_BUTTONS = 25
VALUE_ACTION = "value"  # the action_id of every input element: the block_id names the field
BUTTON_PREFIX = "iso20k:"  # action_id prefix of every button; listeners match on it
TONE_EMOJI = {
    "info": "",
    "success": ":white_check_mark: ",
    "warning": ":warning: ",
    "error": ":x: ",
}
Block = dict[str, Any]
COMMAND = "/iso20k"  # the slash command of manifest.yml
SLACK_ID = re.compile(r"[A-Z0-9]{1,32}")  # user, channel and workspace ids: U…, W…, C…, G…, T…
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: str) -> str:
    """Text shown as typed in mrkdwn: the three characters Slack reads as markup, escaped."""
    return text.translate(_ESCAPES)


def to_mrkdwn(text: str) -> str:
    """Neutral text as mrkdwn: everything escaped but the dialogs' own mentions."""
    out: list[str] = []
    for part in split_marks(text):
        if isinstance(part, str):
            out.append(escape(part))
        elif part.kind == "/":
            out.append(f"`{escape(part.readable(COMMAND + ' '))}`")
        elif SLACK_ID.fullmatch(part.id):
            out.append(f"<{part.kind}{part.id}>")
        else:  # not a Slack id (a console name in a test): shown, not linked
            out.append(escape(part.readable()))
    return "".join(out)


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(readable(text, COMMAND + " "), limit), "emoji": True}


def _mrkdwn(text: str, limit: int = MAX_SECTION_TEXT) -> dict[str, Any]:
    return _rendered(to_mrkdwn(text), limit)


def _rendered(markup: str, limit: int = MAX_SECTION_TEXT) -> dict[str, Any]:
    """A mrkdwn object from text already rendered by `to_mrkdwn`."""
    return {"type": "mrkdwn", "text": _cut_markup(markup, limit), "verbatim": True}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cut_markup(markup: str, limit: int) -> str:
    """Cut rendered mrkdwn without splitting an `&amp;` or a `<@U1>` in two."""
    if len(markup) <= limit:
        return markup
    head = markup[: limit - 1]
    for opener, closer in (("&", ";"), ("<", ">")):
        start = head.rfind(opener)
        if start > head.rfind(closer):
            head = head[:start]
    return head + "…"


def progress_text(done: int, total: int, width: int = 20) -> str:
    filled = round(width * done / total) if total else 0
    bar = "█" * filled + "░" * (width - filled)
    return _("`{bar}` {done} of {total}", bar=bar, done=done, total=total)


def _chunks(text: str, size: int = MAX_SECTION_TEXT) -> list[str]:
    """Split long text at line breaks so no section exceeds Slack's limit."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > size and current:
            parts.append(current)
            current = line
        else:
            current = candidate
    parts.append(current)
    return [_cut_markup(p, size) for p in parts if p]


def message_blocks(message: Message, limit: int = MAX_MESSAGE_BLOCKS) -> list[Block]:
    blocks: list[Block] = [{"type": "header", "text": _plain(message.heading, MAX_HEADER)}]
    if message.text:
        prefix = TONE_EMOJI[message.tone]
        blocks += [
            {"type": "section", "text": _rendered(t)}
            for t in _chunks(prefix + to_mrkdwn(message.text))
        ]
    if message.progress:
        blocks.append({"type": "context", "elements": [_mrkdwn(progress_text(*message.progress))]})
    for start in range(0, len(message.facts), MAX_FIELDS):
        chunk = message.facts[start : start + MAX_FIELDS]
        blocks.append(
            {
                "type": "section",
                "fields": [_fact(f.label, f.value) for f in chunk],
            }
        )
    for section in message.sections:
        blocks.append({"type": "divider"})
        body = "\n".join(
            x
            for x in (
                f"*{escape(section.heading)}*" if section.heading else "",
                to_mrkdwn(section.text or ""),
            )
            if x
        )
        blocks += [{"type": "section", "text": _rendered(t)} for t in _chunks(body)]
        if section.facts:
            blocks.append(
                {
                    "type": "section",
                    "fields": [_fact(f.label, f.value) for f in section.facts[:MAX_FIELDS]],
                }
            )
    if message.image is not None:
        blocks.append(
            {
                "type": "image",
                "image_url": message.image.url,
                "alt_text": _cut(readable(message.image.alt, COMMAND + " "), 2000),
            }
        )
    actions = _buttons(message)
    room = limit - (1 if actions else 0)
    if len(blocks) > room:
        blocks = blocks[: room - 1]
        blocks.append({"type": "context", "elements": [_mrkdwn(_("…more in the full report."))]})
    if actions:
        blocks.append(actions)
    return blocks


def _fact(label: str, value: str) -> dict[str, Any]:
    return _rendered(f"*{to_mrkdwn(label)}*\n{to_mrkdwn(value)}", MAX_FIELD_TEXT)


def _buttons(message: Message) -> Block | None:
    if not message.buttons:
        return None
    elements = []
    for n, b in enumerate(message.buttons[:MAX_BUTTONS]):
        element: dict[str, Any] = {
            "type": "button",
            "text": _plain(b.label, 75),
            "action_id": f"{BUTTON_PREFIX}{b.action}:{n}",
            "value": _cut(f"{b.action}|{b.value}", 2000),
        }
        if b.style:
            element["style"] = b.style
        elements.append(element)
    return {"type": "actions", "elements": elements}


def fallback_text(message: Message) -> str:
    """The notification text (and what screen readers and old clients show): Slack reads
    markup in it as in mrkdwn, so it is escaped the same way."""
    return _cut_markup(to_mrkdwn(message.plain()), 3000)


def home_view(message: Message) -> dict[str, Any]:
    return {"type": "home", "blocks": message_blocks(message, MAX_VIEW_BLOCKS)}


def notice_view(message: Message) -> dict[str, Any]:
    """A modal that only tells something (it replaces a submitted one), closed with OK."""
    return {
        "type": "modal",
        "title": _plain("iso20k", 24),
        "close": _plain(_p("button", "OK"), 24),
        "blocks": message_blocks(message, MAX_VIEW_BLOCKS),
    }


def modal_view(form: Form, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    blocks: list[Block] = []
    for item in form.items:
        blocks.append(_text_block(item) if isinstance(item, Text) else _input_block(item))
    if form.progress:
        blocks.insert(0, {"type": "context", "elements": [_mrkdwn(progress_text(*form.progress))]})
    private = {"kind": form.kind, "state": form.state, **(metadata or {})}
    return {
        "type": "modal",
        "callback_id": f"iso20k:{form.kind}",
        "title": _plain(form.title, 24),
        "submit": _plain(form.submit, 24),
        "close": _plain(_p("button", "Cancel"), 24),
        "private_metadata": json.dumps(private, separators=(",", ":")),
        "blocks": blocks[:MAX_VIEW_BLOCKS],
    }


def _text_block(item: Text) -> Block:
    if item.heading:
        return {"type": "header", "text": _plain(item.text, MAX_HEADER)}
    return {"type": "section", "text": _mrkdwn(item.text)}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _plain(label, 75), "value": value}


def _input_block(f: Field) -> Block:
    element = _element(f)
    block: Block = {
        "type": "input",
        "block_id": f.id,
        "label": _plain(f.label, MAX_LABEL),
        "optional": not f.required,
        "element": element,
    }
    if f.hint:
        block["hint"] = _plain(f.hint, MAX_LABEL)
    return block


def _element(f: Field) -> dict[str, Any]:
    e: dict[str, Any] = {"action_id": VALUE_ACTION}
    initial = f.initial
    match f.kind:
        case "number":
            e |= {"type": "number_input", "is_decimal_allowed": not f.integer}
            if f.minimum is not None:
                e["min_value"] = _number_text(f.minimum)
            if f.maximum is not None:
                e["max_value"] = _number_text(f.maximum)
            if isinstance(initial, str):
                e["initial_value"] = initial
        case "choice":
            options = [_option(o.value, o.label) for o in f.options]
            grouped = all(o.group for o in f.options)
            e["type"] = "radio_buttons" if len(options) <= 6 and not grouped else "static_select"
            if grouped:  # a long list (countries, timezones): headed groups, found by typing
                e["option_groups"] = _option_groups(f)
            else:
                e["options"] = options
            chosen = [o for o in options if o["value"] == initial]
            if chosen:
                e["initial_option"] = chosen[0]
            if f.placeholder and e["type"] == "static_select":
                e["placeholder"] = _plain(f.placeholder, 150)
        case "multi_choice":
            options = [_option(o.value, o.label) for o in f.options]
            e |= {
                "type": "checkboxes" if len(options) <= 10 else "multi_static_select",
                "options": options,
            }
            chosen = [o for o in options if isinstance(initial, tuple) and o["value"] in initial]
            if chosen:
                e["initial_options"] = chosen
        case "date":
            e["type"] = "datepicker"
            if isinstance(initial, str):
                e["initial_date"] = initial
        case "user":
            e["type"] = "users_select"
            if isinstance(initial, str):
                e["initial_user"] = initial
        case "channel":
            e |= {
                "type": "conversations_select",
                "filter": {"include": ["public", "private"], "exclude_bot_users": True},
            }
            if isinstance(initial, str):
                e["initial_conversation"] = initial
        case _:
            e |= {"type": "plain_text_input", "multiline": f.multiline, "max_length": f.max_length}
            if isinstance(initial, str):
                e["initial_value"] = initial[: f.max_length]
            if f.placeholder:
                e["placeholder"] = _plain(f.placeholder, 150)
    return e


def _option_groups(f: Field) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for o in f.options:
        groups.setdefault(o.group or "", []).append(_option(o.value, o.label))
    return [{"label": _plain(name, 75), "options": opts} for name, opts in groups.items()]


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def submitted_values(view: dict[str, Any]) -> dict[str, RawValue]:
    """The raw value of every input of a submitted modal, keyed by field id (the block_id)."""
    values: dict[str, RawValue] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        state = actions.get(VALUE_ACTION, {})
        values[block_id] = _state_value(state)
    return values


def _state_value(state: dict[str, Any]) -> RawValue:
    kind = state.get("type")
    if kind in ("radio_buttons", "static_select"):
        option = state.get("selected_option")
        return option["value"] if option else None
    if kind in ("checkboxes", "multi_static_select"):
        return [o["value"] for o in state.get("selected_options") or []]
    if kind == "datepicker":
        return state.get("selected_date")
    if kind == "users_select":
        return state.get("selected_user")
    if kind == "conversations_select":
        return state.get("selected_conversation")
    value = state.get("value")
    return value if isinstance(value, str) else None


def read_metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}
