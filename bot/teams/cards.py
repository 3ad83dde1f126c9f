"""Render neutral forms and messages as Adaptive Cards 1.5, and read submissions back.

The sibling of bot/slack/blocks.py: translation only, no dialog logic. Facts from
PLATFORM.md ("Microsoft Teams"): Teams renders schema 1.5; an `Action.Submit` comes back as a
message activity whose `value` is the action's `data` merged with the inputs (keyed by input
id); inputs validate on the client (`isRequired`, `errorMessage`, `maxLength`, `min`/`max`) as
a courtesy only — bot/dialogs/validation.py checks every value again on the server. A bot
message may be about 100 KB; over it the connector answers 413 `MessageSizeTooBig`, so a card
is kept under `MAX_CARD_BYTES` (80 KB, the margin PLATFORM.md and issue 10 ask for).

Cards carry no server-side state: the form's kind and state (the assessment's section and
page) travel in the submit action's `data` under `DATA_KEY`, and come back with the values.
Adaptive Cards 1.5 has no way for a bot to put an error on an input, so a refused submission
is the same form again, the person's values filled in and each error in a `TextBlock` with
`color: attention` right under its input.

Markup is written here and nowhere else. TextBlock and FactSet text is read as a Markdown
subset (**bold**, _italic_, lists, [links](…)) and `{{DATE(…)}}` / `{{TIME(…)}}` functions
(learn.microsoft.com, "Text features in Adaptive Cards"), and whatever a dialog hands over may
hold what a person typed (an organisation named `**[click](https://evil.example)**`). So all
of it goes through `escape`: CommonMark backslash escapes for the characters that open markup,
list markers at the start of a line escaped, and a word joiner (U+2060) between the two braces
of `{{`. Input values, labels, placeholders, choice titles and action titles are plain text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.dialogs.model import (
    MARK_END,
    MARK_START,
    MAX_OPTION_TEXT,
    Button,
    Fact,
    Field,
    Form,
    Mark,
    Message,
    Option,
    Section,
    Text,
    readable,
    split_marks,
)
from bot.dialogs.validation import RawValue
from iso20k_core.dates import EARLIEST, latest
from iso20k_core.language import N_, _

SCHEMA_VERSION = "1.5"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_CARD_BYTES = 80_000  # PLATFORM.md: a bot message up to about 100 KB; keep under 80 KB
DATA_KEY = "iso20k"  # the key of our own data in every Action.Submit; no field may use it
# A list this long is searchable as you type in Teams (`style: "filtered"`, a Teams extension
# the 1.5 schema does not know: tests validate with it set aside, PLATFORM.md).
FILTERED_FROM = 20
CUT_NOTE = N_("…more in the full report.")
TONE_STYLE: dict[str, str] = {
    "info": "default",
    "success": "good",
    "warning": "warning",
    "error": "attention",
}
MAX_ACTION_TITLE = 100
BUTTON_STYLE = {"primary": "positive", "danger": "destructive"}
Card = dict[str, Any]
Element = dict[str, Any]

# CommonMark: "any ASCII punctuation character may be backslash-escaped". These are the ones
# that open markup in a Markdown renderer (emphasis, code, links, images, HTML, entities,
# headings, quotes, strike-through); `(` and `)` only matter after a `[`, escaped already.
_MARKUP = re.compile(r"([\\`*_~\[\]<>#&!|])")
_MARKED = re.compile(f"{MARK_START}([@#/])([^{MARK_START}{MARK_END}]{{1,255}}){MARK_END}")
_NOT_IN_NAME = re.compile(r"[\\`*_~\[\]<>#&!|{}]")
_LIST_MARKER = re.compile(r"^([ \t]*)([-+]|[0-9]{1,9}(?=[.)]))", re.MULTILINE)


def escape(text: str) -> str:
    """Text shown as typed in a TextBlock or a Fact: markup and date functions disarmed."""
    escaped = _MARKUP.sub(r"\\\1", text)
    escaped = _LIST_MARKER.sub(_escape_marker, escaped)
    return escaped.replace("{{", "{\u2060{")


def _escape_marker(found: re.Match[str]) -> str:
    indent, marker = found.group(1), found.group(2)
    if marker in "-+":
        return f"{indent}\\{marker}"
    return f"{indent}{marker}\\"  # `1.` → `1\.`: the digits stay, the dot is escaped


def to_text(text: str) -> str:
    """Neutral text for a TextBlock or a Fact: escaped, its mentions and commands still marked.
    `resolve_marks` turns the marks into Teams' own form once the whole card is built."""
    return "".join(
        escape(part) if isinstance(part, str) else _mark(part) for part in split_marks(text)
    )


