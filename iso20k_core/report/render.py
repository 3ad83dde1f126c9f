"""Render an evaluation with Jinja2 templates (Markdown, text) or as JSON.

Templates live beside this module so that a consultant can adapt the wording without touching
the engine. Rendering is deterministic: no dates but the evaluation's own, stable ordering.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Literal

import jinja2
from markupsafe import Markup, escape

from iso20k_core import figures as fig
from iso20k_core.language import _p, active
from iso20k_core.results import Evaluation
from iso20k_core.text import cells

Format = Literal["text", "json", "markdown"]
FORMATS: tuple[Format, ...] = ("text", "json", "markdown")


def make_environment(autoescape: bool) -> jinja2.Environment:
    """The templates beside this module, strict about missing values, with the figure
    filters every rendering shares (figures.py: one way to write each kind of figure).

    `num` writes what the engine kept to one decimal (scores, percentages, maturity, gaps),
    `count` whole days and persons, `number` what a person entered or the standard fixes
    (rates, audit days, FTE), `money` an amount with its currency (or the rates it needs),
    `money_text` the same inside a sentence, `date` a day; `label` a value the engine keeps
    as a key (a verdict, a compliance, a level, a document state, an assumption's origin, a
    planning mode) as a person reads it, `plain` a translated message as a value to escape,
    `sentences` sentences written one after the other, `pad` a column of the plain-text
    rendering.

    `{% trans %}` and `_()` write in the language active when the template renders
    (iso20k_core.language): the callables look it up on every call, so one cached
    environment serves every language. Blocks are trimmed, so a message's line breaks in
    the template are not part of its text."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("iso20k_core.report", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: active().gettext(message),
        ngettext=lambda singular, plural, n: active().ngettext(singular, plural, n),
        pgettext=lambda context, message: active().pgettext(context, message),
        newstyle=True,
    )
    env.filters["date"] = fig.date
    env.filters["money"] = fig.money
    env.filters["money_text"] = fig.money_in_text
    env.filters["money_range"] = fig.money_range
    env.filters["money_range_text"] = fig.money_range_in_text
    env.filters["num"] = fig.level
    env.filters["count"] = fig.count
    env.filters["number"] = fig.number
    env.filters["label"] = label
    env.filters["plain"] = plain
    env.filters["sentences"] = sentences
    env.filters["pad"] = pad
    # `_p("list", ", ")`: the separator of a list inside a sentence (`、` in Chinese).
    env.globals["_p"] = _p
    return env


def label(value: str) -> str:
    """A value the engine keeps as a key (`met`, `ready to start`, `low` …), as a person
    reads it in the active language; the key itself stays what templates compare and the
    CSS classes name. An unknown value is shown as it is."""
    labels = {
        "ready to start": _p("verdict", "ready to start"),
        "feasible with preparation": _p("verdict", "feasible with preparation"),
        "not yet feasible": _p("verdict", "not yet feasible"),
        "met": _p("compliance", "met"),
        "partly met": _p("compliance", "partly met"),
        "not met": _p("compliance", "not met"),
        "not assessed": _p("compliance", "not assessed"),
        "low": _p("level", "low"),
        "medium": _p("level", "medium"),
        "high": _p("level", "high"),
        "exists": _p("document state", "exists"),
        "in draft": _p("document state", "in draft"),
        "missing": _p("document state", "missing"),
        "not answered": _p("document state", "not answered"),
        "default": _p("assumption origin", "default"),
        "profile": _p("assumption origin", "profile"),
        "standard": _p("assumption origin", "standard"),
        "forward": _p("planning", "forward"),
        "backward": _p("planning", "backward"),
    }
    return labels.get(value, value)


# A sentence that ends in a full-width mark (Chinese `。`, `：`, `）`) is followed by the next
# without a space; one that ends in a Latin full stop by a space. A rule of the script, not
# of a language: English sentences never end in a full-width mark.
_FULL_WIDTH_END = re.compile(r"[\u3000-\u303f\uff00-\uffef]\Z")


@jinja2.pass_eval_context
def sentences(context: jinja2.nodes.EvalContext, parts: Iterable[str]) -> str:
    """The non-empty `parts` (each a whole sentence or more, already in the reader's
    language) one after the other, as a paragraph: `{{ [a, b] | sentences }}`."""
    text = ""
    for part in parts:
        if not part:
            continue
        if text and not _FULL_WIDTH_END.search(text):
            text += " "
        text += str(escape(part)) if context.autoescape else str(part)
    return Markup(text) if context.autoescape else text


def pad(value: object, width: int, right: bool = False) -> str:
    """`value` filled with spaces to `width` terminal columns (`"%-40s"`, or `"%40s"` with
    `right`), counting a Chinese character as the two columns it takes."""
    text = str(value)
    fill = " " * max(0, width - cells(text))
    return fill + text if right else text + fill


def plain(message: str) -> str:
    """A translated message as a plain value: with autoescape on, `_()` marks its message
    safe, but a sentence handed to a macro as a value has always been escaped where it is
    printed (`'` as `&#39;`), like every other value."""
    return str(message)


@functools.cache
def _environment() -> jinja2.Environment:
    return make_environment(autoescape=False)  # plain text and Markdown, never HTML


def render(evaluation: Evaluation, fmt: Format = "text") -> str:
    if fmt == "json":
        return evaluation.model_dump_json(indent=2) + "\n"
    template = _environment().get_template(f"evaluation.{'md' if fmt == 'markdown' else 'txt'}.j2")
    areas = {a.id: a for a in evaluation.areas}
    return template.render(e=evaluation, areas=areas)
