"""Render neutral messages and form prompts as plain terminal text.

Mentions become `@bob` and `#channel` (the console's people and channels are names), so no
chat markup ever reaches the terminal.

Columns are counted in display cells, not characters: a Chinese character (and a full-width
comma) takes two cells of a terminal (Unicode's East Asian Width, via `wcwidth`), so labels
are padded and paragraphs wrapped by what the terminal shows. Chinese is written without
spaces, so a line may break between any two wide characters, except before closing
punctuation (`，。；：？）`), which stays with the character before it. Text made only of
narrow characters is wrapped exactly as `textwrap` always did.
"""

from __future__ import annotations

import re
import textwrap

from bot.dialogs.model import Field, Message, readable
from iso20k_core.language import _
from iso20k_core.text import cells

WIDTH = 88
MAX_MENU = 30  # longer lists are typed and looked up, not scrolled
ICONS = {"info": "", "success": "✔ ", "warning": "! ", "error": "✖ "}


# Closing punctuation a line must not start with (the Chinese rule of 避头, in short).
NO_LINE_START = frozenset("，。、；：？！）》」』】〕…,.;:?!)%")
_WORD = re.compile(r"\s+|[^\s]")


def pad(text: str, width: int) -> str:
    """`text` left-aligned in `width` cells (as `f"{text:<{width}}"` does by characters)."""
    return text + " " * max(0, width - cells(text))


def wrap(
    paragraph: str, width: int, initial_indent: str = "", subsequent_indent: str = ""
) -> list[str]:
    """`textwrap.wrap` by display cells: identical for narrow text; wide text may break
    between any two wide characters, never before closing punctuation."""
    if cells(paragraph) == len(paragraph):
        return textwrap.wrap(
            paragraph, width, initial_indent=initial_indent, subsequent_indent=subsequent_indent
        )
    lines: list[str] = []
    indent, line, space = initial_indent, initial_indent, False
    for token in _tokens(paragraph):
        if token.isspace():
            space = line != indent
            continue
        joined = line + (" " if space else "") + token
        space = False
        if line == indent or cells(joined) <= width:
            line = joined
        else:
            lines.append(line.rstrip())
            indent = subsequent_indent
            line = indent + token
        while cells(line) > width and len(line) - len(indent) > 1:  # one word too long
            head, rest = _split(line, width, indent)
            lines.append(head)
            indent = subsequent_indent
            line = indent + rest
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _tokens(paragraph: str) -> list[str]:
    """Words of narrow characters, each wide character on its own, and runs of spaces;
    closing punctuation joined to what comes before it (a space between included)."""
    tokens: list[str] = []
    for found in _WORD.finditer(paragraph):
        piece = found.group()
        wide = not piece.isspace() and cells(piece) > 1
        if tokens and piece in NO_LINE_START:
            if tokens[-1].isspace() and len(tokens) > 1:
                space = tokens.pop()
                tokens[-1] += space
            tokens[-1] += piece
        elif tokens and not piece.isspace() and not wide and _narrow_word(tokens[-1]):
            tokens[-1] += piece
        else:
            tokens.append(piece)
    return tokens


def _narrow_word(token: str) -> bool:
    return not token.isspace() and cells(token) == len(token)


def _split(line: str, width: int, indent: str) -> tuple[str, str]:
    """A line wider than `width` made of one long word: cut where it fills the width."""
    used = 0
    for at, char in enumerate(line):
        used += cells(char)
        if used > width and at > len(indent):
            while at > len(indent) + 1 and (line[at] in NO_LINE_START or line[at].isspace()):
                at -= 1  # closing punctuation stays with the character before it
            return line[:at], line[at:]
    return line, ""


def progress_bar(done: int, total: int, width: int = 30) -> str:
    filled = round(width * done / total) if total else 0
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


def _wrap(text: str, indent: str = "") -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(
            wrap(paragraph, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")
            or [indent]
        )
    return lines


def render_message(message: Message) -> str:
    return readable(_render_message(message))


def _render_message(message: Message) -> str:
    heading = ICONS[message.tone] + message.heading
    lines = [heading, "=" * min(cells(heading), WIDTH)]
    if message.text:
        lines += _wrap(message.text)
    if message.progress:
        lines.append(progress_bar(*message.progress))
    if message.facts:
        width = min(max(cells(f.label) for f in message.facts), 40)
        lines += [f"  {pad(f.label, width)}  {f.value}" for f in message.facts]
    for section in message.sections:
        lines.append("")
        if section.heading:
            lines.append(section.heading)
            lines.append("-" * min(cells(section.heading), WIDTH))
        if section.text:
            lines += _wrap(section.text, "  ")
        lines += [f"  {f.label}: {f.value}" for f in section.facts]
    if message.image is not None:
        lines.append(f"[image] {message.image.alt} ({message.image.url})")
    if message.buttons:
        lines.append("")
        lines += [f"  [{n}] {b.label}" for n, b in enumerate(message.buttons, 1)]
    return "\n".join(lines) + "\n"


def menu(field: Field) -> list[tuple[str, str]]:
    """What to type for each option. When the options are numbers (a maturity level, a
    rating), the number is what a person types, so it is the key: `3` means level 3."""
    if field.options and all(o.value.isdigit() for o in field.options):
        return [(o.value, o.label.removeprefix(f"{o.value} – ")) for o in field.options]
    return [(str(n), o.label) for n, o in enumerate(field.options, 1)]


def render_prompt(field: Field) -> str:
    return readable(_render_prompt(field))


def _render_prompt(field: Field) -> str:
    label = field.label if field.required else _("{label} (optional)", label=field.label)
    lines = ["", *_wrap(label)]
    if field.hint:
        lines += _wrap(field.hint, "    ")
    if field.lookup is not None or len(field.options) > MAX_MENU:
        examples = ", ".join(o.value for o in field.options[:3])
        lines.append(
            "    "
            + _("Type a name or a code (e.g. {examples}); it is looked up.", examples=examples)
        )
    else:
        lines += [f"    {key}) {label}" for key, label in menu(field)]
    if field.kind == "multi_choice":
        lines.append("    " + _("Several numbers separated by commas, or '-' for none."))
    if field.kind in ("number",) and (field.minimum is not None or field.maximum is not None):
        low = "" if field.minimum is None else f"{field.minimum:g}"
        high = "" if field.maximum is None else f"{field.maximum:g}"
        lines.append("    " + _("A number from {low} to {high}.", low=low or "…", high=high or "…"))
    if field.kind == "date":
        lines.append("    " + _("A date as YYYY-MM-DD."))
    return "\n".join(lines) + "\n"