def _mark(mark: Mark) -> str:
    return f"{MARK_START}{mark.kind}{mark.id}{MARK_END}"


def resolve_marks(content: Card, names: Mapping[str, str] | None = None) -> Card:
    """Marks as Teams shows them: a person as an `<at>Name</at>` mention with its entity in
    `msteams.entities` (Teams accepts an AAD object id as `mentioned.id`), a channel and a
    command as plain words. Without a name a person is shown as `@id` and not pinged."""
    names = names or {}
    entities: dict[str, Element] = {}

    def spell(found: re.Match[str]) -> str:
        kind, ident = found.group(1), found.group(2)
        name = _mention_name(names.get(ident, "")) if kind == "@" else ""
        if not name:
            return escape(Mark(kind, ident).readable())  # type: ignore[arg-type]
        text = f"<at>{name}</at>"
        entities.setdefault(
            ident, {"type": "mention", "text": text, "mentioned": {"id": ident, "name": name}}
        )
        return text

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return _MARKED.sub(spell, node) if MARK_START in node else node
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        return node

    resolved: Card = walk(content)
    if entities:
        resolved.setdefault("msteams", {})["entities"] = list(entities.values())
    return resolved


def _mention_name(name: str) -> str:
    """A display name that reads the same inside `<at>…</at>` as in its entity: nothing in
    it that Markdown or the tag would read."""
    return " ".join(_NOT_IN_NAME.sub("", name).split())[:80]


def _plain(text: str) -> str:
    """Neutral text where Teams reads no markup (labels, choices, action titles)."""
    return readable(text)


def text_block(text: str, **style: Any) -> Element:
    return {"type": "TextBlock", "text": to_text(text), "wrap": True, **style}


def heading_block(text: str) -> Element:
    return text_block(text, style="heading", size="large", weight="bolder")


def progress_text(done: int, total: int, width: int = 20) -> str:
    filled = round(width * done / total) if total else 0
    bar = "█" * filled + "░" * (width - filled)
    return _("{bar} {done} of {total}", bar=bar, done=done, total=total)


def card(body: list[Element], actions: list[Element] | None = None) -> Card:
    out: Card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": SCHEMA_VERSION,
        "body": body,
    }
    if actions:
        out["actions"] = actions
    return out


def attachment(content: Card) -> dict[str, Any]:
    """The card as an activity attachment."""
    return {"contentType": CONTENT_TYPE, "content": content}


def card_bytes(content: Card) -> int:
    """The card's size as sent: its attachment in compact UTF-8 JSON."""
    return len(json.dumps(attachment(content), ensure_ascii=False, separators=(",", ":")).encode())


class CardTooLarge(ValueError):
    """A card the connector would refuse (413 MessageSizeTooBig)."""


def check_size(content: Card, limit: int = MAX_CARD_BYTES) -> Card:
    """`content` itself when it is under `limit` bytes as sent; else `CardTooLarge`."""
    size = card_bytes(content)
    if size > limit:
        raise CardTooLarge(f"the card is {size} bytes; Teams takes at most {limit}")
    return content


# --- messages ---------------------------------------------------------------------------


def message_card(
    message: Message,
    limit: int = MAX_CARD_BYTES,
    *,
    names: Mapping[str, str] | None = None,
    file_url: str | None = None,
) -> Card:
    """A message as a card under `limit` bytes: sections are left out from the end, with a
    note saying so, until it fits (as blocks.py cuts a message at Slack's block count).
    `names` are the display names of the people it mentions (by AAD object id); `file_url`
    is where its file can be downloaded (bot/downloads.py): a button, and a picture shown in
    the card when the file is one."""
    sections = list(message.sections)

    def render(cut: bool) -> Card:
        return resolve_marks(_message_card(message, sections, cut, file_url), names)

    rendered = render(cut=False)
    while card_bytes(rendered) > limit and sections:
        sections.pop()
        rendered = render(cut=True)
    return check_size(rendered, limit)


