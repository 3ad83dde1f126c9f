"""Render neutral messages and form prompts as plain terminal text.

Mentions become `@bob` and `#channel` (the console's people and channels are names), so no
chat markup ever reaches the terminal.
"""

from __future__ import annotations

import textwrap

from bot.dialogs.model import Field, Message, readable

WIDTH = 88
MAX_MENU = 30  # longer lists are typed and looked up, not scrolled
ICONS = {"info": "", "success": "✔ ", "warning": "! ", "error": "✖ "}


def progress_bar(done: int, total: int, width: int = 30) -> str:
    filled = round(width * done / total) if total else 0
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


def _wrap(text: str, indent: str = "") -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(
            textwrap.wrap(paragraph, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")
            or [indent]
        )
    return lines


def render_message(message: Message) -> str:
    return readable(_render_message(message))


def _render_message(message: Message) -> str:
    heading = ICONS[message.tone] + message.heading
    lines = [heading, "=" * min(len(heading), WIDTH)]
    if message.text:
        lines += _wrap(message.text)
    if message.progress:
        lines.append(progress_bar(*message.progress))
    if message.facts:
        width = min(max(len(f.label) for f in message.facts), 40)
        lines += [f"  {f.label:<{width}}  {f.value}" for f in message.facts]
    for section in message.sections:
        lines.append("")
        if section.heading:
            lines.append(section.heading)
            lines.append("-" * min(len(section.heading), WIDTH))
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
    lines = ["", *_wrap(field.label + ("" if field.required else " (optional)"))]
    if field.hint:
        lines += _wrap(field.hint, "    ")
    if field.lookup is not None or len(field.options) > MAX_MENU:
        examples = ", ".join(o.value for o in field.options[:3])
        lines.append(f"    Type a name or a code (e.g. {examples}); it is looked up.")
    else:
        lines += [f"    {key}) {label}" for key, label in menu(field)]
    if field.kind == "multi_choice":
        lines.append("    Several numbers separated by commas, or '-' for none.")
    if field.kind in ("number",) and (field.minimum is not None or field.maximum is not None):
        low = "" if field.minimum is None else f"{field.minimum:g}"
        high = "" if field.maximum is None else f"{field.maximum:g}"
        lines.append(f"    A number from {low or '…'} to {high or '…'}.")
    if field.kind == "date":
        lines.append("    A date as YYYY-MM-DD.")
    return "\n".join(lines) + "\n"
