"""Validate what comes back from a form: every field checked, every error named.

Adapters hand over raw values (strings from a modal or a prompt, lists for multi-choice);
a dialog receives clean, typed values only when no field has an error, so nothing from a bad
submission is ever saved.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

from bot.dialogs.model import Field, Form

RawValue = str | list[str] | tuple[str, ...] | None
CleanValue = int | float | str | dt.date | tuple[str, ...] | None


def validate(
    form: Form, raw: Mapping[str, RawValue]
) -> tuple[dict[str, CleanValue], dict[str, str]]:
    clean: dict[str, CleanValue] = {}
    errors: dict[str, str] = {}
    for f in form.fields:
        try:
            clean[f.id] = clean_value(f, raw.get(f.id))
        except ValueError as exc:
            errors[f.id] = str(exc)
    return clean, errors


def _blank(value: RawValue) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return len(value) == 0


def clean_value(f: Field, value: RawValue) -> CleanValue:
    if _blank(value):
        if f.required:
            raise ValueError("Please fill this in.")
        return () if f.kind == "multi_choice" else None
    if f.kind == "multi_choice":
        chosen = (value,) if isinstance(value, str) else tuple(value or ())
        allowed = {o.value for o in f.options}
        unknown = [c for c in chosen if c not in allowed]
        if unknown:
            raise ValueError(f"Not an option: {', '.join(unknown)}.")
        return tuple(c for c in (o.value for o in f.options) if c in chosen)
    if not isinstance(value, str):
        raise ValueError("Expected a single value.")
    text = value.strip()
    match f.kind:
        case "number":
            return _number(f, text)
        case "choice":
            if text not in {o.value for o in f.options}:
                labels = ", ".join(o.value for o in f.options[:8])
                raise ValueError(f"Choose one of: {labels}.")
            return text
        case "date":
            return _date(f, text)
        case "user" | "channel" | "text":
            return text
    raise ValueError("Unsupported field.")  # pragma: no cover


def _number(f: Field, text: str) -> int | float:
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"Enter a number, not {text!r}.") from None
    if not math.isfinite(number):
        raise ValueError("Enter a finite number.")
    if f.integer and not number.is_integer():
        raise ValueError("Enter a whole number.")
    if f.minimum is not None and number < f.minimum:
        raise ValueError(f"Enter at least {f.minimum:g}.")
    if f.maximum is not None and number > f.maximum:
        raise ValueError(f"Enter at most {f.maximum:g}.")
    return int(number) if f.integer else number


def _date(f: Field, text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"Enter a date as YYYY-MM-DD, not {text!r}.") from None
    if f.not_before is not None and day < f.not_before:
        raise ValueError(f"Choose a date from {f.not_before.isoformat()} on.")
    return day
