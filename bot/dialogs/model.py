"""The neutral vocabulary every adapter renders: forms with typed fields, and messages.

Limits that hold on every channel are enforced here (lengths, option counts) so a dialog
cannot produce something one adapter would refuse; the tightest channel is Slack (PLATFORM.md:
option text 75, option value 150, at most 100 options, modal title 24 characters). The limits
count characters of the text as shown, in the reader's language (a Chinese title of 24
characters is as long as Slack takes).

Every text a dialog puts into these is already in the reader's language (the dialog wrote it
with `_()` while that language was active); a message written once at import time, for every
reader, is a `StandingMessage`, whose words are read in the language active when they are read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from iso20k_core.language import _
from iso20k_core.text import TEXT_LIMIT

FieldKind = Literal["number", "choice", "multi_choice", "date", "user", "channel", "text"]
Lookup = Literal["country", "currency", "timezone"]

MAX_TITLE = 24
MAX_OPTION_TEXT = 75
# A list longer than 100 comes in groups of at most 100 (Slack's option_groups: 100 groups
# of 100); a person finds an entry by typing, which every channel's select supports.
MAX_OPTIONS = 100
MAX_GROUPED_OPTIONS = 1000

# Mentions of a person or a channel, as markers in the text: each renderer turns them into its
# own form (Slack `<@U1>`, the console `@bob`). They are private-use code points (Unicode
# 23.5), which the input validation refuses in anything a person types
# (iso20k_core/text.py): only a dialog writes a marker, nobody can type one.
MARK_START, MARK_END = "\ue000", "\ue001"
_MARK = re.compile(f"{MARK_START}([@#/])([^{MARK_START}{MARK_END}]{{1,255}}){MARK_END}")


def mention(user_id: str) -> str:
    """A mention of a person, by their platform user id."""
    return f"{MARK_START}@{user_id}{MARK_END}"


def channel(channel_id: str) -> str:
    """A reference to a channel, by its platform id."""
    return f"{MARK_START}#{channel_id}{MARK_END}"


def command(words: str) -> str:
    """A command the person can type, e.g. `command("role @you manager")`: each channel
    spells it its own way (Slack `/iso20k role @you manager`, the console `role @you …`)."""
    return f"{MARK_START}/{words}{MARK_END}"


@dataclass(frozen=True)
class Mark:
    """A mark found in text: `kind` "@" is a person, "#" a channel (`id` their platform id),
    "/" a command (`id` its words)."""

    kind: Literal["@", "#", "/"]
    id: str

    def readable(self, command_prefix: str = "") -> str:
        return f"{command_prefix}{self.id}" if self.kind == "/" else f"{self.kind}{self.id}"


def split_marks(text: str) -> list[str | Mark]:
    """Text as plain runs and mentions, in order, for renderers (empty runs left out)."""
    parts: list[str | Mark] = []
    end = 0
    for found in _MARK.finditer(text):
        if found.start() > end:
            parts.append(text[end : found.start()])
        kind = found.group(1)
        parts.append(Mark("@" if kind == "@" else "#" if kind == "#" else "/", found.group(2)))
        end = found.end()
    if end < len(text):
        parts.append(text[end:])
    return parts


def readable(text: str, command_prefix: str = "") -> str:
    """The text with every mention as `@id` / `#id` and every command as its words after
    `command_prefix`: for plain text, where no mention can go."""
    return "".join(
        p if isinstance(p, str) else p.readable(command_prefix) for p in split_marks(text)
    )


def has_marks(text: str) -> bool:
    return _MARK.search(text) is not None


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    group: str | None = None  # the heading it is listed under in a long list

    def __post_init__(self) -> None:
        if len(self.label) > MAX_OPTION_TEXT or len(self.value) > 150:
            raise ValueError(f"option {self.value!r} is too long for every channel")


@dataclass(frozen=True)
class Field:
    """One input. `id` comes back as the key of the submitted value."""

    id: str
    label: str
    kind: FieldKind
    hint: str | None = None
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    options: tuple[Option, ...] = ()
    initial: str | tuple[str, ...] | None = None
    multiline: bool = False
    placeholder: str | None = None
    # Every date lies in the horizon of iso20k_core.dates; a field may narrow it (start and
    # target dates refuse the past).
    not_before: dt.date | None = None
    # Text is at most this long, checked after normalisation (iso20k_core.text).
    max_length: int = TEXT_LIMIT
    # A choice among countries, currencies or timezones: typed names resolve to the code.
    lookup: Lookup | None = None

    def __post_init__(self) -> None:
        if self.kind in ("choice", "multi_choice"):
            _check_options(self.id, self.options)
        if not 0 < self.max_length <= TEXT_LIMIT:
            raise ValueError(f"field {self.id!r}: no channel takes {self.max_length} characters")


def _check_options(field_id: str, options: tuple[Option, ...]) -> None:
    groups: dict[str | None, int] = {}
    for option in options:
        groups[option.group] = groups.get(option.group, 0) + 1
    grouped = None not in groups
    most = MAX_GROUPED_OPTIONS if grouped else MAX_OPTIONS
    if not 0 < len(options) <= most:
        raise ValueError(f"field {field_id!r} needs 1 to {most} options")
    if grouped and (len(groups) > MAX_OPTIONS or max(groups.values()) > MAX_OPTIONS):
        raise ValueError(f"field {field_id!r}: at most {MAX_OPTIONS} groups of {MAX_OPTIONS}")


@dataclass(frozen=True)
class Text:
    """Read-only text between fields: guidance, progress, a heading."""

    text: str
    heading: bool = False


FormItem = Field | Text


@dataclass(frozen=True)
class Form:
    """A modal, card or prompt sequence. `state` travels with it and comes back on submit."""

    kind: str  # which dialog handles the submission, e.g. "setup", "assess"
    title: str
    items: tuple[FormItem, ...]
    submit: str = "Save"  # every dialog passes its own label, written in the reader's language
    state: dict[str, str] = field(default_factory=dict)
    progress: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if len(self.title) > MAX_TITLE or len(self.submit) > MAX_TITLE:
            raise ValueError(f"form title or submit label too long: {self.title!r}")
        _no_marks("form title", self.title)

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(i for i in self.items if isinstance(i, Field))


@dataclass(frozen=True)
class Button:
    label: str
    action: str  # what the adapter sends back, e.g. "assess"
    value: str = ""
    style: Literal["primary", "danger"] | None = None


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Section:
    heading: str | None = None
    text: str | None = None
    facts: tuple[Fact, ...] = ()

    def __post_init__(self) -> None:
        _no_marks("section heading", self.heading or "")


@dataclass(frozen=True)
class Image:
    """A picture shown inline (a chart), by public URL; `alt` is read out and shown as text."""

    url: str
    alt: str


@dataclass(frozen=True)
class Attachment:
    """A file sent with the message (a report, an export)."""

    filename: str
    content: bytes
    title: str
    mime: str = "application/octet-stream"


@dataclass(frozen=True)
class Message:
    """A reply or notification: heading, text, facts, progress, buttons, sections, an image
    and a file."""

    heading: str
    text: str = ""
    facts: tuple[Fact, ...] = ()
    sections: tuple[Section, ...] = ()
    progress: tuple[int, int] | None = None
    buttons: tuple[Button, ...] = ()
    tone: Literal["info", "success", "warning", "error"] = "info"
    image: Image | None = None
    file: Attachment | None = None

    def __post_init__(self) -> None:
        _no_marks("heading", self.heading)

    def plain(self) -> str:
        """A plain-text rendering, mentions still marked: notification previews."""
        lines = [self.heading]
        if self.text:
            lines.append(self.text)
        lines.extend(f"{f.label}: {f.value}" for f in self.facts)
        for s in self.sections:
            if s.heading:
                lines.append(s.heading)
            if s.text:
                lines.append(s.text)
            lines.extend(f"{f.label}: {f.value}" for f in s.facts)
        return "\n".join(lines)


_STANDING_WORDS = frozenset({"heading", "text"})


@dataclass(frozen=True)
class StandingMessage(Message):
    """A message defined once, at import time, for every reader (an apology, a refusal): its
    heading and text are English messages marked with `N_`, and each read of them gives them
    in the language active at that moment (`_`), so the one constant serves every language
    and every channel that shows it. `params` fill the text's `{placeholders}` (commands)."""

    params: tuple[tuple[str, str], ...] = ()

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if name in _STANDING_WORDS and value:
            return _(value, **dict(object.__getattribute__(self, "params")))
        return value


@dataclass(frozen=True)
class Notice:
    """A message for someone other than the person who acted (a direct message)."""

    user_id: str
    message: Message


@dataclass(frozen=True)
class Outcome:
    """What a dialog step produced: a reply (message or next form), notices, field errors."""

    reply: Message | Form | None = None
    notices: tuple[Notice, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)


def _no_marks(where: str, text: str) -> None:
    """Headings are plain text on every channel (a Slack header cannot mention anyone)."""
    if has_marks(text):
        raise ValueError(f"a {where} cannot hold a mention: {readable(text)!r}")
