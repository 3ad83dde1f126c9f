"""Text a person typed, made safe to store and to show: normalised, bounded, printable.

Every channel hands over strings: a Slack modal, a Teams card, the console, a YAML file. The
same rules hold for all of them, so they live here once:

- Unicode NFKC: full-width digits and letters typed on a Chinese or Japanese keyboard
  (`１２０`, `ＣＮ`) become the ASCII a number or a code is read from; compatibility forms
  (`ﬁ`, `①`) become their plain letters.
- No control characters (NUL breaks a PostgreSQL text column and is invisible everywhere
  else), no surrogates, no private-use or non-characters; line breaks and tabs only in text
  that may span lines. Windows and old Mac line ends, and U+2028/U+2029, become `\\n`.
- A length limit, checked after normalisation: what is stored is what was counted.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TypeVar, cast

from wcwidth import wcswidth, wcwidth

from iso20k_core import figures as fig
from iso20k_core.language import _

_Value = TypeVar("_Value")

# Slack's plain_text_input takes at most 3,000 characters; no channel shows more in a field.
TEXT_LIMIT = 3000
NAME_LIMIT = 200  # names of organisations, certification bodies, references
_ALLOWED_IN_MULTILINE = frozenset("\n\t")
# Unassigned code points (category Cn) stay allowed: they include emoji newer than Python's
# Unicode tables. Non-characters are refused: Unicode reserves them for internal use.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Co"})


def _noncharacter(char: str) -> bool:
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def as_typed(value: _Value) -> _Value:
    """A value read as a person meant it: a string after NFKC, so a number typed with a
    Chinese input method (`１．５`) is the ASCII it means (float() takes full-width digits but
    not the full-width point); anything else unchanged."""
    if isinstance(value, str):
        return cast(_Value, unicodedata.normalize("NFKC", value))
    return value


# The blocks no Latin font draws and a Chinese reader counts as two columns: CJK radicals,
# punctuation, kana and ideographs; hangul; compatibility ideographs; the full-width forms a
# Chinese keyboard types; the ideographs beyond the BMP. One compiled class: the PDF check
# scans a whole report (half a megabyte) for them.
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U00031fff]")


def is_cjk(char: str) -> bool:
    return _CJK.fullmatch(char) is not None


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def cells(text: str) -> int:
    """How many columns `text` takes on a terminal or in a fixed-width label: 2 for each
    wide character (Unicode's East Asian Width, via `wcwidth`), 1 for each narrow one, 0 for
    combining marks (a control character counts as 1: nothing is dropped). The console, the
    plain-text report and the charts' labels all measure with it."""
    # wcwidth gives NUL 0 columns and other control characters -1: those go one by one.
    whole = wcswidth(text) if text.isprintable() else -1
    if whole >= 0:
        return int(whole)
    return sum(max(int(wcwidth(c)), 0) if c.isprintable() else 1 for c in text)


class TextError(ValueError):
    """Text that cannot be taken as it is, told in the person's words."""


def clean_text(value: str, *, limit: int = TEXT_LIMIT, multiline: bool = False) -> str:
    """The normalised, stripped text, or a `TextError` saying what to change."""
    # Unicode's own line and paragraph separators are line breaks too (a single-line field
    # refuses them like "\n"; they would split a line wherever the text is shown).
    lines = value.replace("\r\n", "\n").replace("\r", "\n")
    lines = lines.replace("\u2028", "\n").replace("\u2029", "\n")
    text = unicodedata.normalize("NFKC", lines)
    text = text.strip()
    for char in text:
        if multiline and char in _ALLOWED_IN_MULTILINE:
            continue
        if unicodedata.category(char) in _REFUSED_CATEGORIES or _noncharacter(char):
            code = f"U+{ord(char):04X}"
            if char in _ALLOWED_IN_MULTILINE:
                problem = _(
                    "Remove a line break or tab character ({code}); it cannot be stored or shown.",
                    code=code,
                )
            else:
                problem = _(
                    "Remove an unprintable character ({code}); it cannot be stored or shown.",
                    code=code,
                )
            raise TextError(problem)
    if len(text) > limit:
        raise TextError(
            _(
                "Keep it to {limit} characters; this has {length}.",
                limit=fig.count(limit),
                length=fig.count(len(text)),
            )
        )
    return text
