"""Replies several dialogs share."""

from __future__ import annotations

from collections.abc import Iterable

from bot.dialogs.model import Message, command
from iso20k_core.language import N_, _, _p
from iso20k_core.results import Verdict
from iso20k_core.standard import Bank

# The engine's verdict is a value other code reads (the report, the exports); a person reads
# it in their language.
VERDICTS: dict[str, str] = {
    "ready to start": N_("ready to start"),
    "feasible with preparation": N_("feasible with preparation"),
    "not yet feasible": N_("not yet feasible"),
}


def verdict_label(verdict: Verdict) -> str:
    return _(VERDICTS.get(verdict, verdict))


def unknown_section(bank: Bank, section_id: str) -> Message:
    return Message(
        heading=_("There is no section {section!r}", section=section_id),
        text=_(
            "Sections: {sections}",
            sections=listed(
                _("{id} ({title})", id=s.id, title=s.title) for s in bank.assessed_sections
            ),
        ),
        tone="error",
    )


def listed(items: Iterable[str]) -> str:
    """Items of a list inside a sentence, with the language's own separator (`a, b` in
    English, `a、b` in Chinese)."""
    return _p("list separator", ", ").join(items)


def not_set_up() -> Message:
    return Message(
        heading=_("No organisation profile yet"),
        text=_(
            "A manager sets it up first with {setup} (the first person to do so becomes admin).",
            setup=command("setup"),
        ),
        tone="warning",
    )


def managers_only(heading: str) -> Message:
    """`heading` says what is for managers only, whole and in the reader's language
    (`_("Costs are visible to managers only")`)."""
    return Message(
        heading=heading,
        text=_("Ask an admin for the manager role: {role}", role=command("role @you manager")),
        tone="warning",
    )