def _message_card(
    message: Message, sections: list[Section], cut: bool, file_url: str | None = None
) -> Card:
    head: list[Element] = [heading_block(message.heading)]
    if message.text:
        color = TONE_STYLE[message.tone]
        head.append(text_block(message.text, **({} if color == "default" else {"color": color})))
    body: list[Element] = [_toned(message.tone, head)]
    if message.progress:
        body.append(text_block(progress_text(*message.progress), isSubtle=True))
    if message.facts:
        body.append(_fact_set(message.facts))
    body += [_section(s) for s in sections]
    if cut:
        body.append(text_block(_(CUT_NOTE), isSubtle=True))
    if message.image is not None:
        body.append(
            {"type": "Image", "url": message.image.url, "altText": _plain(message.image.alt)}
        )
    actions = [_button(b) for b in message.buttons]
    if message.file is not None and file_url is not None:
        if message.file.mime.startswith("image/"):
            body.append({"type": "Image", "url": file_url, "altText": _plain(message.file.title)})
        actions.insert(
            0,
            {
                "type": "Action.OpenUrl",
                "title": _plain(_("Download {filename}", filename=message.file.filename))[
                    :MAX_ACTION_TITLE
                ],
                "url": file_url,
            },
        )
    return card(body, actions)


def _toned(tone: str, items: list[Element]) -> Element:
    style = TONE_STYLE[tone]
    container: Element = {"type": "Container", "items": items}
    if style != "default":
        container["style"] = style
    return container


def _fact_set(facts: tuple[Fact, ...]) -> Element:
    return {
        "type": "FactSet",
        "facts": [{"title": to_text(f.label), "value": to_text(f.value)} for f in facts],
    }


def _section(section: Section) -> Element:
    items: list[Element] = []
    if section.heading:
        items.append(text_block(section.heading, weight="bolder", size="medium"))
    if section.text:
        items.append(text_block(section.text))
    if section.facts:
        items.append(_fact_set(section.facts))
    return {"type": "Container", "separator": True, "spacing": "medium", "items": items}


def _button(b: Button) -> Element:
    action: Element = {
        "type": "Action.Submit",
        "title": _plain(b.label),
        "data": {DATA_KEY: {"action": b.action, "value": b.value}},
    }
    if b.style:
        action["style"] = BUTTON_STYLE[b.style]
    return action


# --- forms ------------------------------------------------------------------------------


def form_card(
    form: Form,
    values: Mapping[str, RawValue] | None = None,
    errors: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    *,
    channels: Sequence[tuple[str, str]] = (),
    names: Mapping[str, str] | None = None,
) -> Card:
    """A form as a card. `values` (what the person submitted) replace the fields' initial
    values; each of `errors` is shown under its field. With `today`, dates are bounded by
    the horizon the server checks (iso20k_core.dates). A channel field offers `channels`
    (conversation id, name): the conversations the bot is in, since a card has no picker."""
    values = values or {}
    errors = errors or {}
    body: list[Element] = [heading_block(form.title)]
    if form.progress:
        body.append(text_block(progress_text(*form.progress), isSubtle=True))
    for item in form.items:
        if isinstance(item, Text):
            body.append(heading_block(item.text) if item.heading else text_block(item.text))
            continue
        chosen = values.get(item.id, item.initial)
        body.append(_input(item, chosen, today, channels))
        if item.id in errors:  # right under the input, above its hint
            body.append(error_block(errors[item.id]))
        if item.hint:
            body.append(text_block(item.hint, isSubtle=True, spacing="none"))
    unplaced = [e for k, e in errors.items() if k not in {f.id for f in form.fields}]
    body += [error_block(e) for e in unplaced]  # an error no field owns: shown at the end
    submit = {
        "type": "Action.Submit",
        "title": _plain(form.submit),
        "style": "positive",
        "data": {DATA_KEY: form_data(form)},
    }
    return check_size(resolve_marks(card(body, [submit]), names))


def error_block(error: str) -> Element:
    return text_block(error, color="attention", spacing="none")


def form_data(form: Form) -> dict[str, Any]:
    """What the submit action carries so a submission finds its dialog without server state:
    the form kind, its state, and which inputs are multi-select (Teams joins those with `,`)."""
    for f in form.fields:
        if f.id == DATA_KEY:
            raise ValueError(f"no field may be called {DATA_KEY!r}: the card data uses it")
    return {
        "form": form.kind,
        "state": dict(form.state),
        "multi": [f.id for f in form.fields if f.kind == "multi_choice"],
    }


