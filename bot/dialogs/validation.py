"""Validate what comes back from a form: every field checked, every error named.

Adapters hand over raw values (strings from a modal or a prompt, lists for multi-choice);
a dialog receives clean, typed values only when no field has an error, so nothing from a bad
submission is ever saved. The limits a form declares are enforced here, on the server, for
every channel: a client's own checks (a modal's max_length, a card's isRequired) are a
courtesy to the person, not a guarantee — a replayed or hand-made request skips them.

Every string is normalised first (iso20k_core.text: NFKC, so full-width digits typed on a
Chinese keyboard are digits, `１２０` is 120 and `２０２７－０３－１５` is 2027-03-15; no control
characters), and every date is spelt YYYY-MM-DD and lies in the horizon of iso20k_core.dates.
Errors are sentences in the active language (the reader's).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

from bot.dialogs.model import Field, Form
from iso20k_core import figures as fig
from iso20k_core import places
from iso20k_core.dates import check_horizon, parse_iso_date
from iso20k_core.language import _, _p
from iso20k_core.text import clean_text

RawValue = str | list[str] | tuple[str, ...] | None
CleanValue = int | float | str | dt.date | tuple[str, ...] | None
MAX_LISTED = 8  # options named in an error: enough to see the pattern, short enough to read


def validate(
    form: Form, raw: Mapping[str, RawValue], today: dt.date
) -> tuple[dict[str, CleanValue], dict[str, str]]:
    clean: dict[str, CleanValue] = {}
    errors: dict[str, str] = {}
    for f in form.fields:
        try:
            clean[f.id] = clean_value(f, raw.get(f.id), today)
        except ValueError as exc:
            errors[f.id] = str(exc)
    return clean, errors


def _blank(value: RawValue) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return len(value) == 0


def clean_value(f: Field, value: RawValue, today: dt.date) -> CleanValue:
    if _blank(value):
        if f.required:
            raise ValueError(_("Please fill this in."))
        return () if f.kind == "multi_choice" else None
    if f.kind == "multi_choice":
        chosen = (value,) if isinstance(value, str) else tuple(value or ())
        picked = {_option_value(f, clean_text(c)) for c in chosen}
        return tuple(o.value for o in f.options if o.value in picked)
    if not isinstance(value, str):
        raise ValueError(_("Expected a single value."))
    text = clean_text(value, limit=f.max_length, multiline=f.multiline)
    match f.kind:
        case "number":
            return _number(f, text)
        case "choice":
            return _option_value(f, text)
        case "date":
            return _date(f, text, today)
        case "user" | "channel" | "text":
            return text
    raise ValueError(_("Unsupported field."))  # pragma: no cover


def _option_value(f: Field, text: str) -> str:
    """The option `text` names: its value, its label (any case), or for a lookup a name of
    the country, currency or timezone."""
    values = {o.value for o in f.options}
    if text in values:
        return text
    by_name = {o.label.casefold(): o.value for o in f.options}
    by_name |= {o.value.casefold(): o.value for o in f.options}
    if text.casefold() in by_name:
        return by_name[text.casefold()]
    if f.lookup is not None:
        try:
            code = places.resolve(f.lookup, text)
        except places.LookupFailed as failed:
            raise ValueError(str(failed)) from None
        if code in values:
            return code
    separator = _p("list separator", ", ")
    listed = separator.join(o.value for o in f.options[:MAX_LISTED])
    more = separator + "…" if len(f.options) > MAX_LISTED else ""
    raise ValueError(
        _("Not an option: {text}. Choose one of: {options}.", text=text, options=listed + more)
    )


def _number(f: Field, text: str) -> int | float:
    try:
        number = float(text)
    except ValueError:
        raise ValueError(_("Enter a number, not {text!r}.", text=text)) from None
    if not math.isfinite(number):
        raise ValueError(_("Enter a finite number."))
    if f.integer and not number.is_integer():
        raise ValueError(_("Enter a whole number."))
    if f.minimum is not None and number < f.minimum:
        raise ValueError(_("Enter at least {minimum:g}.", minimum=f.minimum))
    if f.maximum is not None and number > f.maximum:
        raise ValueError(_("Enter at most {maximum:g}.", maximum=f.maximum))
    return int(number) if f.integer else number


def _date(f: Field, text: str, today: dt.date) -> dt.date:
    day = check_horizon(parse_iso_date(text), today)
    if f.not_before is not None and day < f.not_before:
        raise ValueError(_("Choose a date from {day} on.", day=fig.date(f.not_before)))
    return day