def _input(
    f: Field, value: RawValue, today: dt.date | None, channels: Sequence[tuple[str, str]] = ()
) -> Element:
    element: Element = {
        "id": f.id,
        "label": _plain(f.label),
        "isRequired": f.required,
        "errorMessage": client_error(f),
    }
    match f.kind:
        case "number":
            element["type"] = "Input.Number"
            if f.minimum is not None:
                element["min"] = f.minimum
            if f.maximum is not None:
                element["max"] = f.maximum
            number = _number(value)
            if number is not None:
                element["value"] = number
        case "choice" | "multi_choice":
            element |= _choice_set(f, value)
        case "channel" if channels:
            options = tuple(Option(cid, name[:MAX_OPTION_TEXT] or cid) for cid, name in channels)
            element |= _choice_set(replace(f, kind="choice", options=options), value)
        case "date":
            element |= {"type": "Input.Date", "min": (f.not_before or EARLIEST).isoformat()}
            if today is not None:
                element["max"] = latest(today).isoformat()
            if isinstance(value, str) and value:
                element["value"] = value
        case _:  # text; a person or a channel typed for now (no picker yet)
            element |= {"type": "Input.Text", "maxLength": f.max_length}
            if f.multiline:
                element["isMultiline"] = True
            if isinstance(value, str) and value:
                element["value"] = value[: f.max_length]
    if f.placeholder and f.kind != "choice" and f.kind != "multi_choice":
        element["placeholder"] = _plain(f.placeholder)
    return element


def _choice_set(f: Field, value: RawValue) -> Element:
    for o in f.options:
        if f.kind == "multi_choice" and "," in o.value:
            raise ValueError(f"field {f.id!r}: Teams joins choices with ',': {o.value!r}")
    element: Element = {
        "type": "Input.ChoiceSet",
        "choices": [{"title": _plain(o.label), "value": o.value} for o in f.options],
        "isMultiSelect": f.kind == "multi_choice",
        "style": "expanded" if len(f.options) <= 6 else "compact",
        "wrap": True,
    }
    if len(f.options) >= FILTERED_FROM and f.kind == "choice":
        element["style"] = "filtered"
    if f.placeholder:
        element["placeholder"] = _plain(f.placeholder)
    known = {o.value for o in f.options}
    chosen = [value] if isinstance(value, str) else list(value or ())
    chosen = [c for c in chosen if c in known]
    if chosen:
        element["value"] = ",".join(chosen)
    return element


def _number(value: RawValue) -> float | int | None:
    if not isinstance(value, str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return int(number) if number.is_integer() else number


def client_error(f: Field) -> str:
    """What Teams shows when its own check of the input fails, before anything is sent."""
    if f.kind == "number" and f.minimum is not None and f.maximum is not None:
        return _(
            "Enter a number from {minimum} to {maximum}.",
            minimum=format(f.minimum, "g"),
            maximum=format(f.maximum, "g"),
        )
    if f.kind == "number":
        return _("Enter a number.")
    if f.kind == "text":
        return _("Please fill this in, in at most {count} characters.", count=f.max_length)
    if f.kind == "multi_choice":
        return _("Choose at least one.")
    return _("Please fill this in.")


# --- submissions ------------------------------------------------------------------------


@dataclass(frozen=True)
class FormSubmission:
    """A form sent back: which dialog, its state, and the raw value of every input."""

    form: str
    state: dict[str, str]
    values: dict[str, RawValue]


@dataclass(frozen=True)
class ButtonPress:
    action: str
    value: str


Submission = FormSubmission | ButtonPress


def read_submission(value: Mapping[str, Any] | None) -> Submission | None:
    """An activity's `value` as what was submitted; None when it is none of ours."""
    if not isinstance(value, Mapping):
        return None
    ours = value.get(DATA_KEY)
    if not isinstance(ours, Mapping):
        return None
    if isinstance(ours.get("action"), str):
        return ButtonPress(ours["action"], str(ours.get("value") or ""))
    kind, state, multi = ours.get("form"), ours.get("state"), ours.get("multi")
    if not isinstance(kind, str) or not isinstance(state, Mapping):
        return None
    multi_ids = set(multi) if isinstance(multi, list) else set()
    values: dict[str, RawValue] = {}
    for key, raw in value.items():
        if key == DATA_KEY or not isinstance(raw, str):
            continue
        values[key] = [v for v in raw.split(",") if v] if key in multi_ids else raw
    return FormSubmission(kind, {str(k): str(v) for k, v in state.items()}, values)
